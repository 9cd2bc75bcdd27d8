"""Problem reports as admins and their reporters see them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import NotFound
from accord.models import ProblemReport, User

PAGE = 50
EXPORT_BATCH = 500


def reports_page(
    session: Session,
    *,
    status: str | None = None,
    reporter_id: int | None = None,
    before: int | None = None,
    limit: int = PAGE,
) -> Sequence[ProblemReport]:
    """Reports newest first, filtered by status and/or reporter, ids below ``before``."""
    query = select(ProblemReport).order_by(ProblemReport.id.desc()).limit(limit)
    if status is not None:
        query = query.where(ProblemReport.status == status)
    if reporter_id is not None:
        query = query.where(ProblemReport.reporter_id == reporter_id)
    if before is not None:
        query = query.where(ProblemReport.id < before)
    return session.scalars(query).all()


def report_for(session: Session, user: User, report_id: int) -> ProblemReport:
    """Report ``report_id`` if ``user`` may see it (an admin, or its reporter); else
    `NotFound` (others' reports do not exist for you)."""
    report = session.get(ProblemReport, report_id)
    if report is None or not (user.is_admin or report.reporter_id == user.id):
        raise NotFound(f"no problem report {report_id}, or it is not yours")
    return report


def reporters_of(session: Session, reports: Sequence[ProblemReport]) -> dict[int, User]:
    ids = {r.reporter_id for r in reports if r.reporter_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def all_reports(session: Session) -> Iterator[ProblemReport]:
    """Every report, oldest first, read a batch at a time (the export)."""
    after = 0
    while True:
        batch = session.scalars(
            select(ProblemReport)
            .where(ProblemReport.id > after)
            .order_by(ProblemReport.id)
            .limit(EXPORT_BATCH)
        ).all()
        yield from batch
        if len(batch) < EXPORT_BATCH:
            return
        after = batch[-1].id
