"""A manager puts a project on the LLM endpoint the server offers (ACCORD_LLM_BASE_URL), from
the project's settings, by mouse and keyboard: the endpoint's own fields give way to the
server's, the budget stays the project's, and the key is never shown (docs/llm.md)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from accord.db import Database
from accord.settings import Settings
from tests.browser.conftest import People, started
from tests.browser.test_llm_manage import INTERFACE, LEAD, section_of
from tests.factories import make_project, make_user
from tests.live import LiveServer
from tests.openai_server import running

pytestmark = pytest.mark.browser

KEY = "sk-instance-0123456789wxyz"


@pytest.fixture(scope="module")
def llm() -> Iterator[str]:
    with running() as address:
        yield address


@pytest.fixture
def server(
    settings: Settings, db: Database, llm: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LiveServer]:
    monkeypatch.setenv("ACCORD_LLM_BASE_URL", f"{llm}/ok/v1")  # known once `llm` runs
    monkeypatch.setenv("ACCORD_LLM_MODEL", "inst-model")
    monkeypatch.setenv("ACCORD_LLM_API_KEY", KEY)
    with started(settings) as live:
        yield live


def test_a_manager_chooses_the_servers_llm(people: People, db: Database) -> None:
    lead, token = make_user(db, LEAD[0], password=LEAD[1])
    project = make_project(db, lead, INTERFACE)
    page = people.page("lead")
    people.sign_in(page, *LEAD, then=f"/projects/{project.id}/settings")
    section = section_of(page)
    form = section.get_by_role("form", name="LLM endpoint")
    choice = form.get_by_label("Use this server's LLM")
    expect(form).to_contain_text("inst-model at")
    expect(form.get_by_label("Base URL")).to_be_visible()
    choice.click()  # by mouse: the project's own address, model and key give way
    expect(form.get_by_label("Base URL")).to_have_count(0)
    expect(form.get_by_label("API key")).to_have_count(0)
    budget = form.get_by_label("Token budget")
    budget.focus()
    page.keyboard.type("5000")
    page.keyboard.press("Enter")  # by keyboard: the form is sent
    expect(form.get_by_role("status")).to_contain_text(
        "Saved: the server's endpoint, inst-model (key …wxyz)."
    )
    people.shot(page, "llm-instance-chosen", at="section.llm")
    assert KEY not in page.content()
    with httpx.Client(
        base_url=f"{people.url}/api/v1", headers={"Authorization": f"Bearer {token}"}
    ) as api:
        shown = api.get(f"/projects/{project.id}/llm").json()
    assert shown["uses_instance"] is True and shown["token_budget"] == 5000
    page.reload()
    expect(section_of(page).get_by_label("Use this server's LLM")).to_be_checked()
