"""The ``image`` field kind: a media reference, or ``{src, width, height}``."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from accord.kinds import FIELD_KINDS
from accord.kinds.fields.image import MAX_SIDE, image_size
from accord.kinds.interface import parse_interface
from tests.kinds.fuzz import field, json_values

KIND = FIELD_KINDS["image"]
CHECK = KIND.data_check(field("image"))


@pytest.mark.parametrize(
    "value",
    [
        "s3://bucket/train/0001.jpg",
        "file:///data/media/projects/1/a.png",
        "https://example.org/a.webp",
        "http://example.org/a.tif",
        {"src": "s3://bucket/key.jpg"},
        {"src": "s3://bucket/key.jpg", "width": 640, "height": 480},
        {"src": "s3://bucket/key.jpg", "width": MAX_SIDE, "height": 1},
    ],
)
def test_accepts_references(value: Any) -> None:
    assert CHECK(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty; give a media reference (s3://bucket/key, file:///path, https://...)"),
        (
            "a.jpg",
            "'a.jpg' is not a media reference; use s3://bucket/key, file:///abs/path "
            "(inside the storage's media/ folder) or http(s)://host/path",
        ),
        ("s3://bucket", "'s3://bucket' names no bucket or no key; use s3://bucket/key"),
        ("s3:///key", "'s3:///key' names no bucket or no key; use s3://bucket/key"),
        ("https:///a.jpg", "'https:///a.jpg' names no host"),
        ("file:///", "names no file; use file:///abs/path"),
        ("s3://b/k\n", "contains a control character (a line break or tab?)"),
        ("s3://b/" + "k" * 5000, "5007 characters; a media reference has at most 4096"),
        (
            3,
            "expected a media reference (s3://, file:///, http(s)://) or an object "
            '{"src": ..., "width": ..., "height": ...}, got a number',
        ),
        ({"width": 3, "height": 4}, "src: missing; give the media reference"),
        ({"src": 1}, "src: expected a string, got a number"),
        (
            {"src": "x"},
            "src: 'x' is not a media reference; use s3://bucket/key, "
            "file:///abs/path (inside the storage's media/ folder) or http(s)://host/path",
        ),
        (
            {"src": "s3://b/k", "width": 3},
            "height: missing; give width and height together, or neither",
        ),
        (
            {"src": "s3://b/k", "height": 3},
            "width: missing; give width and height together, or neither",
        ),
        (
            {"src": "s3://b/k", "width": 3.0, "height": 4},
            "width: expected a whole number of pixels, got a number",
        ),
        (
            {"src": "s3://b/k", "width": True, "height": 4},
            "width: expected a whole number of pixels, got true",
        ),
        ({"src": "s3://b/k", "width": 0, "height": 4}, "width: 0 is outside 1..50000 pixels"),
        (
            {"src": "s3://b/k", "width": 3, "height": 100_000},
            "height: 100000 is outside 1..50000 pixels",
        ),
        (
            {"src": "s3://b/k", "thumb": "x"},
            "unknown key 'thumb'; an image object has src, width and height",
        ),
    ],
)
def test_refuses_with_a_reason(value: Any, message: str) -> None:
    assert CHECK(value) == message


def test_image_size() -> None:
    data = {"a": {"src": "s3://b/k", "width": 640, "height": 480}, "b": "s3://b/k"}
    assert image_size(data, "a") == (640, 480)
    assert image_size(data, "b") is None
    assert image_size(data, "missing") is None
    assert image_size({"a": {"src": "s3://b/k"}}, "a") is None
    assert image_size({"a": {"src": "s3://b/k", "width": True, "height": 2}}, "a") is None


def test_an_interface_checks_image_rows() -> None:
    iface = parse_interface({"fields": [{"name": "img", "kind": "image"}]})
    check = iface.row_check()
    assert check({"img": "s3://b/k.jpg"}) is None
    assert check({"img": {"src": "s3://b/k.jpg", "width": 0, "height": 2}}) == (
        "img",
        "width: 0 is outside 1..50000 pixels",
    )
    assert check({}) == ("img", "missing; every task needs this field")


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_never_crashes(value: Any) -> None:
    found = CHECK(value)
    assert found is None or (isinstance(found, str) and found)
    image_size({"f": value}, "f")
