"""Ambiguity flags: raise one from a task, answer it (the asker is notified), publish the
answer to the FAQ, promote it into a guideline amendment. See docs/flags.md."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.actions.guidelines import do_save_guidelines
from accord.actions.notifications import do_notify
from accord.actions.queue import do_skip
from accord.db.types import utcnow
from accord.errors import Conflict, Invalid
from accord.models import Flag, FlagState, GuidelineVersion, Project, User
from accord.queries.projects import ProjectInfo
from accord.queries.tasks import TaskRef

MAX_QUESTION = 10_000  # characters of a question (and of its FAQ wording)
MAX_ANSWER = 20_000
MAX_SECTION = 200
MAX_OPEN = 200  # open flags one person may have in a project at once
SKIP_REASON = "Flagged as unclear under the guidelines"


def _problem(path: str, message: str) -> Invalid:
    return Invalid(f"{path}: {message}", details=[{"path": path, "message": message}])


def checked_text(value: str, path: str, limit: int, *, required: bool = True) -> str:
    """``value`` stripped, or a 422 naming ``path`` when it is empty or over ``limit``."""
    text = value.strip()
    if required and not text:
        raise _problem(path, "write something: it cannot be empty")
    if len(text) > limit:
        raise _problem(
            path,
            f"at most {limit:,} characters ({len(text):,} given); shorten it, or link to a "
            "longer text",
        )
    return text


def checked_section(value: str) -> str:
    """A guideline section's anchor (or "" for none): short, on one line, no control
    characters."""
    section = value.strip()
    if len(section) > MAX_SECTION:
        raise _problem("section", f"at most {MAX_SECTION} characters ({len(section):,} given)")
    if any(unicodedata.category(c).startswith("C") for c in section):
        raise _problem("section", "a section anchor is one line of text without control codes")
    return section


def do_flag(
    session: Session,
    user: User,
    project: ProjectInfo,
    task: TaskRef,
    question: str,
    *,
    section: str = "",
    skip: bool = False,
) -> Flag:
    """``user`` flags ``task`` as unclear under the guidelines with ``question``; with
    ``skip`` they also pass on the task (`do_skip`), in the same transaction."""
    text = checked_text(question, "question", MAX_QUESTION)
    anchor = checked_section(section)
    open_count = session.scalar(
        select(func.count())
        .select_from(Flag)
        .where(
            Flag.user_id == user.id,
            Flag.project_id == project.id,
            Flag.state == FlagState.open.value,
        )
    )
    if (open_count or 0) >= MAX_OPEN:
        raise Conflict(
            f"you have {MAX_OPEN} open questions in this project, the most one may have; "
            "wait for answers (or ask a manager) before flagging more",
            code="too_many_flags",
        )
    now = utcnow()
    flag = Flag(
        project_id=project.id,
        task_id=task.id,
        user_id=user.id,
        section=anchor,
        question=text,
        guidelines_version=project.guidelines_version,
        state=FlagState.open.value,
        answer="",
        published=False,
        faq_question="",
        created_at=now,
        updated_at=now,
    )
    session.add(flag)
    session.flush()
    record(
        session,
        user,
        "flag.create",
        ("flag", flag.id),
        project_id=project.id,
        after={"task_id": task.id, "section": anchor, "skip": skip},
    )
    if skip:
        do_skip(session, user, project, task, SKIP_REASON)
    return flag


def _answer_link(flag: Flag) -> str:
    return f"/projects/{flag.project_id}/questions?flag={flag.id}"


def do_answer_flag(
    session: Session,
    actor: User,
    flag: Flag,
    answer: str,
    *,
    publish: bool = False,
    faq_question: str = "",
) -> Flag:
    """A manager answers ``flag`` (again: a new wording of the answer), and publishes it to the
    FAQ or not; ``faq_question`` rewords the question for the FAQ (e.g. to leave out who asked).
    The asker is notified."""
    text = checked_text(answer, "answer", MAX_ANSWER)
    wording = checked_text(faq_question, "faq_question", MAX_QUESTION, required=False)
    before = _shown(flag)
    first = flag.state == FlagState.open.value
    now = utcnow()
    flag.answer, flag.published, flag.faq_question = text, publish, wording
    flag.answered_by = actor.id
    if first:
        flag.state, flag.answered_at = FlagState.answered.value, now
    flag.updated_at = now
    session.flush()
    record(
        session,
        actor,
        "flag.answer",
        ("flag", flag.id),
        project_id=flag.project_id,
        before=before,
        after=_shown(flag),
    )
    if flag.user_id != actor.id and (first or before["answer"] != text):
        what = "was answered" if first else "has a new answer"
        do_notify(
            session,
            flag.user_id,
            "flag.answered",
            f"Your question {what}: {_quote(flag.question)}",
            link=_answer_link(flag),
            project_id=flag.project_id,
        )
    return flag


def do_promote_flag(
    session: Session,
    actor: User,
    flag: Flag,
    project: Project,
    *,
    text: str,
    note: str,
    material: bool,
    base_version: int,
) -> GuidelineVersion:
    """Save ``text`` as the project's next guideline version (an amendment made from ``flag``,
    whose number the flag records) and tell the asker. ``base_version``: the version the
    amendment was written against; if another edit saved a newer one since, the guidelines'
    action refuses with a conflict and nothing is written."""
    if flag.state != FlagState.answered.value:
        raise Conflict("answer this question before promoting it into the guidelines")
    if flag.amended_version is not None:
        raise Conflict(
            f"this question already became guideline version {flag.amended_version}",
            code="flag_promoted",
        )
    version = do_save_guidelines(
        session,
        project,
        actor,
        text=text,
        note=note.strip() or f"Amendment from question #{flag.id}",
        material=material,
        base_version=base_version,
    )
    flag.amended_version = version.number
    flag.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        "flag.promote",
        ("flag", flag.id),
        project_id=flag.project_id,
        after={"version": flag.amended_version, "material": material},
    )
    if flag.user_id != actor.id:
        do_notify(
            session,
            flag.user_id,
            "flag.promoted",
            f"Your question became guideline version {flag.amended_version}: "
            f"{_quote(flag.question)}",
            link=_answer_link(flag),
            project_id=flag.project_id,
        )
    return version


def _quote(text: str, limit: int = 120) -> str:
    line = " ".join(text.split())
    return f"“{line if len(line) <= limit else line[: limit - 1] + '…'}”"


def _shown(flag: Flag) -> dict[str, Any]:
    return {
        "state": flag.state,
        "answer": flag.answer,
        "published": flag.published,
        "faq_question": flag.faq_question,
    }
