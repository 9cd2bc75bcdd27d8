"""Accord: make AI training data by hand and prove its quality.

``from accord import Client`` gives the HTTP SDK; it is imported lazily so that the pure
libraries (``accord.quality``, ``accord.kinds``) load without the network stack.
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["AccordError", "Client", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("Client", "AccordError"):
        from accord.sdk import client

        return getattr(client, name)
    raise AttributeError(f"module 'accord' has no attribute {name!r}")
