"""Encryption of submitter contact details at rest.

Keys come from CONTACT_ENCRYPTION_KEYS (comma-separated Fernet keys, newest first; older
keys still decrypt, which lets an administrator rotate keys). Only moderators' views call
`decrypt_contact`, and each call there is an audited action.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet():
    return MultiFernet([Fernet(key) for key in settings.CONTACT_ENCRYPTION_KEYS])


def encrypt_contact(text):
    if not text:
        return ""
    return _fernet().encrypt(text.encode()).decode()


def decrypt_contact(token):
    """The plain contact, or "" if there is none. Raises InvalidToken if no key fits."""
    if not token:
        return ""
    return _fernet().decrypt(token.encode()).decode()


__all__ = ["InvalidToken", "decrypt_contact", "encrypt_contact"]
