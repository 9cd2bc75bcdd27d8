"""Every response carries the security headers, and the Content-Security-Policy holds in a
real browser: the app and the API's reference page work under it, and an inline script
injected into the page does not run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import People

pytestmark = pytest.mark.browser


def test_the_policy_holds_in_the_browser(people: People) -> None:
    page = people.page("visitor")
    page.goto(people.url + "/signin")
    expect(page.get_by_label("Email")).to_be_visible()
    page.goto(people.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Accord")
    people.shot(page, "api-docs")
    people.check()  # no violation reported on either page

    blocked = people.browser.new_context().new_page()
    violations: list[str] = []
    blocked.on("console", lambda m: violations.append(m.text) if m.type == "error" else None)
    blocked.goto(people.url + "/signin")
    blocked.evaluate("""() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = 1';
      document.body.append(s);
      const d = document.createElement('div');
      d.innerHTML = '<img src=x onerror="window.__ran = 2">';
      document.body.append(d);
    }""")
    blocked.wait_for_timeout(300)
    assert blocked.evaluate("window.__ran") is None, "an injected script ran"
    assert any("Content Security Policy" in v for v in violations), violations
    blocked.context.close()
