"""Train chapter 12's character-level language model, by one command, from the recorded recipe.

    python -m lstm_book.teaching.charlm_training                  # the committed run (RECIPE), into RUN_DIR
    python -m lstm_book.teaching.charlm_training --out DIR        # the same run, written elsewhere
    python -m lstm_book.teaching.charlm_training --updates 20 --out DIR    # only its first updates
    python -m lstm_book.teaching.charlm_training --cell rnn       # chapter 14's plain RNN, same recipe, RNN_RUN_DIR

It trains `lstm_book.charlm.train_charlm` on the book's corpus (`lstm_book.text.load_corpus`) with a progress bar
and writes three files into the directory, each whole or not at all (temporary files, renamed when all are
written): `run.json` (the recipe, the learning curve, the training time, the machine's numpy and thread count),
`weights.npz` (the final parameters, float32) and `checkpoints.npz` (the parameters after the updates in
EARLY, float32, and in SAMPLES, float16: what chapter 12 samples from). Update 0 is not stored: it is
`init_charlm(V, H, seed)`, which `load_run` makes again. The book only loads these files (`load_run`);
`tests/test_charlm.py` proves that this command's first updates give the committed early checkpoint. With
`--cell rnn` it trains the plain RNN by the same recipe (the recipe records "cell": "rnn") and keeps the
checkpoints RNN_KEEP (EARLY in float32, the others in float16). A bad flag
is one line on stderr and exit status 2, before any training starts.

The command runs with one BLAS thread (it restarts itself with OPENBLAS_NUM_THREADS=1): on a machine whose cores
are shared, two BLAS threads wait on each other (measured here: 12 times slower), and one thread gives the same
numbers whatever the machine's number of cores.
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import sys
from pathlib import Path

import numpy as np

from lstm_book.charlm import init_charlm, train_charlm
from lstm_book.params import Params
from lstm_book.text import load_corpus

from .files import _temporary, write_whole

__all__ = ["RECIPE", "EARLY", "SAMPLES", "RUN_DIR", "RNN_KEEP", "RNN_RUN_DIR", "train_by_recipe", "write_run",
           "load_run", "main"]

#: The committed run: H units, B streams of T characters per update, Adam's learning rate, clipping, the seed.
RECIPE = {"hidden_size": 128, "batch_size": 32, "seq_len": 100, "updates": 5000, "learning_rate": 2e-3,
          "clip": 5.0, "seed": 0, "eval_every": 100, "min_count": 50}
EARLY = (20,)                          # kept in float32: the reproducibility test trains this far
SAMPLES = (0, 100, 300, 1000, 3000)    # kept in float16: the chapter samples from them
RUN_DIR = Path(__file__).resolve().parent / "charlm_run"
RNN_KEEP = (20, 300, 1000, 3000)        # the plain RNN's checkpoints (chapter 14 compares at equal updates)
RNN_RUN_DIR = Path(__file__).resolve().parent / "charlm_rnn_run"
PROG = "python -m lstm_book.teaching.charlm_training"


def train_by_recipe(updates: int | None = None, progress: bool = True, cell: str = "lstm") -> dict:
    """Train by the recipe (the first `updates` only, if given). Returns {"record", "params", "checkpoints"}."""
    recipe = dict(RECIPE, updates=updates or RECIPE["updates"], **({"cell": cell} if cell != "lstm" else {}))
    corpus = load_corpus(recipe["min_count"])
    keep = [k for k in ((*EARLY, *SAMPLES) if cell == "lstm" else RNN_KEEP) if k <= recipe["updates"]]
    result = train_charlm(corpus.train, corpus.validation, corpus.vocabulary.size,
                          hidden_size=recipe["hidden_size"], batch_size=recipe["batch_size"],
                          seq_len=recipe["seq_len"], updates=recipe["updates"],
                          learning_rate=recipe["learning_rate"], clip=recipe["clip"], seed=recipe["seed"],
                          eval_every=recipe["eval_every"], checkpoints=keep, progress=progress, cell=cell)
    record = {"recipe": recipe, "vocabulary": corpus.vocabulary.chars, "seconds": round(result.seconds, 1),
              "curve": [{"update": u, "characters": n, "train_bits": round(tr, 5), "validation_bits": round(va, 5),
                         "seconds": round(s, 1)} for u, n, tr, va, s in result.curve],
              "machine": {"numpy": np.__version__, "python": platform.python_version(),
                          "cpus": os.cpu_count(), "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS")},
              "command": PROG + (f" --cell {cell}" if cell != "lstm" else "") + (f" --updates {updates}" if updates else "")}
    return {"record": record, "params": result.params, "checkpoints": result.checkpoints}


def write_run(result: dict, out) -> None:
    """run.json, weights.npz and checkpoints.npz in `out`, each whole or not at all."""
    out = Path(out)
    arrays = {"weights.npz": {k: np.asarray(v, np.float32) for k, v in result["params"].items()},
              "checkpoints.npz": {f"u{u}/{k}": np.asarray(v, np.float32 if u in EARLY else np.float16)
                                  for u, p in result["checkpoints"].items() if u != 0 for k, v in p.items()}}
    contents = {}
    for name, content in arrays.items():
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **content)
        contents[out / name] = buffer.getvalue()
    contents[out / "run.json"] = json.dumps(result["record"], indent=1).encode()     # the record last
    write_whole(contents)


def load_run(directory=RUN_DIR) -> dict:
    """The committed run: {"record": run.json as a dict, "params": the final `Params`, "checkpoints": {update:
    `Params`} (float32; those of SAMPLES were stored in float16)}. Update 0, the initial parameters, is made again
    from the recipe (`init_charlm(V, H, seed)`, rounded through float16 like the other SAMPLES)."""
    directory = Path(directory)
    record = json.loads((directory / "run.json").read_text())
    recipe = record["recipe"]
    cell = recipe.get("cell", "lstm")
    layout = dict(init_charlm(2, 1, cell=cell).layout)
    with np.load(directory / "weights.npz") as stored:
        params = Params({k: stored[k] for k in layout}, layout, func="load_run")
    initial = init_charlm(len(record["vocabulary"]), recipe["hidden_size"], recipe["seed"], cell)   # update 0
    checkpoints = {0: Params({k: initial[k].astype(np.float16).astype(np.float32) for k in layout}, layout,
                             func="load_run")}
    with np.load(directory / "checkpoints.npz") as stored:
        for u in sorted({int(key.split("/")[0][1:]) for key in stored.files}):
            checkpoints[u] = Params({k: stored[f"u{u}/{k}"].astype(np.float32) for k in layout}, layout,
                                    func="load_run")
    return {"record": record, "params": params, "checkpoints": checkpoints}


def _fail(message: str):
    sys.stderr.write(f"{PROG}: error: {' '.join(message.split())}\n")
    raise SystemExit(2)


def parse(argv) -> dict:
    """The flags --updates N, --out DIR and --cell lstm|rnn, checked before any work (one line on stderr, exit
    status 2)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = {"updates": None, "out": None, "cell": "lstm"}
    flags = {"--updates": "a positive integer (the number of updates)", "--out": "an existing writable directory",
             "--cell": "lstm or rnn"}
    seen = set()
    while argv:
        item = argv.pop(0)
        flag, _, value = item.partition("=")
        if flag not in flags:
            _fail(f"unknown argument {item!r}: expected --updates N, --out DIR or --cell lstm|rnn")
        if flag in seen:
            _fail(f"{flag}: expected once, but got it twice")
        seen.add(flag)
        if not _:
            if not argv:
                _fail(f"{flag}: expected {flags[flag]} after it, but got nothing")
            value = argv.pop(0)
        if flag == "--updates":
            if not re.fullmatch(r"[0-9]+", value) or not 1 <= int(value) <= RECIPE["updates"]:
                _fail(f"--updates: expected an integer in [1, {RECIPE['updates']}], but got {value!r}")
            args["updates"] = int(value)
        elif flag == "--cell":
            if value not in ("lstm", "rnn"):
                _fail(f"--cell: expected lstm or rnn, but got {value!r}")
            args["cell"] = value
        else:
            path = Path(value)
            if not path.is_dir():
                _fail(f"--out: expected an existing directory, but got {value!r}")
            try:
                temporary, stream = _temporary(path / "run.json")
                stream.close()
                temporary.unlink()
            except OSError as exc:
                _fail(f"--out: expected a writable directory, but got {value!r} ({exc.strerror})")
            args["out"] = value
    if args["out"] is None:
        args["out"] = str(RUN_DIR if args["cell"] == "lstm" else RNN_RUN_DIR)
    return args


def main(argv=None) -> dict:
    """The command line (see the module's docstring)."""
    args = parse(argv)
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":      # one BLAS thread, set before numpy starts: see below
        os.execve(sys.executable, [sys.executable, "-m", "lstm_book.teaching.charlm_training",
                                   *(sys.argv[1:] if argv is None else argv)],
                  {**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    result = train_by_recipe(args["updates"], cell=args["cell"])
    write_run(result, args["out"])
    curve = result["record"]["curve"][-1]
    print(f"{curve['update']} updates, {curve['characters']:,} characters in {result['record']['seconds']} s; "
          f"validation {curve['validation_bits']:.3f} bits per character; written to {args['out']}")
    return result


if __name__ == "__main__":
    main()
