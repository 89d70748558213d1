"""The signed token each rendered submission form carries.

It says when the form was rendered (posts faster than a person or older than a day are
refused) and carries a random nonce that may create one submission only: a refresh or a
double click on "send" finds the nonce used. Signed with SECRET_KEY, so it cannot be forged.
"""

import hashlib
import secrets
import time

from django.conf import settings
from django.core import signing

SALT = "submissions.form-token"


class TokenError(Exception):
    """The token is missing, forged, too fresh or too old; `reason` says which."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def issue(now=None):
    rendered_at = int(time.time() if now is None else now)
    return signing.dumps({"n": secrets.token_hex(16), "t": rendered_at}, salt=SALT)


def check(token, now=None):
    """The token's nonce if the token may be used now; raises TokenError otherwise."""
    nonce, rendered_at = _read(token)
    age = (time.time() if now is None else now) - rendered_at
    if age < settings.SUBMISSION_MIN_SECONDS:
        raise TokenError("too_fast")
    if age > settings.SUBMISSION_FORM_MAX_AGE:
        raise TokenError("stale")
    return nonce


def renew(token):
    """The token to put in a form shown again: the same one while it is valid, so that the
    form still creates one submission at most, else a new one."""
    try:
        _, rendered_at = _read(token)
    except TokenError:
        return issue()
    if time.time() - rendered_at > settings.SUBMISSION_FORM_MAX_AGE:
        return issue()
    return token


def _read(token):
    try:
        payload = signing.loads(token or "", salt=SALT)
        return str(payload["n"]), int(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TokenError("invalid") from None


def nonce_hash(nonce):
    return hashlib.sha256(f"{SALT}:{nonce}".encode()).hexdigest()
