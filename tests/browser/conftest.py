"""Browser tests: Debian's Chromium driven by Playwright against a real server on the test's
database (SQLite, or PostgreSQL with ACCORD_TEST_DATABASE_URL). Playwright never downloads a
browser here: it launches /usr/bin/chromium (or $CHROMIUM).

Every page a test opens records console errors, uncaught errors and dialogs (a dialog means
task data ran as script); `Browser.check()` fails the test on any. `shot()` saves a screenshot
of each screen visited to test-results/screenshots/ (look at them: a page that passes but looks
broken is broken).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from accord.db import Database
from accord.settings import Settings
from tests.live import LiveServer, live_server

ROOT = Path(__file__).resolve().parents[2]
WEB_DIST = ROOT / "src" / "accord" / "web_dist" / "index.html"
SHOTS = ROOT / "test-results" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Chromium logs every refused request (4xx) to the console: the tests provoke refusals on
# purpose (and the sign-in page asks who is signed in before anyone is), and check that each
# is shown to the person. Server errors (5xx) and anything the app's code logs still fail.
EXPECTED_CONSOLE = re.compile(
    r"^Failed to load resource: the server responded with a status of 4\d\d"
)


# Generous waits: CI machines are small (2 cores) and run the server, the database and
# Chromium at once. A wait only lasts as long as the page takes.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's (make browser), or set CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def server(
    settings: Settings,
    db: Database,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[LiveServer]:
    """The server of a test; `@pytest.mark.server_env(NAME="value", ...)` on a test or module
    sets its environment (e.g. ACCORD_WEBHOOK_ALLOW_PRIVATE for receivers on 127.0.0.1)."""
    marker = request.node.get_closest_marker("server_env")
    for name, value in (marker.kwargs if marker is not None else {}).items():
        monkeypatch.setenv(name, value)
    with started(settings) as live:
        yield live


@contextmanager
def started(settings: Settings) -> Iterator[LiveServer]:
    """A live server of the built web app (`live_server`), or the test fails saying how."""
    if not WEB_DIST.exists():
        pytest.fail("the web app is not built: run `make web` (or `cd web && npm run build`)")
    with live_server(settings) as live:
        yield live


@dataclass
class People:
    """Browser contexts, one per person, with what went wrong in any of their pages."""

    browser: Browser
    url: str
    name: str
    problems: list[str] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    shots: int = 0

    def page(self, who: str) -> Page:
        context = self.browser.new_context(viewport={"width": 1440, "height": 900},
                                           accept_downloads=True)
        context.set_default_timeout(20_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: self._console(who, m.type, m.text))
        page.on("pageerror", lambda e: self.problems.append(f"{who}: page error: {e}"))
        page.on("dialog", lambda d: self._dialog(who, d))
        return page

    def _console(self, who: str, kind: str, text: str) -> None:
        if kind == "error" and not EXPECTED_CONSOLE.search(text):
            self.problems.append(f"{who}: console error: {text}")

    def _dialog(self, who: str, dialog: object) -> None:
        self.problems.append(f"{who}: a dialog opened (script ran): {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def sign_in(self, page: Page, email: str, password: str, then: str = "/") -> None:
        page.goto(f"{self.url}/signin?next={then}")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_label("Password").press("Enter")
        page.wait_for_selector(".topbar-user")

    def shot(self, page: Page, name: str, at: str | None = None) -> Path:
        """What a person sees in the window (1440×900), scrolled to `at` (a selector) if given."""
        self.shots += 1
        db = "pg" if os.environ.get("ACCORD_TEST_DATABASE_URL") else "sqlite"
        path = SHOTS / f"{self.name}-{db}-{self.shots:02d}-{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if at is not None:
            page.locator(at).first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(path))
        return path

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def people(chromium: Browser, server: LiveServer, request: pytest.FixtureRequest
           ) -> Iterator[People]:
    name = request.node.name.removeprefix("test_")
    crowd = People(chromium, server.url, re.sub(r"[^A-Za-z0-9_-]+", "_", name))
    try:
        yield crowd
    finally:
        crowd.close()
