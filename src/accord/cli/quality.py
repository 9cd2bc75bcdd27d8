"""``accord quality``: aggregate labels and measure agreement from a CSV file.

The CSV's first three columns are item, annotator and value (header names are free); an empty
value is a missing annotation. Reading and writing the files, and ``aggregate`` itself, live in
`accord.cli.quality_csv` (typer-free, so that ``accord quality aggregate`` can run before typer
is loaded); this module is the typer side of both commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from accord.cli.quality_csv import (
    METHODS,
    NUMERIC_METHODS,
    InputProblem,
    Method,
    aggregate_file,
    header_of,
    numbers,
    read_annotations,
    read_arrow,
    read_checked,
)

if TYPE_CHECKING:  # the numeric stack loads only when a quality command runs
    from accord.quality import Categorical, Numeric
    from accord.quality.agreement import AgreementReport

__all__ = [
    "METHODS",
    "NUMERIC_METHODS",
    "Level",
    "Method",
    "aggregate",
    "agreement",
    "app",
    "fail",
    "header_of",
    "read_annotations",
    "read_arrow",
    "read_checked",
]

app = typer.Typer(help="Agreement and truth inference on (item, annotator, value) CSV files.")


class Level(StrEnum):
    nominal = "nominal"
    ordinal = "ordinal"
    interval = "interval"


def fail(message: str) -> NoReturn:
    """Print a one-line reason on stderr and exit with status 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def _reported() -> Iterator[None]:
    """A problem with the input or output file as the one-line failure."""
    try:
        yield
    except InputProblem as exc:
        fail(str(exc))


@app.command()
def aggregate(
    file: Path = typer.Argument(..., help="CSV: item, annotator, value (header names free)."),
    method: Method = typer.Option(
        Method.ds,
        "--method",
        "-m",
        help="Categories: mv, wawa, ds (default: most accurate in general), onecoin, glad or "
        "mace. Ratings and other numbers: mean, median or robust (Huber, annotator bias "
        "removed).",
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write here (default: stdout)."
    ),
) -> None:
    """Infer one value per item: ``item,value,confidence`` for categories, ``item,value,spread,n``
    for numbers (spread: standard deviation for mean and robust, median absolute deviation for
    median; empty for an item rated once)."""
    with _reported():
        aggregate_file(file, method, output)


def _rows(data: Categorical | Numeric) -> tuple[Any, Any, Any]:
    """Encoded annotations back as (items, annotators, values) rows."""
    from accord.quality import Numeric

    values = data.value if isinstance(data, Numeric) else data.classes[data.label]
    return data.items[data.item], data.annotators[data.annotator], values


def _format(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.4f}"


def _print_report(file: Path, report: AgreementReport) -> None:
    import numpy as np

    typer.echo(
        f"{file}: {report.n_annotations} annotations, {report.n_items} items, "
        f"{report.n_annotators} annotators, {report.n_classes} distinct values; "
        f"level {report.level}"
    )
    for name, value in report.figures.items():
        line = f"  {name:<20} {_format(value)}"
        if name in report.intervals:
            low, high = report.intervals[name]
            line += f"   [{low:.4f}, {high:.4f}]"
        if name in report.reasons:
            line += f"   ({report.reasons[name]})"
        typer.echo(line)
    kappa = report.pairs.kappa[~np.isnan(report.pairs.kappa)]
    if kappa.size:
        typer.echo(
            f"  pairs of annotators  {report.pairs.kappa.shape[0]} "
            f"(Cohen's kappa median {np.median(kappa):.4f}, min {kappa.min():.4f})"
        )
    agree = report.annotator_agreement
    ranked = np.argsort(np.where(np.isnan(agree), np.inf, agree))[:5]
    shown = [
        f"{report.annotator_ids[a]} ({agree[a]:.3f})" for a in ranked if not np.isnan(agree[a])
    ]
    if shown:
        typer.echo("  least agreeing annotators: " + ", ".join(shown))


@app.command()
def agreement(
    file: Path = typer.Argument(..., help="CSV: item, annotator, value (header names free)."),
    level: Level = typer.Option(
        Level.nominal, "--level", "-l", help="nominal, ordinal or interval."
    ),
    bootstrap: int = typer.Option(0, "--bootstrap", help="Bootstrap resamples for 95% intervals."),
) -> None:
    """Print Krippendorff's alpha, percent agreement, Fleiss' kappa and Gwet's AC1."""

    from accord.quality import agreement_report

    with _reported():
        categories = read_annotations(file)
        data: Categorical | Numeric = categories
        if level is not Level.nominal:
            data = numbers(
                categories,
                file,
                f"{level.value} agreement needs numbers (use --level nominal for categories)",
            )
    try:
        report = agreement_report(_rows(data), level.value, n_boot=bootstrap)
    except ValueError as exc:
        fail(f"{file}: {exc}")
    _print_report(file, report)
