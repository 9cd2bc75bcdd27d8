"""LLM assistance managed from the browser (docs/llm.md, "In the browser"): a manager starts the
candidates job by mouse and the judge job by keyboard (a chosen template version) in the
project's settings, follows each to its result, pages through the call log of a job and of the
project with the token budget, and reads the judge scored like an annotator on the Dashboard;
a failing endpoint's errors show in the job's log; an annotator asks for a rewrite with Alt+L
while typing, uses it with Alt+Enter, and dismisses another with Esc. The endpoint is the test
OpenAI-compatible server (tests/openai_server.py), a process of its own on 127.0.0.1, allowed
by ACCORD_WEBHOOK_ALLOW_PRIVATE."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from accord.db import Database
from accord.models import Prediction, Task
from tests.browser.conftest import People
from tests.factories import add_tasks, make_project, make_user
from tests.openai_server import running

# ACCORD_WEBHOOK_ALLOW_PRIVATE: the LLM test server is on 127.0.0.1.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.server_env(ACCORD_WEBHOOK_ALLOW_PRIVATE="true"),
]

LEAD = ("lead@example.org", "lead password 1")
ANN = ("ann@example.org", "annotator password 1")
JUDGE_SAYS = '{"answer": {"rating": 4}, "rationale": "clear and correct"}'
INTERFACE = {
    "fields": [
        {"name": "prompt", "kind": "text"},
        {"name": "responses", "kind": "text_list", "required": False, "min_items": 0,
         "max_items": 3},
        {"name": "reply", "kind": "text", "required": False},
    ],
    "questions": [
        {"name": "better", "kind": "pairwise", "target": "responses", "required": False},
        {"name": "quality", "kind": "rating", "min": 1, "max": 5, "required": False},
    ],
}  # fmt: skip
ROWS = [{"id": f"t{i}", "prompt": f"Say hi {i}", "reply": JUDGE_SAYS} for i in range(1, 7)]


def client(people: People, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=people.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}
    )


def set_up_llm(api: httpx.Client, project_id: int, llm: str, mode: str = "ok") -> None:
    base = f"/projects/{project_id}/llm"
    body = {"base_url": f"{llm}/{mode}/v1", "model": "test-model", "token_budget": 100_000}
    assert api.put(base, json=body).status_code == 200
    for name, prompt in [
        ("candidates", "Answer {{prompt}}, take {{accord.index}}"),
        ("judge", "Rate the answer to {{prompt}}. REPLY: {{reply}}"),  # version 1
        ("judge", "Rate {{prompt}} in a word."),  # version 2: no JSON, every answer invalid
    ]:
        saved = api.post(base + "/templates", json={"name": name, "prompt": prompt})
        assert saved.status_code == 201, saved.text


def answer_all(api: httpx.Client, project_id: int, ratings: dict[str, int]) -> None:
    while task := api.post(f"/projects/{project_id}/next").json()["task"]:
        result = {"quality": {"rating": ratings[task["external_id"]]}}
        done = api.post(f"/tasks/{task['id']}/annotations", json={"result": result})
        assert done.status_code in (200, 201), done.text


def task_data(db: Database, project_id: int) -> dict[str, dict[str, Any]]:
    with db.read() as session:
        tasks = session.scalars(select(Task).where(Task.project_id == project_id))
        return {str(t.external_id): orjson.loads(t.data) for t in tasks}


def section_of(page: Page) -> Any:
    return page.locator("section.llm")


def test_a_manager_runs_candidates_and_the_judge_and_reads_the_log_and_scores(
    people: People, db: Database
) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    ann, ann_token = make_user(db, ANN[0], password=ANN[1])
    other, other_token = make_user(db, "other@example.org")
    project = make_project(
        db, lead, INTERFACE, overlap=2, members={ann: "annotator", other: "annotator"}
    )
    add_tasks(db, lead, project, ROWS)
    with running() as llm, client(people, lead_token) as api:
        set_up_llm(api, project.id, llm, mode="slow")  # 0.2 s a call: the job can be seen running
        page = people.page("lead")
        people.sign_in(page, *LEAD, then=f"/projects/{project.id}/settings")
        section = section_of(page)
        expect(section.get_by_role("heading", name="Run over the project")).to_be_visible()

        # Candidates, by mouse: 3 per task into `responses`.
        section.get_by_label("Generate candidates").check()
        section.get_by_label("Template", exact=True).select_option("candidates")
        section.get_by_label("Field to fill").select_option("responses")
        section.get_by_label("Candidates per task").fill("3")
        section.get_by_role("button", name="Generate candidates").click()
        job = section.locator("[data-llm-job]")
        # Followed while it runs: its state, the tasks done of all, the bar.
        expect(job.locator("[data-job-state]")).to_contain_text("Running")
        expect(job.locator("[data-job-progress]")).to_contain_text("of 6 tasks")
        expect(job.get_by_role("progressbar")).to_be_visible()
        expect(section.get_by_role("button", name="Generate candidates")).to_be_disabled()
        expect(job.get_by_text("Finished: 6 done · 0 failed · 0 skipped")).to_be_visible()
        expect(job.get_by_text("3 candidates per task into responses")).to_be_visible()
        expect(job.get_by_text("template candidates version 1")).to_be_visible()
        people.shot(page, "candidates-done", at=".llm-templates button[type=submit]")
        data = task_data(db, project.id)
        assert data["t1"]["responses"] == [f"Echo: Answer Say hi 1, take {i}" for i in (1, 2, 3)]
        assert all(len(d["responses"]) == 3 for d in data.values())

        # People answer (two on each task) and one task is gold.
        listed = api.get(f"/projects/{project.id}/tasks").json()["items"]
        (gold_id,) = [t["id"] for t in listed if t["external_id"] == "t6"]
        gold = api.put(f"/tasks/{gold_id}/gold", json={"answer": {"quality": {"rating": 4}}})
        assert gold.status_code == 200, gold.text
        with client(people, ann_token) as one, client(people, other_token) as two:
            answer_all(one, project.id, {"t1": 4, "t2": 4, "t3": 2, "t4": 5, "t5": 4, "t6": 4})
            answer_all(two, project.id, {"t1": 4, "t2": 3, "t3": 2, "t4": 5, "t5": 1, "t6": 4})

        # The judge, by keyboard: its version 1 (version 2 would answer no JSON).
        page.reload()
        section = section_of(page)
        # The last LLM job shows when the page opens.
        expect(section.locator("[data-llm-job]")).to_contain_text("Finished: 6 done")
        candidates = section.get_by_label("Generate candidates")
        candidates.focus()
        page.keyboard.press("ArrowRight")  # the radio group: Pre-fill with the judge
        expect(section.get_by_label("Pre-fill with the judge")).to_be_checked()
        page.keyboard.press("Tab")  # Template
        template = section.get_by_label("Template", exact=True)
        expect(template).to_be_focused()
        page.keyboard.type("judge")
        expect(template).to_have_value("judge")
        page.keyboard.press("Tab")  # Version
        version = section.get_by_label("Version")
        expect(version).to_be_focused()
        expect(version.locator("option")).to_have_count(3)  # the latest, 2, 1
        page.keyboard.press("End")
        expect(version).to_have_value("1")
        page.keyboard.press("Tab")  # Question
        question = section.get_by_label("Question", exact=True)
        expect(question).to_be_focused()
        page.keyboard.type("quality")
        expect(question).to_have_value("quality")
        page.keyboard.press("Tab")
        start = section.get_by_role("button", name="Pre-fill with the judge")
        expect(start).to_be_focused()
        page.keyboard.press("Enter")
        job = section.locator("[data-llm-job]")
        expect(job.get_by_text("The judge on quality")).to_be_visible()
        expect(job.get_by_text("template judge version 1")).to_be_visible()
        expect(job.get_by_text("Finished: 6 done · 0 failed · 0 skipped")).to_be_visible()
        with db.read() as session:
            stored = session.scalars(
                select(Prediction).where(Prediction.project_id == project.id)
            ).all()
        assert len(stored) == 6 and {p.model_version for p in stored} == {"llm:test-model"}

        # The job's calls, then every call, paged (18 candidates + 6 judgements; 20 a page).
        job.get_by_role("button", name="Show this job's calls").click()
        log = section.locator(".llm-calls")
        expect(log.get_by_role("heading", name="Call log of job")).to_be_visible()
        rows = log.locator("tr[data-llm-call]")
        expect(rows).to_have_count(6)
        first = rows.first
        expect(first).to_contain_text("Judge")
        expect(first).to_contain_text("judge version 1")
        expect(first).to_contain_text("question quality")
        first.locator("summary").click()
        expect(first.get_by_text("Rationale: clear and correct")).to_be_visible()
        budget = log.locator("[data-llm-budget-text]")
        expect(budget).to_contain_text("of 100,000 tokens used")
        expect(budget).to_contain_text("left")
        people.shot(page, "call-log-of-the-judge", at=".llm-job-outcome")
        log.get_by_role("button", name="Show every call").click()
        expect(log.get_by_role("heading", name="Call log", exact=True)).to_be_visible()
        expect(rows).to_have_count(20)
        older = log.get_by_role("button", name="Show older calls")
        older.focus()
        page.keyboard.press("Enter")
        expect(rows).to_have_count(24)
        expect(log.get_by_text("That is every call.")).to_be_visible()
        expect(rows.last).to_contain_text("Candidates")
        expect(rows.last).to_contain_text("candidate 1 of 3")
        used = api.get(f"/projects/{project.id}/llm").json()["tokens_used"]
        assert used > 0
        expect(budget).to_have_text(f"{used:,} of 100,000 tokens used · {100_000 - used:,} left")

        # The judge on the Dashboard, beside the people.
        page.goto(f"{people.url}/projects/{project.id}/dashboard")
        judge = page.locator("section", has=page.get_by_role("heading", name="LLM judge"))
        expect(judge).to_be_visible()
        row = judge.locator("tbody tr")
        expect(row).to_have_count(1)
        # People on t1..t5 (t6 is gold): 4/4, 4/3, 2/2, 5/5, 4/1: 3 of 5 pairs agree. The
        # judge said 4 everywhere: 2 + 1 + 0 + 0 + 1 = 4 of the 10 answers.
        expect(row).to_contain_text("quality")
        expect(row).to_contain_text("test-model")
        expect(row).to_contain_text("40%")
        expect(row).to_contain_text("60% (5 pairs)")
        expect(row).to_contain_text("−20 points")
        expect(row).to_contain_text("100% of 1")
        people.shot(page, "dashboard-llm-judge", at="#llm-judge")
    people.check()


def test_a_failing_endpoint_is_shown_in_the_job_and_the_log(people: People, db: Database) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    project = make_project(db, lead, INTERFACE)
    add_tasks(db, lead, project, ROWS[:2])
    with running() as llm, client(people, lead_token) as api:
        set_up_llm(api, project.id, llm, mode="fail")
        page = people.page("lead")
        people.sign_in(page, *LEAD, then=f"/projects/{project.id}/settings")
        section = section_of(page)
        # Candidates, by keyboard this time: the form's defaults, then Enter on the button.
        section.get_by_label("Candidates per task").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("1")
        page.keyboard.press("Enter")  # submits the form
        job = section.locator("[data-llm-job]")
        expect(job.get_by_text("Finished: 0 done · 2 failed · 0 skipped")).to_be_visible()
        log = job.locator(".job-log")
        expect(log).to_contain_text("the model is overloaded")
        expect(log.locator("li")).to_have_count(4)  # per task: the error, and "0 of 1"
        problems = job.locator(".llm-job-outcome li")  # shown under the outcome, too
        expect(problems.first).to_contain_text("the endpoint answered HTTP 500")
        expect(problems).to_have_count(4)
        # The judge by mouse: the same failure, and a second job starts only after the first.
        section.get_by_label("Pre-fill with the judge").check()
        section.get_by_label("Template", exact=True).select_option("judge")
        section.get_by_role("button", name="Pre-fill with the judge").click()
        expect(job.get_by_text("The judge on better")).to_be_visible()
        expect(job.get_by_text("Finished: 0 done · 2 failed · 0 skipped")).to_be_visible()
        calls = section.locator(".llm-calls tr[data-llm-call]")
        expect(calls).to_have_count(4)
        expect(calls.first).to_contain_text("error")
        expect(calls.first).to_contain_text("500")
        people.shot(page, "failing-endpoint", at=".llm-templates button[type=submit]")
    people.check()


SUGGESTING = {
    "fields": [{"name": "text", "kind": "text"}],
    "questions": [{"name": "answer", "kind": "text", "multiline": True, "required": True}],
}


def test_alt_l_asks_for_a_suggestion_while_typing(people: People, db: Database) -> None:
    lead, lead_token = make_user(db, LEAD[0], password=LEAD[1])
    ann, _ = make_user(db, ANN[0], password=ANN[1])
    project = make_project(db, lead, SUGGESTING, members={ann: "annotator"})
    add_tasks(db, lead, project, [{"id": "t1", "text": "Explain rainbows"}])
    with running() as llm, client(people, lead_token) as api:
        base = f"/projects/{project.id}/llm"
        put = api.put(base, json={"base_url": f"{llm}/ok/v1", "model": "test-model"})
        assert put.status_code == 200
        saved = api.post(
            base + "/templates", json={"name": "rewrite", "prompt": "Fix: {{accord.text}}"}
        )
        assert saved.status_code == 201

        desk = people.page("annotator")
        people.sign_in(desk, *ANN, then=f"/projects/{project.id}/annotate")
        box = desk.locator("#q-answer-text")
        expect(desk.get_by_role("button", name="Suggest with LLM")).to_be_visible()
        box.click()
        desk.keyboard.type("rainbows is light")
        desk.keyboard.press("Alt+L")  # while typing
        suggestion = desk.locator("#llm-answer")
        expect(suggestion).to_have_value("Echo: Fix: rainbows is light")
        expect(suggestion).to_be_focused()
        people.shot(desk, "suggestion-by-key")
        desk.keyboard.press("End")
        desk.keyboard.type(" bent by rain")
        desk.keyboard.press("Alt+Enter")
        expect(box).to_have_value("Echo: Fix: rainbows is light bent by rain")
        expect(suggestion).to_have_count(0)
        expect(box).to_be_focused()
        # Another, dismissed with Esc: the answer stays as it was.
        desk.keyboard.press("Alt+L")
        expect(suggestion).to_have_value("Echo: Fix: Echo: Fix: rainbows is light bent by rain")
        desk.keyboard.press("Escape")
        expect(suggestion).to_have_count(0)
        expect(box).to_be_focused()
        expect(box).to_have_value("Echo: Fix: rainbows is light bent by rain")
        # The key is in the help overlay.
        desk.keyboard.press("Escape")  # leave the text box
        desk.keyboard.press("?")
        sheet = desk.get_by_role("dialog", name="Keyboard shortcuts")
        expect(sheet.locator("tr", has_text="Suggest with LLM")).to_contain_text("Alt")
        people.shot(desk, "help-overlay")
    people.check()
