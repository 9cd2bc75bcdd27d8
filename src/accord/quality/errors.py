"""Exceptions of :mod:`accord.quality`."""

from __future__ import annotations

__all__ = ["UndefinedStatisticError"]


class UndefinedStatisticError(ValueError):
    """A statistic is 0/0 on this input (e.g. alpha when every value is the same).

    Raised instead of returning NaN, with the reason in the message.
    """
