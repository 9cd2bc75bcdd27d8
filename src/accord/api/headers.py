"""Security headers on every response.

The browser app loads only its own scripts, styles and workers (Vite builds them as files;
nothing inline), so the Content-Security-Policy allows nothing else: task data that slipped
past the app's escaping still could not run, load a script, or be framed by another site.
Images may also be ``data:`` or ``blob:`` URLs (the favicon, media decoded in the page); images,
audio and video may come from the S3 endpoint that task media is signed for
(`accord.media.links`); an image from any other site is not loaded (no tracking pixels).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

AMAZON_S3 = "https://*.amazonaws.com"


def media_origin(s3_endpoint_url: str | None) -> str:
    """Where the bucket media of tasks is fetched from: presigned URLs point at the S3
    endpoint (``ACCORD_S3_ENDPOINT_URL``'s origin, or Amazon S3's hosts when it is unset)."""
    if not s3_endpoint_url:
        return AMAZON_S3
    parts = urlsplit(s3_endpoint_url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(media: str) -> str:
    """The policy, with ``media`` (an origin) allowed for images, audio and video only."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob: {media}",
            f"media-src 'self' blob: {media}",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(s3_endpoint_url: str | None) -> list[tuple[bytes, bytes]]:
    return [
        (
            b"content-security-policy",
            content_security_policy(media_origin(s3_endpoint_url)).encode(),
        ),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]


class SecurityHeaders:
    """Adds ``headers`` (`security_headers`) to every HTTP response (pure ASGI: no cost
    beyond the headers)."""

    def __init__(self, app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers)
