"""Annotation kinds: one module per kind of field (task data) and of question (answer).

See `accord.kinds.base` for what a kind provides and `accord.kinds.interface` for how a
project's fields and questions are declared and checked.
"""

from accord.kinds.base import Problem
from accord.kinds.interface import Interface, InterfaceError, parse_interface
from accord.kinds.registry import FIELD_KINDS, QUESTION_KINDS

__all__ = [
    "FIELD_KINDS",
    "QUESTION_KINDS",
    "Interface",
    "InterfaceError",
    "Problem",
    "parse_interface",
]
