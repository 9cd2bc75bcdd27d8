"""``accord export PROJECT --format trl-...|hf-parquet|conll|spacy`` against a live server:
the options reach the server, the report is printed, a job (--to-storage) carries it, and the
SDK reads the records of a JSONL training format."""

from __future__ import annotations

from pathlib import Path

import orjson
import pyarrow.parquet as pq

from accord import Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import add_tasks, make_project, make_user
from tests.formats.training_data import PREFERENCE, SPANS
from tests.live import live_server
from tests.test_cli import accord, ok


def test_training_formats_from_the_command_line_and_the_sdk(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    owner, token = make_user(db, "lead@example.com")
    annotator, ann_token = make_user(db, "ann@example.com")
    project = make_project(db, owner, PREFERENCE, members={annotator: "annotator"})
    rows = [
        {"id": "a", "prompt": "Pick one.", "responses": ["good", "bad"]},
        {"id": "b", "prompt": "Either?", "responses": ["x", "y"]},
    ]
    add_tasks(db, owner, project, rows)
    answers = {
        "Pick one.": {
            "better": {"choice": "A"},
            "rewrite": {"text": "good it is"},
            "quality": {"rating": 4},
        },
        "Either?": {
            "better": {"choice": "tie"},
            "rewrite": {"text": "either"},
            "quality": {"rating": 2},
        },
    }
    spans = make_project(db, owner, SPANS, members={annotator: "annotator"})
    add_tasks(db, owner, spans, [{"id": "s", "text": "Bob runs."}])
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        with Client(server.url, ann_token) as me:
            while (task := me.next_task(project.id)) is not None:
                me.submit(task.id, answers[task.data["prompt"]])
            task = me.next_task(spans.id)
            assert task is not None
            me.submit(task.id, {"entities": {"spans": [{"start": 0, "end": 2, "label": "PER"}]}})

        out = tmp_path / "pref.jsonl"
        args = ("export", str(project.id), "--format", "trl-preference", "-o", str(out))
        done = accord(settings, *args, "--report", **env)
        assert done.returncode == 0, done.stderr
        assert [orjson.loads(x) for x in out.read_bytes().splitlines()] == [
            {"prompt": "Pick one.", "chosen": "good", "rejected": "bad"}
        ]
        assert "1 records from 2 answers" in done.stderr and "skipped 1: tie" in done.stderr

        kto = ok(
            accord(
                settings,
                "export",
                str(project.id),
                "--format",
                "trl-kto",
                "--threshold",
                "2",
                **env,
            )
        )
        assert [orjson.loads(x)["label"] for x in kto.splitlines()] == [True, True]

        parquet = tmp_path / "all.parquet"
        ok(
            accord(
                settings,
                "export",
                str(project.id),
                "--format",
                "hf-parquet",
                "-o",
                str(parquet),
                **env,
            )
        )
        table = pq.read_table(parquet)
        assert table.column("quality").to_pylist() == [4, 2]
        assert table.column("rewrite").to_pylist() == ["good it is", "either"]

        conll = accord(
            settings, "export", str(spans.id), "--format", "conll", "--to-storage", **env
        )
        assert conll.returncode == 0, conll.stderr
        assert "skipped 1: span off token boundaries" in conll.stderr
        assert "'Bo' (0..2): its end is inside a token" in conll.stderr

        refused = accord(settings, "export", str(project.id), "--format", "conll", **env)
        assert refused.returncode != 0 and "conll needs a spans question" in refused.stderr
        refused = accord(settings, "export", str(project.id), "--reviewed", **env)
        assert refused.returncode != 0 and "--reviewed go with the training formats" in (
            refused.stderr
        )

        with Client(server.url, token) as sdk:
            assert list(sdk.export(project.id, "trl-sft")) == [
                {"messages": [{"role": "user", "content": "Pick one."},
                              {"role": "assistant", "content": "good it is"}]},
                {"messages": [{"role": "user", "content": "Either?"},
                              {"role": "assistant", "content": "either"}]},
            ]  # fmt: skip
            report = sdk.export_report(spans.id, "spacy", alignment_mode="expand")
            assert report["records"] == 1 and report["skipped"] == {}
