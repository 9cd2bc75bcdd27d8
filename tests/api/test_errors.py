"""Bad input: every answer is a 4xx JSON error a person can act on, and nothing is half-written.

Malformed JSON, wrong types, unknown and missing fields, numbers and nesting the databases cannot
hold, oversized bodies, unknown routes and methods, ids that are not numbers or out of range,
and answers that do not fit the interface. No request, however malformed, gets a 500.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.errors import DeadlockDetected, SerializationFailure
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from accord.api.app import create_app
from accord.api.errors import _unexpected
from accord.api.transactions import WRITE_ATTEMPTS, _in_thread
from accord.db import Database
from accord.models import (
    Annotation,
    ApiToken,
    Assignment,
    AuditEvent,
    Membership,
    Project,
    Task,
    User,
)
from accord.settings import Settings
from tests.api.conftest import Api
from tests.conftest import PG_URL
from tests.factories import SIMPLE, add_tasks, make_project, make_user, texts

HUGE = "99999999999999999999"
JSON = {"Content-Type": "application/json"}


def assert_error(answer: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """``answer`` is ``status`` with the JSON error shape and a message; returns the error."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    error: dict[str, Any] = body["error"]
    assert isinstance(error["message"], str) and len(error["message"]) > 5
    assert "Traceback" not in error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


def rows(db: Database) -> dict[str, int]:
    """How many rows each table that a request could write has."""
    counts = {}
    with db.read() as session:
        for model in (User, ApiToken, Project, Membership, Task, Assignment, Annotation,
                      AuditEvent):
            counts[model.__name__] = int(
                session.scalar(select(func.count()).select_from(model)) or 0
            )
    return counts


@pytest.fixture
def setup(db: Database, api: Api) -> dict[str, Any]:
    """An admin who manages a project of three tasks, and an annotator holding one of them."""
    admin, admin_token = make_user(db, "admin@example.com", admin=True)
    annotator, annotator_token = make_user(db, "ann@example.com")
    project = make_project(db, admin, SIMPLE, overlap=2, members={annotator: "annotator"})
    add_tasks(db, admin, project, texts(3))
    ann = api.as_(annotator_token)
    task = ann.post(f"/projects/{project.id}/next").json()["task"]["id"]
    return {"admin": api.as_(admin_token), "ann": ann, "project": project.id, "task": task}


# -- bodies that are not the JSON asked for ---------------------------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{bad", "not valid JSON"),
        (b'{"name": "x",}', "not valid JSON"),
        (b'{"name": "x"} trailing', "not valid JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"name": NaN}', "NaN"),
        (b'{"name": Infinity}', "Infinity"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_malformed_json_is_refused_with_where_and_why(
    setup: dict[str, Any], db: Database, body: bytes, words: str
) -> None:
    before = rows(db)
    answer = setup["admin"].post("/projects", content=body, headers=JSON)
    error = assert_error(answer, 422, "invalid_json")
    assert words in error["message"]
    if words == "not valid JSON":
        assert "line 1, column" in error["message"]
    assert rows(db) == before


def test_a_body_without_json_content_type_says_so(setup: dict[str, Any]) -> None:
    answer = setup["admin"].post("/tokens", content=b'{"name": "x"}')
    error = assert_error(answer, 422, "invalid_request")
    assert "Content-Type: application/json" in error["message"]


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"name": 5, "interface": SIMPLE}, "name"),
        ({"name": "x", "interface": SIMPLE, "overlap": "two"}, "overlap"),
        ({"name": "x", "interface": SIMPLE, "overlap": 2.5}, "overlap"),
        ({"name": "x", "interface": SIMPLE, "overlap": 0}, "overlap"),
        ({"name": "x", "interface": SIMPLE, "order": "backwards"}, "order"),
        ({"name": "x", "interface": 7}, "interface"),
        ({"name": "x" * 201, "interface": SIMPLE}, "name"),
        ({"name": "x", "interface": SIMPLE, "lease_seconds": 10**18}, "lease_seconds"),
    ],
)
def test_wrong_types_name_the_field(
    setup: dict[str, Any], db: Database, body: dict[str, Any], path: str
) -> None:
    before = rows(db)
    error = assert_error(setup["admin"].post("/projects", json=body), 422, "invalid_request")
    assert error["message"].startswith(path)
    assert error["details"][0]["path"].startswith(path)
    assert error["details"][0]["where"] == "body"
    assert rows(db) == before


