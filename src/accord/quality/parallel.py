"""Independent pieces of NumPy work shared between two threads.

NumPy releases the GIL inside its gathers, sums and sorts, so on a machine with two cores or
more a second thread takes half of the pieces (the odd ones) while the caller's thread does
the others. Each piece writes only its own part of the result, so the result is the same as
one after the other; small inputs, where starting a thread costs more than it saves, stay on
one thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

__all__ = ["PARALLEL_ROWS", "each"]

PARALLEL_ROWS = 200_000  # rows of input from which the pieces are shared between threads


def each(work: Callable[[int], None], pieces: int, rows: int) -> None:
    """``work(i)`` for ``i`` in ``range(pieces)``: on two threads from `PARALLEL_ROWS` rows on
    a machine with two cores or more, else one after the other. An exception in either thread
    is raised in the caller's."""
    if rows < PARALLEL_ROWS or pieces < 2 or (os.cpu_count() or 1) < 2:
        for i in range(pieces):
            work(i)
        return
    failed: list[BaseException] = []

    def odd() -> None:
        try:
            for i in range(1, pieces, 2):
                work(i)
        except BaseException as exc:  # raised again in the caller's thread
            failed.append(exc)

    helper = threading.Thread(target=odd, name="accord-quality")
    helper.start()
    try:
        for i in range(0, pieces, 2):
            work(i)
    finally:
        helper.join()
    if failed:
        raise failed[0]
