"""The machine a benchmark runs on, and its load: printed before and after every benchmark so
that bench/README.md can say where, when and how busy (no project imports: bench/quality.py
also runs as a plain script)."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

__all__ = ["load_average", "machine"]


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    """One line naming the machine, the time and its load, printed before every benchmark."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = _meminfo_mb("MemTotal:") / 1024
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"machine: {os.cpu_count()} cores ({model}), {memory:.0f} GiB, Python "
        f"{platform.python_version()}; {when}; load average {load_average()}"
    )


def _meminfo_mb(key: str) -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return float("nan")
