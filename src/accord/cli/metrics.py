"""``accord metrics PROJECT``: a project's figures from the server at ACCORD_URL."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from accord.cli.failure import fail, reported
from accord.cli.remote import Token, Url, client, print_json

BY = ("annotator", "day", "week", "question")
FORMATS = ("table", "csv", "json")


def metrics(
    project: int,
    by: Annotated[str, typer.Option("--by", help="annotator, day, week or question")] = "annotator",
    format: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    url: Url = None,
    token: Token = None,
) -> None:
    """Throughput, review outcomes, gold accuracy, agreement and skills of a project, per
    annotator, day, week or question (an annotator sees only their own)."""
    if by not in BY:
        fail(f"unknown --by {by!r}; use one of: {', '.join(BY)}")
    if format not in FORMATS:
        fail(f"unknown --format {format!r}; use one of: {', '.join(FORMATS)}")
    api = client(url, token)
    with reported():
        if format == "csv":
            sys.stdout.write(api.metrics_csv(project, by))
            return
        data = api.metrics(project, by)
    if format == "json":
        print_json(data)
        return
    _table(data)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _table(data: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    # A terminal gets its own width; a pipe or a file gets whole rows, never cut.
    console = Console(width=None if sys.stdout.isatty() else 400)
    snapshot = data["computed_at"] or "not yet (being computed)"
    if data["by"] == "question":
        table = Table("question", "kind", "answers", "tasks", "alpha", "95% interval", "labels")
        for q in data["questions"]:
            interval = f"{_num(q['alpha_low'], 3)} .. {_num(q['alpha_high'], 3)}"
            labels = ", ".join(f"{k} {n}" for k, n in q["labels"].items())
            table.add_row(
                q["name"], q["kind"], str(q["answers"]), str(q["items"] or ""),
                _num(q["alpha"], 3), interval if q["alpha_low"] is not None else "", labels,
            )  # fmt: skip
    else:
        first = "annotator" if data["by"] == "annotator" else data["by"]
        table = Table(
            first, "submitted", "skipped", "active h", "tasks/h", "accept", "fix", "reject",
            "failures", "gold", "agree others", "agree consensus", "skill",
        )  # fmt: skip
        for r in data["rows"]:
            who = r.get("annotator") or r.get("annotator_name") or r["key"]
            gold = (
                f"{_pct(r['gold_accuracy'])} [{_pct(r['gold_low'])}, {_pct(r['gold_high'])}]"
                if r["gold_scored"]
                else ""
            )
            table.add_row(
                who if data["by"] == "annotator" else r["key"], str(r["submitted"]),
                str(r["skipped"]), _num(r["active_seconds"] / 3600),
                _num(r["throughput_per_hour"], 1),
                _pct(r["accept_rate"]), _pct(r["fix_rate"]), _pct(r["reject_rate"]),
                str(r["checklist_failures"]), gold, _pct(r["agreement_others"]),
                _pct(r["agreement_consensus"]), _num(r["skill"]),
            )  # fmt: skip
    console.print(table)
    for name, found in data.get("task_agreement", {}).items():
        console.print(
            f"{name}: mean agreement within tasks {_pct(found['mean'])} over {found['tasks']} tasks"
        )
    tracks = data.get("tracks") or {}
    if tracks:
        console.print(_tracks_table(tracks, data.get("names") or {}))
    p = data["progress"]
    console.print(
        f"progress: {p['complete']} of {p['tasks']} tasks complete, {p['annotations']} "
        f"annotations; agreement and skills computed at {snapshot}"
    )


def _tracks_table(tracks: dict[str, Any], names: dict[str, str]) -> Any:
    """Per tracks question, gold scoring and pairwise agreement: MOTA and IDF1 (mean and
    median), then one row per annotator."""
    from rich.table import Table

    table = Table(
        "tracks question", "against", "who", "n", "MOTA mean", "MOTA median", "IDF1 mean",
        "IDF1 median", title="Tracks: MOTA and IDF1",
    )  # fmt: skip
    for name, found in tracks.items():
        for part, against in (("gold", "gold"), ("agreement", "other annotators")):
            figures = found.get(part)
            if not figures or not figures.get("n"):
                continue
            rows = [("all", figures), *((names.get(k, k), v) for k, v in
                                        figures.get("by_annotator", {}).items())]  # fmt: skip
            for who, f in rows:
                table.add_row(
                    name, against, who, str(f["n"]), _num(f["mota_mean"], 3),
                    _num(f["mota_median"], 3), _num(f["idf1_mean"], 3), _num(f["idf1_median"], 3),
                )  # fmt: skip
    return table
