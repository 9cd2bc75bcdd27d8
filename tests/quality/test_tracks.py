"""Track scores (`accord.quality.tracks`): IDF1 and MOTA against motmetrics, per shape."""

from __future__ import annotations

from typing import Any

import motmetrics as mm
import numpy as np
import pytest

from accord.quality.keypoints import keypoint_oks
from accord.quality.tracks import (
    resample_polygon,
    symmetric_oks,
    track_scores,
    track_states,
)

FRAMES = 60


def _box_track(rng: np.random.Generator, id: str, label: str) -> dict[str, Any]:
    """A box wandering across a 640×480 frame, a keyframe every few frames, sometimes out
    of view for a while."""
    frame = int(rng.integers(0, 20))
    x, y = rng.uniform(0, 500), rng.uniform(0, 360)
    w, h = rng.uniform(30, 120), rng.uniform(30, 120)
    keyframes: list[dict[str, Any]] = []
    while frame < FRAMES:
        if keyframes and rng.random() < 0.15:
            keyframes.append({"frame": frame, "outside": True})
        else:
            keyframes.append({"frame": frame, "x": x, "y": y, "w": w, "h": h})
        frame += int(rng.integers(2, 9))
        x, y = x + rng.normal(0, 15), y + rng.normal(0, 15)
        w, h = max(10.0, w + rng.normal(0, 5)), max(10.0, h + rng.normal(0, 5))
    return {"id": id, "label": label, "keyframes": keyframes}


def _jitter(track: dict[str, Any], rng: np.random.Generator, id: str) -> dict[str, Any]:
    moved = []
    for key in track["keyframes"]:
        if key.get("outside"):
            moved.append(dict(key))
            continue
        s = rng.normal(0, 6, 4)
        moved.append(
            key
            | {"x": key["x"] + s[0], "y": key["y"] + s[1]}
            | {"w": max(5.0, key["w"] + s[2]), "h": max(5.0, key["h"] + s[3])}
        )
    return {"id": id, "label": track["label"], "keyframes": moved}


