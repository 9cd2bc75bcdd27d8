"""The SDK's calls for LLM assistance (mixed into `Client`; docs/llm.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson


class LlmCalls:
    """A project's LLM endpoint and templates (managers), the judge, candidates, suggestions,
    the call log."""

    _http: httpx.Client

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def set_llm(
        self,
        project_id: int,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        *,
        use_instance: bool = False,
        **settings: Any,
    ) -> dict[str, Any]:
        """Set the endpoint (``api_key`` None keeps the stored key, "" removes it); also
        ``timeout_seconds``, ``max_tokens``, ``temperature``, ``token_budget``. With
        ``use_instance`` (and no ``base_url``, ``model`` or ``api_key``), the endpoint the server
        offers (`llm_instance`). The answer never carries the key: ``has_key`` and
        ``key_hint``."""
        body: dict[str, Any] = {**settings}
        if use_instance:
            body["use_instance"] = True
        else:
            body.update(base_url=base_url, model=model, api_key=api_key)
        data: dict[str, Any] = self._call("PUT", f"/projects/{project_id}/llm", json=body)
        return data

    def llm_instance(self, project_id: int) -> dict[str, Any]:
        """The LLM endpoint the server offers every project (shown to the project's
        managers): ``available``, ``base_url``, ``model``, ``has_key`` (never the key)."""
        data: dict[str, Any] = self._call("GET", f"/projects/{project_id}/llm/instance")
        return data

    def llm(self, project_id: int) -> dict[str, Any] | None:
        """The endpoint (never its key), or None when the project has none."""
        data: dict[str, Any] | None = self._call("GET", f"/projects/{project_id}/llm")
        return data

    def delete_llm(self, project_id: int) -> None:
        self._call("DELETE", f"/projects/{project_id}/llm")

    def reset_llm_usage(self, project_id: int) -> dict[str, Any]:
        data: dict[str, Any] = self._call("POST", f"/projects/{project_id}/llm/reset-usage")
        return data

    def save_llm_template(
        self, project_id: int, name: str, prompt: str, system: str = ""
    ) -> dict[str, Any]:
        """Save a new version of a prompt template (``{{field}}`` placeholders only)."""
        body = {"name": name, "prompt": prompt, "system": system}
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/llm/templates", json=body
        )
        return data

    def llm_templates(self, project_id: int, name: str | None = None) -> list[dict[str, Any]]:
        """The latest version of each template, or every version of ``name``."""
        path = f"/projects/{project_id}/llm/templates" + (f"/{name}" if name else "")
        data: list[dict[str, Any]] = self._call("GET", path)
        return data

    def llm_calls(
        self, project_id: int, *, task_id: int | None = None, job_id: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """The call log, newest first, every page."""
        before: int | None = None
        while True:
            params = {"limit": 500, "before": before, "task_id": task_id, "job_id": job_id}
            page = self._call(
                "GET",
                f"/projects/{project_id}/llm/calls",
                params={k: v for k, v in params.items() if v is not None},
            )
            yield from page["items"]
            before = page["next_before"]
            if before is None:
                return

    def start_llm_job(self, project_id: int, use: str, template: str, **params: Any) -> Any:
        """Start the ``llm`` job: ``use`` "candidates" (``field``, ``n``, ``overwrite``) or
        "judge" (``question``); follow it with the jobs calls."""
        body = {"use": use, "template": template, **params}
        return self._call("POST", f"/projects/{project_id}/llm/jobs", json=body)

    def llm_judge_scores(self, project_id: int, question: str | None = None) -> list[Any]:
        """The judge scored like an annotator: agreement with people, gold accuracy."""
        params = {"question": question} if question else {}
        data: list[Any] = self._call(
            "GET", f"/projects/{project_id}/llm/judge-scores", params=params
        )
        return data

    def llm_judge(self, task_id: int, template: str, question: str) -> dict[str, Any]:
        """Ask the judge about one task; ``status`` ok: stored as a prediction."""
        body = {"template": template, "question": question}
        data: dict[str, Any] = self._call("POST", f"/tasks/{task_id}/llm/judge", json=body)
        return data

    def llm_candidates(
        self, task_id: int, template: str, field: str, n: int = 2, *, save: bool = False,
        overwrite: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """``n`` candidate responses for one task (``save``: fill its field)."""
        body = {
            "template": template, "field": field, "n": n, "save": save, "overwrite": overwrite,
            "stream": False,
        }  # fmt: skip
        data: dict[str, Any] = self._call("POST", f"/tasks/{task_id}/llm/candidates", json=body)
        return data

    def llm_suggest(
        self, task_id: int, text: str, template: str = "rewrite", question: str | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """A rewrite suggestion, streamed: (event, data) pairs as they arrive (``delta``
        pieces, then ``done`` or ``error``). Nothing is saved."""
        body = {"template": template, "text": text, "question": question, "stream": True}
        with self._http.stream("POST", f"/tasks/{task_id}/llm/suggest", json=body) as response:
            if response.status_code >= 400:
                response.read()
                from accord.sdk.client import _error

                raise _error(response)
            event = ""
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    yield event, orjson.loads(line[6:])
