"""A project's review checklist: what reviewers check each annotation against ("follows the
style guide §3", "no factual error"), each item with a severity. A fix or a rejection records
which items failed, so that reports show which parts of the guidelines are misunderstood."""

from __future__ import annotations

import re
from typing import Any

from accord.errors import Invalid

SEVERITIES = ("minor", "major", "critical")
MAX_ITEMS = 100
MAX_TEXT = 500
_NOT_ID = re.compile(r"[^a-z0-9]+")


def checked_checklist(value: Any) -> list[dict[str, str]]:
    """The checklist as stored: ``[{"id", "text", "severity"}]``, or `Invalid` naming the item
    at fault. An item without an ``id`` gets one from its text (keep ids when you reword an
    item, so its failures stay counted together)."""
    where = "checklist"
    if not isinstance(value, list):
        raise _bad(where, "a list of items, each {text, severity, id?}")
    if len(value) > MAX_ITEMS:
        raise Invalid(
            f"{where}: {len(value)} items; at most {MAX_ITEMS}",
            details={"field": "checklist", "path": where, "limit": MAX_ITEMS},
        )
    items: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, raw in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(raw, dict) or set(raw) - {"id", "text", "severity", "guideline"}:
            raise _bad(at, "an item is {text, severity, id?, guideline?} and nothing else")
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise _bad(f"{at}.text", f"say what to check (1 to {MAX_TEXT} characters)")
        severity = raw.get("severity", "major")
        if severity not in SEVERITIES:
            raise _bad(f"{at}.severity", f"{severity!r} is not one of {', '.join(SEVERITIES)}")
        given = raw.get("id")
        if given is not None and (not isinstance(given, str) or not given.strip()):
            raise _bad(f"{at}.id", "a short name, or leave it out")
        slug = _NOT_ID.sub("-", text.lower()).strip("-")[:60] or f"item-{index + 1}"
        item_id = given.strip() if given is not None else slug
        if item_id in seen:
            raise _bad(f"{at}.id", f"{item_id!r} is used twice; give each item its own id")
        seen.add(item_id)
        items.append({"id": item_id, "text": text.strip(), "severity": severity})
        link = raw.get("guideline")  # a guideline section's anchor (accord.actions.guidelines)
        if link is not None:
            if not isinstance(link, str) or not 0 < len(link.strip()) <= 200:
                raise _bad(f"{at}.guideline", "a guideline section's anchor, or leave it out")
            items[-1]["guideline"] = link.strip()
    return items


def _bad(path: str, message: str) -> Invalid:
    return Invalid(f"{path}: {message}", details={"field": "checklist", "path": path})


def failed_items(checklist: list[dict[str, str]], ids: list[str]) -> list[dict[str, str]]:
    """The checklist items named by ``ids`` (as they read now), or `Invalid`."""
    by_id = {item["id"]: item for item in checklist}
    unknown = [item_id for item_id in ids if item_id not in by_id]
    if unknown:
        known = ", ".join(by_id) or "none: the project has no checklist"
        raise Invalid(
            f"failed: {', '.join(map(repr, unknown))} not in the project's checklist "
            f"(its items: {known})",
            details={"field": "failed"},
        )
    return [by_id[item_id] for item_id in dict.fromkeys(ids)]
