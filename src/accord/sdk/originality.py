"""The SDK's calls for the originality check's reference corpora and findings (mixed into
`Client`; docs/originality.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from accord.sdk.uploads import file_chunks


class OriginalityCalls:
    """Reference corpora (upload, list, delete) and what the check found about an answer."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def upload_corpus(
        self,
        project_id: int,
        question: str,
        path: str | Path,
        *,
        format: str = "lines",
        name: str | None = None,
    ) -> dict[str, Any]:
        """Upload a reference corpus for a text question's originality check (one text per
        line, or JSONL with "text"); returns ``{"corpus", "job"}`` at once (docs/originality.md).
        ``name``: what to call it (default: the file's name)."""
        file = Path(path)
        started: dict[str, Any] = self._call(
            "POST",
            f"/projects/{project_id}/originality/corpora",
            params={"question": question, "format": format, "name": (name or file.name)[:300]},
            content=file_chunks(file, None),
            headers={"Content-Type": "application/octet-stream"},
        )
        return started

    def corpora(self, project_id: int) -> list[dict[str, Any]]:
        """The project's reference corpora, newest first: id, question, name, state, texts."""
        found: list[dict[str, Any]] = self._call(
            "GET", f"/projects/{project_id}/originality/corpora"
        )
        return found

    def delete_corpus(self, project_id: int, corpus_id: int) -> dict[str, Any]:
        """Delete a reference corpus: checks stop using it at once, and a job removes its
        texts; returns ``{"corpus", "job"}`` (follow the job with `wait_job`)."""
        started: dict[str, Any] = self._call(
            "DELETE", f"/projects/{project_id}/originality/corpora/{corpus_id}"
        )
        return started

    def originality(self, annotation_id: int) -> dict[str, Any]:
        """What the originality check found about an annotation, and its paste counts."""
        found: dict[str, Any] = self._call("GET", f"/annotations/{annotation_id}/originality")
        return found
