"""What each gate is worth: the ablations of chapter 11, runnable from the command line.

    python -m lstm_book.teaching.experiments --quick --out results.json   # what the book runs at build time
    python -m lstm_book.teaching.experiments --out results.json           # the full run: more seeds, longer

Every variant of `lstm_book.variants` is trained on two tasks, each with several seeds and a log-spaced grid of
learning rates. As Greff et al. (2017) and Jozefowicz et al. (2015) did, each variant is judged at the learning
rate that suits it best, chosen on validation data; the results are reported on a separate test set, and
variants are compared seed by seed (`lstm_book.teaching.experiment_results`). The tasks:

* `reset_stream`: a continual stream in which the memory must be overwritten and cleared on a signal, tested
  on streams four times longer than the training ones, and on streams of the training length: what the forget
  gate is for;
* `temporal_order`: two symbols far back must be remembered, in order (Hochreiter & Schmidhuber 1997): long
  memory.

The output is a JSON file with one record per variant × task × seed × learning rate (final validation and test
loss and accuracy, training time in seconds, whether the run diverged, and its learning curve on the validation
batch), and two figures next to it: the results (one dot per seed at the chosen learning rate) and the learning
curves. Each file is written whole or not at all, the results last. A bad flag is one line on stderr and exit
status 2, before any training starts.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from lstm_book.memory_tasks import reset_stream, temporal_order
from lstm_book.teaching.experiment_results import (at_grid_edge, best_learning_rates, paired, plot_curves,
                                                   plot_results, summarise, table)
from lstm_book.train import evaluate, train
from lstm_book.validation import LSTMInputError
from lstm_book.variants import VARIANTS

from .files import _temporary, write_whole

__all__ = ["Config", "GRID", "QUICK", "FULL", "run_experiments", "summarise", "best_learning_rates", "at_grid_edge",
           "paired", "table", "plot_results", "plot_curves", "write_results", "main"]


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


#: The learning rates: log-spaced, a factor √10 apart, from 0.001 to 0.316: wide enough that every variant's best
#: rate is inside it or, at its edge, has nothing left to gain (chapter 11 checks it).
GRID = (0.001, 0.00316, 0.01, 0.0316, 0.1, 0.316)
#: The build's run: every variant, both tasks, 3 seeds, the 6 learning rates of GRID, 150 updates on sequences of
#: 40 steps: 324 trainings of under a second each.
QUICK = Config("quick", tuple(VARIANTS), ("reset_stream", "temporal_order"), (0, 1, 2), GRID,
               steps=150, T=40, hidden_size=8, eval_every=50)
#: The full run: 8 seeds, the same learning rates, 1000 updates on sequences of 50 steps: about 40 times the quick
#: run's work (some hours on 2 idle cores).
FULL = Config("full", tuple(VARIANTS), ("reset_stream", "temporal_order"), tuple(range(8)), GRID,
              steps=1000, T=50, hidden_size=8, eval_every=50)
#: The test set: this many sequences of each task, drawn once from this seed, the same for every run.
TEST_SIZE, TEST_SEED = 512, 2015


def make_task(name: str, T: int, *, test: bool = False):
    """The task of the experiments; for the reset stream the test streams are four times longer."""
    if name == "reset_stream":
        return reset_stream(4 * T if test else T)
    if name == "temporal_order":
        return temporal_order(T)
    raise LSTMInputError(f"make_task: argument 'name' should be 'reset_stream' or 'temporal_order', but got {name!r}")


#: Where finished runs are kept (one small JSON file each), so that a chapter executed again (the build, nbval,
#: JupyterLab) or a sweep started again reads them instead of training again. The key of a run is its settings,
#: numpy's version and the source of the model and of this module: any change to the code trains again.
CACHE = Path(os.environ.get("LSTM_BOOK_CACHE") or Path(tempfile.gettempdir()) / "lstm_book-cache") / "experiments"


def _code_digest() -> str:
    import numpy

    import lstm_book

    h = hashlib.sha256(numpy.__version__.encode())
    for path in sorted(Path(lstm_book.__file__).parent.glob("*.py")) + [Path(__file__)]:
        h.update(path.read_bytes())
    return h.hexdigest()


def _cached_run(job) -> dict:
    """`_one_run(job)`, or its record from `CACHE` (job: the run, the cache folder or None, the code's digest)."""
    run, cache, digest = job
    if cache is None:
        return _one_run(run)
    config, *settings = run
    key = hashlib.sha256(json.dumps([asdict(config), settings, digest]).encode()).hexdigest()[:32]
    path = Path(cache) / f"{key}.json"
    if path.is_file():
        try:
            return {**json.loads(path.read_text()), "cached": True}
        except ValueError:  # a file left half-written by a process that was killed: train again
            pass
    record = _one_run(run)
    try:  # stored without the mark "cached", which says where a record came from, not what it is
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole({path: json.dumps(record).encode()})
    except OSError:  # a cache that cannot be written only costs time
        pass
    return record


def _one_run(job) -> dict:
    """One training run, as a JSON-ready record: the validation batch (`train`'s, 256 sequences seeded by the
    run's seed) chooses the learning rate; the test batch (`TEST_SIZE` sequences from `TEST_SEED`) reports."""
    config, variant, task_name, seed, lr = job
    task, long = make_task(task_name, config.T), make_task(task_name, config.T, test=True)
    result = train(task, variant, hidden_size=config.hidden_size, steps=config.steps, learning_rate=lr,
                   batch_size=config.batch_size, seed=seed, eval_every=config.eval_every, progress=False,
                   test_task=long)
    record = {"variant": variant, "task": task_name, "seed": seed, "learning_rate": lr,
              "hidden_size": config.hidden_size, "steps": result.steps, "T": config.T}
    if result.diverged:
        record.update(val_loss=None, val_accuracy=None, test_loss=None, test_accuracy=None, test_accuracy_at_T=None)
    else:
        test_loss, test_accuracy = evaluate(result.params, variant, long, long.sample(TEST_SIZE, TEST_SEED))
        at_T = test_accuracy if long == task else evaluate(result.params, variant, task,
                                                           task.sample(TEST_SIZE, TEST_SEED))[1]
        record.update(val_loss=round(result.loss, 6), val_accuracy=round(result.accuracy, 6),
                      test_loss=round(test_loss, 6), test_accuracy=round(test_accuracy, 6),
                      test_accuracy_at_T=round(at_T, 6))
    return {**record, "seconds": round(result.seconds, 3), "diverged": result.diverged,
            "curve": [[step, round(loss, 6), round(acc, 6)] for step, loss, acc in result.curve]}


def run_experiments(config: Config = QUICK, *, out: str | os.PathLike | None = None, jobs: int | None = None,
                    progress: bool = True, cache: str | os.PathLike | None = CACHE) -> dict:
    """Train every variant × task × seed × learning rate of `config`, in `jobs` processes (default: one per
    core), with one progress bar for the whole sweep. Every run is seeded: the records do not depend on `jobs`.

    Returns {"config": ..., "seconds": wall-clock time, "records": [...]} and, if `out` is given, writes it there
    as JSON with the figures next to it (`<out stem>_accuracy.png`, `<out stem>_curves.png`). cache: a folder of
    finished runs (`CACHE` by default; None trains every run, as the benchmark does).
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
    digest = _code_digest() if cache is not None else None
    jobs_list = [(run, None if cache is None else str(cache), digest) for run in runs]
    jobs = min(jobs, len(runs))  # more processes than runs would only wait
    start = time.perf_counter()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(runs), desc=f"experiments ({config.name})", unit="run", mininterval=0.5)
    records = []
    if jobs == 1:
        for job in jobs_list:
            records.append(_cached_run(job))
            if bar is not None:
                bar.update()
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for record in pool.imap_unordered(_cached_run, jobs_list):
                records.append(record)
                if bar is not None:
                    bar.update()
    if bar is not None:
        bar.close()
    cached = sum(bool(r.pop("cached", False)) for r in records)
    order = {run[1:]: n for n, run in enumerate(runs)}
    records.sort(key=lambda r: order[(r["variant"], r["task"], r["seed"], r["learning_rate"])])
    results = {"config": asdict(config), "seconds": round(time.perf_counter() - start, 2), "jobs": jobs,
               "cached": cached, "records": records}
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
