"""The SDK's calls for adjudications (mixed into `Client`; docs/quality.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accord.sdk.pages import PagedCalls


class AdjudicationCalls(PagedCalls):
    """Adjudicating tasks: lease the next one, record the final answer, release, list."""

    def next_adjudication(self, project_id: int) -> dict[str, Any] | None:
        """Lease the next task to adjudicate (reviewers, managers): ``{"adjudication", "task",
        "answers", "consensus"}``, or None when none is waiting for the caller."""
        data: dict[str, Any] = self._call("POST", f"/projects/{project_id}/adjudications/next")
        found: dict[str, Any] | None = data["adjudication"]
        return found

    def adjudication(self, adjudication_id: int) -> dict[str, Any]:
        """One adjudication: the task, every answer with its author, the consensus."""
        found: dict[str, Any] = self._call("GET", f"/adjudications/{adjudication_id}")
        return found

    def adjudicate(
        self,
        adjudication_id: int,
        result: dict[str, Any] | None = None,
        *,
        annotation_id: int | None = None,
    ) -> dict[str, Any]:
        """Record a task's final answer: ``result`` (written or merged), or the answer of
        ``annotation_id`` (one of the task's answers)."""
        body: dict[str, Any] = (
            {"result": result} if annotation_id is None else {"annotation_id": annotation_id}
        )
        decided: dict[str, Any] = self._call(
            "POST", f"/adjudications/{adjudication_id}/decision", json=body
        )
        return decided

    def release_adjudication(self, adjudication_id: int) -> None:
        """Hand a leased adjudication back to the queue."""
        self._call("POST", f"/adjudications/{adjudication_id}/release")

    def adjudications(self, project_id: int, state: str | None = None) -> Iterator[dict[str, Any]]:
        """Every adjudication of the project, oldest first (``state``: open or decided)."""
        yield from self._pages(f"/projects/{project_id}/adjudications", {"state": state})
