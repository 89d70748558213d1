import math
import re

import pytest

from submissions import receipts
from tests.conftest import submission_form_data
from tests.test_submission_abuse import all_database_text

CODE_RE = re.compile(r'<p class="receipt-code"[^>]*><strong>([A-Z0-9-]+)</strong>')


def test_a_code_has_at_least_80_bits_in_five_groups_of_unambiguous_characters():
    assert 20 * math.log2(len(receipts.ALPHABET)) >= 80
    assert not set("01ILOU") & set(receipts.ALPHABET)
    codes = {receipts.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}(-[0-9A-Z]{4}){4}", code)
        assert receipts.is_well_formed(code)


def test_the_code_of_a_form_depends_on_its_nonce_and_the_server_key(settings):
    code = receipts.code_for_form("a" * 32)
    assert receipts.is_well_formed(code)
    assert receipts.code_for_form("a" * 32) == code
    assert receipts.code_for_form("b" * 32) != code
    settings.RECEIPT_HASH_KEY = "another key"
    assert receipts.code_for_form("a" * 32) != code


def test_the_stored_hash_is_keyed(settings):
    code = receipts.new_code()
    stored = receipts.code_hash(code)
    assert len(stored) == 64
    assert receipts.code_hash(code.lower().replace("-", " ")) == stored
    settings.RECEIPT_HASH_KEY = "another key"
    assert receipts.code_hash(code) != stored


@pytest.mark.django_db
def test_the_code_itself_is_stored_nowhere(client):
    code = CODE_RE.search(client.post("/submit/", submission_form_data()).content.decode())[1]
    database = all_database_text()
    assert code not in database
    assert code.replace("-", "") not in database
