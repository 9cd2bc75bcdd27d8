"""`client.metrics` and `accord metrics PROJECT` against a real server: tables, CSV and JSON,
per annotator, day and question, an annotator's own figures, and bad options."""

from __future__ import annotations

import csv
import io

import orjson
import pytest

from accord import AccordError, Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import add_tasks, make_project, make_user, texts
from tests.live import live_server
from tests.test_cli import accord, ok


@pytest.mark.slow
def test_metrics_from_the_sdk_and_the_cli(settings: Settings, db: Database) -> None:
    owner, owner_token = make_user(db, "lead@example.com")
    ann, ann_token = make_user(db, "ann@example.com")
    bo, bo_token = make_user(db, "bo@example.com")
    project = make_project(db, owner, overlap=2, members={ann: "annotator", bo: "annotator"})
    add_tasks(db, owner, project, texts(3))
    with live_server(settings) as server:
        for token, labels in (
            (ann_token, ["pos", "pos", "neg"]),
            (bo_token, ["pos", "neg", "neg"]),
        ):
            with Client(server.url, token) as sdk:
                for label in labels:
                    task = sdk.next_task(project.id)
                    assert task is not None
                    sdk.submit(task.id, {"label": {"choice": label}}, seconds=30)

        with Client(server.url, owner_token) as sdk:
            figures = sdk.metrics(project.id)
            rows = {r["annotator"]: r for r in figures["rows"]}
            assert rows["ann@example.com"]["submitted"] == 3
            assert rows["ann@example.com"]["throughput_per_hour"] == 120.0
            assert sdk.metrics(project.id, by="day")["rows"][0]["submitted"] == 6
            with pytest.raises(AccordError) as bad:
                sdk.metrics(project.id, by="month")
            assert bad.value.status == 422 and "question" in bad.value.message + str(
                bad.value.details
            )
        with Client(server.url, ann_token) as sdk:
            mine = sdk.metrics(project.id)["rows"]
            assert [r["annotator"] for r in mine] == ["ann@example.com"]

        env = {"url": server.url, "token": owner_token}
        table = ok(accord(settings, "metrics", str(project.id), **env))
        assert "ann@example.com" in table and "bo@example.com" in table
        assert "tasks/h" in table and "progress: 3 of 3 tasks complete" in table
        out = ok(accord(settings, "metrics", str(project.id), "--format", "csv", **env))
        parsed = {r["annotator"]: r for r in csv.DictReader(io.StringIO(out))}
        assert parsed["bo@example.com"]["submitted"] == "3"
        days = orjson.loads(
            ok(
                accord(
                    settings, "metrics", str(project.id), "--by", "day", "--format", "json", **env
                )
            )
        )
        assert days["by"] == "day" and days["rows"][0]["submitted"] == 6
        # The snapshot the first calls asked for: agreement per question.
        by_question = ("metrics", str(project.id), "--by", "question", "--format", "json")
        for _ in range(100):
            found = orjson.loads(ok(accord(settings, *by_question, **env)))
            if found["questions"]:
                break
        (label,) = found["questions"]
        assert label["labels"] == {"pos": 3, "neg": 3} and found["computed_at"]
        questions = ok(accord(settings, "metrics", str(project.id), "--by", "question", **env))
        assert "alpha" in questions and "pos 3" in questions

        own = ok(accord(settings, "metrics", str(project.id), url=server.url, token=ann_token))
        assert "ann@example.com" in own and "bo@example.com" not in own

        wrong = accord(settings, "metrics", str(project.id), "--by", "month", **env)
        assert wrong.returncode != 0 and "annotator, day, week, question" in wrong.stderr
        wrong = accord(settings, "metrics", str(project.id), "--format", "xml", **env)
        assert wrong.returncode != 0 and "table, csv, json" in wrong.stderr


def test_the_table_lists_mota_and_idf1_of_tracks_questions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`accord metrics --by question` prints the tracks figures the API answers (see
    tests/api/test_track_metrics.py): overall, then one row per annotator, by name."""
    from accord.cli.metrics import _table

    def scores(n: int, mota: float, idf1: float) -> dict[str, float | int]:
        return {"n": n, "mota_mean": mota, "mota_median": mota, "idf1_mean": idf1,
                "idf1_median": idf1}  # fmt: skip

    data = {
        "by": "question", "computed_at": "2026-01-01T00:00:00Z", "questions": [], "rows": [],
        "task_agreement": {}, "names": {"7": "Ann"},
        "progress": {"complete": 1, "tasks": 1, "annotations": 2},
        "tracks": {"cars": {"shape": "box", "gold": None, "agreement": {
            **scores(2, 0.625, 0.8333), "by_annotator": {"7": scores(2, 0.5, 0.8333)}}}},
    }  # fmt: skip
    _table(data)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "cars" in line]
    assert len(lines) == 2, out
    assert "other annotators" in lines[0] and "all" in lines[0] and "0.625" in lines[0]
    assert "Ann" in lines[1] and "0.500" in lines[1] and "0.833" in lines[1]
    assert "Tracks: MOTA and IDF1" in out
