"""Versioned guidelines: save (a new version), restore, acknowledge; the queue's gate.

Every save of a project's guidelines is a `GuidelineVersion` with its author, a change note and
a ``material`` flag; `Project.guidelines` and `Project.guidelines_version` stay the current
version's text and number, so the code that reads them is unchanged. A save names the version
it was made from (``base_version``): when another save came first, it is refused with a
conflict (409 ``guidelines_conflict``) whose details carry the diff between that base and the
current version, and the three-way merge of the refused text with the current one
(`accord.formats.guideline_merge`); the guarded ``UPDATE … WHERE guidelines_version = base``
makes one of two racing saves win on both databases, and a merge is saved only by a new save.

A material version must be acknowledged by each annotator before the queue hands them their
next task (`check_acknowledged`, called by `accord.actions.queue.do_next_task`).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accord.actions.audit import record
from accord.db.raw import Raw, Sql
from accord.db.types import utcnow
from accord.errors import Conflict, Invalid, NotFound
from accord.formats.guideline_merge import merge
from accord.formats.guidelines import diff
from accord.media.images import MAX_SIDE
from accord.media.storage import Storage, check_key
from accord.models import GuidelineAcknowledgement, GuidelineVersion, Project, User
from accord.queries.guidelines import last_acknowledged, last_worked_under, version_of
from accord.queries.projects import ProjectInfo

MAX_TEXT = 500_000
MAX_NOTE = 2000

# The gate: one probe of uq_guideline_acknowledgements_project_id_user_id_number.
_ACKNOWLEDGED = Sql(
    "SELECT 1 FROM guideline_acknowledgements WHERE project_id = ? AND user_id = ? "
    "AND number >= ? LIMIT 1"
)


def record_first_version(session: Session, project: Project, actor: User | None) -> None:
    """The project's first version, as it is created (`do_create_project`)."""
    session.add(
        GuidelineVersion(
            project_id=project.id,
            number=project.guidelines_version,
            text=project.guidelines,
            author_id=actor.id if actor is not None else None,
            note="first version",
            material=False,
            created_at=utcnow(),
        )
    )
    session.flush()


