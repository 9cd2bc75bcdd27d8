"""The CSV side of ``accord quality``: reading annotations, writing results, and ``accord quality
aggregate`` itself, without typer (`quick_aggregate` runs it before typer is even imported).

The CSV's first three columns are item, annotator and value (header names are free); an empty
value is a missing annotation. A file is read by the first of these that can:

1. `accord.quality.delimited`: NumPy on the file's bytes, for files without quotes whose ids
   are short (a million rows in well under 0.1 s, and nothing to import but NumPy);
2. Arrow's multi-threaded CSV reader, encoded there (dictionary encoding);
3. pandas, whose errors say on which line and column the problem is (a row with more columns
   than the header, text that is not UTF-8, an empty id): each fast reader declines such files.

All three give the same encoding (ids and values in sorted order, rows of missing values
dropped), which the tests check.
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

if TYPE_CHECKING:  # the numeric stack loads only when a quality command runs
    from accord.quality import Aggregation, Categorical, Numeric, NumericConsensus


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

# Each method's function, imported when it runs: GLAD alone would load SciPy's optimisers.
METHODS = {
    Method.mv: "majority_vote",
    Method.wawa: "wawa",
    Method.ds: "dawid_skene",
    Method.onecoin: "one_coin_dawid_skene",
    Method.glad: "glad",
    Method.mace: "mace",
}


class InputProblem(Exception):
    """What is wrong with a file given to ``accord quality``, where, and what to do: the
    command prints it as its one-line failure (``error: ...``, exit status 1)."""


def fail(message: str) -> NoReturn:
    raise InputProblem(message)


def header_of(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        first = handle.readline()
    if not first.strip():
        fail(f"{path}, line 1: the file is empty; expected a header row item,annotator,value")
    return next(csv.reader([first]))


def _read_pandas(path: Path) -> tuple[Any, Any, Any]:
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
    header = header_of(path)
    if len(header) < 3:
        fail(
            f"{path}, line 1: expected at least 3 columns (item, annotator, value), "
            f"found {len(header)} ({','.join(header)}); is the delimiter a comma?"
        )
    from accord.quality.delimited import encode_delimited

    fast = encode_delimited(path.read_bytes(), len(header))
    if fast is None:
        fast = read_arrow(path, header)
    if fast is not None:
        return fast
    items, annotators, values = read_checked(path, header)
    from accord.quality import as_categorical

    try:
        return as_categorical((items, annotators, values))
    except ValueError as exc:
        fail(f"{path}: {exc}")


def read_checked(path: Path, header: list[str]) -> tuple[Any, Any, Any]:
    """Item, annotator and value columns read by pandas (empty values as ``None``), or the
    failure naming the line and column at fault."""
    import numpy as np

    items, annotators, values = _read_pandas(path)
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


def read_arrow(path: Path, header: list[str]) -> Categorical | None:
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
    from accord.quality.delimited import categorical_from_codes

    items, annotators, labels = (_encoded(table.column(i)) for i in range(3))
    if items[0][0] == "" or annotators[0][0] == "":
        return None  # an empty id: pandas says where
    return categorical_from_codes(items, annotators, labels)


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


def numbers(data: Categorical, path: Path, why: str) -> Numeric:
    """The values as numbers, or the failure naming the first line whose value is not one."""
    from accord.quality import as_numeric

    try:
        return as_numeric(data)
    except ValueError:
        pass
    _, _, values = read_checked(path, header_of(path))
    for row, value in enumerate(values):
        if value is None:
            continue
        try:
            float(value)
        except ValueError:
            fail(f"{path}, line {row + 2}, column 3: {value!r} is not a number; {why}")
    fail(f"{path}: the values are not numbers; {why}")


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


_NEEDS_QUOTES = (",", '"', "\r", "\n")


def write_rows(header: list[str], columns: list[list[Any]], out: Path | None) -> None:
    """The rows as CSV to ``out`` (default: stdout). Fields are joined directly unless one
    needs quoting, then the csv module writes them (quoting only those)."""
    joined = []
    for index, column in enumerate(columns):
        try:
            joined.append("".join(column))
        except TypeError:  # not all strings (numbers as ids): as the csv module writes them
            columns[index] = column = list(map(str, column))
            joined.append("".join(column))
    if any(mark in text for text in joined for mark in _NEEDS_QUOTES):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))
        text = buffer.getvalue()
    else:
        text = ",".join(header) + "\n" + _joined(columns)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"{out}: cannot write the output ({exc.strerror}); check the folder exists")


def _joined(columns: list[list[Any]]) -> str:
    """Rows of fields that need no quoting, as CSV lines."""
    rows = len(columns[0]) if columns else 0
    parts: list[str] = [","] * (2 * len(columns) * rows)
    for index, column in enumerate(columns):
        if len(column) != rows:
            raise ValueError(f"columns differ in length: {len(column)} and {rows}")
        parts[2 * index :: 2 * len(columns)] = column
    parts[2 * len(columns) - 1 :: 2 * len(columns)] = ["\n"] * rows
    return "".join(parts)


def numbers_text(values: Any, digits: str = "%.10g") -> list[str]:
    """Numbers as CSV text, NaN (undefined) as an empty cell."""
    import numpy as np

    text = np.char.mod(digits, values)
    text[np.isnan(values)] = ""
    return list(text.tolist())


def probabilities_text(values: Any) -> list[str]:
    """Probabilities as ``"%.6f"`` would write them, in NumPy: six decimals, rounded as
    Python rounds (the rare values within 1e-6 of a tie at the sixth decimal are written by
    Python itself). Anything outside [0, 1] goes through `numbers_text`."""
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    if values.shape[0] == 0 or not ((values >= 0) & (values <= 1)).all():
        return numbers_text(values, "%.6f")
    scaled = values * 1e6
    micro = np.rint(scaled).astype(np.int64)
    chars = np.empty((values.shape[0], 8), dtype=np.uint8)
    chars[:, 0] = 48 + micro // 1_000_000
    chars[:, 1] = 46  # "."
    rest = micro % 1_000_000
    for position in range(7, 1, -1):
        chars[:, position] = 48 + rest % 10
        rest //= 10
    text = chars.view("S8").ravel().astype("U8").tolist()
    for row in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
        text[row] = f"{values[row]:.6f}"
    return list(text)


def aggregate_file(file: Path, method: Method, output: Path | None) -> None:
    """``accord quality aggregate``: one inferred value per item of ``file``, as CSV."""
    data = read_annotations(file)
    if method in NUMERIC_METHODS:
        why = f"--method {method.value} needs numbers (use ds or mv for categories)"
        found = _consensus(method, numbers(data, file, why))
        write_rows(
            ["item", "value", "spread", "n"],
            [
                found.items.tolist(),
                numbers_text(found.values),
                numbers_text(found.spread, "%.6g"),
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
        write_rows(
            ["item", "value", "confidence"],
            [
                result.items.tolist(),
                result.labels.tolist(),
                probabilities_text(result.confidence),
            ],
            output,
        )
        n_items = int(result.items.shape[0])
    if output is not None:
        print(f"wrote {n_items} items to {output} ({method.value})", file=sys.stderr)


_OPTIONS = {"--method": "method", "-m": "method", "--output": "output", "-o": "output"}


def quick_aggregate(args: list[str]) -> int | None:
    """Run ``accord quality aggregate FILE [--method M] [-o OUT]`` given as ``args`` (the
    command line after ``accord``) and return its exit status; None, having done nothing, for
    any other command or any argument it does not take as typer would (help, an unknown option
    or method, a second file): typer then parses them and answers as always."""
    if len(args) < 3 or args[0] != "quality" or args[1] != "aggregate":
        return None
    found: dict[str, str] = {}
    rest = args[2:]
    while rest:
        arg, rest = rest[0], rest[1:]
        name, _, value = arg.partition("=")
        if name in ("--method", "--output") and value:
            found[_OPTIONS[name]] = value
        elif arg in _OPTIONS and rest and not rest[0].startswith("-"):
            found[_OPTIONS[arg]], rest = rest[0], rest[1:]
        elif arg.startswith("-") or "file" in found or not arg:
            return None
        else:
            found["file"] = arg
    if "file" not in found or found.get("method", "ds") not in set(Method) or "" in found.values():
        return None
    output = Path(found["output"]) if found.get("output") else None
    try:
        aggregate_file(Path(found["file"]), Method(found.get("method", "ds")), output)
    except InputProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
