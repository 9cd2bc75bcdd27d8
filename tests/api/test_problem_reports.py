"""Tool problem reports: reporting with context and a screenshot, refusals that write nothing,
who sees what, triage by admins (audited), and the JSON export."""

from __future__ import annotations

import base64
import io
import os

import orjson
from PIL import Image
from sqlalchemy import func, select

from accord.db import Database
from accord.models import AuditEvent, ProblemReport
from tests.api.conftest import Api
from tests.factories import make_user

CONTEXT = {
    "page": "/projects/3/annotate",
    "project_id": 3,
    "task_id": 41,
    "browser": {"user_agent": "Mozilla/5.0 test", "viewport": [1280, 800]},
    "app_version": "0.1.0",
    "errors": [{"message": "TypeError: x is undefined", "at": "2026-12-05T08:00:00Z"}],
    "failed_requests": [
        {"method": "POST", "path": "/tasks/41/annotations", "status": 500, "code": "internal"}
    ],
}


def _png(width: int = 40, height: int = 30) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _count(db: Database) -> tuple[int, int]:
    with db.read() as session:
        reports = session.scalar(select(func.count()).select_from(ProblemReport)) or 0
        events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return int(reports), int(events)


def _member(db: Database, api: Api, email: str) -> Api:
    _, token = make_user(db, email)
    return api.as_(token)


def test_a_report_keeps_its_context_and_screenshot(db: Database, api: Api, admin: Api) -> None:
    ann = _member(db, api, "ann@example.com")
    sent = ann.post(
        "/problem-reports",
        json={"text": "Submit spun forever", "context": CONTEXT, "screenshot": _png()},
    )
    assert sent.status_code == 201, sent.text
    report = sent.json()
    assert report["status"] == "new"
    assert report["project_id"] == 3 and report["task_id"] == 41
    assert report["context"]["failed_requests"][0]["status"] == 500
    assert report["context"]["server_version"]  # added by the server
    assert report["notes"] is None  # the reporter never sees the admins' notes
    assert report["has_screenshot"] and report["screenshot_bytes"] > 0
    shot = ann.get(report["screenshot_url"].removeprefix("/api/v1"))
    assert shot.status_code == 200 and shot.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(shot.content)).size == (40, 30)
    seen = admin.get(f"/problem-reports/{report['id']}").json()
    assert seen["reporter"]["email"] == "ann@example.com" and seen["notes"] == ""
    assert seen["context"]["browser"]["viewport"] == [1280, 800]
    assert admin.get(report["screenshot_url"].removeprefix("/api/v1")).status_code == 200


def test_100_kb_of_text_is_refused_and_nothing_is_written(db: Database, api: Api) -> None:
    ann = _member(db, api, "ann@example.com")
    before = _count(db)
    answer = ann.post("/problem-reports", json={"text": "x" * 100_000, "context": {}})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["path"] == "text"
    assert _count(db) == before


def test_a_context_too_large_is_refused(db: Database, api: Api) -> None:
    ann = _member(db, api, "ann@example.com")
    before = _count(db)
    answer = ann.post("/problem-reports", json={"text": "hi", "context": {"big": "y" * 70_000}})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"][0]["path"] == "context"
    assert _count(db) == before


def test_a_screenshot_that_is_not_an_image_is_refused(db: Database, api: Api) -> None:
    ann = _member(db, api, "ann@example.com")
    before = _count(db)
    fake = "data:image/png;base64," + base64.b64encode(b"<svg onload=alert(1)>").decode()
    for screenshot in (fake, "not base64 at all!"):
        answer = ann.post(
            "/problem-reports", json={"text": "hi", "context": {}, "screenshot": screenshot}
        )
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["code"] == "bad_screenshot" and error["details"][0]["path"] == "screenshot"
    assert _count(db) == before


def test_a_screenshot_too_large_is_refused(db: Database, api: Api, admin: Api) -> None:
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    assert buffer.tell() > 1024 * 1024
    shot = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    answer = admin.post("/problem-reports", json={"text": "hi", "screenshot": shot})
    assert answer.status_code in (413, 422)  # over the screenshot's or the body's limit


