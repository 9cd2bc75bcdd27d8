"""Signed links to stored files, for browsers and programs.

A link is issued (`file_url`) only by code that has checked the caller's access to the project
the file belongs to; whoever holds the link may then GET the file until it expires, without
signing in (a ``<video>`` element sends no Authorization header). On S3 the link is a presigned
GET of the object; on a local folder it is ``/api/v1/files/{token}``, served by
`accord.api.files`, where the token carries the key, the expiry and the file name to give the
download, and an HMAC-SHA256 over all three with the instance's secret (the same in every
server process and machine: it is kept in the database, `accord.actions.secrets`). Changing any
part of a token (another key, a later expiry) breaks its signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import mimetypes
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

import orjson

from accord.errors import Forbidden

if TYPE_CHECKING:
    from accord.media.storage import Storage

FILES_PATH = "/api/v1/files/"
PURPOSE = b"accord file link 1\0"  # keeps these signatures apart from any other use of the key

# Types a browser may show in the page's own origin. Anything else (HTML, SVG, scripts, XML)
# is sent as a download of octets, so a stored file can never run as part of Accord.
INLINE_TYPES = ("image/", "audio/", "video/")
INLINE_EXACT = frozenset({"text/plain", "text/csv", "application/json", "application/x-ndjson"})
INLINE_EXCLUDED = frozenset({"image/svg+xml"})
OCTETS = "application/octet-stream"
OWN_TYPES = {"jsonl": "application/x-ndjson", "ndjson": "application/x-ndjson"}  # exports


@dataclass(frozen=True)
class FileGrant:
    """What a valid token allows: GET ``key`` until ``expires`` (Unix seconds)."""

    key: str
    expires: int
    filename: str | None


def content_type(name: str) -> str:
    """The content type a file called ``name`` is served with (see `INLINE_TYPES`)."""
    extension = name.rpartition(".")[2].lower()
    guessed = OWN_TYPES.get(extension) or mimetypes.guess_type(name, strict=False)[0] or OCTETS
    if guessed in INLINE_EXCLUDED:
        return OCTETS
    if guessed.startswith(INLINE_TYPES) or guessed in INLINE_EXACT:
        return guessed
    return OCTETS


def content_disposition(filename: str) -> str:
    """``attachment`` with ``filename`` (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    name = "".join(c for c in filename.replace("/", "_").replace("\\", "_") if ord(c) >= 32)
    name = name.strip().strip(".") or "download"
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"%' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, PURPOSE + payload, hashlib.sha256).digest()


def sign_file(secret: bytes, key: str, expires: int, filename: str | None = None) -> str:
    """A token for GET ``key`` until ``expires`` (Unix seconds)."""
    payload = orjson.dumps({"k": key, "e": expires, "f": filename})
    return f"{_b64(payload)}.{_b64(_mac(secret, payload))}"


TAMPERED = (
    "this file link is damaged or was changed (its signature does not match); a link works "
    "only for the file and the time it was made for. Reload the page, or ask for the file "
    "again, to get a new link"
)


def verify_file(secret: bytes, token: str, now: float | None = None) -> FileGrant:
    """The grant ``token`` carries; `Forbidden` if it was altered, made with another secret,
    or has expired."""
    encoded, dot, signature = token.partition(".")
    try:
        if not dot or len(token) > 4096:
            raise ValueError("not a token")
        payload = _unb64(encoded)
        given = _unb64(signature)
    except (ValueError, binascii.Error):
        raise Forbidden(TAMPERED, code="link_invalid") from None
    if not hmac.compare_digest(given, _mac(secret, payload)):
        raise Forbidden(TAMPERED, code="link_invalid")
    fields = orjson.loads(payload)
    grant = FileGrant(key=fields["k"], expires=int(fields["e"]), filename=fields["f"])
    late = int(time.time() if now is None else now) - grant.expires
    if late >= 0:
        raise Forbidden(
            f"this file link expired {late} seconds ago (links work for a few minutes); "
            "reload the page, or ask for the file again, to get a new link",
            details={"expired_at": grant.expires},
            code="link_expired",
        )
    return grant


def file_url(
    storage: Storage,
    secret: bytes,
    key: str,
    seconds: int,
    filename: str | None = None,
    *,
    now: float | None = None,
) -> str:
    """A link that GETs ``key`` for ``seconds``: the bucket's presigned URL, or Accord's own
    ``/api/v1/files/{token}`` (local storage). Call it only for a caller who may see the
    project the file belongs to; ``filename`` makes the file a download of that name."""
    presigned = storage.presigned_url(key, seconds, filename)
    if presigned is not None:
        return presigned
    expires = int(time.time() if now is None else now) + seconds
    return FILES_PATH + sign_file(secret, key, expires, filename)
