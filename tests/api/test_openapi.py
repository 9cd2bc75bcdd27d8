"""The OpenAPI schema documents the error answers each operation gives, in the shape they have:
every status the permission matrix sees an operation answer, 422 wherever a value can be wrong,
413 wherever a body is sent, each as ``{"error": {code, message, details}}``."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.test_permissions import MATRIX

ERROR = "#/components/schemas/ErrorOut"


def operations(client: TestClient) -> dict[str, dict[str, Any]]:
    spec = client.get("/api/openapi.json").json()
    return {
        f"{method.upper()} {path.removeprefix('/api/v1')}": operation
        for path, item in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
    }


def test_each_operation_documents_its_error_answers(client: TestClient) -> None:
    found = operations(client)
    assert set(found) == set(MATRIX), "the matrix and the schema list the same operations"
    for name, operation in found.items():
        documented = {int(s) for s in operation["responses"] if not s.startswith(("2", "3"))}
        expected = {status for status in MATRIX[name] if status >= 400}
        if operation.get("parameters") or "requestBody" in operation:
            expected.add(422)
        if "requestBody" in operation:
            expected.add(413)
        assert expected <= documented, f"{name} leaves out {sorted(expected - documented)}"
        for status in documented:
            schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR}, (name, status)


def test_the_error_shape_is_described(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas, "422 answers are ours, not FastAPI's"
    body = schemas["ErrorBody"]["properties"]
    assert set(body) == {"code", "message", "details"}
