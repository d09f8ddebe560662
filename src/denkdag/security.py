"""Secrets: random tokens, their stored hashes, join codes and password hashing.

Tokens are stored only as SHA-256 hashes, so a copy of the database gives no working
token. Passwords use argon2id (argon2-cffi), hashed off the event loop by the caller.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

CODE_DIGITS = 8
_hasher = PasswordHasher()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_join_code() -> str:
    """Eight random digits: easy to type on a phone's number pad."""
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def normalise_code(text: str) -> str:
    """A code as typed ("1234 5678", "1234-5678") in its stored form."""
    return "".join(ch for ch in text if ch.isdigit())[:32]


def format_code(code: str) -> str:
    """A code split in two groups of four, as it is shown to the room."""
    return f"{code[:4]} {code[4:]}" if len(code) == CODE_DIGITS else code


INVITATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITATION_LENGTH = 10


def new_invitation_code() -> str:
    """Ten characters without look-alikes (0/O, 1/I/L): about 50 bits, printed as XXXXX-XXXXX."""
    code = "".join(secrets.choice(INVITATION_ALPHABET) for _ in range(INVITATION_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def normalise_invitation(text: str) -> str:
    """An invitation code as typed ("abcde fghjk") in the form whose hash is stored."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[:32]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