def test_missing_fields_are_all_listed(setup: dict[str, Any], db: Database) -> None:
    before = rows(db)
    error = assert_error(setup["admin"].post("/projects", json={}), 422, "invalid_request")
    assert {d["path"] for d in error["details"]} == {"name", "interface"}
    assert all(d["message"] == "required; add it" for d in error["details"])
    assert error["message"] == "name: required; add it"
    assert_error(setup["admin"].post("/projects", json=[]), 422, "invalid_request")
    assert_error(setup["admin"].post("/projects", json="text"), 422, "invalid_request")
    assert_error(setup["admin"].post("/projects", headers=JSON), 422, "invalid_request")
    assert rows(db) == before


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("POST /users", {"email": "x@example.com", "password": "long enough", "role": "admin"}),
        ("PATCH /users/1", {"name": "x", "admin": True}),
        ("PUT /me/password", {"current_password": "x", "new_password": "y", "confirm": "y"}),
        ("POST /tokens", {"name": "x", "expires": "never"}),
        ("POST /projects/{project}/members", {"email": "ann@example.com", "role": "reviewer",
                                              "notify": True}),
        ("PUT /projects/{project}/members/2", {"role": "reviewer", "reason": "x"}),
        ("POST /session", {"email": "admin@example.com", "password": "x", "remember": True}),
    ],
)
def test_unknown_fields_are_refused(
    setup: dict[str, Any], db: Database, route: str, body: dict[str, Any]
) -> None:
    method, path = route.split(" ")
    unknown = list(body)[-1]  # each body's last field is the one the route does not know
    before = rows(db)
    answer = setup["admin"](method, path.format(project=setup["project"]), json=body)
    error = assert_error(answer, 422, "invalid_request")
    assert error["details"][0]["path"] == unknown
    assert error["message"] == f"{unknown}: unknown field; check its spelling, or remove it"
    assert rows(db) == before


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("POST /projects", {"name": "x", "interface": SIMPLE, "overlapp": 3}),
        ("PATCH /projects/{project}", {"descripton": "typo"}),
        ("PUT /tasks/{task}/draft", {"result": {}, "secs": 5}),
        ("POST /tasks/{task}/skip", {"reason": "x", "why": "typo"}),
        ("POST /tasks/{task}/annotations", {"result": {"label": {"choice": "pos"}}, "secs": 5}),
    ],
)
def test_unknown_fields_are_refused_on_project_and_queue_routes(
    setup: dict[str, Any], route: str, body: dict[str, Any]
) -> None:
    """A typo such as 'secs' must not be dropped silently."""
    method, path = route.split(" ")
    caller = setup["admin"] if "projects" in path else setup["ann"]
    answer = caller(method, path.format(project=setup["project"], task=setup["task"]), json=body)
    assert_error(answer, 422)


# -- values the databases cannot hold ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b'{"result": {"x": ' + HUGE.encode() + b"}}", ""),
        (b'{"result": {"x": 9223372036854775808}}', "result.x"),
        (b'{"result": {"x": -9223372036854775809}}', "result.x"),
        (b'{"result": {"x": 1e400}}', "result.x"),
        (b'{"result": {"x": 1}, "seconds": -1e400}', "seconds"),
        (b'{"result": {"x": ' + b"[" * 100 + b"]" * 100 + b"}}", "result.x[0]"),
        (b'{"result": {"x": "a\\u0000b"}}', "result.x"),
        (b'{"result": {"x\\u0000": 1}}', "result"),
        (b'{"result": {"x": "\\ud800"}}', "result.x"),
        (b'{"result": {"x": ["ok", {"y": "\\udfff"}]}}', "result.x[1].y"),
    ],
)
def test_values_that_cannot_be_stored_are_refused_before_anything_is_written(
    setup: dict[str, Any], db: Database, body: bytes, path: str
) -> None:
    before = rows(db)
    answer = setup["ann"].put(f"/tasks/{setup['task']}/draft", content=body, headers=JSON)
    error = assert_error(answer, 422, "invalid_json")
    assert error["details"][0]["path"].startswith(path)
    assert error["message"].startswith(path)
    assert rows(db) == before
    fine = setup["ann"].put(f"/tasks/{setup['task']}/draft", json={"result": {"x": 2**63 - 1}})
    assert fine.status_code == 200, "the largest 64-bit number is fine"


