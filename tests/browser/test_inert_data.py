"""Task data is text, never markup: script payloads in every field kind (plain text, markdown,
a list of markdown replies, a chat), in an option's label, in an answer and in the task's id
render as inert text on every screen that shows them. No dialog opens, no script, image,
frame or event handler attribute is in the page, and no link is live unless it is http(s),
mailto or a path of the app. All of it with the app's Content-Security-Policy on (a violation
would show as a console error, which fails the test).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user

pytestmark = pytest.mark.browser

LEAD = ("lead@example.org", "lead password 1")
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
LINK = "[x](javascript:alert(3))"
RAW_LINK = '<a href="javascript:alert(4)">y</a>'
FLAG = "<img src=x onerror=\"window.__xss=1\"><svg onload=\"window.__xss=2\"></svg>"
ALL = f"{IMG} {SCRIPT} {LINK} {RAW_LINK} {FLAG} ![pic](javascript:alert(5))"

INTERFACE = {
    "fields": [
        {"name": "plain", "kind": "text"},
        {"name": "notes", "kind": "markdown"},
        {"name": "replies", "kind": "text_list", "markdown": True, "min_items": 2,
         "max_items": 2},
        {"name": "chat", "kind": "chat"},
    ],
    "questions": [
        {"name": "label", "kind": "choice", "options": [{"value": "ok", "label": IMG}, "bad"]},
        {"name": "marks", "kind": "spans", "target": "plain", "labels": [SCRIPT]},
        {"name": "better", "kind": "pairwise", "target": "replies"},
        {"name": "turn", "kind": "turns", "target": "chat", "labels": ["good", "bad"]},
        {"name": "note", "kind": "text"},
    ],
}

# Anything that could run or fetch: scripts, frames, images, event handlers, live links.
FIND_LIVE = """() => {
  const root = document.getElementById('root');
  const found = [];
  for (const el of root.querySelectorAll('script, iframe, object, embed, img, svg image, frame'))
    found.push(el.outerHTML.slice(0, 120));
  for (const el of root.querySelectorAll('*')) {
    for (const attr of el.attributes)
      if (/^on/i.test(attr.name)) found.push(el.tagName + ' ' + attr.name);
  }
  for (const a of root.querySelectorAll('a[href], area[href]')) {
    const href = a.getAttribute('href').replace(/[\\u0000-\\u0020]/g, '');
    if (!/^(https?:|mailto:|\\/(?!\\/)|#|\\.)/i.test(href)) found.push('live link ' + href);
  }
  if (window.__xss) found.push('a payload ran: window.__xss = ' + window.__xss);
  return found;
}"""


def assert_inert(people: People, page: Page, screen: str) -> None:
    expect(page.get_by_text(IMG).first).to_be_attached()
    assert page.evaluate(FIND_LIVE) == [], screen
    people.shot(page, screen)


def checker_sees_live_things(people: People, page: Page) -> None:
    """The check itself: it finds an image, a handler and a javascript: link put there (the
    policy refuses the probe's handler: that refusal is expected, and only that one)."""
    before = len(people.problems)
    page.evaluate("""() => {
      const probe = document.createElement('div');
      probe.id = 'probe';
      probe.innerHTML = '<img alt=""><b onclick="1">b</b><a href=" javascript:void 0">a</a>';
      document.getElementById('root').append(probe);
    }""")
    assert len(page.evaluate(FIND_LIVE)) == 3
    page.evaluate("document.getElementById('probe').remove()")
    page.wait_for_timeout(100)
    probe = people.problems[before:]
    assert all("inline event handler violates" in p for p in probe), probe
    del people.problems[before:]


def test_task_data_renders_as_inert_text(people: People, db: Database) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1])
    project = make_project(db, lead, INTERFACE)
    add_tasks(db, lead, project, [{
        "id": f"ext-{IMG}",
        "plain": f"Plain {ALL}",
        "notes": f"# Notes\n\n{ALL}\n\n[a fine link](https://example.org)",
        "replies": [f"A {ALL}", f"B {ALL}"],
        "chat": [{"role": "user", "content": f"Q {ALL}"},
                 {"role": "assistant", "content": f"A {ALL}"}],
    }])
    page = people.page("manager")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/annotate")
    policy = page.request.get(people.url + "/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, "CSP is on"

    page.wait_for_selector("[data-task-id]")
    checker_sees_live_things(people, page)
    expect(page.get_by_text(SCRIPT).first).to_be_attached()
    expect(page.get_by_text(LINK).first).to_be_attached()
    expect(page.get_by_role("link", name="a fine link")).to_have_attribute(
        "href", "https://example.org")
    assert_inert(people, page, "annotate")

    # Answer with the keyboard, the free text being a payload too, and submit.
    page.keyboard.press("1")
    page.locator("[data-question=note] textarea").focus()
    page.keyboard.type(f"note {IMG} {SCRIPT}")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".done")

    page.goto(f"{people.url}/projects/{project.id}/data")
    expect(page.locator(".task-row[data-loaded='1']")).to_have_count(1)
    assert_inert(people, page, "data")

    page.locator(".task-row[data-loaded='1']").click()
    expect(page.locator(".annotation-card")).to_have_count(1)
    expect(page.locator("[data-answer=note]")).to_contain_text(f"note {IMG} {SCRIPT}")
    page.get_by_role("button", name="History (1 version)").click()
    expect(page.locator(".version")).to_have_count(1)
    assert_inert(people, page, "task")

    page.goto(f"{people.url}/projects/{project.id}/settings")
    expect(page.locator(".iface-preview .span-text")).to_contain_text(SCRIPT)
    assert page.evaluate(FIND_LIVE) == []
    people.shot(page, "settings-preview", at="#interface-title")
    people.check()
