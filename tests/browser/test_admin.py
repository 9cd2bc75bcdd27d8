"""An admin manages accounts in the browser: the list (last sign-in, locks), creating one (a weak
password refused beside its field), granting "can create projects", resetting a password,
deactivating and reactivating; the new account then signs in and may create projects. Others
get a clear "only admins" page and no Accounts link."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from playwright.sync_api import Page, expect

from accord.db import Database
from accord.models import User
from tests.browser.conftest import People
from tests.factories import make_user

pytestmark = pytest.mark.browser

ADMIN = ("ada@example.org", "admin password 1 long")
LENA = ("lena@example.org", "lena password 1 long")
LOCKED = "locked@example.org"
NEW = "newbie@example.org"
NEW_PASSWORD = "quiet harbour lantern 42"
RESET_PASSWORD = "violet mountain ledger 7"


def account(page: Page, email: str):  # type: ignore[no-untyped-def]
    return page.locator(f"tr[data-account='{email}']")


def test_an_admin_manages_accounts(people: People, db: Database) -> None:
    make_user(db, ADMIN[0], admin=True, password=ADMIN[1])
    make_user(db, LENA[0], password=LENA[1])
    locked, _ = make_user(db, LOCKED)
    with db.write() as session:
        row = session.get(User, locked.id)
        assert row is not None
        row.locked_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    with httpx.Client(base_url=people.url) as client:  # Lena signed in once, in a browser
        signed = client.post("/api/v1/session", json={"email": LENA[0], "password": LENA[1]})
        assert signed.status_code == 200, signed.text

    page = people.page("admin")
    people.sign_in(page, *ADMIN)
    page.get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()
    expect(account(page, LOCKED)).to_contain_text("locked until")
    expect(account(page, LOCKED).locator("td").nth(2)).to_have_text("never")
    expect(account(page, LENA[0]).locator("td").nth(2)).not_to_have_text("never")
    people.shot(page, "accounts")

    # A weak password is refused beside its field, with the server's advice.
    form = page.get_by_role("form", name="New account")
    form.get_by_label("Email").fill(NEW)
    form.get_by_label("Name").fill("Nia Newbie")
    form.get_by_label("First password").fill("password1")
    form.get_by_role("button", name="Create account").click()
    problem = form.locator(".form-field-invalid .form-problem")
    expect(problem).to_contain_text("password")
    expect(form.get_by_label("First password")).to_have_attribute("aria-invalid", "true")
    people.shot(page, "accounts-weak-password")
    form.get_by_label("First password").fill(NEW_PASSWORD)
    expect(problem).to_have_count(0)
    form.get_by_label("First password").press("Enter")
    expect(account(page, NEW)).to_contain_text("Nia Newbie")
    expect(page.get_by_text(f"Account {NEW} created.")).to_be_visible()

    # Grant "create projects"; find the account by searching.
    page.get_by_label("Find an account").fill("newbie")
    page.get_by_label("Find an account").press("Enter")
    expect(page.locator("tr[data-account]")).to_have_count(1)
    account(page, NEW).get_by_label("create projects").check()
    expect(page.get_by_text(f"{NEW} may now create projects.")).to_be_visible()
    expect(account(page, NEW).get_by_label("create projects")).to_be_checked()

    # Reset the password: a short one is refused beside the field, then a good one is set.
    account(page, NEW).get_by_role("button", name="Reset password").click()
    reset = page.get_by_role("form", name=f"New password for {NEW}")
    reset.get_by_label(f"New password for {NEW}").fill("short")
    reset.get_by_role("button", name="Set password").click()
    expect(reset.locator(".form-problem")).to_contain_text("too short")
    people.shot(page, "accounts-reset-refused")
    reset.get_by_label(f"New password for {NEW}").fill(RESET_PASSWORD)
    reset.get_by_role("button", name="Set password").click()
    expect(page.get_by_text(f"New password set for {NEW}")).to_be_visible()

    # Deactivate (asks first), then reactivate.
    account(page, NEW).get_by_role("button", name="Deactivate").click()
    dialog = page.get_by_role("dialog", name=f"Deactivate {NEW}?")
    expect(dialog).to_contain_text("signed out at once")
    people.shot(page, "accounts-deactivate-dialog")
    dialog.get_by_role("button", name="Deactivate").click()
    expect(account(page, NEW)).to_contain_text("deactivated")
    account(page, NEW).get_by_role("button", name="Reactivate").click()
    expect(account(page, NEW)).to_contain_text("active")
    expect(account(page, NEW).get_by_role("button", name="Deactivate")).to_be_visible()
    people.shot(page, "accounts-after")

    # The new account signs in with the password set by the admin and may create projects.
    newbie = people.page("newbie")
    people.sign_in(newbie, NEW, RESET_PASSWORD)
    expect(newbie.get_by_role("link", name="New project")).to_be_visible()
    expect(newbie.get_by_role("link", name="Accounts")).to_have_count(0)
    newbie.get_by_role("link", name="New project").click()
    expect(newbie.get_by_role("heading", name="New project")).to_be_visible()

    # Someone who is not an admin is told so.
    lena = people.page("lena")
    people.sign_in(lena, *LENA, then="/admin/users")
    expect(lena.get_by_role("heading", name="Only admins can see this page")).to_be_visible()
    expect(lena.get_by_role("link", name="New project")).to_have_count(0)
    people.shot(lena, "accounts-not-admin")
    people.check()
