"""The SDK's calls for reviews (mixed into `Client`; docs/quality.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from accord.sdk.pages import PagedCalls


class ReviewCalls(PagedCalls):
    """Reviewing annotations: lease the next review, decide it, release it, list them."""

    def next_review(self, project_id: int) -> dict[str, Any] | None:
        """Lease the next review (reviewers, managers): ``{"review", "annotation", "task"}``,
        or None when no review is waiting for the caller."""
        data: dict[str, Any] = self._call("POST", f"/projects/{project_id}/reviews/next")
        return data if data["review"] is not None else None

    def decide(
        self,
        review_id: int,
        decision: str,
        *,
        version: int,
        result: dict[str, Any] | None = None,
        comment: str = "",
        comments: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Decide a review: ``accept``, ``fix`` (with the corrected ``result``) or ``reject``
        (with a ``comment`` saying why). ``version``: the annotation's version looked at."""
        body: dict[str, Any] = {"decision": decision, "version": version, "comment": comment}
        if result is not None:
            body["result"] = result
        if comments:
            body["comments"] = comments
        decided: dict[str, Any] = self._call("POST", f"/reviews/{review_id}/decision", json=body)
        return decided

    def release_review(self, review_id: int) -> None:
        """Hand a leased review back to the queue."""
        self._call("POST", f"/reviews/{review_id}/release")

    def reviews(self, project_id: int, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every review of the project, oldest first (``state=``, ``decision=`` filter)."""
        yield from self._pages(f"/projects/{project_id}/reviews", filters)

    def rework(self, project_id: int) -> list[dict[str, Any]]:
        """The caller's rejected annotations, each with the review that rejected it."""
        items: list[dict[str, Any]] = self._call("GET", f"/projects/{project_id}/rework")
        return items
