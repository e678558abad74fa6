"""Benchmark (not a test): every training of Part III against the book's budget of 30 s per training (2 cores).

    .venv/bin/python benchmarks/bench_training.py              # chapters 10 and 11
    .venv/bin/python benchmarks/bench_training.py --chapter 10 # one of them

The times come from the trainings themselves (`TrainResult.seconds`, the loop's wall-clock time), run as the
chapters run them:

* chapter 10: the chapter's own code cells are executed (the ones the page shows; the hidden checks, figures of
  checks and the exercises are left out), so the calls timed here are the chapter's, never a copy that could drift
  from it. The chapter collects each run's seconds in its dict `times`, which is what is reported.
* chapter 11: `run_experiments(QUICK)`, the one call the chapter makes (tests/test_part3_chapters.py holds the
  chapter to it), in as many processes as there are cores, as the build runs it; each of its records carries
  the time of its training, and the processor time of the whole sweep (its worker processes) is reported too.

The build asserts no time (a timed assert fails spuriously under load); this script prints the measurements and
whether each is within the budget. Other jobs sharing the cores make everything slower: note the load printed
at the top.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")                                   # the chapter's figures are drawn, never shown

import matplotlib.pyplot as plt  # noqa: E402

from lstm_book.teaching.experiments import QUICK, run_experiments  # noqa: E402

BUDGET = 30.0                                           # seconds, for any training the book runs (the team's rule)


def verdict(seconds: float) -> str:
    return "within budget" if seconds <= BUDGET else "OVER BUDGET"


def chapter_10() -> dict[str, float]:
    """Run chapter 10's visible code cells in order, one namespace; return the chapter's `times` (name -> s)."""
    path = ROOT / "notebooks" / "10_training.ipynb"
    namespace: dict = {"__name__": "__chapter_10__"}
    for k, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        source = "".join(cell["source"])
        if (cell["cell_type"] != "code" or "remove-input" in cell["metadata"].get("tags", [])
                or source.lstrip().startswith("# Your answer")):
            continue
        # The chapter's prints and progress bars are the page's, not this report's.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, f"{path.name}, cell {k}", "exec"), namespace)
        plt.close("all")
    if "times" not in namespace:
        raise SystemExit(f"{path.name} no longer collects its training times in `times`: update this benchmark")
    return namespace["times"]


def report_chapter_10():
    start = time.perf_counter()
    times = chapter_10()
    wall = time.perf_counter() - start
    print(f"chapter 10: {len(times)} trainings, run one after another by the chapter's own cells")
    for name, seconds in times.items():
        print(f"  {name:34s} {seconds:6.1f} s   {verdict(seconds)}")
    slowest = max(times, key=times.get)
    print(f"  slowest: {slowest}, {times[slowest]:.1f} s of {BUDGET:.0f} s; the trainings together "
          f"{sum(times.values()):.1f} s, the whole chapter's code {wall:.1f} s")


def _cpu_seconds(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def report_chapter_11(jobs: int | None):
    before = _cpu_seconds(resource.RUSAGE_CHILDREN) + _cpu_seconds(resource.RUSAGE_SELF)
    with contextlib.redirect_stderr(io.StringIO()):
        results = run_experiments(QUICK, jobs=jobs, progress=False, cache=None)   # every run trained, timed
    cpu = _cpu_seconds(resource.RUSAGE_CHILDREN) + _cpu_seconds(resource.RUSAGE_SELF) - before
    records = results["records"]
    print(f"chapter 11: run_experiments(QUICK), {len(records)} trainings in {results['jobs']} processes, "
          f"{results['seconds']:.1f} s wall clock for the sweep, {cpu:.1f} s of processor time "
          f"(the trainings' own clocks add up to {sum(r['seconds'] for r in records):.1f} s)")
    slowest = {}
    for r in records:
        key = (r["variant"], r["task"])
        if key not in slowest or r["seconds"] > slowest[key]["seconds"]:
            slowest[key] = r
    print("  the slowest training of each variant and task (over its seeds and learning rates):")
    for (variant, task), r in slowest.items():
        print(f"  {variant:14s} {task:15s} seed {r['seed']}, lr {r['learning_rate']:<6g} {r['seconds']:6.1f} s   "
              f"{verdict(r['seconds'])}")
    worst = max(records, key=lambda r: r["seconds"])
    over = sum(r["seconds"] > BUDGET for r in records)
    print(f"  slowest: {worst['variant']} on {worst['task']}, {worst['seconds']:.1f} s of {BUDGET:.0f} s; "
          f"{over} of {len(records)} trainings over budget")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", choices=("10", "11"), help="only this chapter (default: both)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="processes for chapter 11's sweep (default: one per core, as the build)")
    args = parser.parse_args()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    print(f"Part III's trainings against the budget of {BUDGET:.0f} s per training; {os.cpu_count()} cores, "
          f"load average {load}")
    if args.chapter in (None, "10"):
        report_chapter_10()
    if args.chapter in (None, "11"):
        report_chapter_11(args.jobs)


if __name__ == "__main__":
    main()