def test_nul_characters_are_refused_the_same_on_every_database(
    setup: dict[str, Any], db: Database
) -> None:
    """PostgreSQL cannot store NUL in text and SQLite can: both refuse it, so both behave alike."""
    before = rows(db)
    for route, body in (
        ("/projects", {"name": "a\x00b", "interface": SIMPLE}),
        ("/users", {"email": "nul\x00@example.com", "password": "long enough"}),
        ("/tokens", {"name": "\x00"}),
    ):
        error = assert_error(setup["admin"].post(route, json=body), 422, "invalid_json")
        assert "NUL" in error["message"]
    assert_error(setup["admin"].get("/users", params={"q": "a\x00"}), 422, "invalid_request")
    assert rows(db) == before


# -- sizes --------------------------------------------------------------------------------------


@pytest.fixture
def small(settings: Settings, db: Database) -> Iterator[Api]:
    """The app with a 1,000-byte limit on JSON bodies (imports keep theirs)."""
    app = create_app(settings.model_copy(update={"max_body_bytes": 1000}), db)
    _, token = make_user(db, "owner@example.com", can_create_projects=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, token)


def test_an_oversized_body_is_a_413_naming_the_limit(small: Api, db: Database) -> None:
    before = rows(db)
    big = {"name": "x", "interface": SIMPLE, "description": "d" * 2000}
    error = assert_error(small.post("/projects", json=big), 413, "too_large")
    assert "1000 bytes" in error["message"] and error["details"] == {"limit": 1000}

    def chunks() -> Iterator[bytes]:  # no Content-Length: the bytes are counted as they come
        yield orjson.dumps(big)[:600]
        yield orjson.dumps(big)[600:]

    streamed = small.post("/projects", content=chunks(), headers=JSON)
    assert_error(streamed, 413, "too_large")
    assert rows(db) == before
    fits = small.post("/projects", json={"name": "x", "interface": SIMPLE})
    assert fits.status_code == 201


def test_imports_have_their_own_limit(small: Api) -> None:
    project = small.post("/projects", json={"name": "x", "interface": SIMPLE}).json()["id"]
    body = b"".join(orjson.dumps(row) + b"\n" for row in texts(40))
    assert len(body) > 1000
    answer = small.post(
        f"/projects/{project}/imports", content=body,
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"] == 40


# -- routes, methods and ids --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/nothing"), ("POST", "/api/v1/nothing"), ("DELETE", "/api/v1/projects/1/x"),
     ("GET", "/api/v2/projects"), ("PUT", "/api/nothing"), ("GET", "/api/v1")],
)
def test_unknown_routes_are_a_json_404(client: TestClient, method: str, path: str) -> None:
    error = assert_error(client.request(method, path), 404, "not_found")
    assert "no such endpoint" in error["message"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("DELETE", "/api/v1/me", "GET"), ("PUT", "/api/v1/projects", "GET, POST"),
     ("POST", "/api/v1/audit", "GET"), ("PATCH", "/api/v1/session", "DELETE, GET, POST")],
)
def test_wrong_methods_are_a_json_405_saying_what_is_allowed(
    client: TestClient, method: str, path: str, allowed: str
) -> None:
    answer = client.request(method, path)
    error = assert_error(answer, 405, "method_not_allowed")
    assert set(answer.headers["allow"].split(", ")) == set(allowed.split(", "))
    assert method in error["message"]