def test_others_reports_are_hidden(db: Database, api: Api, admin: Api) -> None:
    ann = _member(db, api, "ann@example.com")
    bob = _member(db, api, "bob@example.com")
    made = ann.post("/problem-reports", json={"text": "mine", "screenshot": _png()}).json()
    bob.post("/problem-reports", json={"text": "bob's"})
    assert bob.get("/problem-reports").status_code == 403
    assert bob.get("/problem-reports/export").status_code == 403
    assert bob.get(f"/problem-reports/{made['id']}").status_code == 404
    assert bob.get(f"/problem-reports/{made['id']}/screenshot").status_code == 404
    assert bob.patch(f"/problem-reports/{made['id']}", json={"status": "fixed"}).status_code == 404
    mine = bob.get("/problem-reports/mine").json()["items"]
    assert [r["summary"] for r in mine] == ["bob's"]
    assert ann.patch(f"/problem-reports/{made['id']}", json={"status": "fixed"}).status_code == 403
    everything = admin.get("/problem-reports").json()["items"]
    assert [r["summary"] for r in everything] == ["bob's", "mine"]


def test_triage_status_duplicate_and_notes(db: Database, api: Api, admin: Api) -> None:
    ann = _member(db, api, "ann@example.com")
    first = ann.post("/problem-reports", json={"text": "first", "context": CONTEXT}).json()
    second = ann.post("/problem-reports", json={"text": "again"}).json()
    changed = admin.patch(
        f"/problem-reports/{first['id']}", json={"status": "in_progress", "notes": "on it"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "in_progress" and changed.json()["notes"] == "on it"
    dup = admin.patch(f"/problem-reports/{second['id']}", json={"duplicate_of": first["id"]})
    assert dup.json()["status"] == "duplicate" and dup.json()["duplicate_of"] == first["id"]
    # No cycles, no self-duplicates, no unknown originals, no duplicate without an original.
    cycle = admin.patch(f"/problem-reports/{first['id']}", json={"duplicate_of": second["id"]})
    assert cycle.status_code == 422
    itself = admin.patch(f"/problem-reports/{first['id']}", json={"duplicate_of": first["id"]})
    assert itself.status_code == 422
    unknown = admin.patch(f"/problem-reports/{first['id']}", json={"duplicate_of": 99999})
    assert unknown.status_code == 404
    bare = admin.patch(f"/problem-reports/{first['id']}", json={"status": "duplicate"})
    assert bare.status_code == 422 and bare.json()["error"]["details"][0]["path"] == "duplicate_of"
    cleared = admin.patch(f"/problem-reports/{second['id']}", json={"duplicate_of": None})
    assert cleared.status_code == 422  # still a duplicate: of which?
    assert admin.get(f"/problem-reports/{second['id']}").json()["duplicate_of"] == first["id"]
    bad = admin.patch(f"/problem-reports/{first['id']}", json={"status": "done"})
    assert bad.status_code == 422
    fixed = admin.patch(f"/problem-reports/{second['id']}", json={"status": "fixed"}).json()
    assert fixed["duplicate_of"] is None  # no longer a duplicate
    only_new = admin.get("/problem-reports", params={"status": "in_progress"}).json()["items"]
    assert [r["id"] for r in only_new] == [first["id"]]
    mine = {r["id"]: r["status"] for r in ann.get("/problem-reports/mine").json()["items"]}
    assert mine == {first["id"]: "in_progress", second["id"]: "fixed"}
    with db.read() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "problem_report")
        ).all()
    assert actions.count("problem_report.create") == 2
    assert actions.count("problem_report.triage") == 3


def test_export_as_json(db: Database, api: Api, admin: Api) -> None:
    ann = _member(db, api, "ann@example.com")
    assert orjson.loads(admin.get("/problem-reports/export").content) == []
    for n in range(3):
        ann.post("/problem-reports", json={"text": f"report {n}", "context": CONTEXT})
    answer = admin.get("/problem-reports/export")
    assert answer.status_code == 200
    assert "problem-reports.json" in answer.headers["content-disposition"]
    rows = orjson.loads(answer.content)
    assert [r["text"] for r in rows] == ["report 0", "report 1", "report 2"]
    assert rows[0]["context"]["task_id"] == 41 and rows[0]["reporter"]["email"] == "ann@example.com"
    assert rows[0]["notes"] == "" and rows[0]["status"] == "new"


def test_one_account_sends_at_most_30_an_hour(db: Database, api: Api) -> None:
    ann = _member(db, api, "ann@example.com")
    for n in range(30):
        assert ann.post("/problem-reports", json={"text": f"r{n}"}).status_code == 201
    before = _count(db)
    refused = ann.post("/problem-reports", json={"text": "one more", "screenshot": _png()})
    assert refused.status_code == 429 and refused.json()["error"]["details"]["retry_after"] > 0
    assert _count(db) == before
