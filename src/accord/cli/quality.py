"""``accord quality``: aggregate labels and measure agreement from a CSV file.

The CSV's first three columns are item, annotator and value (header names are free); an empty
value is a missing annotation. The file is read by Arrow's multi-threaded CSV reader and encoded
there (dictionary encoding), a million rows in a fraction of a second; a file it cannot read
(a row with more columns than the header, text that is not UTF-8, an empty id) is read again by
pandas, whose errors say on which line and column the problem is.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:  # the numeric stack loads only when a quality command runs
    from accord.quality import Aggregation, Categorical, Numeric, NumericConsensus
    from accord.quality.agreement import AgreementReport

app = typer.Typer(help="Agreement and truth inference on (item, annotator, value) CSV files.")


class Method(StrEnum):
    mv = "mv"
    wawa = "wawa"
    ds = "ds"
    onecoin = "onecoin"
    glad = "glad"
    mace = "mace"
    mean = "mean"
    median = "median"
    robust = "robust"


NUMERIC_METHODS = frozenset({Method.mean, Method.median, Method.robust})


class Level(StrEnum):
    nominal = "nominal"
    ordinal = "ordinal"
    interval = "interval"


def fail(message: str) -> NoReturn:
    """Print a one-line reason on stderr and exit with status 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        first = handle.readline()
    if not first.strip():
        fail(f"{path}, line 1: the file is empty; expected a header row item,annotator,value")
    return next(csv.reader([first]))


