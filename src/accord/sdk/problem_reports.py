"""The SDK's calls for tool problem reports (mixed into `Client`; docs/problem_reports.md)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class ProblemReportCalls:
    """``client.report_problem(text)`` and the admins' triage and export."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def report_problem(
        self,
        text: str,
        context: dict[str, Any] | None = None,
        screenshot: str | Path | bytes | None = None,
    ) -> dict[str, Any]:
        """Report a problem with the tool; ``screenshot``: a PNG or JPEG (a path, or bytes)
        of at most 1 MiB."""
        body: dict[str, Any] = {"text": text, "context": context or {}}
        if screenshot is not None:
            data = screenshot if isinstance(screenshot, bytes) else Path(screenshot).read_bytes()
            body["screenshot"] = base64.b64encode(data).decode()
        report: dict[str, Any] = self._call("POST", "/problem-reports", json=body)
        return report

    def problem_reports(
        self, status: str | None = None, *, mine: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Reports newest first, every page: everyone's (admins; ``status`` filters), or
        ``mine``."""
        path = "/problem-reports/mine" if mine else "/problem-reports"
        params: dict[str, Any] = {"limit": 500}
        if status is not None and not mine:
            params["status"] = status
        while True:
            page = self._call("GET", path, params=params)
            yield from page["items"]
            if page["next_before"] is None:
                return
            params["before"] = page["next_before"]

    def problem_report(self, report_id: int) -> dict[str, Any]:
        report: dict[str, Any] = self._call("GET", f"/problem-reports/{report_id}")
        return report

    def triage_problem_report(self, report_id: int, **changes: Any) -> dict[str, Any]:
        """Set ``status``, ``duplicate_of`` or ``notes`` (admins)."""
        report: dict[str, Any] = self._call("PATCH", f"/problem-reports/{report_id}", json=changes)
        return report

    def delete_problem_report(self, report_id: int) -> None:
        """Delete a report (admins), or withdraw your own while it is open; its screenshot
        goes too."""
        self._call("DELETE", f"/problem-reports/{report_id}")

    def export_problem_reports(self) -> list[dict[str, Any]]:
        """Every report, oldest first, as the admins' JSON export holds them."""
        rows: list[dict[str, Any]] = self._call("GET", "/problem-reports/export")
        return rows
