"""Passwords and API tokens.

Passwords are hashed with Argon2id (argon2-cffi, RFC 9106's low-memory profile: t=3, 64 MiB,
p=4), the current recommendation for password storage. API tokens are 256-bit random strings;
the database keeps only their SHA-256 digest -- a fast hash is right for a high-entropy secret
that cannot be guessed, and keeps a request's authentication cheap.
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

_HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)
MIN_PASSWORD = 12


def use_parameters(parameters: Parameters = RFC_9106_LOW_MEMORY) -> None:
    """Hash new passwords with other Argon2 parameters (tests use a cheap Argon2id profile;
    existing hashes keep verifying, since each carries its own parameters)."""
    global _HASHER
    _HASHER = PasswordHasher.from_parameters(parameters)


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password`` (PHC string with salt and parameters)."""
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches the stored hash."""
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A fresh token and the digest to store."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    """SHA-256 hex digest of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
