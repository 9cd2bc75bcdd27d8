"""How many write transactions a server process runs at once (`ACCORD_DB_WRITERS`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from accord.api.app import create_app
from accord.db.database import default_writers
from accord.settings import Settings


def test_unset_it_is_three_per_core_from_four_to_sixteen() -> None:
    assert [default_writers(cores) for cores in (1, 2, 3, 5, 6, 64)] == [4, 6, 9, 15, 16, 16]


def test_the_setting_sizes_the_writer_threads(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, db_writers=2))
    assert app.state.db.writer_threads == 2
    assert app.state.db.writers()._max_workers == 2
    unset = create_app(Settings(data_dir=tmp_path / "other"))
    assert unset.state.db.writer_threads == default_writers()
    for made in (app, unset):
        made.state.db.dispose()


def test_more_than_a_process_has_connections_for_is_refused_at_start(tmp_path: Path) -> None:
    """Each writer holds a connection of the process's pool (up to 64): more would wait for one
    and time out, so a setting above 32 is refused when the server starts, saying so."""
    with pytest.raises(ValidationError, match="less than or equal to 32"):
        Settings(data_dir=tmp_path, db_writers=100)
