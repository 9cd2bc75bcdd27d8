"""Webhooks in the project's settings, as a manager uses them: add one with the mouse and one
with the keyboard only, copy the secret shown once, send a test and watch it arrive (a real
receiver on 127.0.0.1, allowed by ACCORD_WEBHOOK_ALLOW_PRIVATE), redeliver it, and see the
delivery log."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator

import orjson
import pytest
from playwright.sync_api import Locator, Page, expect

from accord.db import Database
from accord.jobs.webhooks import deliver_due
from accord.settings import Settings
from tests.browser.conftest import People
from tests.factories import make_project, make_user
from tests.webhook_receiver import Receiver, receiver

# ACCORD_WEBHOOK_ALLOW_PRIVATE: the receiver is on 127.0.0.1.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.server_env(ACCORD_WEBHOOK_ALLOW_PRIVATE="true"),
]

LEAD = ("lead@example.org", "lead password 1")


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as into:
        yield into


def delivered(db: Database, settings: Settings, row: Locator, page: Page) -> None:
    """Wait until the log shows the delivery delivered. Deliveries are sent by the process
    that runs background jobs; this test sends what is due itself too (whoever claims a
    delivery first sends it, once)."""
    allowed = settings.model_copy(update={"webhook_allow_private": True})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        deliver_due(db, allowed)
        if row.count() and row.first.get_attribute("data-state") == "delivered":
            return
        time.sleep(0.3)
    expect(row.first).to_have_attribute("data-state", "delivered")


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    stamp = headers["x-accord-timestamp"]
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={digest}", headers["x-accord-signature"])


def test_webhooks_by_mouse_and_keyboard(
    people: People, db: Database, settings: Settings, hook: Receiver
) -> None:
    lead, _ = make_user(db, LEAD[0], password=LEAD[1], can_create_projects=True)
    project = make_project(db, lead)
    page = people.page("lead")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/settings")
    section = (
        page.get_by_role("region", name="Webhooks").or_(page.locator("section.webhooks")).first
    )
    expect(section.get_by_role("heading", name="Webhooks")).to_be_visible()
    expect(section.get_by_text("No webhooks yet.")).to_be_visible()

    # By mouse: the URL, one more event, Add.
    section.get_by_label("Receiver URL").click()
    section.get_by_label("Receiver URL").fill(hook.url + "/mouse")
    section.get_by_label("What it is for").fill("by mouse")
    section.get_by_role("checkbox", name="annotation.created").click()
    section.get_by_role("button", name="Add webhook").click()
    secret_box = section.get_by_label("Signing secret")
    expect(secret_box).to_have_value(lambda_startswith("whsec_"))
    secret = secret_box.input_value()
    section.get_by_role("button", name="Copy secret").click()
    expect(section.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    people.shot(page, "secret-once", at="section.webhooks")
    section.get_by_role("button", name="Done").click()
    expect(secret_box).to_have_count(0)
    mouse = section.locator(f'[data-webhook="{hook.url}/mouse"]')
    expect(mouse).to_contain_text("task.completed")
    expect(mouse).to_contain_text("annotation.created")

    mouse.get_by_role("button", name="Send test").click()
    row = mouse.locator("tr[data-delivery]")
    delivered(db, settings, row, page)
    expect(row.first).to_contain_text("ping")
    expect(row.first).to_contain_text("200")
    [got] = hook.received
    assert got.path == "/mouse" and got.headers["x-accord-event"] == "ping"
    assert verify(secret, got.headers, got.body)
    people.shot(page, "delivery-log", at="section.webhooks")

    # Redeliver it: a new delivery, the first one kept.
    row.first.get_by_role("button", name="Redeliver").click()
    expect(row).to_have_count(2)
    delivered(db, settings, row, page)
    assert orjson.loads(hook.received[-1].body)["redelivery_of"] is not None

    # By keyboard only: Tab through the form, Space ticks, Enter adds.
    url = section.get_by_label("Receiver URL")
    url.focus()
    page.keyboard.type(hook.url + "/keys")
    page.keyboard.press("Tab")
    page.keyboard.type("by keyboard")
    page.keyboard.press("Tab")  # task.completed (ticked, as the events stay as last chosen)
    page.keyboard.press("Tab")  # annotation.created (ticked)
    page.keyboard.press("Tab")  # annotation.updated
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # submits the form
    keys_secret = section.get_by_label("Signing secret")
    expect(keys_secret).to_have_value(lambda_startswith("whsec_"))
    expect(section.get_by_role("button", name="Copy secret")).to_be_focused()
    second_secret = keys_secret.input_value()
    page.keyboard.press("Tab")
    expect(section.get_by_role("button", name="Done")).to_be_focused()
    page.keyboard.press("Enter")
    keys = section.locator(f'[data-webhook="{hook.url}/keys"]')
    expect(keys).to_contain_text("annotation.updated")
    send = keys.get_by_role("button", name="Send test")
    send.focus()
    page.keyboard.press("Enter")
    keys_row = keys.locator("tr[data-delivery]")
    delivered(db, settings, keys_row, page)
    latest = hook.received[-1]
    assert latest.path == "/keys" and verify(second_secret, latest.headers, latest.body)

    # Disable with the keyboard: Space on the checkbox; the test button goes grey.
    enabled = keys.get_by_role("checkbox", name=f"Enabled: {hook.url}/keys")
    enabled.focus()
    page.keyboard.press("Space")
    expect(keys.get_by_role("button", name="Send test")).to_be_disabled()
    people.shot(page, "two-webhooks", at="section.webhooks")
    people.check()


def lambda_startswith(prefix: str) -> object:
    import re

    return re.compile("^" + re.escape(prefix))
