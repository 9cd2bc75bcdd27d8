"""Serving the built browser app (``web/`` built into ``accord/web_dist``) at ``/``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from accord.errors import NotFound

WEB_DIST = Path(__file__).parent.parent / "web_dist"

MISSING = """<!doctype html><meta charset="utf-8"><title>Accord</title>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto">
<h1>Accord is running</h1>
<p>The browser app has not been built. Run <code>make run</code> (or
<code>make web</code>) to build it. The API is at <a href="/api/docs">/api/docs</a>.</p>
"""


def mount_web(app: FastAPI, dist: Path = WEB_DIST) -> None:
    root = dist.resolve()
    index = dist / "index.html"
    assets = dist / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="web-assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def web(path: str) -> FileResponse | HTMLResponse:
        if path.startswith("api/"):
            raise NotFound(f"no such endpoint: /{path}")
        file = (root / path).resolve()
        if path and file.is_file() and file.is_relative_to(root):
            return FileResponse(file)
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(MISSING)
