"""The SDK's calls for Label Studio, both ways (mixed into `Client`; docs/labelstudio.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx


class LabelStudioCalls:
    """``client.import_labelstudio(export, config)`` and ``client.labelstudio_config(id)``;
    the export itself is ``client.export_to(id, path, format="labelstudio")``."""

    _http: httpx.Client

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _unreachable(self, exc: httpx.HTTPError) -> Exception:  # pragma: no cover
        raise NotImplementedError

    def import_labelstudio(
        self,
        export: str | Path,
        config: str | Path,
        *,
        title: str | None = None,
        skip_invalid: bool = False,
        media_base: str | None = None,
        background: bool = False,
    ) -> dict[str, Any]:
        """Create a project from a Label Studio JSON export and its labeling config (XML
        files); ``{"project_id", "report"}``. By default nothing is created on any problem
        (an `AccordError` whose ``details["problems"]`` names each); ``skip_invalid`` imports
        the rest. ``media_base`` is joined before Label Studio's relative media paths.

        ``background``: the project is made at once and filled by a job: ``{"project_id",
        "job"}``; follow it with `wait_job` (its ``result`` is the report; a failed one names
        the problems in ``result["details"]["problems"]``)."""
        export, config = Path(export), Path(config)
        form: dict[str, Any] = {"title": title or export.stem, "skip_invalid": skip_invalid}
        if background:
            form["background"] = True
        if media_base:
            form["media_base"] = media_base
        with open(export, "rb") as tasks, open(config, "rb") as xml:
            files = {
                "export": (export.name, tasks, "application/json"),
                "config": (config.name, xml, "application/xml"),
            }
            found: dict[str, Any] = self._call(
                "POST", "/projects/import-labelstudio", data=form, files=files
            )
        return found

    def labelstudio_config(self, project_id: int) -> str:
        """The Label Studio labeling config (XML) of the project's interface."""
        from accord.sdk.client import _error

        try:
            response = self._http.get(f"/projects/{project_id}/labelstudio-config")
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code >= 400:
            raise _error(response)
        return response.text
