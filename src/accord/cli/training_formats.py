"""``accord export PROJECT --format trl-sft|trl-preference|trl-kto|reward-pairs|openai-ft|
hf-parquet|conll|spacy``: the formats training code reads (docs/training_exports.md), their
options, and their report (what was left out, and why) printed for a person."""

from __future__ import annotations

from typing import Annotated, Any

import typer

TRAINING_FORMATS = (
    "trl-sft",
    "trl-preference",
    "trl-kto",
    "reward-pairs",
    "openai-ft",
    "hf-parquet",
    "conll",
    "spacy",
)

Question = Annotated[
    str | None,
    typer.Option(
        help="Training formats: the question records come from; mot, rttm, vtt, srt: the "
        "question the file holds; needed when the project has several"
    ),
]
Prompt = Annotated[str | None, typer.Option(help="Training formats: the field that is the prompt")]
Response = Annotated[
    str | None,
    typer.Option(help="trl-sft, openai-ft, trl-kto: the text question or field that responds"),
]
Threshold = Annotated[
    float | None,
    typer.Option(help="trl-kto from a rating: label true at this rating or above"),
]
Desirable = Annotated[
    list[str] | None,
    typer.Option(help="trl-kto from a choice: an option labelled true (repeat for several)"),
]
Lang = Annotated[str, typer.Option(help="spacy: the language of spacy.blank")]
Alignment = Annotated[
    str, typer.Option("--alignment-mode", help="spacy: strict, contract or expand")
]
Reviewed = Annotated[
    bool,
    typer.Option(
        "--reviewed", help="Training formats: only annotations accepted or fixed in review"
    ),
]
ShowReport = Annotated[
    bool,
    typer.Option(
        "--report",
        help="Training formats: then print what was left out and why (the server runs the "
        "export once more without the file; --to-storage prints the job's report anyway)",
    ),
]


def training_filters(
    format: str,
    question: str | None,
    prompt: str | None,
    response: str | None,
    threshold: float | None,
    desirable: list[str] | None,
    lang: str,
    alignment_mode: str,
    reviewed: bool,
) -> dict[str, Any]:
    """The query parameters of the training options (none for other formats)."""
    given = {
        "question": question,
        "prompt": prompt,
        "response": response,
        "threshold": threshold,
        "desirable": desirable or None,
        "lang": lang if lang != "en" else None,
        "alignment_mode": alignment_mode if alignment_mode != "strict" else None,
        "reviewed": True if reviewed else None,
    }
    if format not in TRAINING_FORMATS:
        named = [k.replace("_", "-") for k, v in given.items() if v is not None]
        if named:
            from accord.cli.failure import fail

            formats = ", ".join(TRAINING_FORMATS)
            also = "; --question also with mot, rttm, vtt and srt" if "question" in named else ""
            fail(f"--{', --'.join(named)} go with the training formats ({formats}){also}")
    return given


def echo_report(report: dict[str, Any]) -> None:
    """The report on standard error, one line per thing left out."""
    typer.echo(f"{report['records']} records from {report['answers']} answers", err=True)
    for reason, count in report["skipped"].items():
        typer.echo(f"skipped {count}: {reason}", err=True)
    for p in report["problems"]:
        annotation = f" annotation {p['annotation_id']}" if p.get("annotation_id") else ""
        typer.echo(f"  task {p['task_id']}{annotation}: {p['reason']}: {p['detail']}", err=True)
    if report.get("problems_left_out"):
        typer.echo(f"  ... and {report['problems_left_out']} more", err=True)
