"""Receipt codes: shown to the submitter once, stored only as a keyed hash.

A code is 20 characters from a 30-symbol alphabet without look-alikes (no 0, O, 1, I, L,
U): log2(30) * 20 ≈ 98 bits of randomness. It is written in five groups of four so it can
be read aloud or copied by hand, e.g. K7QF-M2XD-9RTA-W4HE-P6NC.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

GROUPS = 5
GROUP_LENGTH = 4

# Digits 2-9 and the letters without I, L, O, U: 30 symbols.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

# Russian and Ukrainian keyboards type Cyrillic letters that look like Latin ones; a code
# read aloud or copied by hand may come back in Cyrillic.
_LOOKALIKES = str.maketrans("АВЕКМНРСТХ", "ABEKMHPCTX")


def new_code():
    """A random code, for submissions that do not come through the form (tests, imports)."""
    return _format("".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH)))


def code_for_form(nonce):
    """The code of the submission made by the form with this one-time nonce (128 random
    bits, see formtoken). Derived under the server's key, so a form sent twice (a double
    click, a lost connection) can be answered with the same code, and nobody without the
    key can compute it."""
    key = settings.RECEIPT_HASH_KEY.encode()
    number = int.from_bytes(hmac.new(key, f"code:{nonce}".encode(), hashlib.sha256).digest())
    symbols = []
    for _ in range(GROUPS * GROUP_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        symbols.append(ALPHABET[index])
    return _format("".join(symbols))


def _format(raw):
    return "-".join(raw[i : i + GROUP_LENGTH] for i in range(0, len(raw), GROUP_LENGTH))


def normalise(text):
    """The code as typed, reduced to its symbols: any case, spaces, dashes, Cyrillic."""
    text = (text or "").upper().translate(_LOOKALIKES)
    return "".join(char for char in text if char.isalnum())


def is_well_formed(text):
    code = normalise(text)
    return len(code) == GROUPS * GROUP_LENGTH and all(char in ALPHABET for char in code)


def code_hash(text):
    """The stored form of a code. Computed for every input, well formed or not, so that a
    lookup costs the same whatever was typed."""
    key = settings.RECEIPT_HASH_KEY.encode()
    return hmac.new(key, normalise(text).encode(), hashlib.sha256).hexdigest()
