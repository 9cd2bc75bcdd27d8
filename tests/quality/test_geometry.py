import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.quality import box_iou, polygon_area, polygon_iou, rotated_box_iou
from accord.quality.polygons import polygon_intersection_area

coord = st.floats(-50, 50, allow_nan=False)
size = st.floats(0.5, 40, allow_nan=False)


def test_box_iou_known_values_and_formats() -> None:
    assert box_iou([[0, 0, 2, 2]], [[1, 0, 3, 2]])[0, 0] == pytest.approx(1 / 3)
    assert box_iou([[0, 0, 2, 2]], [[1, 0, 2, 2]], fmt="xywh")[0, 0] == pytest.approx(1 / 3)
    assert box_iou([[0, 0, 1, 1]], [[2, 2, 3, 3]])[0, 0] == 0.0
    assert box_iou([[0, 0, 0, 0]], [[0, 0, 0, 0]])[0, 0] == 0.0  # degenerate: 0, not NaN
    assert box_iou(np.zeros((0, 4)), [[0, 0, 1, 1]]).shape == (0, 1)
    with pytest.raises(ValueError, match="4 numbers"):
        box_iou([[0, 0, 1]], [[0, 0, 1, 1]])


@settings(max_examples=50, deadline=None)
@given(x=coord, y=coord, w=size, h=size, x2=coord, y2=coord, w2=size, h2=size)
def test_box_iou_symmetric_bounded_and_rotation_free_when_angle_zero(
    x: float, y: float, w: float, h: float, x2: float, y2: float, w2: float, h2: float
) -> None:
    a, b = [[x, y, x + w, y + h]], [[x2, y2, x2 + w2, y2 + h2]]
    iou = box_iou(a, b)[0, 0]
    assert iou == pytest.approx(box_iou(b, a)[0, 0])
    assert 0.0 <= iou <= 1.0
    ra = [[x + w / 2, y + h / 2, w, h, 0.0]]
    rb = [[x2 + w2 / 2, y2 + h2 / 2, w2, h2, 0.0]]
    # Polygon clipping and the axis-aligned formula round differently: a sliver overlap of
    # 1e-9 may read as 2e-9 (hypothesis found one), so compare to 1e-6.
    assert rotated_box_iou(ra, rb)[0, 0] == pytest.approx(iou, abs=1e-6)


def test_rotated_box_iou_octagon() -> None:
    iou = rotated_box_iou([[0, 0, 2, 2, 0]], [[0, 0, 2, 2, 45]])[0, 0]
    octagon = 8 * (np.sqrt(2) - 1)
    assert iou == pytest.approx(octagon / (8 - octagon))
    assert rotated_box_iou([[0, 0, 2, 1, 30]], [[0, 0, 2, 1, 210]])[0, 0] == pytest.approx(1.0)


def test_polygon_iou_concave_and_shared_edges() -> None:
    square = [(0, 0), (2, 0), (2, 2), (0, 2)]
    ell = [(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)]
    assert polygon_area(ell) == 7.0
    assert polygon_intersection_area(ell, [(0.5, 0.5), (3, 0.5), (3, 3), (0.5, 3)]) == 2.25
    assert polygon_iou(square, square) == pytest.approx(1.0)
    assert polygon_iou(square, [(2, 0), (4, 0), (4, 2), (2, 2)]) == 0.0  # touching edge
    assert polygon_intersection_area(square, [(0, 0), (1, 0), (1, 1), (0, 1)]) == 1.0
    assert polygon_iou(square, square[::-1]) == pytest.approx(1.0)  # orientation-free
    with pytest.raises(ValueError, match="3 vertices"):
        polygon_area([(0, 0), (1, 1)])


@settings(max_examples=40, deadline=None)
@given(
    pts=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=3, max_size=8),
    shift=st.tuples(st.integers(-10, 10), st.integers(-10, 10)),
)
def test_polygon_intersection_symmetric_bounded_and_contained(
    pts: list[tuple[int, int]], shift: tuple[int, int]
) -> None:
    # star-shaped (hence simple) polygon: vertices sorted by angle around their centroid
    arr = np.array(pts, dtype=float) + 0.5
    c = arr.mean(axis=0)
    arr = arr[np.argsort(np.arctan2(arr[:, 1] - c[1], arr[:, 0] - c[0]))]
    if polygon_area(arr) < 1.0 or len({tuple(p) for p in arr.tolist()}) < len(arr):
        return
    other = np.array([[0, 0], [12, 0], [12, 9], [0, 9]], dtype=float) + np.array(shift)
    inter = polygon_intersection_area(arr, other)
    assert inter == pytest.approx(polygon_intersection_area(other, arr), abs=1e-7)
    assert -1e-9 <= inter <= min(polygon_area(arr), polygon_area(other)) + 1e-9
    # the intersection with a box that contains everything is the polygon itself
    big = np.array([[-100, -100], [100, -100], [100, 100], [-100, 100]], dtype=float)
    assert polygon_intersection_area(arr, big) == pytest.approx(polygon_area(arr))