ANSWER = {"result": {"label": {"choice": "pos"}}}
ID_PATHS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/projects/{id}", None),
    ("PATCH", "/projects/{id}", {"description": "x"}),
    ("DELETE", "/projects/{id}", None),
    ("GET", "/projects/{id}/members", None),
    ("PUT", "/projects/{project}/members/{id}", {"role": "annotator"}),
    ("DELETE", "/projects/{project}/members/{id}", None),
    ("POST", "/projects/{id}/imports", None),
    ("GET", "/projects/{id}/export", None),
    ("GET", "/projects/{id}/tasks", None),
    ("POST", "/projects/{id}/next", None),
    ("GET", "/projects/{id}/annotations/mine", None),
    ("GET", "/projects/{id}/audit", None),
    ("GET", "/tasks/{id}", None),
    ("PUT", "/tasks/{id}/draft", {"result": {}}),
    ("DELETE", "/tasks/{id}/draft", None),
    ("POST", "/tasks/{id}/skip", {"reason": ""}),
    ("POST", "/tasks/{id}/annotations", ANSWER),
    ("GET", "/annotations/{id}", None),
    ("PUT", "/annotations/{id}", ANSWER),
    ("GET", "/annotations/{id}/versions", None),
    ("PATCH", "/users/{id}", {"name": "x"}),
    ("DELETE", "/tokens/{id}", None),
]


@pytest.mark.parametrize(("method", "template", "body"), ID_PATHS)
def test_ids_that_are_not_numbers_or_out_of_range_are_4xx(
    setup: dict[str, Any], db: Database, method: str, template: str, body: dict[str, Any] | None
) -> None:
    before = rows(db)
    for bad, status in (("abc", 422), ("1.5", 422), (HUGE, 422), ("-" + HUGE, 422),
                        ("9223372036854775808", 422), ("9223372036854775807", 404), ("0", 404),
                        ("-1", 404)):
        path = template.format(id=bad, project=setup["project"])
        if path.endswith("/imports"):
            answer = setup["admin"](method, path, content=b"{}", params={"format": "jsonl"})
        else:
            answer = setup["admin"](method, path, json=body)
        error = assert_error(answer, status)
        if status == 422:
            assert bad.lstrip("-") in error["message"] or "integer" in error["message"]
    assert rows(db) == before


@pytest.mark.parametrize(
    "query",
    ["/projects/{project}/tasks?after=" + HUGE, "/projects/{project}/annotations/mine?before="
     + HUGE, "/audit?before=" + HUGE, "/audit?project_id=" + HUGE,
     "/projects/{project}/audit?before=-" + HUGE, "/projects/{project}/tasks?limit=" + HUGE],
)
def test_query_numbers_out_of_range_are_422(setup: dict[str, Any], query: str) -> None:
    error = assert_error(setup["admin"].get(query.format(project=setup["project"])), 422)
    assert HUGE in error["message"] and error["details"][0]["path"].startswith("query.")


# -- answers that do not fit the interface -----------------------------------------------------


def test_an_answer_that_does_not_fit_writes_nothing(setup: dict[str, Any], db: Database) -> None:
    before = rows(db)
    for result in ({"label": {"choice": "maybe"}}, {"label": "pos"}, {}, {"nope": 1},
                   {"label": {"choice": ["pos"]}}):
        answer = setup["ann"].post(f"/tasks/{setup['task']}/annotations", json={"result": result})
        error = assert_error(answer, 422, "invalid_result")
        assert error["details"] and all(d["path"].startswith("result") for d in error["details"])
    assert_error(
        setup["ann"].post(f"/tasks/{setup['task']}/annotations", json={"result": []}), 422
    )
    assert rows(db) == before
    with db.read() as session:
        held = session.scalars(select(Assignment.state)).all()
    assert held == ["leased"], "the lease is still held: nothing was half-submitted"


def test_a_bad_interface_creates_no_project(setup: dict[str, Any], db: Database) -> None:
    before = rows(db)
    interfaces: list[Any] = [
        {"fields": [], "questions": []},
        "fields: [",
        {"questions": [{"kind": "x"}]},
        {"fields": [{"name": "t", "kind": "text"}],
         "questions": [{"name": "q", "kind": "spans", "target": "missing"}]},
    ]
    for interface in interfaces:
        answer = setup["admin"].post("/projects", json={"name": "x", "interface": interface})
        assert_error(answer, 422, "invalid_interface")
    assert rows(db) == before


