"""The README's settings table names every setting, with its default, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from accord.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def documented() -> dict[str, str]:
    rows = re.findall(r"^\| `(ACCORD_[A-Z0-9_]+)` \| ([^|]+) \|", README.read_text(), re.M)
    return {name: default.strip() for name, default in rows}


def test_every_setting_is_documented_with_its_default() -> None:
    table = documented()
    expected = {f"ACCORD_{name.upper()}": field for name, field in Settings.model_fields.items()}
    assert set(table) == set(expected), "the README's settings table and Settings differ"
    for name, field in expected.items():
        default = field.default
        shown = table[name].strip("`")
        if name == "ACCORD_DATABASE_URL":
            assert default is None and "SQLite" in shown
            continue
        if default is None:
            assert shown == "unset", name
        elif isinstance(default, bool):
            assert shown == str(default).lower(), name
        elif isinstance(default, float) and default.is_integer():
            assert shown == str(int(default)), name
        else:
            assert shown == str(default), name
        assert field.description, f"{name} has no help text"
