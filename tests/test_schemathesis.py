"""Schemathesis against the in-process app: whatever it sends, no answer is a 5xx.

Every operation of the OpenAPI schema gets up to `MAX_EXAMPLES` generated requests, fitting the
schema and not fitting it, twice: as an admin, and as an annotator who is a member of a project
with tasks. Some of the requests carry real ids (the project, tasks the annotator holds or
submitted, their annotation, a member), so the handlers behind the access checks run too.

Operations that destroy what the others need (deleting the project, revoking tokens) run last.
Schemathesis' pytest plugin (``from_fixture``) does not run on pytest 9, so the operations'
Hypothesis strategies are driven here directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from accord.api.app import create_app
from accord.db import Database
from accord.settings import Settings
from tests.api.conftest import Api
from tests.factories import RICH, add_tasks, make_project, make_user

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 25
ANSWER = {"label": {"choice": "pos"}}


def rich_rows(count: int) -> list[dict[str, Any]]:
    return [
        {"id": f"r{i}", "text": f"Alice met Bob in Paris, day {i}", "responses": ["yes", "no"]}
        for i in range(count)
    ]


@dataclass
class World:
    app: Any
    tokens: dict[str, str]
    real: dict[str, st.SearchStrategy[Any]]  # real ids, per path parameter name


def build(settings: Settings, db: Database) -> World:
    """The app; an admin, and an annotator with a project to work in; the real ids."""
    app = create_app(settings, db)
    admin, admin_token = make_user(db, "admin@example.com", admin=True)
    annotator, annotator_token = make_user(db, "annotator@example.com")
    project = make_project(db, admin, RICH, overlap=2, members={annotator: "annotator"})
    add_tasks(db, admin, project, rich_rows(20))
    me = Api(TestClient(app, raise_server_exceptions=False), annotator_token)
    submitted = me.post(f"/projects/{project.id}/next").json()["task"]["id"]
    annotation = me.post(f"/tasks/{submitted}/annotations", json={"result": ANSWER}).json()
    held = me.post(f"/projects/{project.id}/next").json()["task"]["id"]
    real = {
        "project_id": st.just(project.id),
        "task_id": st.sampled_from([submitted, held, held + 1]),
        "annotation_id": st.just(annotation["annotation"]["id"]),
        "user_id": st.just(annotator.id),
    }
    return World(app, {"admin": admin_token, "annotator": annotator_token}, real)


# Bodies near the valid ones, so that generation also reaches past request validation: into
# the interface checks of each answer kind, and into creating and changing projects.
SPAN = st.fixed_dictionaries(
    {"start": st.integers(-2, 40), "end": st.integers(-2, 40),
     "label": st.sampled_from(["PER", "ORG", "LOC", ""])},
    optional={"text": st.text(max_size=10)},
)
RESULT = st.fixed_dictionaries(
    {
        "label": st.fixed_dictionaries(
            {"choice": st.sampled_from(["pos", "neg", "neu", "other"])
             | st.lists(st.sampled_from(["pos", "neg"]), max_size=2)}
        ),
    },
    optional={
        "entities": st.fixed_dictionaries({"spans": st.lists(SPAN, max_size=3)}),
        "better": st.fixed_dictionaries(
            {"choice": st.sampled_from(["A", "B", "tie", "C"])},
            optional={"strength": st.integers(-1, 5) | st.none()},
        ),
        "why": st.fixed_dictionaries({"text": st.text(max_size=30)}),
    },
)
ANSWERS = st.fixed_dictionaries(
    {"result": RESULT}, optional={"seconds": st.floats(-1, 1e6) | st.none()}
)
PROJECT_SETTINGS = {
    "description": st.text(max_size=50),
    "guidelines": st.text(max_size=50),
    "overlap": st.integers(-1, 101),
    "lease_seconds": st.integers(0, 8 * 86400),
    "order": st.sampled_from(["sequential", "random", "priority", "other"]),
}
BODIES: dict[str, st.SearchStrategy[Any]] = {
    "POST /api/v1/projects": st.fixed_dictionaries(
        {"name": st.text(min_size=1, max_size=30), "interface": st.just(RICH)},
        optional=PROJECT_SETTINGS,
    ),
    "PATCH /api/v1/projects/{project_id}": st.fixed_dictionaries(
        {}, optional={**PROJECT_SETTINGS, "name": st.text(max_size=30), "interface": st.just(RICH)}
    ),
    "POST /api/v1/tasks/{task_id}/annotations": ANSWERS,
    "PUT /api/v1/annotations/{annotation_id}": ANSWERS,
    "PUT /api/v1/tasks/{task_id}/draft": ANSWERS,
}


def last_if_destructive(operation: Any) -> tuple[int, str]:
    rank = 0
    if operation.method.upper() == "DELETE":
        rank = 1
        if operation.path in ("/api/v1/projects/{project_id}", "/api/v1/tokens/{token_id}"):
            rank = 2
    return rank, operation.label


def _with_path(operation: Any, mode: GenerationMode) -> Any:
    def cases(path_parameters: dict[str, Any]) -> Any:
        return operation.as_strategy(mode, path_parameters=path_parameters)

    return cases


def strategy_for(operation: Any, real: dict[str, st.SearchStrategy[Any]]) -> Any:
    strategies = [operation.as_strategy(mode) for mode in GenerationMode]
    names = [p.name for p in operation.path_parameters]
    if names and all(name in real for name in names):
        fixed = st.fixed_dictionaries({name: real[name] for name in names})
        for mode in GenerationMode:
            strategies.append(fixed.flatmap(_with_path(operation, mode)))
    if operation.label in BODIES:
        fixed = st.fixed_dictionaries({name: real[name] for name in names})
        strategies.append(
            st.tuples(fixed, BODIES[operation.label]).flatmap(
                lambda both: operation.as_strategy(
                    GenerationMode.POSITIVE, path_parameters=both[0] or None, body=both[1]
                )
            )
        )
    return st.one_of(strategies)


def server_errors(settings_: Settings, db: Database, who: str) -> list[str]:
    """What made a 5xx, one line per operation (empty when nothing did)."""
    world = build(settings_, db)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", world.app)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)),
        key=last_if_destructive,
    )
    assert len(operations) > 30
    headers = {"Authorization": f"Bearer {world.tokens[who]}"}
    found: list[str] = []
    for operation in operations:

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy_for(operation, world.real))
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            assert response.status_code < 500, (
                f"{response.status_code} from {case.as_curl_command(headers=headers)}\n"
                f"{response.text[:500]}"
            )

        try:
            run()
        except AssertionError as error:
            found.append(f"{operation.label}: {error}")
    return found


def test_no_server_errors_as_admin(settings: Settings, db: Database) -> None:
    found = server_errors(settings, db, "admin")
    assert not found, "\n\n".join(found)


def test_no_server_errors_as_annotator(settings: Settings, db: Database) -> None:
    found = server_errors(settings, db, "annotator")
    assert not found, "\n\n".join(found)
