"""What each gate is worth: the ablations of chapter 11, runnable from the command line.

    python -m lstm_book.teaching.experiments --quick --out results.json   # what the book runs at build time
    python -m lstm_book.teaching.experiments --out results.json           # the full run: more seeds, longer

Every variant of `lstm_book.variants` is trained on two tasks, each with several seeds and a small grid of
learning rates, and, as Greff et al. (2017) and Jozefowicz et al. (2015) did, each variant is judged at the
learning rate that suits it best. The tasks:

* `reset_stream`: a continual stream in which the memory must be overwritten and cleared on a signal, tested
  on streams four times longer than the training ones: what the forget gate is for;
* `temporal_order`: two symbols far back must be remembered, in order (Hochreiter & Schmidhuber 1997): long
  memory.

The output is a JSON file with one record per variant × task × seed × learning rate (final test loss and
accuracy, training time in seconds, whether the run diverged, and its learning curve), and two figures next to
it: the results (one dot per seed at the best learning rate) and the learning curves. Each file is written whole
or not at all, the results last. A bad flag is one line on stderr and exit status 2, before any training starts.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from lstm_book.memory_tasks import reset_stream, temporal_order
from lstm_book.train import train
from lstm_book.validation import LSTMInputError
from lstm_book.variants import VARIANTS

from .files import _temporary, write_whole

__all__ = ["Config", "QUICK", "FULL", "run_experiments", "summarise", "best_learning_rates", "plot_results",
           "plot_curves", "write_results", "main"]


@dataclass(frozen=True)
class Config:
    """The settings of a run of the experiments: which variants and tasks, how many seeds, which learning rates,
    how long (`steps` updates of `batch_size` sequences of length `T`), hidden size H."""

    name: str
    variants: tuple[str, ...]
    tasks: tuple[str, ...]
    seeds: tuple[int, ...]
    learning_rates: tuple[float, ...]
    steps: int
    T: int
    hidden_size: int
    batch_size: int = 32
    eval_every: int = 25


#: The build's run: every variant, both tasks, 3 seeds, 2 learning rates, 200 updates on sequences of 40 steps.
QUICK = Config("quick", tuple(VARIANTS), ("reset_stream", "temporal_order"), (0, 1, 2), (0.003, 0.01),
               steps=200, T=40, hidden_size=8)
#: The full run: 5 seeds, 3 learning rates, 1000 updates on sequences of 50 steps: about 16 times the quick run's
#: work (some ten minutes on 2 idle cores).
FULL = Config("full", tuple(VARIANTS), ("reset_stream", "temporal_order"), (0, 1, 2, 3, 4), (0.001, 0.003, 0.01),
              steps=1000, T=50, hidden_size=8, eval_every=50)


def make_task(name: str, T: int, *, test: bool = False):
    """The task of the experiments; for the reset stream the test streams are four times longer."""
    if name == "reset_stream":
        return reset_stream(4 * T if test else T)
    if name == "temporal_order":
        return temporal_order(T)
    raise LSTMInputError(f"make_task: argument 'name' should be 'reset_stream' or 'temporal_order', but got {name!r}")


def _one_run(job) -> dict:
    """One training run, as a JSON-ready record."""
    config, variant, task_name, seed, lr = job
    task = make_task(task_name, config.T)
    result = train(task, variant, hidden_size=config.hidden_size, steps=config.steps, learning_rate=lr,
                   batch_size=config.batch_size, seed=seed, eval_every=config.eval_every, progress=False,
                   test_task=make_task(task_name, config.T, test=True))
    return {
        "variant": variant, "task": task_name, "seed": seed, "learning_rate": lr,
        "hidden_size": config.hidden_size, "steps": result.steps, "T": config.T,
        "final_loss": None if result.diverged else round(result.loss, 6),
        "accuracy": None if result.diverged else round(result.accuracy, 6),
        "seconds": round(result.seconds, 3), "diverged": result.diverged,
        "curve": [[step, round(loss, 6), round(acc, 6)] for step, loss, acc in result.curve],
    }


def run_experiments(config: Config = QUICK, *, out: str | os.PathLike | None = None, jobs: int | None = None,
                    progress: bool = True) -> dict:
    """Train every variant × task × seed × learning rate of `config`, in `jobs` processes (default: one per
    core), with one progress bar for the whole sweep. Every run is seeded: the records do not depend on `jobs`.

    Returns {"config": ..., "seconds": wall-clock time, "records": [...]} and, if `out` is given, writes it there
    as JSON with the figures next to it (`<out stem>_accuracy.png`, `<out stem>_curves.png`).
    """
    if not isinstance(config, Config):
        raise LSTMInputError(f"run_experiments: argument 'config' should be a Config (QUICK or FULL), "
                             f"but got {type(config).__name__}")
    if jobs is None:
        jobs = os.cpu_count() or 1
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise LSTMInputError(f"run_experiments: argument 'jobs' should be a positive integer, but got {jobs!r}")
    if out is not None:  # a file that cannot be written is found now, not after the training
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        problem = check_out(out)
        if problem:
            raise LSTMInputError(f"run_experiments: argument 'out' should be {problem}")
    runs = [(config, v, t, s, lr) for t in config.tasks for v in config.variants for s in config.seeds
            for lr in config.learning_rates]
    jobs = min(jobs, len(runs))  # more processes than runs would only wait
    start = time.perf_counter()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(runs), desc=f"experiments ({config.name})", unit="run", mininterval=0.5)
    records = []
    if jobs == 1:
        for run in runs:
            records.append(_one_run(run))
            if bar is not None:
                bar.update()
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for record in pool.imap_unordered(_one_run, runs):
                records.append(record)
                if bar is not None:
                    bar.update()
    if bar is not None:
        bar.close()
    order = {run[1:]: n for n, run in enumerate(runs)}
    records.sort(key=lambda r: order[(r["variant"], r["task"], r["seed"], r["learning_rate"])])
    results = {"config": asdict(config), "seconds": round(time.perf_counter() - start, 2), "jobs": jobs,
               "records": records}
    if out is not None:
        write_results(results, out)
    return results


def output_files(out) -> list[Path]:
    """The files a run with `out` writes: the two figures next to it, then `out` itself."""
    out = Path(out)
    return [out.with_name(f"{out.stem}_{kind}.png") for kind in ("accuracy", "curves")] + [out]


def write_results(results: dict, out) -> None:
    """Write the figures and `out` (the results as JSON), each whole or not at all (`write_whole`), the results
    last. If anything fails, no temporary file is left and the results file is not written."""
    import matplotlib.pyplot as plt

    *figures, out = output_files(out)
    contents = {}
    for path, plot in zip(figures, (plot_results, plot_curves)):
        fig = plot(results)
        try:
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=110)
            contents[path] = buffer.getvalue()
        finally:
            plt.close(fig)
    contents[out] = json.dumps(results, indent=1).encode()
    write_whole(contents)


def check_out(out) -> str | None:
    """None if the results and the figures can be written at `out`; else what was expected and what came (the
    end of a sentence: "a file ..., but got ..."). The check leaves nothing behind."""
    if str(out) == "":
        return "a file name, but got ''"
    got = f"but got {str(out)!r}"
    for path in output_files(out):
        parent = path.parent
        if len(os.fsencode(path.name)) > 255:  # NAME_MAX of the usual file systems
            return f"a file name of at most 255 bytes, {got}: {path.name[:24]!r}... is longer"
        try:
            if not parent.exists():
                return f"a file in an existing directory, {got}: directory {str(parent)!r} does not exist"
            if not parent.is_dir():
                return f"a file in a directory, {got}: {str(parent)!r} is not a directory"
            if path.is_dir():
                return f"a file, {got}: {str(path)!r} is a directory"
            if path.exists() and not path.is_file():
                return f"a regular file, {got}: {str(path)!r} exists and is not one"
        except OSError as exc:
            return f"a file that can be written, {got}: {exc.strerror or exc}"
    try:  # root may write where the permissions say no, so try
        temporary, stream = _temporary(Path(out))
        stream.close()
        temporary.unlink()
    except OSError as exc:
        return f"a file in a writable directory, {got}: cannot write in {str(Path(out).parent)!r} ({exc.strerror})"
    return None


def best_learning_rates(results: dict) -> dict[tuple[str, str], float]:
    """For each (variant, task), the learning rate with the lowest mean final test loss over the seeds.

    A run that diverged counts as the worst possible; a learning rate at which any seed diverged loses to one at
    which none did.
    """
    by = {}
    for r in results["records"]:
        by.setdefault((r["variant"], r["task"], r["learning_rate"]), []).append(r)
    best = {}
    for (variant, task, lr), runs in by.items():
        diverged = sum(r["diverged"] for r in runs)
        loss = np.mean([r["final_loss"] for r in runs if not r["diverged"]]) if diverged < len(runs) else np.inf
        key = (diverged, loss)
        if (variant, task) not in best or key < best[(variant, task)][0]:
            best[(variant, task)] = (key, lr)
    return {k: lr for k, (_, lr) in best.items()}


def summarise(results: dict) -> list[dict]:
    """One row per variant × task at its best learning rate: mean and standard deviation over the seeds of the
    final accuracy and loss, the number of seeds that diverged, and the mean training time."""
    best = best_learning_rates(results)
    rows = []
    for variant in results["config"]["variants"]:
        for task in results["config"]["tasks"]:
            lr = best[(variant, task)]
            runs = [r for r in results["records"] if r["variant"] == variant and r["task"] == task
                    and r["learning_rate"] == lr]
            ok = [r for r in runs if not r["diverged"]]
            acc = np.array([r["accuracy"] for r in ok])
            loss = np.array([r["final_loss"] for r in ok])
            rows.append({
                "variant": variant, "task": task, "learning_rate": lr, "seeds": len(runs),
                "diverged": len(runs) - len(ok),
                "accuracy_mean": float(acc.mean()) if ok else None, "accuracy_std": float(acc.std()) if ok else None,
                "accuracy_min": float(acc.min()) if ok else None,
                "loss_mean": float(loss.mean()) if ok else None, "loss_std": float(loss.std()) if ok else None,
                "seconds_mean": float(np.mean([r["seconds"] for r in runs])),
            })
    return rows


def table(results: dict) -> str:
    """The summary as a Markdown table: accuracy and loss as mean ± standard deviation over the seeds."""
    tasks = results["config"]["tasks"]
    rows = {(r["variant"], r["task"]): r for r in summarise(results)}
    head = "| variant | " + " | ".join(f"{t}: accuracy | {t}: loss" for t in tasks) + " |"
    lines = [head, "|" + " --- |" * (1 + 2 * len(tasks))]
    for variant in results["config"]["variants"]:
        cells = []
        for t in tasks:
            r = rows[(variant, t)]
            if r["accuracy_mean"] is None:
                cells += ["diverged", "diverged"]
                continue
            note = f" ({r['diverged']} diverged)" if r["diverged"] else ""
            cells += [f"{r['accuracy_mean']:.1%} ± {r['accuracy_std']:.1%}{note}",
                      f"{r['loss_mean']:.4f} ± {r['loss_std']:.4f}"]
        lines.append(f"| {VARIANTS[variant].title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_results(results: dict):
    """Final test accuracy of every variant on every task at its best learning rate: one dot per seed, a bar
    for the mean. Returns the Figure."""
    import matplotlib.pyplot as plt

    tasks = results["config"]["tasks"]
    variants = results["config"]["variants"]
    best = best_learning_rates(results)
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.2 * len(tasks), 3.6), sharey=True, squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for k, variant in enumerate(variants):
            runs = [r for r in results["records"] if r["variant"] == variant and r["task"] == task
                    and r["learning_rate"] == best[(variant, task)]]
            acc = [r["accuracy"] for r in runs if not r["diverged"]]
            colour = "#2471a3" if variant == "lstm" else "#7f8c8d"
            if acc:
                ax.barh(k, np.mean(acc), color=colour, alpha=0.35)
                ax.plot(acc, [k] * len(acc), "o", color=colour, ms=4)
            if len(acc) < len(runs):
                ax.text(0.02, k, f"{len(runs) - len(acc)} diverged", va="center", fontsize=8, color="#c0392b")
        ax.set_yticks(range(len(variants)), [VARIANTS[v].title for v in variants])
        ax.invert_yaxis()
        ax.set_xlim(0, 1.02)
        ax.set_xlabel("test accuracy")
        ax.set_title(task.replace("_", " "))
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_curves(results: dict, variants=None):
    """Learning curves (test loss against training step) at each variant's best learning rate: the mean over the
    seeds as a line, each seed faint. Returns the Figure."""
    import matplotlib.pyplot as plt

    tasks = results["config"]["tasks"]
    variants = variants or results["config"]["variants"]
    best = best_learning_rates(results)
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.6 * len(tasks), 3.6), squeeze=False)
    colours = plt.get_cmap("tab10")
    for ax, task in zip(axes[0], tasks):
        for k, variant in enumerate(variants):
            runs = [r for r in results["records"] if r["variant"] == variant and r["task"] == task
                    and r["learning_rate"] == best[(variant, task)] and not r["diverged"]]
            if not runs:
                continue
            steps = np.array([p[0] for p in runs[0]["curve"]])
            losses = np.array([[p[1] for p in r["curve"]] for r in runs if len(r["curve"]) == len(steps)])
            for row in losses:
                ax.plot(steps, row, color=colours(k), alpha=0.15, lw=0.8)
            ax.plot(steps, losses.mean(axis=0), color=colours(k), lw=1.8, label=VARIANTS[variant].title)
        ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_ylabel("test loss")
        ax.set_title(task.replace("_", " "))
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


PROG = "python -m lstm_book.teaching.experiments"
FLAGS = {"--quick": None, "--out": "a file name (the results as JSON)", "--jobs": "a number of processes"}


class _Parser(argparse.ArgumentParser):
    """argparse, with every error as one line naming the flag, what was expected and what came (exit status 2)."""

    def error(self, message):
        if m := re.fullmatch(r"argument (\S+): ignored explicit argument (.*)", message):
            message = f"{m[1]}: expected no value, but got {m[2]}"
        elif m := re.fullmatch(r"argument (\S+): expected one argument", message):
            message = f"{m[1]}: expected {FLAGS[m[1]]} after it, but got nothing"
        _fail(message)


def _fail(message: str):
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    raise SystemExit(2)


def parse(argv) -> argparse.Namespace:
    """The command line, checked whole before any work: a bad flag exits with status 2 and one line on stderr."""
    parser = _Parser(prog=PROG, description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--quick", action="store_true", help="the book's run (about a minute on 2 cores)")
    parser.add_argument("--out", default="results.json", help="the JSON file to write (figures go next to it)")
    parser.add_argument("--jobs", default=None, help="processes to use (default: all cores)")
    argv = list(sys.argv[1:] if argv is None else argv)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        _fail(f"unknown argument {unknown[0]!r}: expected --quick, --out FILE or --jobs N")
    for flag in FLAGS:
        given = [a for a in argv if a == flag or a.startswith(flag + "=")]
        if len(given) > 1:
            _fail(f"{flag}: expected once, but got it {len(given)} times ({', '.join(map(repr, given))})")
    if args.jobs is not None:
        if not re.fullmatch(r"[0-9]+", args.jobs) or int(args.jobs) < 1:
            _fail(f"--jobs: expected a positive integer (the number of processes), but got {args.jobs!r}")
        args.jobs = int(args.jobs)
    problem = check_out(args.out)
    if problem:
        _fail(f"--out: expected {problem}")
    return args


def main(argv=None) -> dict:
    """The command line: `python -m lstm_book.teaching.experiments [--quick] [--out results.json] [--jobs N]`."""
    args = parse(argv)
    results = run_experiments(QUICK if args.quick else FULL, out=args.out, jobs=args.jobs)
    print(table(results))
    print(f"\n{len(results['records'])} runs in {results['seconds']:.1f} s with {results['jobs']} processes; "
          f"written to {args.out}")
    return results


if __name__ == "__main__":
    main()
