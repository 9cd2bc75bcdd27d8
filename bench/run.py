"""Every benchmark, one after the other: ``make bench`` (or ``python -m bench.run``).

    python -m bench.run [--only imports,exports,annotation_loop,label_studio,quality,
        aggregate_cli,review_loop,metrics,consensus,coco,image_widget,video_open,
        active_learning,job_priority]
        [--quick] [--runs N] [--db sqlite,postgres]

Each script's output is shown and also kept in bench/out/<script>-<UTC time>.txt (git-ignored),
so that the figures in bench/README.md can be copied from the run that printed them. The full
set takes a couple of hours on the project's 2-core machine (crowd-kit's MACE and Label
Studio are the slow parts); ``--quick`` checks every script at small sizes in minutes (its
figures are not the README's). Run it on an otherwise idle machine: each script prints the
load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
SCRIPTS = {
    "imports": ["-m", "bench.imports"],
    "exports": ["-m", "bench.exports"],
    "annotation_loop": ["-m", "bench.annotation_loop"],
    "label_studio": ["-m", "bench.label_studio", "--rich"],
    "quality": ["-m", "bench.quality"],
    "aggregate_cli": ["-m", "bench.aggregate_cli"],
    "review_loop": ["-m", "bench.review_loop"],
    "metrics": ["-m", "bench.metrics", "--browser"],
    "consensus": ["-m", "bench.consensus"],
    "coco": ["-m", "bench.coco"],
    "image_widget": ["-m", "bench.image_widget"],
    "video_open": ["-m", "bench.video_open"],
    "active_learning": ["-m", "bench.active_learning"],
    "job_priority": ["-m", "bench.job_priority"],
}
QUICK = {
    "imports": ["--quick"],
    "exports": ["--quick"],
    "annotation_loop": ["--quick"],
    "label_studio": ["--quick"],
    "quality": ["--quick"],
    "aggregate_cli": ["--quick"],
    "review_loop": ["--quick"],
    "metrics": ["--quick"],
    "consensus": ["--quick"],
    "coco": ["--images", "2000"],
    "image_widget": ["--runs", "1", "--edits", "10", "--frames", "20"],
    "video_open": ["--frames", "500", "--runs", "1", "--seeks", "5", "--steps", "5"],
    "active_learning": ["--quick"],
    "job_priority": ["--runs", "1", "--frames", "300", "--idle-seconds", "3"],
}
TAKES_RUNS = {
    "imports",
    "exports",
    "annotation_loop",
    "label_studio",
    "quality",
    "aggregate_cli",
    "review_loop",
    "metrics",
    "consensus",
    "coco",
    "video_open",
    "active_learning",
    "job_priority",
}
TAKES_DB = {"imports", "exports", "annotation_loop", "review_loop", "metrics", "consensus"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SCRIPTS))
    parser.add_argument("--quick", action="store_true", help="small sizes: checks, not figures")
    parser.add_argument("--runs", type=int, help="runs per figure (the scripts' default: 3)")
    parser.add_argument("--db", help="sqlite, postgres or both (the scripts' default: both)")
    args = parser.parse_args()
    names = args.only.split(",")
    unknown = set(names) - set(SCRIPTS)
    if unknown:
        parser.error(f"unknown scripts {sorted(unknown)}; known: {', '.join(SCRIPTS)}")
    OUT.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in names:
        command = [*SCRIPTS[name], *(QUICK[name] if args.quick else [])]
        if args.runs is not None and name in TAKES_RUNS:
            command += ["--runs", str(args.runs)]
        if args.db and name in TAKES_DB:
            command += ["--db", args.db]
        log = OUT / f"{name}-{stamp}.txt"
        print(f"\n$ python {' '.join(command)}    (output also in {log})", flush=True)
        with open(log, "w") as out:
            out.write(f"$ python {' '.join(command)}\n")
            out.flush()
            process = subprocess.Popen([sys.executable, *command], stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, text=True)
            assert process.stdout is not None
            for line in process.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                out.write(line)
            if process.wait() != 0:
                raise SystemExit(f"{name} failed (exit {process.returncode}); see {log}")


if __name__ == "__main__":
    main()
