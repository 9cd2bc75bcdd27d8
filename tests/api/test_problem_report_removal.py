"""Problem reports leaving: an admin deletes any report, a reporter withdraws their own open
one (both audited, the screenshot deleted from the storage, duplicates handed over), and the
retention job deletes closed reports older than ACCORD_PROBLEM_REPORT_RETENTION_DAYS."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from accord.db import Database
from accord.db.types import utcnow
from accord.jobs.retention import expire_problem_reports
from accord.media.storage import open_storage
from accord.models import AuditEvent, ProblemReport
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_problem_reports import _member, _png


def _screenshots(settings: Settings) -> list[str]:
    return [item.key for item in open_storage(settings).list("problem-reports/")]


def _actions(db: Database) -> list[str]:
    with db.read() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.object_type == "problem_report")
                .order_by(AuditEvent.id)
            )
        )


def test_an_admin_deletes_a_report_and_its_screenshot(
    db: Database, api: Api, admin: Api, settings: Settings
) -> None:
    ann = _member(db, api, "ann@example.com")
    report = ann.post("/problem-reports", json={"text": "broken", "screenshot": _png()}).json()
    kept = ann.post("/problem-reports", json={"text": "also broken", "screenshot": _png()}).json()
    assert len(_screenshots(settings)) == 2
    gone = admin.delete(f"/problem-reports/{report['id']}")
    assert gone.status_code == 204, gone.text
    assert admin.get(f"/problem-reports/{report['id']}").status_code == 404
    assert len(_screenshots(settings)) == 1
    assert ann.get(kept["screenshot_url"].removeprefix("/api/v1")).status_code == 200
    assert admin.delete(f"/problem-reports/{report['id']}").status_code == 404
    assert _actions(db)[-1] == "problem_report.delete"


def test_a_reporter_withdraws_only_their_own_open_report(
    db: Database, api: Api, admin: Api, settings: Settings
) -> None:
    ann = _member(db, api, "ann@example.com")
    bob = _member(db, api, "bob@example.com")
    open_one = ann.post("/problem-reports", json={"text": "a", "screenshot": _png()}).json()
    closed = ann.post("/problem-reports", json={"text": "b"}).json()
    admin.patch(f"/problem-reports/{closed['id']}", json={"status": "fixed"})
    assert bob.delete(f"/problem-reports/{open_one['id']}").status_code == 404  # not his
    refused = ann.delete(f"/problem-reports/{closed['id']}")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "report_closed"
    assert "fixed" in refused.json()["error"]["message"]
    assert ann.delete(f"/problem-reports/{open_one['id']}").status_code == 204
    mine = [r["id"] for r in ann.get("/problem-reports/mine").json()["items"]]
    assert mine == [closed["id"]] and _screenshots(settings) == []
    assert _actions(db)[-1] == "problem_report.withdraw"


def test_duplicates_of_a_deleted_report_take_its_place(db: Database, api: Api, admin: Api) -> None:
    ann = _member(db, api, "ann@example.com")
    first, second, third = (
        ann.post("/problem-reports", json={"text": t}).json()["id"] for t in ("1", "2", "3")
    )
    admin.patch(f"/problem-reports/{first}", json={"status": "in_progress"})
    admin.patch(f"/problem-reports/{second}", json={"duplicate_of": first})
    admin.patch(f"/problem-reports/{third}", json={"duplicate_of": second})
    assert admin.delete(f"/problem-reports/{second}").status_code == 204
    now = admin.get(f"/problem-reports/{third}").json()
    assert now["status"] == "duplicate" and now["duplicate_of"] == first
    assert admin.delete(f"/problem-reports/{first}").status_code == 204
    now = admin.get(f"/problem-reports/{third}").json()
    assert now["status"] == "in_progress" and now["duplicate_of"] is None


def test_retention_deletes_old_closed_reports(
    db: Database, api: Api, admin: Api, settings: Settings
) -> None:
    ann = _member(db, api, "ann@example.com")
    ids = {
        name: ann.post("/problem-reports", json={"text": name, "screenshot": _png()}).json()["id"]
        for name in ("old_fixed", "old_open", "new_fixed", "old_wont_fix")
    }
    for name in ("old_fixed", "new_fixed"):
        admin.patch(f"/problem-reports/{ids[name]}", json={"status": "fixed"})
    admin.patch(f"/problem-reports/{ids['old_wont_fix']}", json={"status": "wont_fix"})
    old = utcnow() - dt.timedelta(days=400)
    with db.write() as session:
        session.execute(
            update(ProblemReport)
            .where(ProblemReport.id.in_([ids["old_fixed"], ids["old_open"], ids["old_wont_fix"]]))
            .values(updated_at=old)
        )
    storage = open_storage(settings)
    assert expire_problem_reports(db, storage, 0) == 0  # 0 keeps them forever
    assert expire_problem_reports(db, storage, 500) == 0
    assert expire_problem_reports(db, storage, 365) == 2
    left = {r["summary"] for r in admin.get("/problem-reports").json()["items"]}
    assert left == {"old_open", "new_fixed"}
    assert len(_screenshots(settings)) == 2
    assert _actions(db).count("problem_report.expire") == 2
    assert expire_problem_reports(db, storage, 365) == 0  # done already
    assert Settings(data_dir=settings.data_dir).problem_report_retention_days == 365
