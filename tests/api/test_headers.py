"""Security headers on every response: the app's pages and files, the API, its errors and the
refusals sent before a request reaches the app."""

from __future__ import annotations

from fastapi.testclient import TestClient

from accord.api.headers import (
    content_security_policy,
    files_source,
    media_origin,
    security_headers,
)
from tests.api.conftest import Api

HEADERS = security_headers(None)


def expected(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in HEADERS:
        assert headers.get(name.decode()) == value.decode(), name


def test_every_response_has_the_security_headers(client: TestClient, api: Api) -> None:
    policy = dict(HEADERS)[b"content-security-policy"].decode()
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    for response in (
        client.get("/"),  # the app's page
        client.get("/projects/1/annotate"),  # any path of the app
        client.get("/api/health"),
        client.get("/api/docs"),
        client.get("/api/docs-start.js"),
        client.get("/api/openapi.json"),
        api.get("/projects"),  # 401
        api.get("/nope"),  # 404
        client.post("/api/v1/projects", content=b"{", headers={"content-type": "application/json"}),
        client.get("/api/v1/projects/99999999999999999999"),  # refused before the app
    ):
        expected(response)


def test_the_api_reference_page_has_no_inline_script(client: TestClient) -> None:
    page = client.get("/api/docs").text
    assert "<script>" not in page and 'src="/api/docs-start.js"' in page
    assert "SwaggerUIBundle(" in client.get("/api/docs-start.js").text


def test_bucket_media_may_be_shown_but_nothing_else_from_elsewhere() -> None:
    """Presigned links of task media point at the S3 endpoint: images, audio and video may come
    from there, nothing else from anywhere but the app."""
    assert media_origin("http://minio.internal:9000/") == "http://minio.internal:9000"
    assert media_origin(None) == "https://*.amazonaws.com"
    policy = content_security_policy(media_origin("https://s3.example.org"))
    rules = dict(rule.split(" ", 1) for rule in policy.split("; "))
    assert rules["img-src"] == "'self' data: blob: https://s3.example.org"
    assert rules["media-src"] == "'self' blob: https://s3.example.org"
    assert all(
        "s3.example.org" not in rules[name]
        for name in rules
        if name not in ("img-src", "media-src", "connect-src")
    )
    assert rules["connect-src"] == "'self'"  # no bucket of Accord's own: no requests there


def test_the_players_may_request_accords_own_bucket_folder_only() -> None:
    """A video's frames and a recording's waveform are fetched from Accord's bucket: requests may
    go to that bucket and prefix (path-style presigned links), not to the endpoint's other
    buckets; with files on local disk, only to the app."""
    assert files_source(None, None) is None
    assert files_source("http://minio:9000/", "media", "") == "http://minio:9000/media/"
    assert files_source("http://minio:9000", "media", "/a/b/") == "http://minio:9000/media/a/b/"
    assert files_source(None, "media", "p").split() == [
        "https://media.s3.amazonaws.com/p/",
        "https://s3.amazonaws.com/media/p/",
    ]
    assert files_source(None, "media", "", "eu-west-1").split() == [
        "https://media.s3.amazonaws.com/",
        "https://media.s3.eu-west-1.amazonaws.com/",
        "https://s3.amazonaws.com/media/",
        "https://s3.eu-west-1.amazonaws.com/media/",
    ]
    local = dict(r.split(" ", 1) for r in content_security_policy("https://s3").split("; "))
    assert local["connect-src"] == "'self'"
    files = files_source("https://s3.example.org", "media", "p")
    policy = content_security_policy(media_origin("https://s3.example.org"), files)
    rules = dict(rule.split(" ", 1) for rule in policy.split("; "))
    assert rules["connect-src"] == "'self' https://s3.example.org/media/p/"
    assert "s3.example.org" not in rules["script-src"] + rules["worker-src"]
