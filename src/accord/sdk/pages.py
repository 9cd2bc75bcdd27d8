"""Walking the API's keyset-paged lists (``items`` plus ``next_after`` or ``next_before``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class PagedCalls:
    """The one loop every paged list of the SDK goes through (mixed into `Client`)."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _pages(
        self, path: str, params: dict[str, Any], *, cursor: str = "after", limit: int = 500
    ) -> Iterator[dict[str, Any]]:
        """Every item of the list at ``path``, page by page; ``None`` parameters are left out.
        ``cursor`` is the parameter the next page is asked by (``after`` or ``before``)."""
        position: Any = None
        while True:
            asked = {**params, "limit": limit, cursor: position}
            page = self._call("GET", path, params={k: v for k, v in asked.items() if v is not None})
            yield from page["items"]
            position = page[f"next_{cursor}"]
            if position is None:
                return