def do_save_guidelines(
    session: Session,
    project: Project,
    actor: User,
    *,
    text: str,
    note: str,
    material: bool,
    base_version: int,
    restored_from: int | None = None,
) -> GuidelineVersion:
    """A new version of the project's guidelines, made from version ``base_version``.

    `Conflict` (``guidelines_conflict``) when the current version is not ``base_version``; its
    details hold ``base_version``, ``current_version`` and ``diff`` (base → current), so the
    editor can see what changed and save again from the current version."""
    _check(text, note)
    current = project.guidelines_version
    mine = text if restored_from is None else None  # a restore has no edits to merge
    if base_version != current:
        raise _conflict(session, project, base_version, mine)
    number = current + 1
    now = utcnow()
    values: dict[str, Any] = {"guidelines": text, "guidelines_version": number, "updated_at": now}
    if material:
        values["guidelines_material"] = number
    won = session.execute(
        update(Project)
        .where(Project.id == project.id, Project.guidelines_version == base_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(project)
        raise _conflict(session, project, base_version, mine)
    if _missing(session, project, current):
        session.add(_implicit(project, current))  # keep the version it replaces
    for key, value in values.items():
        setattr(project, key, value)
    version = GuidelineVersion(
        project_id=project.id,
        number=number,
        text=text,
        author_id=actor.id,
        note=note.strip(),
        material=material,
        restored_from=restored_from,
        created_at=now,
    )
    session.add(version)
    if material:  # the author has read what they wrote
        session.add(
            GuidelineAcknowledgement(
                project_id=project.id, user_id=actor.id, number=number, created_at=now
            )
        )
    session.flush()
    record(
        session,
        actor,
        "guidelines.restore" if restored_from is not None else "guidelines.save",
        ("project", project.id),
        project_id=project.id,
        before={"version": current},
        after={"version": number, "note": version.note, "material": material}
        | ({"restored_from": restored_from} if restored_from is not None else {}),
    )
    return version


def do_restore_guidelines(
    session: Session,
    project: Project,
    actor: User,
    *,
    number: int,
    note: str,
    material: bool,
    base_version: int,
) -> GuidelineVersion:
    """A new version whose text is version ``number``'s."""
    old = version_of(session, project, number)
    if old is None:
        raise NotFound(
            f"project {project.id} has no guideline version {number}; list them at "
            f"/projects/{project.id}/guidelines",
            code="guidelines_version_not_found",
        )
    return do_save_guidelines(
        session,
        project,
        actor,
        text=old.text,
        note=note.strip() or f"restored version {number}",
        material=material,
        base_version=base_version,
        restored_from=number,
    )


def do_acknowledge_guidelines(
    session: Session, project: Project, user: User, number: int
) -> GuidelineAcknowledgement | None:
    """``user`` read version ``number`` (the current one: an older one is refused with the
    changes since, as the queue's gate says them). Acknowledging twice is harmless."""
    if number != project.guidelines_version:
        raise Conflict(
            f"version {number} is not the current guidelines (version "
            f"{project.guidelines_version}); read the current version and acknowledge it",
            code="guidelines_changed",
            details=pending_changes(session, project, user.id),
        )
    existing = session.scalar(
        select(GuidelineAcknowledgement).where(
            GuidelineAcknowledgement.project_id == project.id,
            GuidelineAcknowledgement.user_id == user.id,
            GuidelineAcknowledgement.number == number,
        )
    )
    if existing is not None:
        return existing
    ack = GuidelineAcknowledgement(
        project_id=project.id, user_id=user.id, number=number, created_at=utcnow()
    )
    session.add(ack)
    session.flush()
    record(
        session,
        user,
        "guidelines.acknowledge",
        ("project", project.id),
        project_id=project.id,
        after={"version": number},
    )
    return ack


def check_acknowledged(session: Session, raw: Raw, project: ProjectInfo, user_id: int) -> None:
    """The queue's gate: `Conflict` (``guidelines_unacknowledged``) when the project has a
    material version the caller has not acknowledged. Free when there is none; else one
    probe of an index."""
    material = project.guidelines_material
    if material <= 0 or raw.one(_ACKNOWLEDGED, (project.id, user_id, material)) is not None:
        return
    found = session.get(Project, project.id)
    assert found is not None
    details = pending_changes(session, found, user_id)
    raise Conflict(
        f"the guidelines changed (version {details['version']}: "
        f"{details['changes'][-1]['note'] if details['changes'] else 'see what changed'}); "
        "read what changed and acknowledge it to get your next task",
        code="guidelines_unacknowledged",
        details=details,
    )


def pending_changes(session: Session, project: Project, user_id: int) -> dict[str, Any]:
    """What the caller has to read: the current version, the last one they acknowledged, and
    the notes of the versions since (all versions, if they never acknowledged one)."""
    acknowledged = last_acknowledged(session, project.id, user_id)
    worked = last_worked_under(session, project.id, user_id)
    # An annotation records the version in force at its submission, which may be the material
    # one itself (submitted after it was saved, unread): then the diff starts before it.
    material = project.guidelines_material
    since = acknowledged or (min(worked, material - 1) if worked and material else worked)
    rows = session.scalars(
        select(GuidelineVersion)
        .where(
            GuidelineVersion.project_id == project.id,
            GuidelineVersion.number > (since or 0),
        )
        .order_by(GuidelineVersion.number)
    ).all()
    return {
        "version": project.guidelines_version,
        "acknowledged": acknowledged,
        "since": since,  # what the caller last read: acknowledged, else last worked under
        "material": project.guidelines_material,
        "changes": [
            {"version": v.number, "note": v.note, "material": v.material} for v in rows[-20:]
        ],
    }


def _check(text: str, note: str) -> None:
    if len(text) > MAX_TEXT:
        raise Invalid(
            f"text: the guidelines have {len(text)} characters; at most {MAX_TEXT} (split long "
            "examples into images or link to them)",
            details={"path": "text", "limit": MAX_TEXT},
        )
    if len(note) > MAX_NOTE:
        raise Invalid(
            f"note: {len(note)} characters; a change note has at most {MAX_NOTE}",
            details={"path": "note", "limit": MAX_NOTE},
        )


def _missing(session: Session, project: Project, number: int) -> bool:
    return (
        session.scalar(
            select(GuidelineVersion.id).where(
                GuidelineVersion.project_id == project.id, GuidelineVersion.number == number
            )
        )
        is None
    )


def _implicit(project: Project, number: int) -> GuidelineVersion:
    return GuidelineVersion(
        project_id=project.id,
        number=number,
        text=project.guidelines,
        note="",
        material=False,
        created_at=project.updated_at,
    )


def _conflict(
    session: Session, project: Project, base_version: int, mine: str | None = None
) -> Conflict:
    """The refusal of a save from an old version: the diff base → current and, for an edit
    whose base is known, the three-way merge of the edit with the current version (nothing is
    saved: the editor shows it, and a new save from the current version keeps it)."""
    current = project.guidelines_version
    base = version_of(session, project, base_version)
    changed = diff(base.text if base is not None else "", project.guidelines)
    merged = None if base is None or mine is None else merge(base.text, mine, project.guidelines)
    latest = version_of(session, project, current)
    return Conflict(
        f"the guidelines changed since version {base_version}, which you edited: they are at "
        f"version {current} now. Look at what changed, then save again from version {current}",
        code="guidelines_conflict",
        details={
            "base_version": base_version,
            "current_version": current,
            "current_note": latest.note if latest is not None else "",
            "diff": changed,
            "merge": merged,
        },
    )


# What a guideline image may be, by what its bytes say (never its name): extension by format.
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif"}


def image_key(project_id: int, name: str) -> str:
    """Where a guideline image is kept in the storage (``name``: ``<sha256>.<ext>``)."""
    return check_key(f"guidelines/projects/{project_id}/{name}")


def checked_image(data: bytes, filename: str, limit: int) -> str:
    """The stored name of ``data`` (``<sha256 prefix>.<ext>``), or `Invalid` saying why it is
    not taken: too large, or not a whole PNG, JPEG, WebP or GIF image."""
    if len(data) > limit:
        raise Invalid(
            f"{filename}: {len(data)} bytes; a guideline image has at most {limit} bytes "
            "(ACCORD_GUIDELINE_IMAGE_BYTES); resize or compress it",
            details={"path": "file", "file": filename, "limit": limit},
            code="image_too_large",
        )
    try:
        with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
            fmt = str(image.format)
            width, height = image.size
            image.load()  # the whole image decoded: a truncated one is refused
    except Exception as exc:  # whatever Pillow raises: not an image Accord takes
        raise Invalid(
            f"{filename}: not a PNG, JPEG, WebP or GIF image ({type(exc).__name__}); upload "
            "one of those",
            details={"path": "file", "file": filename},
            code="bad_image",
        ) from None
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise Invalid(
            f"{filename}: {width}×{height} pixels; a guideline image has sides of 1 to "
            f"{MAX_SIDE} pixels",
            details={"path": "file", "file": filename},
            code="bad_image",
        )
    return f"{hashlib.sha256(data).hexdigest()[:32]}.{IMAGE_FORMATS[fmt]}"


def do_store_guideline_image(
    session: Session, storage: Storage, project: Project, actor: User, name: str, data: bytes
) -> str:
    """Store an image `checked_image` named; the same bytes twice are stored once."""
    key = image_key(project.id, name)
    if not storage.exists(key):
        storage.write_bytes(key, data)
    record(
        session,
        actor,
        "guidelines.image",
        ("project", project.id),
        project_id=project.id,
        after={"name": name, "bytes": len(data)},
    )
    return name
