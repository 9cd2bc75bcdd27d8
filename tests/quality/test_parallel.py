"""Work shared between two threads (`accord.quality.parallel`): every piece runs once, and a
failure in either thread reaches the caller."""

from __future__ import annotations

import os
import threading

import pytest

from accord.quality import parallel


@pytest.mark.parametrize("rows", [0, 10**12])
def test_every_piece_runs_once(monkeypatch: pytest.MonkeyPatch, rows: int) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_ROWS", rows)
    seen: list[tuple[int, str]] = []
    lock = threading.Lock()

    def work(piece: int) -> None:
        with lock:
            seen.append((piece, threading.current_thread().name))

    parallel.each(work, 5, 1000)
    assert sorted(piece for piece, _ in seen) == [0, 1, 2, 3, 4]
    helpers = {name for _, name in seen} - {threading.current_thread().name}
    threads = rows == 0 and (os.cpu_count() or 1) >= 2
    assert helpers == ({"accord-quality"} if threads else set())


@pytest.mark.parametrize("failing", [0, 1])
def test_a_failure_in_either_thread_reaches_the_caller(
    monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_ROWS", 0)

    def work(piece: int) -> None:
        if piece == failing:
            raise ValueError(f"piece {piece} failed")

    with pytest.raises(ValueError, match=f"piece {failing} failed"):
        parallel.each(work, 2, 1000)
