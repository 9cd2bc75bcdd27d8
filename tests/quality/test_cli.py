import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from accord.cli.quality import app

from .conftest import simulate

runner = CliRunner()


@pytest.fixture()
def crowd_csv(tmp_path: Path) -> Path:
    df, _ = simulate(n_items=200, seed=41)
    df = df.rename(columns={"task": "question", "worker": "rater", "label": "answer"})
    df["answer"] = "c" + df["answer"].astype(str)
    df.loc[3, "answer"] = ""  # a missing value
    path = tmp_path / "crowd.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("method", ["mv", "wawa", "ds", "onecoin", "glad", "mace"])
def test_aggregate_writes_item_value_confidence(
    crowd_csv: Path, tmp_path: Path, method: str
) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["aggregate", str(crowd_csv), "--method", method, "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns) == ["item", "value", "confidence"]
    assert len(table) == 200 and table["value"].str.startswith("c").all()
    assert table["confidence"].between(0, 1).all()


def test_aggregate_to_stdout_default_method(crowd_csv: Path) -> None:
    result = runner.invoke(app, ["aggregate", str(crowd_csv)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "item,value,confidence"


def test_agreement_prints_figures(crowd_csv: Path) -> None:
    result = runner.invoke(app, ["agreement", str(crowd_csv)])
    assert result.exit_code == 0, result.output
    for name in ("krippendorff_alpha", "percent_agreement", "fleiss_kappa", "gwet_ac1"):
        assert name in result.stdout


def test_agreement_interval_and_bootstrap(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    rng = np.random.default_rng(0)
    rows = [(i, a, round(float(i % 5 + rng.normal(0, 0.3)), 2)) for i in range(50) for a in "xyz"]
    pd.DataFrame(rows, columns=["i", "a", "v"]).to_csv(path, index=False)
    result = runner.invoke(
        app, ["agreement", str(path), "--level", "interval", "--bootstrap", "50"]
    )
    assert result.exit_code == 0, result.output
    assert "[" in result.stdout  # interval shown


def _error(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    return lines[0]


def test_errors_say_what_where_and_what_to_do(tmp_path: Path) -> None:
    assert "no such file" in _error(["aggregate", str(tmp_path / "missing.csv")])
    two = tmp_path / "two.csv"
    two.write_text("a;b;c\n1;2;3\n")
    assert "line 1" in _error(["agreement", str(two)]) and "delimiter" in _error(
        ["agreement", str(two)]
    )
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("item,who,value\n1,a,x\n2,b,y,z\n")
    message = _error(["aggregate", str(ragged)])
    assert "line 3" in message and "found 4" in message
    text = tmp_path / "text.csv"
    text.write_text("item,who,value\n1,a,3\n1,b,high\n")
    message = _error(["agreement", str(text), "--level", "ordinal"])
    assert "line 3, column 3" in message and "--level nominal" in message
    empty_id = tmp_path / "id.csv"
    empty_id.write_text("item,who,value\n1,,3\n")
    assert "column 2 (who)" in _error(["aggregate", str(empty_id)])
    header_only = tmp_path / "h.csv"
    header_only.write_text("item,who,value\n")
    assert "no rows" in _error(["aggregate", str(header_only)])
    missing = tmp_path / "m.csv"
    missing.write_text("item,who,value\n1,a,\n")
    assert "no annotations" in _error(["aggregate", str(missing)])


def test_numeric_methods_write_value_spread_and_count(tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    rows = [(f"i{i}", rater, i % 5 + 0.5 * k) for i in range(30) for k, rater in enumerate("xyz")]
    rows.append(("alone", "x", 4))
    frame = pd.DataFrame(rows, columns=["item", "rater", "score"])
    frame.loc[0, "score"] = None  # a missing rating: left out
    frame.to_csv(path, index=False)
    expected = frame.dropna().groupby("item")["score"]
    for method, value, spread in (
        ("mean", expected.mean(), expected.std(ddof=1)),
        ("median", expected.median(), None),
        ("robust", None, None),
    ):
        out = tmp_path / f"{method}.csv"
        result = runner.invoke(app, ["aggregate", str(path), "--method", method, "-o", str(out)])
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out, index_col="item")
        assert list(table.columns) == ["value", "spread", "n"]
        assert table.loc["i0", "n"] == 2 and table.loc["i1", "n"] == 3
        assert table.loc["alone", "n"] == 1 and pd.isna(table.loc["alone", "spread"])
        if value is not None:
            np.testing.assert_allclose(table["value"], value.loc[table.index])
        if spread is not None:
            np.testing.assert_allclose(
                table["spread"], spread.loc[table.index], rtol=1e-5, equal_nan=True
            )
    words = tmp_path / "words.csv"
    words.write_text("item,who,value\n1,a,3\n1,b,high\n")
    message = _error(["aggregate", str(words), "--method", "median"])
    assert "line 3, column 3" in message and "'high' is not a number" in message
    assert "--method median needs numbers" in message


def test_the_fast_reader_reads_what_pandas_reads(tmp_path: Path, crowd_csv: Path) -> None:
    """Arrow's reader (the fast path) and pandas' (the careful one) encode a file alike:
    quoted commas and newlines, missing values, ids no longer used once those are dropped."""
    from accord.cli.quality_csv import header_of, read_arrow, read_checked
    from accord.quality import as_categorical

    tricky = tmp_path / "tricky.csv"
    tricky.write_text(
        'item,who,value,extra\n"a,1",x,"yes, really",1\n"a,1",y,no,2\nb,x,"multi\nline",3\n'
        "c,z,,4\nb,y,no,5\n"
    )
    for path in (crowd_csv, tricky):
        fast = read_arrow(path, header_of(path))
        careful = as_categorical(read_checked(path, header_of(path)))
        assert fast is not None
        for name in ("item", "annotator", "label", "items", "annotators", "classes"):
            np.testing.assert_array_equal(getattr(fast, name), getattr(careful, name), name)
    assert "c" not in list(fast.items) and "z" not in list(fast.annotators)


def _accord(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command line, as ``python -m accord.cli.main`` runs it."""
    return subprocess.run(
        [sys.executable, "-m", "accord.cli.main", *args], capture_output=True, text=True
    )


# Which modules a plain `accord quality aggregate` must not load: typer and the readers it
# does not need (start-up was a third of its time on a million rows).
PROBE = """
import atexit, sys
from accord.cli.main import app
atexit.register(lambda: print(sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr))
sys.argv = ["accord", *sys.argv[1:]]
app()
"""
HEAVY = ("typer", "click", "pyarrow", "pandas", "scipy")


def test_aggregate_runs_without_typer_and_writes_what_typer_does(
    crowd_csv: Path, tmp_path: Path
) -> None:
    quick = tmp_path / "quick.csv"
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), "quality", "aggregate",
         str(crowd_csv), "-m", "ds", "--output", str(quick)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"wrote 200 items to {quick} (ds)", "[]"]
    typed = tmp_path / "typed.csv"
    result = runner.invoke(app, ["aggregate", str(crowd_csv), "--method", "ds", "-o", str(typed)])
    assert result.exit_code == 0, result.output
    assert quick.read_bytes() == typed.read_bytes()
    stdout = _accord("quality", "aggregate", "--method=ds", str(crowd_csv))
    assert stdout.returncode == 0 and stdout.stdout == typed.read_text()


def test_aggregate_fails_alike_with_and_without_typer(tmp_path: Path) -> None:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("item,who,value\n1,a,x\n2,b,y,z\n")
    for path in (ragged, tmp_path / "missing.csv"):
        quick = _accord("quality", "aggregate", str(path))
        typed = runner.invoke(app, ["aggregate", str(path)])
        assert quick.returncode == typed.exit_code == 1
        assert quick.stderr == typed.stderr and quick.stderr.startswith("error: ")


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["FILE", "--method", "nope"],
        ["FILE", "FILE"],
        ["FILE", "--bogus"],
        ["FILE", "-m"],
        ["FILE", "-mds"],
        [],
    ],
)
def test_other_arguments_go_to_typer(crowd_csv: Path, args: list[str]) -> None:
    """The quick path takes only what typer would parse the same way; for anything else typer
    answers as always (its help, its usage errors)."""
    from accord.cli.quality_csv import quick_aggregate

    args = [str(crowd_csv) if a == "FILE" else a for a in args]
    assert quick_aggregate(["quality", "aggregate", *args]) is None
    quick = _accord("quality", "aggregate", *args)
    typed = runner.invoke(app, ["aggregate", *args])
    assert quick.returncode == typed.exit_code  # 0 for help and -mds, 2 for a usage error
    assert quick.returncode in (0, 2), quick.stderr


def test_probabilities_are_written_as_percent_six_f() -> None:
    from accord.cli.quality_csv import probabilities_text

    rng = np.random.default_rng(3)
    ties = (np.arange(2000) + 0.5) / 1e6  # exactly halfway between two sixth decimals
    values = np.concatenate([rng.random(5000), ties, [0.0, 1.0, 1e-7, 0.9999995, 5e-7]])
    assert probabilities_text(values) == ["%.6f" % v for v in values]  # noqa: UP031 (as before)
    assert probabilities_text(np.array([np.nan, 0.5])) == ["", "0.500000"]


def test_fields_that_need_quotes_are_quoted(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('item,who,value\n"a,1",x,"yes, really"\n"a,1",y,"yes, really"\n')
    result = runner.invoke(app, ["aggregate", str(path), "-m", "mv"])
    assert result.exit_code == 0, result.output
    assert result.stdout == 'item,value,confidence\n"a,1","yes, really",1.000000\n'
