import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from submissions import crypto


def test_a_contact_round_trips_and_is_not_stored_in_clear():
    token = crypto.encrypt_contact("signal: +7 900 000-00-00")
    assert "900" not in token
    assert crypto.decrypt_contact(token) == "signal: +7 900 000-00-00"


def test_an_empty_contact_stays_empty():
    assert crypto.encrypt_contact("") == ""
    assert crypto.decrypt_contact("") == ""


def test_an_old_key_still_decrypts_after_rotation(settings):
    old_key = settings.CONTACT_ENCRYPTION_KEYS[0]
    token = crypto.encrypt_contact("telegram @someone")
    new_key = Fernet.generate_key().decode()
    crypto._fernet.cache_clear()
    try:
        with override_settings(CONTACT_ENCRYPTION_KEYS=[new_key, old_key]):
            assert crypto.decrypt_contact(token) == "telegram @someone"
        crypto._fernet.cache_clear()
        with (
            override_settings(CONTACT_ENCRYPTION_KEYS=[new_key]),
            pytest.raises(crypto.InvalidToken),
        ):
            crypto.decrypt_contact(token)
    finally:
        crypto._fernet.cache_clear()