# -- anything at all ----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
BODY_ROUTES = [
    ("POST", "/projects"), ("PATCH", "/projects/{project}"), ("POST", "/users"),
    ("POST", "/tokens"), ("POST", "/projects/{project}/members"), ("POST", "/session"),
    ("PUT", "/tasks/{task}/draft"), ("POST", "/tasks/{task}/skip"),
    ("POST", "/tasks/{task}/annotations"), ("PUT", "/me/password"),
]


def test_no_json_body_whatever_it_holds_gets_a_500(setup: dict[str, Any]) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        route=st.sampled_from(BODY_ROUTES),
        body=JSON_VALUES | st.dictionaries(
            st.sampled_from(["name", "interface", "result", "email", "password", "role",
                             "seconds", "reason", "overlap", "order"]),
            JSON_VALUES,
        ),
        who=st.sampled_from(["admin", "ann"]),
    )
    def check(route: tuple[str, str], body: Any, who: str) -> None:
        method, template = route
        path = template.format(project=setup["project"], task=setup["task"])
        answer = setup[who](method, path, content=_dumps(body), headers=JSON)
        assert answer.status_code < 500, answer.text
        if answer.status_code >= 400:
            assert_error(answer, answer.status_code)

    check()


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()  # not orjson: it refuses integers beyond 64 bits


# -- found by these tests, fixed where they belong ----------------------------------------------


@pytest.mark.parametrize(
    "query", ["since=9999-12-31T23:00:00-05:00", "until=0001-01-01T00:00:00%2B05:00"]
)
def test_export_dates_out_of_range_are_422(setup: dict[str, Any], query: str) -> None:
    """Dates whose conversion to UTC leaves years 1..9999 once broke the stream after a 200."""
    answer = setup["admin"].get(f"/projects/{setup['project']}/export?{query}")
    error = assert_error(answer, 422)
    assert query.split("=")[0] in error["message"]


@pytest.mark.parametrize(
    ("body", "kind"),
    [(b'{"id": "x\\u0000", "text": "hello"}\n', "application/x-ndjson"),
     (b'id,text\n"x\x00",hello\n', "text/csv")],
)
def test_import_ids_with_nul_are_bad_rows(
    setup: dict[str, Any], db: Database, body: bytes, kind: str
) -> None:
    """Stored on SQLite and a 500 on PostgreSQL, once; a bad row on both now."""
    before = rows(db)
    answer = setup["admin"].post(
        f"/projects/{setup['project']}/imports", content=body, headers={"Content-Type": kind}
    )
    error = assert_error(answer, 422)
    assert "line" in error["message"] and "id" in error["message"]
    assert rows(db) == before


def test_import_priority_out_of_range_is_a_bad_row(setup: dict[str, Any], db: Database) -> None:
    """tasks.priority is a 32-bit INTEGER: PostgreSQL once answered 500."""
    before = rows(db)
    answer = setup["admin"].post(
        f"/projects/{setup['project']}/imports",
        content=b'{"text": "b", "priority": 9999999999}\n',
        headers={"Content-Type": "application/x-ndjson"},
    )
    error = assert_error(answer, 422)
    assert "priority" in error["message"]
    assert rows(db) == before


def test_results_over_max_result_bytes_are_refused(settings: Settings, db: Database) -> None:
    """The documented limit on one result, draft or prediction is enforced."""
    app = create_app(settings.model_copy(update={"max_result_bytes": 1000}), db)
    owner, _ = make_user(db, "owner@example.com")
    annotator, token = make_user(db, "ann@example.com")
    project = make_project(db, owner, SIMPLE, members={annotator: "annotator"})
    add_tasks(db, owner, project, texts(1))
    with TestClient(app, raise_server_exceptions=False) as client:
        me = Api(client, token)
        task = me.post(f"/projects/{project.id}/next").json()["task"]["id"]
        answer = me.put(f"/tasks/{task}/draft", json={"result": {"note": "x" * 2000}})
        assert answer.status_code in (413, 422), answer.text
        assert "1000" in answer.json()["error"]["message"]


def test_the_database_in_use(db: Database) -> None:
    """Which database these ran on (the PostgreSQL run sets ACCORD_TEST_DATABASE_URL)."""
    assert db.dialect == ("postgresql" if PG_URL else "sqlite")


