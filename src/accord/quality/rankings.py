"""Rankings: Kendall's distance between two orders (with ties) and the Borda count.

An order lists items best first, either one item per place (``[2, 0, 1]``) or groups of
equally good items (``[[2], [0, 1]]``). Kendall's distance (Kendall, 1938) is the share of item
pairs the two orders put the other way round; a pair tied in one order and not in the other
counts half (the tie penalty ``p = 1/2`` of Fagin et al., 2006, "Comparing partial rankings").
The Borda count (Borda, 1781) gives each item, in each order, one point per item placed below it
and half a point per item tied with it; the consensus sorts items by their (weighted) points.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Sequence
from typing import Any

__all__ = ["borda", "kendall_distance", "places"]


def places(order: Sequence[Any]) -> dict[Hashable, int]:
    """The place (0 = best) of each item of an order given flat or as groups."""
    found: dict[Hashable, int] = {}
    for place, entry in enumerate(order):
        for item in entry if isinstance(entry, list | tuple) else (entry,):
            found[item] = place
    return found


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def kendall_distance(first: Sequence[Any], second: Sequence[Any]) -> float:
    """The share in [0, 1] of item pairs the two orders disagree on (a tie against an order: 1/2).

    Only items both orders rank are compared; 0 when fewer than two are.
    """
    a, b = places(first), places(second)
    items = [item for item in a if item in b]
    n = len(items)
    if n < 2:
        return 0.0
    disagree = 0
    for i in range(n):
        ai, bi = a[items[i]], b[items[i]]
        for j in range(i + 1, n):
            disagree += abs(_sign(ai - a[items[j]]) - _sign(bi - b[items[j]]))
    return disagree / (n * (n - 1))  # each |difference| is 0, 1 or 2; pairs = n(n-1)/2


def borda(
    orders: Sequence[Sequence[Any]], weights: Sequence[float] | None = None, ties: bool = False
) -> list[Any]:
    """The Borda consensus of ``orders``: items by falling weighted points (lower index first).

    With ``ties``, items with equal points share a place and the result is a list of groups.
    """
    weight = [1.0] * len(orders) if weights is None else list(weights)
    points: dict[Hashable, float] = {}
    for order, w in zip(orders, weight, strict=True):
        place = places(order)
        count = len(place)
        ranked = sorted(place.values())
        for item, p in place.items():
            below = count - bisect_right(ranked, p)
            tied = bisect_right(ranked, p) - bisect_left(ranked, p) - 1
            points[item] = points.get(item, 0.0) + w * (below + 0.5 * tied)
    by_points = sorted(points, key=lambda item: (-points[item], _key(item)))
    if not ties:
        return by_points
    groups: list[list[Any]] = []
    for item in by_points:
        if groups and abs(points[groups[-1][0]] - points[item]) < 1e-9:
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def _key(item: Any) -> tuple[int, Any]:
    return (0, item) if isinstance(item, int | float) else (1, str(item))
