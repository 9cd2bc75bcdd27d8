"""Problem reports leaving, in the browser: a reporter withdraws their open report with the
keyboard (a closed one offers no Withdraw), an admin deletes one with the mouse after a
confirmation (Esc keeps it), and the screenshot leaves the storage with it."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from accord import Client
from accord.db import Database
from accord.media.storage import open_storage
from accord.settings import Settings
from tests.browser.conftest import People
from tests.factories import make_user

pytestmark = pytest.mark.browser

ADMIN = ("root@example.org", "admin password 12")
ANN = ("ann@example.org", "annotator password 1")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 60, 30)).save(out, format="PNG")
    return out.getvalue()


def test_withdraw_by_keys_and_delete_by_mouse(
    people: People, db: Database, settings: Settings
) -> None:
    _, admin_token = make_user(db, ADMIN[0], admin=True, password=ADMIN[1])
    _, ann_token = make_user(db, ANN[0], password=ANN[1])
    with Client(people.url, ann_token) as sdk:
        closed = sdk.report_problem("Export button does nothing", screenshot=_png())
        open_one = sdk.report_problem("Submit spins forever", screenshot=_png())
    with Client(people.url, admin_token) as sdk:
        sdk.triage_problem_report(closed["id"], status="fixed")
    storage = open_storage(settings)
    assert len(list(storage.list("problem-reports/"))) == 2

    # The reporter: j picks the newest (open) report; Withdraw, confirmed, all by keys.
    ann = people.page("annotator")
    people.sign_in(ann, *ANN, then="/problem-reports")
    ann.wait_for_selector(".reports-list")
    ann.keyboard.press("j")
    detail = ann.get_by_role("article", name=f"Report {open_one['id']}")
    withdraw = detail.get_by_role("button", name="Withdraw this report")
    withdraw.focus()
    ann.keyboard.press("Enter")
    dialog = ann.get_by_role("dialog", name=f"Withdraw report #{open_one['id']}?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()  # the safe answer
    ann.keyboard.press("j")  # the list's keys stay quiet while the dialog asks
    people.shot(ann, "withdraw-confirm")
    ann.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Withdraw it")).to_be_focused()
    ann.keyboard.press("Enter")
    expect(ann.get_by_text(f"Report #{open_one['id']} withdrawn.")).to_be_visible()
    expect(ann.locator(".reports-list li")).to_have_count(1)
    # The closed one stays, and offers no Withdraw.
    ann.keyboard.press("j")
    closed_detail = ann.get_by_role("article", name=f"Report {closed['id']}")
    expect(closed_detail).to_contain_text("Fixed")
    expect(closed_detail.get_by_role("button", name="Withdraw this report")).to_have_count(0)
    people.shot(ann, "after-withdraw")

    # The admin: Delete by mouse; Esc on the confirmation keeps it, Delete it deletes it.
    admin = people.page("admin")
    people.sign_in(admin, *ADMIN, then="/admin/problem-reports")
    admin.get_by_role("button", name=f"#{closed['id']}").click()
    detail = admin.get_by_role("article", name=f"Report {closed['id']}")
    detail.get_by_role("button", name="Delete this report").click()
    confirm = admin.get_by_role("dialog", name=f"Delete report #{closed['id']}?")
    expect(confirm).to_contain_text("and its screenshot are deleted for good")
    people.shot(admin, "delete-confirm")
    admin.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(detail).to_be_visible()
    detail.get_by_role("button", name="Delete this report").click()
    confirm.get_by_role("button", name="Delete it").click()
    expect(admin.get_by_text(f"Report #{closed['id']} deleted.")).to_be_visible()
    expect(admin.locator(".reports-screen")).to_contain_text("No reports with this status")
    people.shot(admin, "after-delete")
    assert list(storage.list("problem-reports/")) == []
    people.check()
