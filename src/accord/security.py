"""Secrets: password hashing (argon2id), password strength, random tokens stored only as their
SHA-256, and the addresses of trusted reverse proxies."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 8
# zxcvbn's score runs from 0 (guessed at once) to 4; 2 resists an online attack with throttling
# and a slow hash, which is what a sign-in form has.
MIN_PASSWORD_SCORE = 2
# zxcvbn refuses longer input (its matching is superlinear); the first 72 characters of a
# password decide its score, as they would bcrypt's.
ESTIMATED_CHARACTERS = 72
# zxcvbn keeps the user's own words (the email) in a module-level dictionary while it scores.
_estimator_lock = threading.Lock()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so that sign-in takes as
    long either way. Made on first use, never at import."""
    return _hasher.hash("accord-timing-guard")


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def password_weakness(password: str, email: str) -> str | None:
    """Why ``password`` is too weak for the account ``email``, said as what to do; None when
    it is strong enough. Runs zxcvbn (a few milliseconds; imported on first use)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"the password is too short ({len(password)} characters): use at least "
            f"{MIN_PASSWORD_LENGTH}, for example a few uncommon words"
        )
    local = email.split("@", 1)[0]
    if password.strip().lower() in {email.lower(), local.lower()}:
        return "the password is the account's email; choose something else, such as a few words"
    from zxcvbn import zxcvbn

    with _estimator_lock:
        estimate = zxcvbn(password[:ESTIMATED_CHARACTERS], user_inputs=[email, local])
    if int(estimate["score"]) >= MIN_PASSWORD_SCORE:
        return None
    feedback = estimate["feedback"]
    advice = [str(feedback.get("warning") or "").strip()]
    advice += [str(s).strip() for s in feedback.get("suggestions") or ()]
    said = " ".join(a if a.endswith(".") else a + "." for a in advice if a)
    return f"the password is too easy to guess. {said or 'Add another word or two.'}".strip()


def new_token(prefix: str) -> str:
    """A random token such as ``acc_…`` (API) or a session token; 256 bits of entropy."""
    return f"{prefix}{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def new_password() -> str:
    return secrets.token_urlsafe(12)


def trusted_proxies(setting: str) -> list[str]:
    """The IPs and CIDR ranges of ``ACCORD_TRUSTED_PROXIES``; ValueError names a bad entry."""
    entries = [part.strip() for part in setting.split(",") if part.strip()]
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(
                f"ACCORD_TRUSTED_PROXIES: {entry!r} is not an IP address or a CIDR range "
                "(such as 10.0.0.5 or 10.0.0.0/24); fix it, or leave the setting empty to "
                "trust no X-Forwarded-For header"
            ) from None
    return entries
