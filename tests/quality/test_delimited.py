"""The NumPy reader of simple CSV files (`accord.quality.delimited`) encodes exactly as the CSV
readers it stands in for, and declines every file it could not read exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.cli.quality_csv import header_of, read_arrow, read_checked
from accord.quality import Categorical, as_categorical
from accord.quality.delimited import MAX_WIDTH, encode_delimited

FIELDS = ("item", "annotator", "label", "items", "annotators", "classes")
# Letters of one to four UTF-8 bytes, digits, spaces and tabs: no comma, quote or line end.
LETTERS = st.sampled_from(list("ab zZ09-_.\té߀日😀"))


def careful(path: Path) -> Categorical:
    """pandas' reading of the file, encoded by `as_categorical` (the reference)."""
    return as_categorical(read_checked(path, header_of(path)))


def assert_same(fast: Categorical, expected: Categorical) -> None:
    for name in FIELDS:
        got, want = getattr(fast, name), getattr(expected, name)
        assert got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want, name)


def ids(min_size: int) -> st.SearchStrategy[str]:
    return st.text(LETTERS, min_size=min_size, max_size=7).filter(
        lambda s: len(s.encode()) <= MAX_WIDTH
    )


@st.composite
def files(draw: st.DrawFn) -> tuple[str, int]:
    extra = draw(st.integers(0, 2))
    items = draw(st.lists(ids(1), min_size=1, max_size=8, unique=True))
    people = draw(st.lists(ids(1), min_size=1, max_size=5, unique=True))
    values = draw(st.lists(ids(0), min_size=1, max_size=4, unique=True))
    rows = draw(
        st.lists(
            st.tuples(st.sampled_from(items), st.sampled_from(people), st.sampled_from(values)),
            min_size=1,
            max_size=30,
        )
    )
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join([*row, *(["x"] * extra)]) for row in rows]
    header = ",".join(["item", "who", "value", *(f"c{i}" for i in range(extra))])
    last = end if draw(st.booleans()) else ""
    return header + end + end.join(lines) + last, 3 + extra


@settings(max_examples=300, deadline=None)
@given(files())
def test_encodes_as_pandas_and_arrow_read(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, int]
) -> None:
    text, n_columns = case
    path = tmp_path_factory.mktemp("csv") / "labels.csv"
    path.write_bytes(text.encode())
    fast = encode_delimited(path.read_bytes(), n_columns)
    if all(line.split(",")[2] == "" for line in text.splitlines()[1:]):
        assert fast is None  # nothing but missing values: the careful reader says so
        return
    assert fast is not None
    assert_same(fast, careful(path))
    arrow = read_arrow(path, header_of(path))
    assert arrow is not None
    assert_same(fast, arrow)


def test_two_word_ids_sort_by_every_byte(tmp_path: Path) -> None:
    """Ids of 9 to 16 bytes are two 64-bit words: they sort by the second word where the
    first is equal, and shorter ids sort before longer ones they start."""
    names = ["annotator-0001", "annotator-0002", "annotator-000", "annotator", "annotator-1", "b"]
    path = tmp_path / "wide.csv"
    rows = [f"task-{i % 3:08d},{name},{'yes' if i % 2 else 'no'}" for i, name in enumerate(names)]
    path.write_text("item,who,value\n" + "\n".join(rows) + "\n")
    fast = encode_delimited(path.read_bytes(), 3)
    assert fast is not None
    assert list(fast.annotators) == sorted(names)
    assert_same(fast, careful(path))


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ('"a,1",x,yes\n', "a quote"),
        ("a,x,yes\rb,y,no\n", "a lone carriage return"),
        ("a,x,yes\r\nb,y,no\n", "line ends of both kinds"),
        ("a,x,ye\0s\n", "a NUL byte"),
        ("a,x,yes\nb,y\n", "a row with fewer fields"),
        ("a,x,yes,1\n", "a row with more fields"),
        ("a,x,yes\n\nb,y,no\n", "an empty line"),
        ("a,x,yes\n,y,no\n", "an empty item"),
        ("a,,yes\n", "an empty annotator"),
        ("a,x,\nb,y,\n", "no value at all"),
        ("a,x," + "v" * (MAX_WIDTH + 1) + "\n", "a value longer than MAX_WIDTH bytes"),
        ("", "no row"),
    ],
)
def test_declines_what_it_cannot_read_exactly(body: str, why: str) -> None:
    assert encode_delimited(("item,who,value\n" + body).encode(), 3) is None, why


def test_declines_text_that_is_not_utf8() -> None:
    assert encode_delimited(b"item,who,value\na,x,caf\xe9\n", 3) is None


def test_missing_values_drop_their_rows_and_unused_ids() -> None:
    fast = encode_delimited(b"item,who,value\na,x,yes\nb,y,\nc,x,no\n", 3)
    assert fast is not None
    assert list(fast.items) == ["a", "c"] and list(fast.annotators) == ["x"]
    assert list(fast.classes) == ["no", "yes"] and fast.label.tolist() == [1, 0]
