"""The ``masks`` question: one COCO compressed RLE per object."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycocotools import mask as coco_mask

from accord.kinds import QUESTION_KINDS
from accord.kinds.base import Problem
from accord.kinds.questions.masks import check_rle, vote
from accord.quality.masks import encode_counts, rle_decode, rle_encode
from tests.kinds.fuzz import accepts, check_or_problem, near, problem, question

KIND = QUESTION_KINDS["masks"]
H, W = 60, 80
DATA = {"img": {"src": "s3://b/k.jpg", "width": W, "height": H}}


def config(**options: Any) -> Any:
    return question("masks", **{"target": "img", "labels": ["road", "car"]} | options)


def disc(cx: float, cy: float, r: float, shape: tuple[int, int] = (H, W)) -> Any:
    y, x = np.mgrid[: shape[0], : shape[1]]
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def mask(i: int, pixels: Any, label: str = "road", **extra: Any) -> dict[str, Any]:
    return {"id": f"m{i}", "label": label, "rle": rle_encode(pixels)} | extra


def answer(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"objects": list(objects)}


def test_accepts_masks() -> None:
    accepts(config(), answer(mask(0, disc(20, 20, 10)), mask(1, disc(60, 30, 8), "car")), DATA)
    full = np.ones((H, W), dtype=bool)  # starts with a foreground run (counts begin with 0)
    accepts(config(), answer(mask(0, full)), DATA)
    # without a known image size, any size goes
    accepts(config(), answer(mask(0, disc(5, 5, 3, (10, 10)))), {"img": "s3://b/k"})


def test_accepts_what_pycocotools_writes() -> None:
    pixels = np.asfortranarray(disc(30, 25, 12).astype(np.uint8))
    rle = coco_mask.encode(pixels)
    value = {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode()}
    assert value == rle_encode(pixels)
    accepts(config(), answer({"id": "a", "label": "car", "rle": value}), DATA)


@pytest.mark.parametrize(
    ("rle", "path", "message"),
    [
        ("x", "rle", "expected an object with 'counts', 'size'"),
        ({"size": [H, W]}, "rle.counts", "missing"),
        (
            {"size": [H, W], "counts": "1", "area": 3},
            "rle.area",
            "unknown key; expected 'counts', 'size'",
        ),
        ({"size": [H], "counts": "1"}, "rle.size", "expected [height, width], got a list"),
        ({"size": [H, 0], "counts": "1"}, "rle.size[1]", "expected a whole number from 1 to 50000"),
        (
            {"size": [H, True], "counts": "1"},
            "rle.size[1]",
            "expected a whole number from 1 to 50000",
        ),
        (
            {"size": [W, H], "counts": "1"},
            "rle.size",
            "[80, 60] is not the image's [height, width] [60, 80]; encode the mask at the "
            "image's size",
        ),
        (
            {"size": [H, W], "counts": [4800]},
            "rle.counts",
            "expected COCO's compressed RLE string, got a list",
        ),
        ({"size": [H, W], "counts": ""}, "rle.counts", "empty; a mask has at least one run"),
        (
            {"size": [H, W], "counts": "ab~"},
            "rle.counts",
            "not a COCO compressed RLE: use characters '0' to 'o' only",
        ),
        (
            {"size": [H, W], "counts": "é"},
            "rle.counts",
            "not a COCO compressed RLE: use characters '0' to 'o' only",
        ),
        (
            {"size": [H, W], "counts": "0P"},
            "rle.counts",
            "not a COCO compressed RLE: it ends inside a run length",
        ),
        (
            {"size": [H, W], "counts": "PPPPPPPP1"},
            "rle.counts",
            "not a COCO compressed RLE: a run length is too long",
        ),
        (
            {"size": [H, W], "counts": "12"},
            "rle.counts",
            "the runs cover 3 pixels, not height × width = 4800",
        ),
        (
            {"size": [H, W], "counts": rle_encode(np.zeros((H, W)))["counts"]},
            "rle.counts",
            "the mask is empty; remove the object or paint it",
        ),
    ],
)
def test_refuses_with_the_path(rle: Any, path: str, message: str) -> None:
    found = problem(config(), answer({"id": "a", "label": "road", "rle": rle}), DATA)
    assert (found.path, found.message) == (f"objects[0].{path}", message)


def test_negative_runs_are_refused() -> None:
    # run lengths after the third are stored as differences, so a string can decode to a
    # negative run; the total (10 + 5 + 300 - 2) still claims to cover the 313 pixels
    counts = encode_counts(np.array([10, 5, 300, -2]))
    with pytest.raises(Problem) as found:
        check_rle({"size": [1, 313], "counts": counts}, None)
    assert (found.value.path, found.value.message) == (
        "counts",
        "not a COCO compressed RLE: a run length is negative",
    )


def test_distance() -> None:
    c = config()
    a = answer(mask(0, disc(20, 20, 10)), mask(1, disc(60, 30, 8), "car"))
    assert KIND.distance(c, a, a) == 0.0
    moved = answer(mask(0, disc(22, 20, 10)), mask(1, disc(20, 45, 8), "car"))
    assert KIND.distance(c, a, moved) == pytest.approx(0.5)
    assert (
        KIND.distance(c, a, answer(mask(0, disc(60, 30, 8)), mask(1, disc(20, 20, 10), "car")))
        == 1.0
    )
    other_size = answer(mask(0, disc(20, 20, 10, (H + 1, W))))
    assert KIND.distance(c, answer(mask(0, disc(20, 20, 10))), other_size) == 1.0


def test_vote_is_a_weighted_per_pixel_majority() -> None:
    rng = np.random.default_rng(7)
    pixels = [rng.random((H, W)) < 0.5 for _ in range(3)]
    weights = [1.0, 2.0, 1.5]
    found = vote([rle_encode(p) for p in pixels], weights)
    assert found is not None
    expected = sum(w * p for w, p in zip(weights, pixels, strict=True)) > sum(weights) / 2
    assert np.array_equal(rle_decode(found), expected)
    assert vote([rle_encode(pixels[0]), rle_encode(~pixels[0])], [1.0, 1.0]) is None


def test_consensus_of_noisy_copies_is_close_to_the_truth() -> None:
    c = config()
    rng = np.random.default_rng(3)
    truth = [disc(20, 20, 10), disc(60, 30, 8)]
    noisy = []
    for k in range(3):
        flips = [rng.random((H, W)) < 0.03 for _ in truth]
        objects = [
            mask(0, truth[0] ^ (flips[0] & disc(20, 20, 13))),
            mask(1, truth[1] ^ (flips[1] & disc(60, 30, 11)), "car"),
        ]
        if k == 1:
            objects.append(mask(2, disc(70, 50, 5)))  # drawn by one annotator only
        noisy.append(answer(*objects))
    found = KIND.consensus(c, noisy)
    objects = found.answer["objects"]
    assert [o["label"] for o in objects] == ["road", "car"]
    for obj, pixels in zip(objects, truth, strict=True):
        got = rle_decode(obj["rle"])
        assert (got & pixels).sum() / (got | pixels).sum() > 0.97
    assert 0.5 < found.confidence <= 1.0
    accepts(c, found.answer, DATA)


def test_consensus_weights() -> None:
    c = config()
    a, b = disc(20, 20, 10), disc(50, 30, 10)
    found = KIND.consensus(c, [answer(mask(0, a)), answer(mask(0, b))], [1.0, 2.0])
    (obj,) = found.answer["objects"]
    assert np.array_equal(rle_decode(obj["rle"]), b)


objects = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["a", "b"]),
        "label": st.just("road"),
        "rle": near(
            st.fixed_dictionaries(
                {
                    "size": near(st.just([H, W])),
                    "counts": st.one_of(
                        st.text(alphabet=st.characters(min_codepoint=40, max_codepoint=120)),
                        st.just(rle_encode(disc(10, 10, 5))["counts"]),
                    ),
                }
            )
        ),
    }
)


@settings(max_examples=300, deadline=None)
@given(near(st.fixed_dictionaries({"objects": st.lists(near(objects), max_size=3)})))
def test_fuzz_never_crashes(value: Any) -> None:
    c = config()
    if check_or_problem(c, value, DATA):
        assert KIND.distance(c, value, value) == 0.0


def test_a_run_longer_than_the_image_is_refused() -> None:
    with pytest.raises(Problem) as found:
        check_rle({"size": [1, 4], "counts": encode_counts(np.array([0, 5, 0]))}, None)
    assert found.value.message == "a run is longer than height × width = 4 pixels"


def test_all_masks_together_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accord.kinds.questions.masks.MAX_TOTAL_COUNTS", 10)
    two = answer(mask(0, disc(20, 20, 10)), mask(1, disc(60, 30, 8)))
    found = problem(config(), two, DATA)
    assert found.path == "objects"
    assert found.message.startswith("the masks' counts strings add up to more than 10 ")
