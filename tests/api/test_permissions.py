"""Who may call what: every route under /api/v1 × every role, as one table.

A route added to the app without a row here fails `test_every_route_is_in_the_matrix`, so each
new endpoint must say who may call it.

Rules: no credentials → 401. A project you are not a member of does not exist for you (404,
never 403); a member whose role does not allow the action gets 403; an admin (not a member) may
do everything. Annotators only see the tasks and annotations they work on (404 for a peer's).
Editing an annotation is for its author alone (reviewers, managers and admins get 403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher

from accord import security
from accord.db import Database
from tests.api.conftest import Api
from tests.api.matrix import ROLES, World, api_routes, fill
from tests.factories import PASSWORD, SIMPLE

# fmt: off
#                                                   anon outsider annotator peer reviewer manager admin  # noqa: E501
MATRIX: dict[str, tuple[int, int, int, int, int, int, int]] = {
    "POST /session":                                    (200, 200, 200, 200, 200, 200, 200),
    "GET /session":                                     (200, 200, 200, 200, 200, 200, 200),
    "DELETE /session":                                  (401, 204, 204, 204, 204, 204, 204),
    "GET /me":                                          (401, 200, 200, 200, 200, 200, 200),
    "PUT /me/password":                                 (401, 204, 204, 204, 204, 204, 204),
    "GET /users":                                       (401, 403, 403, 403, 403, 403, 200),
    "POST /users":                                      (401, 403, 403, 403, 403, 403, 201),
    "PATCH /users/{user_id}":                           (401, 403, 403, 403, 403, 403, 200),
    "PUT /users/{user_id}/password":                    (401, 403, 403, 403, 403, 403, 204),
    "GET /tokens":                                      (401, 200, 200, 200, 200, 200, 200),
    "POST /tokens":                                     (401, 201, 201, 201, 201, 201, 201),
    "DELETE /tokens/{token_id}":                        (401, 204, 204, 204, 204, 204, 204),
    "GET /projects":                                    (401, 200, 200, 200, 200, 200, 200),
    "POST /projects":                                   (401, 403, 403, 403, 403, 201, 201),
    "GET /projects/{project_id}":                       (401, 404, 200, 200, 200, 200, 200),
    "PATCH /projects/{project_id}":                     (401, 404, 403, 403, 403, 200, 200),
    "DELETE /projects/{project_id}":                    (401, 404, 403, 403, 403, 200, 200),
    "GET /projects/{project_id}/members":               (401, 404, 200, 200, 200, 200, 200),
    "POST /projects/{project_id}/members":              (401, 404, 403, 403, 403, 200, 200),
    "PUT /projects/{project_id}/members/{user_id}":     (401, 404, 403, 403, 403, 200, 200),
    "DELETE /projects/{project_id}/members/{user_id}":  (401, 404, 403, 403, 403, 200, 200),
    "POST /projects/{project_id}/imports":              (401, 404, 403, 403, 403, 201, 201),
    "GET /projects/{project_id}/export":                (401, 404, 403, 403, 403, 200, 200),
    "POST /projects/import-labelstudio":                (401, 403, 403, 403, 403, 201, 201),
    "GET /projects/{project_id}/labelstudio-config":    (401, 404, 403, 403, 403, 200, 200),
    "GET /projects/{project_id}/tasks":                 (401, 404, 403, 403, 200, 200, 200),
    "POST /projects/{project_id}/tasks/delete":         (401, 404, 403, 403, 403, 200, 200),
    "GET /tasks/{task_id}":                             (401, 404, 200, 404, 200, 200, 200),
    "POST /projects/{project_id}/next":                 (401, 404, 200, 200, 403, 200, 200),
    "PUT /tasks/{task_id}/draft":                       (401, 404, 200, 404, 403, 200, 200),
    "DELETE /tasks/{task_id}/draft":                    (401, 404, 204, 404, 403, 204, 204),
    "POST /tasks/{task_id}/skip":                       (401, 404, 200, 404, 403, 200, 200),
    "POST /tasks/{task_id}/annotations":                (401, 404, 201, 404, 403, 201, 201),
    "GET /annotations/{annotation_id}":                 (401, 404, 200, 404, 200, 200, 200),
    "PUT /annotations/{annotation_id}":                 (401, 404, 200, 404, 403, 403, 403),
    "DELETE /annotations/{annotation_id}":              (401, 404, 403, 404, 403, 200, 200),
    "GET /annotations/{annotation_id}/versions":        (401, 404, 200, 404, 200, 200, 200),
    "GET /annotations/{annotation_id}/reviews":         (401, 404, 200, 404, 200, 200, 200),
    "POST /projects/{project_id}/reviews/next":         (401, 404, 403, 403, 200, 200, 200),
    "GET /projects/{project_id}/reviews":               (401, 404, 403, 403, 200, 200, 200),
    "GET /projects/{project_id}/reviews/summary":       (401, 404, 403, 403, 200, 200, 200),
    "GET /projects/{project_id}/reviews/checklist":     (401, 404, 403, 403, 200, 200, 200),
    "GET /projects/{project_id}/metrics":               (401, 404, 200, 200, 200, 200, 200),
    "GET /projects/{project_id}/rework":                (401, 404, 200, 200, 200, 200, 200),
    "GET /reviews/{review_id}":                         (401, 404, 200, 404, 200, 200, 200),
    "POST /reviews/{review_id}/decision":               (401, 404, 403, 404, 200, 200, 200),
    "POST /reviews/{review_id}/release":                (401, 404, 403, 404, 200, 200, 200),
    "POST /projects/{project_id}/adjudications/next":   (401, 404, 403, 403, 200, 200, 200),
    "GET /projects/{project_id}/adjudications":        (401, 404, 403, 403, 200, 200, 200),
    "GET /adjudications/{adjudication_id}":             (401, 404, 403, 403, 200, 200, 200),
    "POST /adjudications/{adjudication_id}/decision":   (401, 404, 403, 403, 200, 200, 200),
    "POST /adjudications/{adjudication_id}/release":    (401, 404, 403, 403, 200, 200, 200),
    "GET /projects/{project_id}/consensus/runs":        (401, 404, 403, 403, 200, 200, 200),
    "POST /projects/{project_id}/consensus/runs":       (401, 404, 403, 403, 403, 202, 202),
    "GET /projects/{project_id}/annotations/mine":      (401, 404, 200, 200, 200, 200, 200),
    "GET /projects/{project_id}/skips/mine":            (401, 404, 200, 200, 200, 200, 200),
    "GET /projects/{project_id}/gold":                  (401, 404, 403, 403, 403, 200, 200),
    "GET /projects/{project_id}/gold/annotators":       (401, 404, 403, 403, 403, 200, 200),
    "PUT /tasks/{task_id}/gold":                        (401, 404, 403, 404, 403, 200, 200),
    "GET /projects/{project_id}/qualification":         (401, 404, 200, 200, 200, 200, 200),
    "POST /projects/{project_id}/members/{user_id}/pause": (401, 404, 403, 403, 403, 200, 200),
    # The fresh member is not paused: allowed callers get 409 not_paused.
    "POST /projects/{project_id}/members/{user_id}/resume": (401, 404, 403, 403, 403, 409, 409),
    "GET /projects/{project_id}/audit":                 (401, 404, 403, 403, 403, 200, 200),
    "GET /audit":                                       (401, 403, 403, 403, 403, 403, 200),
    "GET /projects/{project_id}/llm":                   (401, 404, 403, 403, 403, 200, 200),
    "GET /projects/{project_id}/llm/instance":          (401, 404, 403, 403, 403, 200, 200),
    "PUT /projects/{project_id}/llm":                   (401, 404, 403, 403, 403, 200, 200),
    "DELETE /projects/{project_id}/llm":                (401, 404, 403, 403, 403, 200, 200),
    "POST /projects/{project_id}/llm/reset-usage":      (401, 404, 403, 403, 403, 404, 404),
    "GET /projects/{project_id}/llm/templates":         (401, 404, 403, 403, 403, 200, 200),
    "POST /projects/{project_id}/llm/templates":        (401, 404, 403, 403, 403, 201, 201),
    "GET /projects/{project_id}/llm/templates/{name}":  (401, 404, 403, 403, 403, 404, 404),
    "GET /projects/{project_id}/llm/calls":             (401, 404, 403, 403, 403, 200, 200),
    "GET /projects/{project_id}/llm/judge-scores":      (401, 404, 403, 403, 403, 200, 200),
    "POST /projects/{project_id}/llm/jobs":             (401, 404, 403, 403, 403, 404, 404),
    "POST /tasks/{task_id}/llm/judge":                  (401, 404, 403, 404, 403, 404, 404),
    "POST /tasks/{task_id}/llm/candidates":             (401, 404, 403, 404, 403, 404, 404),
    "POST /tasks/{task_id}/llm/suggest":                (401, 404, 404, 404, 404, 404, 404),
    "GET /tasks/{task_id}/llm/available":               (401, 404, 200, 404, 200, 200, 200),
    "GET /projects/{project_id}/webhooks":              (401, 404, 403, 403, 403, 200, 200),
    "POST /projects/{project_id}/webhooks":             (401, 404, 403, 403, 403, 201, 201),
    "GET /projects/{project_id}/webhooks/{webhook_id}": (401, 404, 403, 403, 403, 200, 200),
    "PATCH /projects/{project_id}/webhooks/{webhook_id}": (401, 404, 403, 403, 403, 200, 200),
    "DELETE /projects/{project_id}/webhooks/{webhook_id}": (401, 404, 403, 403, 403, 200, 200),
    "POST /projects/{project_id}/webhooks/{webhook_id}/rotate-secret": (401, 404, 403, 403, 403, 200, 200),  # noqa: E501
    "POST /projects/{project_id}/webhooks/{webhook_id}/test": (401, 404, 403, 403, 403, 202, 202),
    "GET /projects/{project_id}/webhooks/{webhook_id}/deliveries": (401, 404, 403, 403, 403, 200, 200),  # noqa: E501
    "POST /projects/{project_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver": (401, 404, 403, 403, 403, 202, 202),  # noqa: E501
    "GET /projects/{project_id}/jobs":                  (401, 404, 403, 403, 403, 200, 200),
    "GET /jobs/{job_id}":                               (401, 404, 404, 404, 404, 200, 200),
    "POST /jobs/{job_id}/cancel":                       (401, 404, 404, 404, 404, 200, 200),
    "GET /jobs/{job_id}/download":                      (401, 404, 404, 404, 404, 200, 200),  # 307, followed  # noqa: E501
    "POST /projects/{project_id}/exports":              (401, 404, 403, 403, 403, 202, 202),
    "POST /projects/{project_id}/bucket-syncs":         (401, 404, 403, 403, 403, 202, 202),
    "POST /projects/{project_id}/media":                (401, 404, 403, 403, 403, 201, 201),
    "POST /projects/{project_id}/thumbnails":           (401, 404, 403, 403, 403, 422, 422),  # the project has no image field  # noqa: E501
    "POST /projects/{project_id}/frames":               (401, 404, 403, 403, 403, 422, 422),  # the project has no video field  # noqa: E501
    "POST /projects/{project_id}/waveforms":            (401, 404, 403, 403, 403, 422, 422),  # the project has no audio field  # noqa: E501
    "POST /tasks/{task_id}/assist":                     (401, 404, 422, 404, 422, 422, 422),  # no image field  # noqa: E501
    "GET /files/{token}":                              (200, 200, 200, 200, 200, 200, 200),  # the link is the key  # noqa: E501
    "POST /projects/{project_id}/checks":               (401, 404, 422, 422, 422, 422, 422),  # no text question  # noqa: E501
    "POST /problem-reports":                            (401, 201, 201, 201, 201, 201, 201),
    "GET /problem-reports":                             (401, 403, 403, 403, 403, 403, 200),
    "GET /problem-reports/mine":                        (401, 200, 200, 200, 200, 200, 200),
    "GET /problem-reports/limits":                      (401, 200, 200, 200, 200, 200, 200),
    "GET /problem-reports/export":                      (401, 403, 403, 403, 403, 403, 200),
    "GET /problem-reports/{report_id}":                 (401, 404, 200, 404, 404, 404, 200),  # the annotator reported it  # noqa: E501
    "PATCH /problem-reports/{report_id}":               (401, 404, 403, 404, 404, 404, 200),
    "DELETE /problem-reports/{report_id}":              (401, 404, 204, 404, 404, 404, 204),  # the annotator's own, while open  # noqa: E501
    "GET /problem-reports/{report_id}/screenshot":      (401, 404, 200, 404, 404, 404, 200),
    "POST /tasks/{task_id}/flags":                      (401, 404, 201, 404, 201, 201, 201),
    "GET /projects/{project_id}/flags":                 (401, 404, 200, 200, 200, 200, 200),  # annotators: their own  # noqa: E501
    "GET /flags/{flag_id}":                             (401, 404, 200, 404, 200, 200, 200),  # the annotator asked  # noqa: E501
    "POST /flags/{flag_id}/answer":                     (401, 404, 403, 404, 403, 200, 200),
    "GET /flags/{flag_id}/amendment":                   (401, 404, 403, 404, 403, 200, 200),
    "POST /flags/{flag_id}/promote":                    (401, 404, 403, 404, 403, 200, 200),
    "POST /tasks/{task_id}/originality":                (401, 404, 200, 404, 403, 200, 200),
    "GET /annotations/{annotation_id}/originality":     (401, 404, 200, 404, 200, 200, 200),  # the annotator wrote it  # noqa: E501
    "GET /projects/{project_id}/originality/corpora":   (401, 404, 403, 403, 200, 200, 200),
    "POST /projects/{project_id}/originality/corpora":  (401, 404, 403, 403, 403, 422, 422),  # SIMPLE has no originality question  # noqa: E501
    "DELETE /projects/{project_id}/originality/corpora/{corpus_id}": (401, 404, 403, 403, 403, 202, 202),  # noqa: E501
    "GET /projects/{project_id}/faq":                   (401, 404, 200, 200, 200, 200, 200),
    "GET /notifications":                               (401, 200, 200, 200, 200, 200, 200),
    "GET /notifications/unread":                        (401, 200, 200, 200, 200, 200, 200),
    "POST /notifications/read":                         (401, 200, 200, 200, 200, 200, 200),
    "GET /projects/{project_id}/guidelines":            (401, 404, 200, 200, 200, 200, 200),
    "POST /projects/{project_id}/guidelines":           (401, 404, 403, 403, 403, 201, 201),
    "POST /projects/{project_id}/guidelines/restore":   (401, 404, 403, 403, 403, 201, 201),
    "GET /projects/{project_id}/guidelines/versions/{number}": (401, 404, 200, 200, 200, 200, 200),
    "GET /projects/{project_id}/guidelines/diff":       (401, 404, 200, 200, 200, 200, 200),
    "GET /projects/{project_id}/guidelines/changes":    (401, 404, 200, 200, 200, 200, 200),
    "POST /projects/{project_id}/guidelines/acknowledge": (401, 404, 200, 200, 200, 200, 200),
    "GET /projects/{project_id}/guidelines/sections":   (401, 404, 200, 200, 200, 200, 200),
    "GET /projects/{project_id}/guidelines/metrics":    (401, 404, 403, 403, 200, 200, 200),
    "POST /projects/{project_id}/guidelines/images":    (401, 404, 403, 403, 403, 201, 201),
    "GET /projects/{project_id}/guidelines/images/{name}": (401, 404, 200, 200, 200, 200, 200),
    # sensitive content and data handling (docs/confidentiality.md)
    "POST /tasks/{task_id}/sensitive":                  (401, 404, 200, 404, 200, 200, 200),
    "GET /tasks/{task_id}/handling":                    (401, 404, 200, 404, 200, 200, 200),
    "GET /projects/{project_id}/sensitive/me":          (401, 404, 200, 200, 200, 200, 200),
    "PUT /projects/{project_id}/sensitive/opt-in":      (401, 404, 200, 200, 200, 200, 409),  # members only  # noqa: E501
    "POST /projects/{project_id}/sensitive/break":      (401, 404, 200, 200, 200, 200, 200),
    "PUT /projects/{project_id}/members/{user_id}/sensitive-limit": (401, 404, 403, 403, 403, 200, 200),  # noqa: E501
    "GET /projects/{project_id}/metrics/sensitive":     (401, 404, 200, 200, 200, 200, 200),  # others: their own  # noqa: E501
    "GET /projects/{project_id}/handling":              (401, 404, 200, 200, 200, 200, 200),
    "PATCH /projects/{project_id}/handling":            (401, 404, 403, 403, 403, 200, 200),
    "GET /projects/{project_id}/access-log":            (401, 404, 403, 403, 403, 200, 200),
    # model servers (docs/ml_backends.md)
    "GET /projects/{project_id}/ml-backends":           (401, 404, 403, 403, 403, 200, 200),
    "POST /projects/{project_id}/ml-backends":          (401, 404, 403, 403, 403, 201, 201),
    "GET /projects/{project_id}/ml-backends/{backend_id}": (401, 404, 403, 403, 403, 200, 200),
    "PATCH /projects/{project_id}/ml-backends/{backend_id}": (401, 404, 403, 403, 403, 200, 200),
    "DELETE /projects/{project_id}/ml-backends/{backend_id}": (401, 404, 403, 403, 403, 200, 200),
    "POST /projects/{project_id}/ml-backends/{backend_id}/health": (401, 404, 403, 403, 403, 200, 200),  # found down  # noqa: E501
    "POST /projects/{project_id}/ml-backends/{backend_id}/predictions": (401, 404, 403, 403, 403, 202, 202),  # noqa: E501
    "POST /projects/{project_id}/ml-backends/{backend_id}/train": (401, 404, 403, 403, 403, 202, 202),  # noqa: E501
    "GET /projects/{project_id}/ml-suggest":            (401, 404, 200, 200, 200, 200, 200),
    "POST /tasks/{task_id}/ml-predict":                 (401, 404, 409, 404, 409, 409, 409),  # no interactive backend  # noqa: E501
}
# fmt: on

ERROR_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found"}
# Routes whose refusals carry a code of their own.
ROUTE_CODES = {
    "POST /projects": {403: "cannot_create_projects"},
    "POST /projects/import-labelstudio": {403: "cannot_create_projects"},
}
NEW_PASSWORD = "a different long password"
PNG = (  # one grey pixel
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~"
    b"\x9bU\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
# Still argon2id, at the lowest cost: these tests are about who may call, not about hashing.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _json(body: dict[str, Any]) -> Callable[[World], dict[str, Any]]:
    return lambda world: {"json": body}


# What each route is sent (routes not listed are sent no body).
BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "POST /session": lambda w: {"json": {"email": "manager@example.com", "password": PASSWORD}},
    "PUT /me/password": _json({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    "POST /users": lambda w: {
        "json": {"email": f"{w.unique('new')}@example.com", "password": PASSWORD}
    },
    "PATCH /users/{user_id}": _json({"name": "Renamed"}),
    "PUT /users/{user_id}/password": _json({"password": NEW_PASSWORD}),
    "POST /tokens": _json({"name": "matrix"}),
    "POST /projects": _json({"name": "Made by the matrix", "interface": SIMPLE}),
    "PATCH /projects/{project_id}": _json({"description": "changed"}),
    "POST /projects/{project_id}/members": lambda w: {
        "json": {"email": w.user().email, "role": "annotator"}
    },
    "PUT /projects/{project_id}/members/{user_id}": _json({"role": "reviewer"}),
    "POST /projects/{project_id}/imports": lambda w: {
        "content": b'{"text": "imported"}\n',
        "headers": {"Content-Type": "application/x-ndjson"},
    },
    "PUT /tasks/{task_id}/draft": _json({"result": {"label": {"choice": "pos"}}}),
    "POST /tasks/{task_id}/skip": _json({"reason": "checking permissions"}),
    "POST /tasks/{task_id}/annotations": _json({"result": {"label": {"choice": "pos"}}}),
    "PUT /annotations/{annotation_id}": _json({"result": {"label": {"choice": "neg"}}}),
    "POST /projects/{project_id}/tasks/delete": _json({"ids": [1, 2, 3]}),
    "POST /reviews/{review_id}/decision": _json({"decision": "accept", "version": 1}),
    "PUT /tasks/{task_id}/gold": _json({"answer": {"label": {"choice": "pos"}}}),
    "POST /projects/{project_id}/members/{user_id}/pause": _json({"reason": "matrix"}),
    "POST /adjudications/{adjudication_id}/decision": _json(
        {"result": {"label": {"choice": "pos"}}}
    ),
    "POST /projects/{project_id}/webhooks": _json(
        {"url": "https://hooks.example.com/accord", "events": ["task.completed"]}
    ),
    "PATCH /projects/{project_id}/webhooks/{webhook_id}": _json({"enabled": False}),
    "PUT /projects/{project_id}/llm": _json(
        {"base_url": "https://llm.example.com/v1", "model": "m", "api_key": "sk-matrix"}
    ),
    "POST /projects/{project_id}/llm/templates": _json({"name": "t", "prompt": "Say {{text}}"}),
    "POST /projects/{project_id}/llm/jobs": _json(
        {"use": "judge", "template": "t", "question": "label"}
    ),
    "POST /tasks/{task_id}/llm/judge": _json({"template": "t", "question": "label"}),
    "POST /tasks/{task_id}/llm/candidates": _json({"template": "t", "field": "text"}),
    "POST /tasks/{task_id}/llm/suggest": _json({"text": "x"}),
    "POST /projects/{project_id}/ml-backends": _json(
        {"title": "matrix", "url": "https://models.example.com", "timeout_seconds": 0.5}
    ),
    "PATCH /projects/{project_id}/ml-backends/{backend_id}": _json({"enabled": False}),
    "POST /projects/{project_id}/ml-backends/{backend_id}/predictions": _json({}),
    "POST /tasks/{task_id}/ml-predict": _json({"context": {}}),
    "POST /projects/{project_id}/exports": _json({"format": "jsonl"}),
    "POST /projects/import-labelstudio": lambda w: {
        "files": {
            "export": ("export.json", b'[{"id": 1, "data": {"text": "from LS"}}]'),
            "config": ("config.xml", b'<View><Text name="text" value="$text"/></View>'),
        }
    },
    "POST /projects/{project_id}/bucket-syncs": _json({"url": "media/photos", "field": "text"}),
    "POST /projects/{project_id}/thumbnails": _json({"fields": []}),
    "POST /projects/{project_id}/frames": _json({"fields": []}),
    "POST /projects/{project_id}/waveforms": _json({"fields": []}),
    "POST /tasks/{task_id}/assist": _json(
        {"field": "text", "box": {"x": 1, "y": 1, "w": 9, "h": 9}}
    ),
    "POST /projects/{project_id}/checks": _json({"question": "label", "text": "fine"}),
    "POST /problem-reports": _json({"text": "the page froze", "context": {"page": "/"}}),
    "PATCH /problem-reports/{report_id}": _json({"status": "triaged"}),
    "POST /tasks/{task_id}/flags": _json({"question": "is this positive?"}),
    "POST /flags/{flag_id}/answer": _json({"answer": "yes", "publish": True}),
    "POST /flags/{flag_id}/promote": _json({"text": "# Rules\n\nYes.", "base_version": 1}),
    "POST /tasks/{task_id}/originality": _json({"result": {}}),
    "POST /projects/{project_id}/originality/corpora": lambda w: {
        "params": {"question": "label"},
        "content": b"a text\n",
        "headers": {"Content-Type": "application/octet-stream"},
    },
    "POST /notifications/read": _json({}),
    "POST /projects/{project_id}/guidelines": _json(
        {"text": "# Rules\n\nNew.", "base_version": 1, "note": "matrix"}
    ),
    "POST /projects/{project_id}/guidelines/restore": _json({"number": 1, "base_version": 1}),
    "POST /projects/{project_id}/guidelines/acknowledge": _json({"version": 1}),
    "POST /projects/{project_id}/guidelines/images": lambda w: {
        "content": PNG,
        "headers": {"Content-Type": "application/octet-stream"},
    },
    "POST /projects/{project_id}/media": lambda w: {
        "files": [("file", ("a/1.png", PNG, "image/png"))]
    },
    "POST /tasks/{task_id}/sensitive": _json({"reason": "matrix"}),
    "PUT /projects/{project_id}/sensitive/opt-in": _json({"opt_in": True}),
    "PUT /projects/{project_id}/members/{user_id}/sensitive-limit": _json({"limit": 5}),
    "PATCH /projects/{project_id}/handling": _json({"watermark": True}),
}


def _no_body(world: World) -> dict[str, Any]:
    return {}


def test_every_route_is_in_the_matrix(api: Api) -> None:
    routes = api_routes(api.client)
    assert len(routes) > 30, "the route listing found too little; has FastAPI changed?"
    missing = sorted(routes - MATRIX.keys())
    assert not missing, f"routes without a row in MATRIX (say who may call them): {missing}"
    stale = sorted(MATRIX.keys() - routes)
    assert not stale, f"rows in MATRIX for routes the app no longer has: {stale}"
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_answers_each_role_as_the_matrix_says(
    db: Database, api: Api, route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(security, "_hasher", CHEAP_HASHER)
    world = World.build(db, api)
    if route in ("POST /session", "PUT /me/password"):
        world.give_passwords()
    wrong = []
    for role, expected in zip(ROLES, MATRIX[route], strict=True):
        method, path = fill(world, route, role)
        sent = BODIES.get(route, _no_body)(world)
        events = world.audit_count()
        answer = world.as_(role)(method, path, **sent)
        api.client.cookies.clear()  # a sign-in must not turn later calls into signed-in ones
        if answer.status_code != expected:
            wrong.append(f"{role}: expected {expected}, got {answer.status_code} {answer.text}")
            continue
        if expected in ERROR_CODES:
            error = answer.json()["error"]
            code = ROUTE_CODES.get(route, {}).get(expected, ERROR_CODES[expected])
            assert error["code"] == code, (role, error)
            assert error["message"], (role, error)
            assert world.audit_count() == events, f"{role} was refused but something was written"
    assert not wrong, f"{route}:\n" + "\n".join(wrong)


def test_non_members_get_404_never_403(db: Database, api: Api) -> None:
    """Whatever the route, a project you are not in looks exactly like one that does not exist."""
    world = World.build(db, api)
    outsider = ROLES.index("outsider")
    scoped = [r for r in MATRIX if "{project_id}" in r or "{task_id}" in r or "_id}" in r]
    for route in scoped:
        if route.startswith(("PATCH /users", "PUT /users", "DELETE /tokens")):
            continue
        assert MATRIX[route][outsider] == 404, route
    project = world.project()
    hidden = world.as_("outsider").get(f"/projects/{project.id}")
    missing = world.as_("outsider").get("/projects/987654321")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"


def test_an_admin_who_is_also_a_plain_member_keeps_admin_powers(db: Database, api: Api) -> None:
    world = World.build(db, api)
    project = world.project()
    admin = world.users["admin"]
    added = world.as_("manager").post(
        f"/projects/{project.id}/members", json={"email": admin.email, "role": "annotator"}
    )
    assert added.status_code == 200, added.text
    changed = world.as_("admin").patch(f"/projects/{project.id}", json={"description": "mine"})
    assert changed.status_code == 200, changed.text
    annotation = world.annotation(project)
    seen = world.as_("admin").get(f"/annotations/{annotation}")
    assert seen.status_code == 200, "an admin sees every annotation"


def test_the_project_list_shows_only_ones_projects(db: Database, api: Api) -> None:
    world = World.build(db, api)
    project = world.project()
    for role in ("annotator", "peer", "reviewer", "manager"):
        listed = {p["id"]: p["role"] for p in world.as_(role).get("/projects").json()}
        assert listed == {project.id: {"peer": "annotator"}.get(role, role)}, role
    outsiders = [p["id"] for p in world.as_("outsider").get("/projects").json()]
    assert project.id not in outsiders and len(outsiders) == 1
    everything = [p["id"] for p in world.as_("admin").get("/projects").json()]
    assert project.id in everything and len(everything) == 2


def test_a_removed_member_loses_access_at_once(db: Database, api: Api) -> None:
    world = World.build(db, api)
    project = world.project()
    annotator = world.users["annotator"]
    assert world.as_("annotator").get(f"/projects/{project.id}").status_code == 200
    removed = world.as_("manager").delete(f"/projects/{project.id}/members/{annotator.id}")
    assert removed.status_code == 200, removed.text
    assert world.as_("annotator").get(f"/projects/{project.id}").status_code == 404
    assert world.as_("annotator").post(f"/projects/{project.id}/next").status_code == 404


def test_a_deactivated_account_is_refused_everywhere(db: Database, api: Api) -> None:
    world = World.build(db, api)
    annotator = world.users["annotator"]
    assert world.as_("annotator").get("/me").status_code == 200  # the caller is now cached
    off = world.as_("admin").patch(f"/users/{annotator.id}", json={"is_active": False})
    assert off.status_code == 200, off.text
    for path in ("/me", "/projects", "/tokens"):
        answer = world.as_("annotator").get(path)
        assert answer.status_code == 401, path
        assert "deactivated" in answer.json()["error"]["message"]
