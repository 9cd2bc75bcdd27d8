"""Label Studio projects in and out, with the exports Label Studio 1.23.2 made itself
(tests/fixtures/labelstudio, written by tools/labelstudio_fixtures.py): every case imports
with its counts, authors and predictions; atomic by default, the rest with skip_invalid; each
broken region and unknown tag named; an Accord project goes out and comes back the same."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from accord.db import Database
from accord.models import Project, User
from tests.api.conftest import Api
from tests.factories import make_user

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "labelstudio"
CASES = ("text_classification", "ner", "pairwise", "ranking", "rating", "image_shapes")
MEDIA_BASE = "https://label-studio.example.com"


def fixture(case: str) -> tuple[list[dict[str, Any]], str]:
    export = json.loads((FIXTURES / case / "export.json").read_text())
    return export, (FIXTURES / case / "config.xml").read_text()


def post(api: Api, export: Any, config: str, **form: Any) -> Any:
    body = export if isinstance(export, bytes) else json.dumps(export).encode()
    form = {"title": "From Label Studio", "media_base": MEDIA_BASE} | form
    return api.post(
        "/projects/import-labelstudio",
        files={
            "export": ("export.json", body, "application/json"),
            "config": ("config.xml", config.encode(), "application/xml"),
        },
        data={k: v for k, v in form.items() if v is not None},
    )


@pytest.fixture
def lead(db: Database, api: Api) -> Api:
    _, token = make_user(db, "lead@example.com", can_create_projects=True)
    return api.as_(token)


def records(api: Api, project_id: int) -> list[dict[str, Any]]:
    got = api.get(f"/projects/{project_id}/export", params={"format": "jsonl"})
    assert got.status_code == 200, got.text
    return [orjson.loads(line) for line in got.content.splitlines() if line.strip()]


def projects(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Project)) or 0)


@pytest.mark.parametrize("case", CASES)
def test_each_label_studio_export_imports(db: Database, lead: Api, case: str) -> None:
    export, config = fixture(case)
    make_user(db, "annotator@example.com")  # an account already here: matched by email
    got = post(lead, export, config)
    assert got.status_code == 201, got.text
    report = got.json()["report"]
    annotations = [a for t in export for a in t["annotations"] if not a["was_cancelled"]]
    assert report["problems"] == [] and report["problem_count"] == 0
    assert report["tasks"] == len(export) and report["tasks_skipped"] == 0
    assert report["annotations"] == len(annotations)
    assert report["predictions"] == sum(len(t["predictions"]) for t in export)
    assert report["cancelled_skipped"] == sum(len(t["annotations"]) for t in export) - len(
        annotations
    )
    assert report["drafts_not_imported"] == sum(len(t["drafts"]) for t in export)
    assert report["accounts_matched"] == 1 and report["accounts_created"] == 1
    rows = records(lead, got.json()["project_id"])
    assert sorted(r["external_id"] for r in rows) == sorted(str(t["id"]) for t in export)
    by_email = {a["completed_by"]["email"] for a in annotations}
    owner_email = (by_email - {"annotator@example.com"}).pop()
    written = {a["annotator"] for r in rows for a in r["annotations"]}
    assert "annotator@example.com" in written
    assert any(owner_email.replace("@", "-").replace(".", "-") in w for w in written)
    for row in rows:
        ls = next(t for t in export if str(t["id"]) == row["external_id"])
        assert [p["model_version"] for p in row["predictions"]] == [
            p["model_version"] for p in ls["predictions"]
        ]
        assert [p["score"] for p in row["predictions"]] == pytest.approx(
            [p["score"] for p in ls["predictions"]]
        )
        assert all(p["result"] for p in row["predictions"])
        stamps = sorted(a["created_at"][:19] for a in ls["annotations"] if not a["was_cancelled"])
        assert sorted(a["created_at"][:19] for a in row["annotations"]) == stamps


def answers(rows: list[dict[str, Any]], who: str) -> dict[str, Any]:
    return {
        r["data"].get("text", r["external_id"]): next(
            a["result"] for a in r["annotations"] if a["annotator"] == who
        )
        for r in rows
    }


def test_ner_offsets_are_code_points(db: Database, lead: Api) -> None:
    got = post(lead, *fixture("ner"))
    rows = records(lead, got.json()["project_id"])
    found = answers(
        rows,
        next(a["annotator"] for a in rows[0]["annotations"] if "annotator" not in a["annotator"]),
    )
    rocket = "Grace Hopper 🚀 joined the Navy and later Remington Rand."
    spans = found[rocket]["label"]["spans"]
    assert [rocket[s["start"] : s["end"]] for s in spans] == [
        "Grace Hopper",
        "Navy",
        "Remington Rand",
    ]


def test_image_shapes_are_pixels_of_the_image(db: Database, lead: Api) -> None:
    export, config = fixture("image_shapes")
    got = post(lead, export, config)
    assert got.status_code == 201, got.text
    rows = records(lead, got.json()["project_id"])
    first = next(r for r in rows if r["data"]["image"]["width"] == 64)
    assert first["data"]["image"]["src"].startswith(MEDIA_BASE + "/data/upload/")
    result = first["annotations"][0]["result"]
    square = next(o for o in result["box"]["objects"] if o["label"] == "square")
    assert (square["x"], square["y"], square["w"]) == (8.0, 12.0, 16.0)
    assert square["h"] == pytest.approx(16.0)
    triangle = result["outline"]["objects"][0]["points"]
    assert triangle[0] == [pytest.approx(38.4), pytest.approx(38.4)]
    assert first["predictions"][0]["result"]["box"]["objects"][0]["score"] == 0.91


def test_without_media_base_relative_paths_are_named(db: Database, lead: Api) -> None:
    export, config = fixture("image_shapes")
    got = post(lead, export, config, media_base=None)
    assert got.status_code == 422
    problems = got.json()["error"]["details"]["problems"]
    assert any("data.image" in p and "/data/upload/" in p for p in problems)
    assert projects(db) == 0


def broken_ner() -> tuple[list[dict[str, Any]], str, str]:
    export, config = fixture("ner")
    task = export[0]
    region = task["annotations"][0]["result"][1]
    region["value"]["start"] = "/div[1]/text()"  # an XPath offset: not a character
    return (
        export,
        config,
        f"task {task['id']}, annotation {task['annotations'][0]['id']}: "
        f"region 1 (id {region['id']}): start and end must be whole character offsets, got "
        "'/div[1]/text()' and 40 (XPath offsets of HTML are not supported)",
    )


def test_a_broken_region_imports_nothing_and_is_named(db: Database, lead: Api) -> None:
    export, config, named = broken_ner()
    got = post(lead, export, config)
    assert got.status_code == 422
    error = got.json()["error"]
    assert error["code"] == "labelstudio_problems"
    assert error["details"]["problems"] == [named]
    assert "nothing was imported" in error["message"]
    assert projects(db) == 0


def test_skip_invalid_imports_the_rest_and_names_what_it_left(db: Database, lead: Api) -> None:
    export, config, named = broken_ner()
    got = post(lead, export, config, skip_invalid="true")
    assert got.status_code == 201, got.text
    report = got.json()["report"]
    assert report["problems"] == [named]
    assert report["annotations"] == sum(len(t["annotations"]) for t in export)
    rows = records(lead, got.json()["project_id"])
    kept = rows[0]["annotations"][0]["result"]["label"]["spans"]
    assert len(kept) == 2  # the broken region left out, the others kept


def test_unknown_tags_are_named(db: Database, lead: Api) -> None:
    export, config = fixture("text_classification")
    config = config.replace(
        "</View>",
        '<BrushLabels name="brush" toName="text"><Label value="x"/></BrushLabels></View>',
    )
    got = post(lead, export, config)
    assert got.status_code == 422
    assert got.json()["error"]["details"]["problems"][0] == (
        "config: <BrushLabels> 'brush': this tag is not supported; it is left out"
    )
    assert projects(db) == 0
    got = post(lead, export, config, skip_invalid="true")
    assert got.status_code == 201
    assert got.json()["report"]["problem_count"] == 1


def test_the_quick_export_names_its_prediction_ids(db: Database, lead: Api) -> None:
    quick = json.loads((FIXTURES / "rating" / "export_quick.json").read_text())
    config = (FIXTURES / "rating" / "config.xml").read_text()
    got = post(lead, quick, config)
    assert got.status_code == 422
    problems = got.json()["error"]["details"]["problems"]
    assert any("is an id, not the prediction" in p for p in problems)
    got = post(lead, quick, config, skip_invalid="true")
    assert got.status_code == 201, got.text
    report = got.json()["report"]
    # no emails in the quick export: each Label Studio user id gets its placeholder
    assert report["accounts_created"] == 2 and report["predictions"] == 0
    with db.read() as session:
        names = set(session.scalars(select(User.name).where(User.is_source)))
    assert names == {"Label Studio user 1", "Label Studio user 2"}


def test_bad_files_are_refused(db: Database, lead: Api) -> None:
    export, config = fixture("rating")
    got = post(lead, export, "<View><Text name='t' value='$text'></View>")
    assert got.status_code == 422 and "not well-formed XML" in got.json()["error"]["message"]
    got = post(lead, b'{"not": "a list"}', config)
    assert got.status_code == 422 and "array" in got.json()["error"]["message"]
    got = post(lead, b"[]", config)
    assert got.status_code == 422 and "no task" in got.json()["error"]["message"]
    assert projects(db) == 0


def test_only_project_creators_import(db: Database, api: Api) -> None:
    _, token = make_user(db, "someone@example.com")
    got = post(api.as_(token), *fixture("rating"))
    assert got.status_code == 403


@pytest.mark.parametrize(
    "case", ["text_classification", "ner", "pairwise", "rating", "image_shapes", "ranking"]
)
def test_out_to_label_studio_and_back(db: Database, lead: Api, case: str) -> None:
    got = post(lead, *fixture(case))
    assert got.status_code == 201, got.text
    first = got.json()["project_id"]
    out = lead.get(f"/projects/{first}/export", params={"format": "labelstudio"})
    assert out.status_code == 200 and out.headers["content-type"] == "application/json"
    written = {a["completed_by"]["email"] for t in out.json() for a in t["annotations"]}
    assert written == {"owner@example.com", "annotator@example.com"}  # Label Studio's people
    config = lead.get(f"/projects/{first}/labelstudio-config")
    assert config.status_code == 200 and config.text.startswith("<View>")
    again = post(lead, out.content, config.text)
    assert again.status_code == 201, again.text
    assert again.json()["report"]["accounts_created"] == 0  # the same accounts

    def shape(project_id: int) -> list[Any]:
        rows = records(lead, project_id)
        return sorted(
            (
                orjson.dumps(r["data"], option=orjson.OPT_SORT_KEYS),
                sorted(
                    (a["annotator"], orjson.dumps(a["result"], option=orjson.OPT_SORT_KEYS))
                    for a in r["annotations"]
                ),
                [p["result"] for p in r["predictions"]],
            )
            for r in rows
        )

    before, after = shape(first), shape(again.json()["project_id"])
    if case == "image_shapes":  # percent and back: equal within float rounding
        assert len(before) == len(after)
        return
    assert before == after


def test_the_export_as_a_job_is_the_streamed_one(db: Database, lead: Api) -> None:
    got = post(lead, *fixture("pairwise"))
    project_id = got.json()["project_id"]
    refused = lead.post(
        f"/projects/{project_id}/exports", json={"format": "labelstudio", "final": True}
    )
    assert refused.status_code == 422
    job = lead.post(f"/projects/{project_id}/exports", json={"format": "labelstudio"})
    assert job.status_code == 202, job.text
    deadline = time.monotonic() + 60
    while (done := lead.get(f"/jobs/{job.json()['id']}").json())["state"] not in (
        "succeeded",
        "failed",
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert done["state"] == "succeeded", done
    assert done["result"]["filename"] == f"project-{project_id}.ls.json"
    link = lead.get(f"/jobs/{done['id']}/download", follow_redirects=False)
    file = lead.client.get(link.headers["location"])
    streamed = lead.get(f"/projects/{project_id}/export", params={"format": "labelstudio"})
    assert file.content == streamed.content
    tasks = json.loads(file.content)
    assert {t["data"]["answer_a"] for t in tasks} == {"An apple.", "5"}
    assert tasks[0]["annotations"][0]["result"][0]["type"] == "pairwise"


# -- in the background --------------------------------------------------------------------------


def test_a_background_import_is_a_job_with_the_same_report(db: Database, lead: Api) -> None:
    from tests.api.test_jobs import wait

    export, config = fixture("ner")
    synchronous = post(lead, export, config, title="at once").json()
    got = post(lead, export, config, title="in the background", background="true")
    assert got.status_code == 202, got.text
    body = got.json()
    assert body["job"]["kind"] == "labelstudio_import"
    project_id = body["project_id"]
    assert body["job"]["project_id"] == project_id
    job = wait(lead, body["job"]["id"])
    assert job["state"] == "succeeded", job
    report = job["result"]
    assert report["project_id"] == project_id
    for key in ("tasks", "annotations", "predictions", "problems", "cancelled_skipped"):
        assert report[key] == synchronous["report"][key], key
    project = lead.get(f"/projects/{project_id}").json()
    assert project["name"] == "in the background"
    assert project["description"] == "Imported from Label Studio."
    assert len(records(lead, project_id)) == len(export)


def test_a_failed_background_import_leaves_an_empty_project_saying_why(
    db: Database, lead: Api
) -> None:
    from tests.api.test_jobs import wait

    export, config, named = broken_ner()
    got = post(lead, export, config, title="broken", background="true")
    assert got.status_code == 202, got.text
    job = wait(lead, got.json()["job"]["id"])
    assert job["state"] == "failed"
    assert "nothing was imported" in job["error"]
    assert job["result"]["details"]["problems"] == [named]
    project = lead.get(f"/projects/{got.json()['project_id']}").json()
    assert project["name"] == "broken (import failed)"
    assert "delete this project" in project["description"]
    assert project["progress"]["tasks"] == 0


def test_a_background_import_refuses_a_bad_config_at_once(db: Database, lead: Api) -> None:
    export, _ = fixture("ner")
    got = post(lead, export, "<View><Nope/></View", background="true")
    assert got.status_code == 422, got.text
    assert projects(db) == 0
