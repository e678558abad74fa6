"""Chapter 10's training view: the JavaScript mirror's training (mirror.js, `training`) against lstm_book's.

The mirror runs in node, as in tests/test_mirror.py. Given the same batches (drawn by the package's own storage
task), the mirror's trajectory must equal lstm_book.train.train_step's to 1e-9 in float64, every weight at every
one of 300 steps, with the forget gate and without it; the page's own generator of weights and batches must give
the same numbers as the Python copy the JupyterLab view and the chapter's checks use, so that a whole run of the
page (its test curve too) is the package's run; and a run whose numbers stop being finite stops at the same step
on both sides. The test proves that it can fail: deliberately wrong copies of mirror.js (Adam without its bias
correction, a term of the backward pass dropped, no clipping, ...) must be rejected.
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from lstm_book.adam import Adam
from lstm_book.memory_tasks import storage
from lstm_book.teaching.explorers import TrainingRun, TrainingView
from lstm_book.teaching.explorers.training import _flat, _network, generator, storage_batch
from lstm_book.train import train_step
from test_mirror import MIRROR, _node, mutated_mirror

STEPS = 300
SPEC = TrainingView().spec()

# reads {"source", "spec", "cases": [{"settings", "steps", "batches": null or [{x, y}, ...]}], "draws": [seed, n]}
RUNNER = """
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const M = require(input.source), T = M.training;
const out = {cases: input.cases.map((c) => {
  const run = new T.Run(input.spec, c.settings), history = [Object.assign({}, run.state.p)];
  for (let k = 0; k < c.steps && !run.done(); k++) {
    if (run.advance(1, c.batches ? [c.batches[k]] : null) === 0) break;
    history.push(Object.assign({}, run.state.p));
  }
  return {history, losses: run.losses, curve: run.curve, diverged: run.state.diverged, step: run.step};
})};
const g = T.generator(input.draws[0]);
out.numbers = Array.from({length: input.draws[1]}, () => g());
out.batch = T.storageBatch(input.spec.task, T.generator(input.draws[0]), 6);
process.stdout.write(JSON.stringify(out));
"""


def run_mirror(source, cases, draws=(7, 50)):
    payload = json.dumps({"source": str(source), "spec": SPEC, "cases": cases, "draws": list(draws)})
    result = subprocess.run([_node(), "-e", RUNNER], input=payload, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _package_run(settings, batches):
    """The package's trajectory on these batches: lstm_book.train.train_step from the page's first weights."""
    run = TrainingRun(**settings)          # its first weights: the page's generator, as the mirror draws them
    cell, params, adam, history = run.cell, run.params, Adam(settings["learning_rate"]), [_flat(run.params, run.cell)]
    for batch in batches:
        params, _ = train_step(params, adam, batch, cell, 1.0, "cross_entropy")
        history.append(_flat(params, cell))
    return history


CASES = {  # settings of the view; the batches come from the package's storage task
    "defaults": dict(seed=4, learning_rate=0.01, forget_bias=1.0, batch_size=32, forget=True),
    "no forget gate": dict(seed=4, learning_rate=0.01, forget_bias=1.0, batch_size=32, forget=False),
    "large steps, b_f = 0": dict(seed=0, learning_rate=0.3, forget_bias=0.0, batch_size=8, forget=True),
}


def check(source):
    """Raise AssertionError unless the mirror at `source` trains as the package does."""
    task = storage(20)
    rng = np.random.default_rng(20)
    batches = {name: [task.sample(s["batch_size"], rng) for _ in range(STEPS)] for name, s in CASES.items()}
    cases = [{"settings": {**s, "forget": int(s["forget"])}, "steps": STEPS,
              "batches": [{"x": b.x[:, :, 0].T.tolist(), "y": b.y[-1].tolist()} for b in batches[name]]}
             for name, s in CASES.items()]
    whole = dict(seed=9, learning_rate=0.01, forget_bias=1.0, batch_size=16, forget=True)
    cases.append({"settings": {**whole, "forget": 1}, "steps": 200, "batches": None})    # the page's own batches
    huge = dict(seed=4, learning_rate=1e308, forget_bias=1.0, batch_size=8, forget=True)   # until it overflows
    cases.append({"settings": {**huge, "forget": 1}, "steps": 50, "batches": None})
    out = run_mirror(source, cases)
    for (name, settings), got in zip(CASES.items(), out["cases"]):
        expected = _package_run(settings, batches[name])
        assert len(got["history"]) == len(expected) == STEPS + 1, f"{name}: {len(got['history'])} steps"
        worst = max(abs(g[n] - e[n]) for g, e in zip(got["history"], expected) for n in e)
        assert worst <= 1e-9, f"{name}: the mirror's weights differ from the package's by {worst:.2e}"
    # the page's generator and batches are the Python copy's, and a whole run of the page is the package's
    numbers = generator(7).draw(50)
    assert np.array_equal(out["numbers"], numbers), "the page's generator differs from the Python copy"
    batch = storage_batch(generator(7), 6)
    assert np.array_equal(np.array(out["batch"]["x"]).T, batch.x[:, :, 0]) and out["batch"]["y"] == batch.y[-1].tolist()
    package = TrainingRun(**whole).advance(200)
    got = out["cases"][len(CASES)]
    worst = max(abs(g[n] - e[n]) for g, e in zip(got["history"], package.history) for n in e)
    assert len(got["history"]) == len(package.history) and worst <= 1e-9, f"a whole run differs by {worst:.2e}"
    assert np.allclose(got["losses"], package.losses, rtol=0, atol=1e-9)
    assert np.allclose(got["curve"], package.curve, rtol=0, atol=1e-9), "the test curve differs"
    # a learning rate so large that the weights overflow: both stop at the same step and say so
    package = TrainingRun(**huge).advance(50)
    got = out["cases"][-1]
    assert package.diverged and got["diverged"] and got["step"] == package.step < 50, (got["step"], package.step)


def test_the_mirror_trains_as_the_package():
    check(MIRROR)


MUTANTS = {
    "Adam without its bias correction": (
        "var mHat = a.m[n] / (1 - Math.pow(a.beta1, t)), vHat = a.v[n] / (1 - Math.pow(a.beta2, t));",
        "var mHat = a.m[n], vHat = a.v[n];"),
    "backward: the error from c_{t+1} dropped": (
        "var dc = dh * ((1 - tanhC * tanhC) * o) + dcNext;", "var dc = dh * ((1 - tanhC * tanhC) * o);"),
    "backward: the recurrent path through the forget gate dropped": (
        "dhNext = zi * p.W_hi + zj * p.W_hj + zf * whf + zo * p.W_ho;", "dhNext = zi * p.W_hi + zj * p.W_hj + zo * p.W_ho;"),
    "backward: σ' of the input gate left out": ("var zj = dc * ((1 - j) * j * i);", "var zj = dc * i;"),
    "cross-entropy: the gradient not divided by the batch": ("var B = batch.x.length, loss = 0, scale = 1 / B,",
                                                             "var B = batch.x.length, loss = 0, scale = 1,"),
    "no clipping": ("Math.min(1, state.clip / norm) : 1;", "1 : 1;"),
    "the readout's bias gradient forgotten": ("gby0 += dy0; gby1 += dy1;", ""),
    "a distraction's sign drawn the other way": ("(next() < 0.5 ? -d : d)", "(next() < 0.5 ? d : -d)"),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_a_wrong_training_mirror_is_rejected(mutant, tmp_path):
    with pytest.raises(AssertionError):
        check(mutated_mirror(tmp_path, *MUTANTS[mutant]))
