"""The SDK's calls for a project's model servers (mixed into `Client`; docs/ml_backends.md)."""

from __future__ import annotations

from typing import Any


class MLBackendCalls:
    """Connect model servers, check them, pre-label a project, retrain, and ask for a
    suggestion on one task."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def ml_backends(self, project_id: int) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = self._call("GET", f"/projects/{project_id}/ml-backends")
        return data

    def create_ml_backend(
        self,
        project_id: int,
        title: str,
        url: str,
        protocol: str = "labelstudio",
        **options: Any,
    ) -> dict[str, Any]:
        """Connect a server; ``options``: enabled, interactive, timeout_seconds, train_every."""
        body = {"title": title, "url": url, "protocol": protocol, **options}
        data: dict[str, Any] = self._call("POST", f"/projects/{project_id}/ml-backends", json=body)
        return data

    def update_ml_backend(self, project_id: int, backend_id: int, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = self._call(
            "PATCH", f"/projects/{project_id}/ml-backends/{backend_id}", json=changes
        )
        return data

    def delete_ml_backend(self, project_id: int, backend_id: int) -> None:
        self._call("DELETE", f"/projects/{project_id}/ml-backends/{backend_id}")

    def check_ml_backend(self, project_id: int, backend_id: int) -> dict[str, Any]:
        """Check it now: the answer's ``health`` is up or down (``health_error`` says why)."""
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/ml-backends/{backend_id}/health"
        )
        return data

    def start_ml_predictions(
        self,
        project_id: int,
        backend_id: int,
        task_ids: list[int] | None = None,
        batch_size: int = 16,
        open_only: bool = False,
    ) -> dict[str, Any]:
        """Start pre-labelling (a job: follow it with `wait_job`); ``open_only``: only the tasks
        the queue can still serve."""
        body: dict[str, Any] = {"batch_size": batch_size, "open_only": open_only}
        if task_ids is not None:
            body["task_ids"] = task_ids
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/ml-backends/{backend_id}/predictions", json=body
        )
        return data

    def start_ml_training(self, project_id: int, backend_id: int) -> dict[str, Any]:
        """Send the project's annotations to the server for retraining (a job)."""
        data: dict[str, Any] = self._call(
            "POST", f"/projects/{project_id}/ml-backends/{backend_id}/train"
        )
        return data

    def ml_predict(
        self,
        task_id: int,
        context: dict[str, Any] | None = None,
        backend_id: int | None = None,
    ) -> dict[str, Any]:
        """A suggestion for one task from the project's interactive backend (not stored)."""
        body: dict[str, Any] = {"context": context}
        if backend_id is not None:
            body["backend_id"] = backend_id
        data: dict[str, Any] = self._call("POST", f"/tasks/{task_id}/ml-predict", json=body)
        return data