def scene(seed: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Reference tracks, and a tracker's: jittered, some split in two (an identity switch),
    some missed, some invented."""
    rng = np.random.default_rng(seed)
    gold = [_box_track(rng, f"g{i}", ["car", "person"][i % 2]) for i in range(8)]
    guess: list[dict[str, Any]] = []
    for i, track in enumerate(gold):
        if rng.random() < 0.15:
            continue
        copy = _jitter(track, rng, f"p{i}")
        keys = copy["keyframes"]
        if len(keys) > 3 and rng.random() < 0.4:  # the tracker loses it and starts a new one
            cut = len(keys) // 2
            rest = [k for k in keys[cut:]]
            while rest and rest[0].get("outside"):
                rest.pop(0)
            copy["keyframes"] = keys[:cut]
            if rest:
                guess.append({"id": f"p{i}b", "label": copy["label"], "keyframes": rest})
        guess.append(copy)
    guess += [_box_track(rng, f"x{i}", "car") for i in range(2)]
    rng.shuffle(guess)  # type: ignore[arg-type]
    return gold, guess


def motmetrics_scores(
    gold: list[dict[str, Any]], guess: list[dict[str, Any]], threshold: float
) -> Any:
    """motmetrics' figures for the same tracks, frame by frame, with distance ``1 - IoU`` and
    ``max_iou = 1 - threshold`` (its iou_matrix's rule; boxiou, as iou_matrix needs an older
    numpy), and no pairing across labels."""
    states = [dict(track_states(t, "box", FRAMES)) for t in gold]
    found = [dict(track_states(t, "box", FRAMES)) for t in guess]
    acc = mm.MOTAccumulator()
    for frame in range(FRAMES):
        oids = [i for i, s in enumerate(states) if frame in s]
        hids = [j for j, s in enumerate(found) if frame in s]
        a = np.array([[states[i][frame][k] for k in "xywh"] for i in oids]).reshape(-1, 4)
        b = np.array([[found[j][frame][k] for k in "xywh"] for j in hids]).reshape(-1, 4)
        dist = 1.0 - mm.distances.boxiou(a[:, None, :], b[None, :, :])
        dist[dist > 1.0 - threshold] = np.nan
        for r, i in enumerate(oids):
            for c, j in enumerate(hids):
                if gold[i]["label"] != guess[j]["label"]:
                    dist[r, c] = np.nan
        acc.update(oids, hids, dist.reshape(len(oids), len(hids)), frameid=frame)
    metrics = ["idf1", "idp", "idr", "mota", "num_switches", "num_misses", "num_false_positives"]
    return mm.metrics.create().compute(acc, metrics=metrics, name="x").iloc[0]


@pytest.mark.parametrize(("seed", "threshold"), [(1, 0.5), (2, 0.5), (3, 0.3), (4, 0.7), (5, 0.5)])
def test_scores_agree_with_motmetrics(seed: int, threshold: float) -> None:
    gold, guess = scene(seed)
    ours = track_scores({"tracks": gold}, {"tracks": guess}, "box", FRAMES, threshold)
    theirs = motmetrics_scores(gold, guess, threshold)
    assert ours.idf1 == pytest.approx(theirs["idf1"], abs=1e-12)
    assert ours.idp == pytest.approx(theirs["idp"], abs=1e-12)
    assert ours.idr == pytest.approx(theirs["idr"], abs=1e-12)
    assert ours.misses == theirs["num_misses"]
    assert ours.false_positives == theirs["num_false_positives"]
    assert ours.id_switches == theirs["num_switches"]
    assert ours.mota == pytest.approx(theirs["mota"], abs=1e-12)


def test_the_scenes_exercise_switches_and_errors() -> None:
    """The generated scenes are not trivial: switches, misses and false positives occur."""
    totals = [track_scores(*scene(seed), "box", FRAMES, 0.5) for seed in range(1, 6)]
    assert sum(s.id_switches for s in totals) > 0
    assert all(0 < s.idf1 < 1 and s.misses and s.false_positives for s in totals)


def test_identical_and_empty() -> None:
    gold, _ = scene(7)
    same = track_scores(gold, gold, "box", FRAMES, 0.5)
    assert (same.idf1, same.mota, same.id_switches, same.misses) == (1.0, 1.0, 0, 0)
    assert same.idtp == same.frames_a == same.frames_b > 0
    nothing = track_scores([], [], "box", FRAMES, 0.5)
    assert (nothing.idf1, nothing.mota) == (1.0, 1.0)
    one_sided = track_scores(gold, [], "box", FRAMES, 0.5)
    assert (one_sided.idf1, one_sided.idr, one_sided.mota) == (0.0, 0.0, 0.0)
    assert track_scores([], gold, "box", FRAMES, 0.5).mota == 0.0


def test_labels_never_match_across() -> None:
    gold, _ = scene(8)
    relabelled = [t | {"label": "bus"} for t in gold]
    assert track_scores(gold, relabelled, "box", FRAMES, 0.5).idtp == 0


def test_idf1_is_symmetric() -> None:
    gold, guess = scene(9)
    ahead = track_scores(gold, guess, "box", FRAMES, 0.5)
    back = track_scores(guess, gold, "box", FRAMES, 0.5)
    assert ahead.idf1 == back.idf1 and ahead.idp == back.idr


def _as_polygon(track: dict[str, Any]) -> dict[str, Any]:
    keys = []
    for k in track["keyframes"]:
        if k.get("outside"):
            keys.append(k)
            continue
        x, y, w, h = k["x"], k["y"], k["w"], k["h"]
        outline = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
        keys.append({"frame": k["frame"], "points": outline})
    return track | {"keyframes": keys}


def test_polygons_and_unturned_rotated_boxes_score_as_boxes() -> None:
    gold, guess = scene(10)
    boxes = track_scores(gold, guess, "box", FRAMES, 0.5)
    polygons = [[_as_polygon(t) for t in side] for side in (gold, guess)]
    as_polygons = track_scores(*polygons, "polygon", FRAMES, 0.5)
    assert as_polygons.idtp == boxes.idtp and as_polygons.id_switches == boxes.id_switches
    turned = [
        [
            t
            | {
                "keyframes": [
                    k | ({} if k.get("outside") else {"rotation": 360}) for k in t["keyframes"]
                ]
            }
            for t in side
        ]
        for side in (gold, guess)
    ]
    assert track_scores(*turned, "box", FRAMES, 0.5).idtp == boxes.idtp


def test_rotated_boxes_by_their_outlines() -> None:
    """A square turned 45° against itself unturned: IoU = sqrt(2) / 2 ~ 0.7071."""
    plain = {
        "id": "a",
        "label": "car",
        "keyframes": [{"frame": 0, "x": 0, "y": 0, "w": 10, "h": 10}],
    }
    turned = {"id": "b", "label": "car", "keyframes": [plain["keyframes"][0] | {"rotation": 45}]}
    assert track_scores([plain], [turned], "box", 1, 0.707).idtp == 1
    assert track_scores([plain], [turned], "box", 1, 0.708).idtp == 0


def test_points_by_nearness() -> None:
    a = {"id": "a", "label": "p", "keyframes": [{"frame": 0, "x": 0, "y": 0}]}
    b = {"id": "b", "label": "p", "keyframes": [{"frame": 0, "x": 6, "y": 8}]}  # 10 px away
    assert track_scores([a], [b], "point", 1, 0.5, radius=10).idtp == 1  # 1 - 10 / 20
    assert track_scores([a], [b], "point", 1, 0.5, radius=9).idtp == 0


def test_symmetric_oks_is_keypoint_oks_both_ways() -> None:
    rng = np.random.default_rng(11)
    a = np.concatenate([rng.uniform(0, 100, (5, 17, 2)), rng.integers(0, 3, (5, 17, 1))], axis=2)
    b = a + np.concatenate([rng.normal(0, 4, (5, 17, 2)), np.zeros((5, 17, 1))], axis=2)
    mine = symmetric_oks(a, b)

    def area(p: Any) -> Any:
        seen = p[..., 2] > 0
        wide = np.where(seen, p[..., 0], -np.inf).max(1) - np.where(seen, p[..., 0], np.inf).min(1)
        tall = np.where(seen, p[..., 1], -np.inf).max(1) - np.where(seen, p[..., 1], np.inf).min(1)
        return np.maximum(wide * tall, 1.0)

    theirs = (np.diag(keypoint_oks(a, b, area(a))) + np.diag(keypoint_oks(b, a, area(b)))) / 2
    assert np.allclose(mine, theirs, atol=1e-12)
    tracks = [
        [
            {"id": f"k{i}", "label": "person", "keyframes": [{"frame": 0, "points": p.tolist()}]}
            for i, p in enumerate(side)
        ]
        for side in (a, b)
    ]
    labelled = int((a[..., 2] > 0).any(axis=1).sum())
    assert track_scores(tracks[0], tracks[0], "keypoints", 1, 0.5).idtp == labelled
    jittered = track_scores(*tracks, "keypoints", 1, 0.5)
    assert 0 < jittered.idtp <= labelled


def test_resample_polygon() -> None:
    square = [[0, 0], [4, 0], [4, 4], [0, 4]]
    eight = resample_polygon(square, 8)
    assert eight.tolist() == [[0, 0], [2, 0], [4, 0], [4, 2], [4, 4], [2, 4], [0, 4], [0, 2]]
    assert resample_polygon(square, 4).tolist() == square
    assert resample_polygon([[1, 1], [1, 1], [1, 1]], 4).tolist() == [[1, 1]] * 4
    # a repeated vertex is an edge of length 0: skipped
    assert resample_polygon([[0, 0], [0, 0], [4, 0], [4, 4], [0, 4]], 4).tolist() == square
