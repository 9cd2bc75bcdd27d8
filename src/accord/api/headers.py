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


def files_source(
    s3_endpoint_url: str | None, bucket: str | None, prefix: str = "", region: str | None = None
) -> str | None:
    """Where Accord's own files are, as CSP sources with a path, or None when they are on local
    disk (served by the app itself). With an endpoint, presigned links are path-style
    (``origin/bucket/prefix/``, `accord.media.s3`); on Amazon S3 they name the bucket in the host
    (``https://bucket.s3.amazonaws.com/prefix/``, or the ``region``'s host), or its path
    (``https://s3.amazonaws.com/bucket/prefix/``) for a bucket name with dots."""
    if bucket is None:
        return None
    folder = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    if s3_endpoint_url:
        return f"{media_origin(s3_endpoint_url)}/{bucket}/{folder}"
    # Virtual-hosted links name the bucket in the host; a bucket whose name has dots gets
    # path-style links (its name would not match the certificate), so allow both forms.
    hosts = ["s3.amazonaws.com", *([f"s3.{region}.amazonaws.com"] if region else [])]
    virtual = [f"https://{bucket}.{host}/{folder}" for host in hosts]
    path = [f"https://{host}/{bucket}/{folder}" for host in hosts]
    return " ".join(virtual + path)


def content_security_policy(media: str, files: str | None = None) -> str:
    """The policy, with ``media`` (an origin) allowed for images, audio and video, and
    ``files`` (a source with a path: Accord's own bucket and prefix) for the requests the
    players make for the files Accord derived (a video's manifest and frames by HTTP range, a
    recording's waveform peaks). Neither is allowed for scripts, styles or workers; requests
    may go to that one folder of that one bucket, not to the endpoint's other buckets."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob: {media}",
            f"media-src 'self' blob: {media}",
            "font-src 'self'",
            f"connect-src 'self'{' ' + files if files else ''}",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(
    s3_endpoint_url: str | None, files: str | None = None
) -> list[tuple[bytes, bytes]]:
    """The headers; ``files``: `files_source` of the storage, if it is a bucket."""
    return [
        (
            b"content-security-policy",
            content_security_policy(media_origin(s3_endpoint_url), files).encode(),
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
