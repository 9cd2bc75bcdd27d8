"""The SDK's calls for versioned guidelines (mixed into `Client`; docs/guidelines.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class GuidelineCalls:
    """``client.guidelines(project_id)`` and the calls around it."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def guidelines(self, project_id: int) -> list[dict[str, Any]]:
        """The project's guideline versions with their notes, newest first:
        ``[{"number", "note", "material", "author", "restored_from", "created_at"}]``."""
        data = self._call("GET", f"/projects/{project_id}/guidelines")
        versions: list[dict[str, Any]] = data["versions"]
        return versions

    def guidelines_version(self, project_id: int, number: int) -> dict[str, Any]:
        """One version with its ``text`` (Markdown) and ``sections`` (anchors)."""
        data: dict[str, Any] = self._call(
            "GET", f"/projects/{project_id}/guidelines/versions/{number}"
        )
        return data

    def save_guidelines(
        self,
        project_id: int,
        text: str,
        *,
        base_version: int,
        note: str = "",
        material: bool = False,
    ) -> dict[str, Any]:
        """Save ``text`` as a new version made from ``base_version``: ``{"version",
        "warnings"}``. Another save since raises `AccordError` with code
        ``guidelines_conflict`` and the diff in ``details``; ``material`` makes annotators
        acknowledge it before their next task."""
        body = {"text": text, "base_version": base_version, "note": note, "material": material}
        data: dict[str, Any] = self._call("POST", f"/projects/{project_id}/guidelines", json=body)
        return data

    def guidelines_diff(self, project_id: int, old: int, new: int | None = None) -> dict[str, Any]:
        """What changed from version ``old`` to ``new`` (default: the current one):
        ``{"sections", "hunks", "text"}`` (``text``: a unified diff)."""
        params: dict[str, Any] = {"old": old}
        if new is not None:
            params["new"] = new
        data: dict[str, Any] = self._call(
            "GET", f"/projects/{project_id}/guidelines/diff", params=params
        )
        return data

    def restore_guidelines(
        self, project_id: int, number: int, *, base_version: int, note: str = ""
    ) -> dict[str, Any]:
        """A new version whose text is version ``number``'s."""
        body = {"number": number, "base_version": base_version, "note": note}
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/guidelines/restore", json=body
        )
        return data

    def acknowledge_guidelines(self, project_id: int, version: int) -> dict[str, Any]:
        """The caller read ``version`` (the current one)."""
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/guidelines/acknowledge", json={"version": version}
        )
        return data

    def upload_guideline_image(self, project_id: int, path: str | Path) -> dict[str, Any]:
        """Upload an image for the guidelines: ``{"name", "url", "markdown"}`` (paste the
        ``markdown`` into the text)."""
        file = Path(path)
        data: dict[str, Any] = self._call(
            "POST",
            f"/projects/{project_id}/guidelines/images",
            params={"filename": file.name},
            content=file.read_bytes(),
            headers={"Content-Type": "application/octet-stream"},
        )
        return data
