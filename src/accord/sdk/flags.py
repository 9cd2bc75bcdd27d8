"""The SDK's calls for ambiguity flags, the FAQ and notifications (mixed into `Client`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class FlagCalls:
    """``client.flag(task_id, question)`` and the calls around it (docs/flags.md)."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def flag(
        self, task_id: int, question: str, *, section: str = "", skip: bool = False
    ) -> dict[str, Any]:
        """Flag a task as unclear under the guidelines with ``question`` (about the guideline
        section ``section``, an anchor; "" for the whole); ``skip`` also skips the task."""
        body = {"question": question, "section": section, "skip": skip}
        data: dict[str, Any] = self._call("POST", f"/tasks/{task_id}/flags", json=body)
        return data

    def flags(
        self, project_id: int, state: str = "open", section: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The project's questions in ``state`` (open, answered or all), newest first; an
        annotator gets their own. Follows the pages."""
        params: dict[str, Any] = {"state": state, "limit": 200}
        if section is not None:
            params["section"] = section
        while True:
            page = self._call("GET", f"/projects/{project_id}/flags", params=params)
            yield from page["items"]
            if page["next_before"] is None:
                return
            params["before"] = page["next_before"]

    def flag_info(self, flag_id: int) -> dict[str, Any]:
        data: dict[str, Any] = self._call("GET", f"/flags/{flag_id}")
        return data

    def answer_flag(
        self, flag_id: int, answer: str, *, publish: bool = False, faq_question: str = ""
    ) -> dict[str, Any]:
        """Answer a question (managers); the asker is notified. ``publish`` puts it in the
        project's FAQ (under ``faq_question`` if given)."""
        body = {"answer": answer, "publish": publish, "faq_question": faq_question}
        data: dict[str, Any] = self._call("POST", f"/flags/{flag_id}/answer", json=body)
        return data

    def amendment(self, flag_id: int, section: str | None = None) -> dict[str, Any]:
        """The proposed guideline amendment from an answered question: ``text``, ``note``,
        ``base_version``. ``section`` (an anchor) puts the answer under that section instead
        of the question's own ('' at the end)."""
        params = {} if section is None else {"section": section}
        data: dict[str, Any] = self._call("GET", f"/flags/{flag_id}/amendment", params=params)
        return data

    def promote_flag(
        self,
        flag_id: int,
        text: str,
        base_version: int,
        *,
        note: str = "",
        material: bool = False,
    ) -> dict[str, Any]:
        """Save ``text`` as the next guideline version, made from this question."""
        body = {"text": text, "note": note, "material": material, "base_version": base_version}
        data: dict[str, Any] = self._call("POST", f"/flags/{flag_id}/promote", json=body)
        return data

    def faq(self, project_id: int, q: str = "", limit: int = 50) -> list[dict[str, Any]]:
        """The project's published answers; ``q``: words that must all appear."""
        params = {"q": q, "limit": limit}
        data: list[dict[str, Any]] = self._call("GET", f"/projects/{project_id}/faq", params=params)
        return data

    def notifications(self, before: int | None = None, limit: int = 30) -> dict[str, Any]:
        """A page of the caller's notifications (``items``, ``unread``, ``next_before``)."""
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        data: dict[str, Any] = self._call("GET", "/notifications", params=params)
        return data

    def mark_read(self, ids: list[int] | None = None) -> int:
        """Mark notifications read (None: all); the unread count left."""
        data = self._call("POST", "/notifications/read", json={"ids": ids})
        return int(data["unread"])