# -- free text in the query is text, whatever its characters -----------------------------------


def test_free_text_query_values_of_many_digits_are_text(
    setup: dict[str, Any], db: Database
) -> None:
    """A search for an order number, a file named by a timestamp: text, not numbers out of
    range (they were refused with 422)."""
    admin, project = setup["admin"], setup["project"]
    for query in ({"q": HUGE}, {"value": HUGE, "question": "label"}, {"annotator": HUGE}):
        answer = admin.get(f"/projects/{project}/tasks", params=query)
        assert answer.status_code == 200, (query, answer.text)
        assert answer.json()["total"] == 0
    imported = admin.post(
        f"/projects/{project}/imports",
        params={"format": "jsonl", "filename": HUGE + ".jsonl"},
        content=b'{"text": "' + HUGE.encode() + b'"}\n',
    )
    assert imported.status_code == 201, imported.text
    found = admin.get(f"/projects/{project}/tasks", params={"q": HUGE}).json()
    assert [t["data"]["text"] for t in found["items"]] == [HUGE]
    assert admin.get("/users", params={"q": HUGE}).status_code == 200


def test_query_parameters_are_numbers_or_text_everywhere_alike(client: TestClient) -> None:
    """The URL check reads a query parameter as a number by its name: no name may be a whole
    number in one route and text in another."""
    from fastapi.routing import iter_route_contexts

    from accord.api.limits import integer_query_names

    numbers = integer_query_names(client.app.routes)  # type: ignore[attr-defined]
    assert {"after", "before", "limit", "offset"} <= numbers
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        for param in getattr(getattr(route, "dependant", None), "query_params", ()):
            if param.name in numbers:
                assert "int" in str(param.field_info.annotation), (route.path, param.name)


def test_deeply_nested_yaml_is_a_422_not_a_crash(
    setup: dict[str, Any], db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """2 KB of nesting made PyYAML recurse past Python's limit: a 500, a 200 KB traceback in
    the log, the connection dropped."""
    before = rows(db)
    for text in ("[" * 1000 + "]" * 1000, "- " * 1000 + "a", "fields: " + "{a: " * 600 + "}" * 600):
        error = assert_error(
            setup["admin"].post("/projects", json={"name": "deep", "interface": text}),
            422,
            "invalid_interface",
        )
        assert "nested too deeply" in error["message"]
        answer = setup["admin"].patch(f"/projects/{setup['project']}", json={"interface": text})
        assert_error(answer, 422, "invalid_interface")
    assert rows(db) == before
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "nothing to log"


def test_writers_that_collide_are_run_again_then_answer_a_conflict(db: Database) -> None:
    """PostgreSQL rolls back one of two transactions that deadlock (or fail to serialise); the
    write is run again, up to `WRITE_ATTEMPTS` times in all, and a write that still collides
    answers 409 with what to do, never a 500."""
    calls: list[int] = []

    def collides_twice(session: Any) -> str:
        calls.append(1)
        if len(calls) < WRITE_ATTEMPTS:  # as psycopg raises it, or wrapped by SQLAlchemy
            raise DeadlockDetected("deadlock detected") if len(calls) == 1 else OperationalError(
                "UPDATE …", {}, SerializationFailure("could not serialize access")
            )
        return "written"

    assert _in_thread(db, collides_twice) == "written" and len(calls) == WRITE_ATTEMPTS

    def always(session: Any) -> str:
        calls.append(1)
        raise DeadlockDetected("deadlock detected")

    calls.clear()
    with pytest.raises(DeadlockDetected) as raised:
        _in_thread(db, always)
    assert len(calls) == WRITE_ATTEMPTS

    def other(session: Any) -> str:
        calls.append(1)
        raise ValueError("not a collision")

    calls.clear()
    with pytest.raises(ValueError):
        _in_thread(db, other)
    assert len(calls) == 1, "other errors are not retried"

    answer = asyncio.run(_unexpected(None, raised.value))  # type: ignore[arg-type]
    body = orjson.loads(answer.body)
    assert answer.status_code == 409 and body["error"]["code"] == "conflict"
    assert "send it again" in body["error"]["message"]