def _read_pandas(path: Path, n_cols: int) -> tuple[Any, Any, Any]:
    import pandas as pd

    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            want, line, saw = found.groups()
            fail(
                f"{path}, line {line}: expected {want} columns like the header, found {saw}; "
                "quote values that contain commas"
            )
        fail(f"{path}: cannot parse the CSV ({exc}); check quoting and the delimiter (comma)")
    except UnicodeDecodeError as exc:
        fail(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8")
    return (frame.iloc[:, 0].to_numpy(), frame.iloc[:, 1].to_numpy(), frame.iloc[:, 2].to_numpy())


def read_annotations(path: Path) -> Categorical:
    """The annotations of ``path``, encoded (ids and values in sorted order); an empty value
    is a missing annotation. Fails with the line and column of the first problem."""
    if not path.is_file():
        fail(f"{path}: no such file; check the path")
    header = _header(path)
    if len(header) < 3:
        fail(
            f"{path}, line 1: expected at least 3 columns (item, annotator, value), "
            f"found {len(header)} ({','.join(header)}); is the delimiter a comma?"
        )
    fast = _read_arrow(path, header)
    if fast is not None:
        return fast
    items, annotators, values = _read_checked(path, header)
    from accord.quality import as_categorical

    try:
        return as_categorical((items, annotators, values))
    except ValueError as exc:
        fail(f"{path}: {exc}")


def _read_checked(path: Path, header: list[str]) -> tuple[Any, Any, Any]:
    """Item, annotator and value columns read by pandas (empty values as ``None``), or the
    failure naming the line and column at fault."""
    import numpy as np

    items, annotators, values = _read_pandas(path, len(header))
    values = np.asarray(values, dtype=object)
    values[values == ""] = None
    if items.shape[0] == 0:
        fail(f"{path}: no rows after the header; nothing to compute")
    blank = np.flatnonzero((np.asarray(items) == "") | (np.asarray(annotators) == ""))
    if blank.size:
        column = 1 if items[blank[0]] == "" else 2
        name = header[column - 1]
        fail(
            f"{path}, line {blank[0] + 2}, column {column} ({name}): empty id; "
            "fill it in or drop the row"
        )
    return items, annotators, values


def _read_arrow(path: Path, header: list[str]) -> Categorical | None:
    """The file read and encoded by Arrow, or None when Arrow cannot read it as it is (then
    pandas reads it again, to say where the problem is)."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if len(set(header)) != len(header):
        return None
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                include_columns=header[:3],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if table.num_rows == 0:
        return None
    import numpy as np

    from accord.quality import Categorical

    (item_ids, item), (annotator_ids, annotator), (classes, label) = (
        _encoded(table.column(i)) for i in range(3)
    )
    if item_ids[0] == "" or annotator_ids[0] == "":
        return None  # an empty id: pandas says where
    if classes[0] == "":  # empty values are missing annotations: drop their rows
        keep = label != 0
        if not keep.any():
            return None
        item, annotator, label = item[keep], annotator[keep], label[keep] - 1
        classes = classes[1:]
        item_ids, item = _dense(item_ids, item)
        annotator_ids, annotator = _dense(annotator_ids, annotator)
    return Categorical(item, annotator, item_ids, annotator_ids, label, np.asarray(classes))


def _encoded(column: Any) -> tuple[Any, Any]:
    """A column's distinct values in sorted order (as ``np.unique`` sorts them) and each row's
    index among them."""
    import numpy as np
    import pyarrow.compute as pc

    encoded = column.combine_chunks().dictionary_encode()
    # Sorted by Arrow, in C++: UTF-8 bytes sort in code point order, as Python's str does.
    # (Arrow arrays throughout: handing Arrow a NumPy array, or asking it for one, imports
    # pandas, 0.14 s of a 1 s run.)
    sorting = pc.array_sort_indices(encoded.dictionary)
    order = _indices(sorting).astype(np.intp)
    values = np.empty(len(encoded.dictionary), dtype=object)
    values[:] = encoded.dictionary.take(sorting).to_pylist()
    rank = np.empty_like(order)
    rank[order] = np.arange(order.shape[0], dtype=np.intp)
    return values, rank[_indices(encoded.indices)]


def _indices(indices: Any) -> Any:
    """A dictionary's index array (no nulls) as NumPy, read from its buffer: Arrow's own
    ``to_numpy`` imports pandas, which took 0.14 s of a 1 s run."""
    import numpy as np

    dtype = np.dtype(f"int{indices.type.bit_width}")
    start = indices.offset * dtype.itemsize
    return np.frombuffer(indices.buffers()[1], dtype=dtype, count=len(indices), offset=start)


def _dense(ids: Any, codes: Any) -> tuple[Any, Any]:
    """Drop the ids no row uses any more, and renumber the codes."""
    import numpy as np

    used = np.bincount(codes, minlength=ids.shape[0]) > 0
    if used.all():
        return ids, codes
    remap = np.cumsum(used) - 1
    return ids[used], remap[codes].astype(np.intp)


def _numbers(data: Categorical, path: Path, why: str) -> Numeric:
    """The values as numbers, or the failure naming the first line whose value is not one."""
    from accord.quality import as_numeric

    try:
        return as_numeric(data)
    except ValueError:
        pass
    _, _, values = _read_checked(path, _header(path))
    for row, value in enumerate(values):
        if value is None:
            continue
        try:
            float(value)
        except ValueError:
            fail(f"{path}, line {row + 2}, column 3: {value!r} is not a number; {why}")
    fail(f"{path}: the values are not numbers; {why}")


# Each method's function, imported when it runs: GLAD alone would load SciPy's optimisers.
METHODS = {
    Method.mv: "majority_vote",
    Method.wawa: "wawa",
    Method.ds: "dawid_skene",
    Method.onecoin: "one_coin_dawid_skene",
    Method.glad: "glad",
    Method.mace: "mace",
}


def _aggregate(method: Method, data: Categorical) -> Aggregation:
    import accord.quality

    run: Callable[..., Aggregation] = getattr(accord.quality, METHODS[method])
    return run(data)


def _consensus(method: Method, data: Numeric) -> NumericConsensus:
    import numpy as np

    from accord.quality import NumericConsensus, item_mean, item_median, robust_mean

    if method == Method.mean:
        return item_mean(data)
    if method == Method.median:
        return item_median(data)
    fit = robust_mean(data)
    counts = np.bincount(data.item, minlength=data.n_items)
    # The spread of an item's ratings around its robust value (annotators' biases removed).
    spread = np.where(counts > 1, fit.stderr * np.sqrt(counts), np.nan)
    return NumericConsensus(fit.items, fit.values, spread, counts)


def _write_rows(header: list[str], columns: list[list[str]], out: Path | None) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(zip(*columns, strict=True))
    if out is None:
        sys.stdout.write(buffer.getvalue())
        return
    try:
        out.write_text(buffer.getvalue(), encoding="utf-8")
    except OSError as exc:
        fail(f"{out}: cannot write the output ({exc.strerror}); check the folder exists")


def _numbers_text(values: Any, digits: str = "%.10g") -> list[str]:
    """Numbers as CSV text, NaN (undefined) as an empty cell."""
    import numpy as np

    text = np.char.mod(digits, values)
    text[np.isnan(values)] = ""
    return list(text.tolist())


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
    data = read_annotations(file)
    if method in NUMERIC_METHODS:
        why = f"--method {method.value} needs numbers (use ds or mv for categories)"
        numbers = _numbers(data, file, why)
        found = _consensus(method, numbers)
        _write_rows(
            ["item", "value", "spread", "n"],
            [
                found.items.tolist(),
                _numbers_text(found.values),
                _numbers_text(found.spread, "%.6g"),
                found.counts.tolist(),
            ],
            output,
        )
        n_items = int(found.items.shape[0])
    else:
        try:
            result = _aggregate(method, data)
        except ValueError as exc:
            fail(f"{file}: {exc}")
        _write_rows(
            ["item", "value", "confidence"],
            [
                result.items.tolist(),
                result.labels.tolist(),
                _numbers_text(result.confidence, "%.6f"),
            ],
            output,
        )
        n_items = int(result.items.shape[0])
    if output is not None:
        typer.echo(f"wrote {n_items} items to {output} ({method.value})", err=True)


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

    categories = read_annotations(file)
    data: Categorical | Numeric = categories
    if level is not Level.nominal:
        data = _numbers(
            categories,
            file,
            f"{level.value} agreement needs numbers (use --level nominal for categories)",
        )
    try:
        report = agreement_report(_rows(data), level.value, n_boot=bootstrap)
    except ValueError as exc:
        fail(f"{file}: {exc}")
    _print_report(file, report)
