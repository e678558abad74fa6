"""The website's JavaScript mirror of the scalar cell (lstm_book/teaching/web/mirror.js) against lstm_book.

The mirror runs in node (installed with npm, which the site's assets need anyway; CI has both). For every
explorer that responds on the website, the arrays the mirror computes must equal what the explorer's Python
compute returns: to 1e-12 at the explorer's defaults, and to 1e-6 over 500 random settings spanning the sliders'
full ranges (large recurrent weights amplify last-digit differences). σ itself must keep the package's relative
precision for very negative z. The test proves that it can fail: it runs deliberately wrong copies of
mirror.js (σ written differently, one sign flipped, a gate swapped) and asserts that each is rejected.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import numpy as np
import pytest

from lstm_book import sigmoid
from lstm_book.teaching.explorers import (
    WEB_DIR, cell_state_explorer, full_cell_explorer, gate_explorer, hidden_state_explorer,
)
from lstm_book.teaching.explorers import backward_explorer, gradient_flow_explorer

NODE = shutil.which("node")
MIRROR = WEB_DIR / "mirror.js"

EXPLORERS = {
    "full": full_cell_explorer,
    "hidden": hidden_state_explorer,
    "cell": cell_state_explorer,
    **{f"gate_{g}": (lambda g=g: gate_explorer(g)) for g in "ojfi"},
    "backward": backward_explorer,              # chapter 8 (lstm_book.teaching.explorers): the backward pass
    "gradient_flow": gradient_flow_explorer,    # chapter 9: the error flowing back, LSTM and plain RNN
}

# reads {"source": path, "cases": [[mirror, values], ...], "z": [...], "steps": [[x, h_prev, c_prev, weights], ...]}
# on stdin, prints the results as JSON
RUNNER = """
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const M = require(input.source);
const out = {
  cases: input.cases.map(([spec, values]) => M.compute(spec, values)),
  z: input.z.map(M.sigmoid),
  steps: input.steps.map(([x, h, c, p]) => M.scalarCell([x], p, h, c)),
};
process.stdout.write(JSON.stringify(out));
"""


def _node():
    if NODE is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but node is not on PATH: the mirror's parity test needs node (it comes with npm)")
        pytest.skip("node is not on PATH (it comes with npm); CI runs this test")
    return NODE


def run_mirror(source, cases, z=(), steps=()):
    """Run mirror.js (or a copy) in node on (mirror description, slider values) pairs."""
    payload = json.dumps({"source": str(source), "cases": cases, "z": list(z), "steps": list(steps)}, allow_nan=False)
    result = subprocess.run([_node(), "-e", RUNNER], input=payload, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _cases(explorer, settings):
    mirror = explorer.spec()["mirror"]
    return [[mirror, values] for values in settings]


def _random_settings(explorer, n, seed):
    rng = np.random.default_rng(seed)
    return [{s.name: float(rng.uniform(s.low, s.high)) for s in explorer.sliders} for _ in range(n)]


def _error(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    error = float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))
    return error if error == error else np.inf  # NaN counts as the largest difference


def _nudged(explorer, values):
    """How much the package's own result moves when every slider value moves by one last digit (chaos)."""
    base = explorer.data(**values)
    centre = {s.name: (s.low + s.high) / 2 for s in explorer.sliders}
    # towards the centre and away from it: one direction alone can miss how far a chaotic setting moves
    nudges = [{k: float(np.nextafter(v, target(k))) for k, v in values.items()}
              for target in (lambda k: centre[k], lambda k: 2 * values[k] - centre[k])]
    return max(_error(explorer.data(**nudge)[n], base[n]) for nudge in nudges for n in "ijfoch")


def _worst(explorer, settings, computed, expected_data=None):
    """The largest difference, relative to max(1, |value|), between the mirror and the package, and where."""
    worst = (0.0, None)
    for values, got in zip(settings, computed):
        expected = explorer.data(**values)
        assert set(got) - {"seq"} <= set(expected), f"the mirror computes {set(got) - set(expected)}, Python does not"
        drawn = {n for p in explorer.panels for n in p.series} | {line.key for line in explorer.lines}
        assert drawn <= set(got), f"the mirror does not compute {drawn - set(got)}"
        for name, value in got.items():
            error = _error(value, expected[name])
            if error > worst[0]:
                worst = (error, (name, values))
    return worst


def check(source, z_grid, n_random=500):
    """Raise AssertionError unless the mirror at `source` agrees with the package everywhere."""
    explorers = {name: make() for name, make in EXPLORERS.items()}
    # every explorer at its defaults, plus σ on a grid
    live = {name: e for name, e in explorers.items() if e.mirror is not None}
    assert set(live) == set(EXPLORERS), "every chapter's explorer must respond on the website"
    cases, owners, settings = [], [], []
    for name, explorer in live.items():
        cases += _cases(explorer, [explorer.defaults()])
        owners.append(name)
        settings.append(explorer.defaults())
    out = run_mirror(source, cases, z_grid)
    for name, values, got in zip(owners, settings, out["cases"]):
        error, where = _worst(live[name], [values], [got])
        assert error <= 1e-12, f"{name} at its defaults: the mirror differs by {error:.2e} ({where})"
    z = np.asarray(z_grid)
    expected = sigmoid(z)
    got = np.asarray(out["z"], dtype=float)
    relative = np.abs(got - expected) / expected
    assert np.all(relative <= 1e-13), f"σ differs by {relative.max():.2e} relative at z = {z[np.argmax(relative)]}"
    # random settings over the sliders' full ranges: 500 of the whole cell (all twelve weights), and the others
    for k, (name, explorer) in enumerate(live.items()):
        n = n_random if name == "full" else n_random // 5
        settings = _random_settings(explorer, n, seed=100 + k)
        # 1. one step at a time, from the package's own previous state: the arithmetic, with no room for chaos
        steps, expected = [], []
        if explorer.mirror["name"] == "scalar_cell":
            for values in settings:
                data = explorer.data(**values)
                weights = {**explorer.mirror["params"], **values}
                h_prev, c_prev = np.concatenate([[0.0], data["h"][:-1]]), np.concatenate([[0.0], data["c"][:-1]])
                for t in range(0, len(data["t"]), 7):
                    steps.append([float(data["x"][t]), float(h_prev[t]), float(c_prev[t]), weights])
                    expected.append({n: data[n][t] for n in "ijfoch"})
        out = run_mirror(source, _cases(explorer, settings), steps=steps)
        for got, want in zip(out["steps"], expected):
            error = max(_error(got[n][0], want[n]) for n in want)
            assert error <= 1e-13, f"{name}: one step of the mirror differs by {error:.2e}"
        # 2. whole sequences: 1e-6, unless the package itself moves more than that when the slider values move by
        # one last digit (a chaotic setting: large recurrent weights); then 10x the package's own change
        chaotic = 0
        for values, got in zip(settings, out["cases"]):
            error, where = _worst(explorer, [values], [got])
            if error > 1e-6:
                own = _nudged(explorer, values)
                assert error <= 10 * own, f"{name}: the mirror differs by {error:.2e} ({where}); the package itself by {own:.2e}"
                chaotic += 1
        assert chaotic <= n // 100, f"{name}: {chaotic} of {n} settings differ by more than 1e-6"


Z_GRID = np.concatenate([np.linspace(-700.0, 700.0, 281), np.linspace(-45.0, 45.0, 901)]).tolist()


def test_the_mirror_agrees_with_the_package():
    check(MIRROR, Z_GRID)


MUTANTS = {
    "σ as 1/(1 + e^z): the sign inside σ flipped": (
        "var e = Math.exp(-Math.abs(z));\n    return (z >= 0 ? 1 : e) / (1 + e);", "return 1 / (1 + Math.exp(z));"),
    "σ as 0.5·tanh(z/2) + 0.5 (loses the digits of small gates)": (
        "var e = Math.exp(-Math.abs(z));\n    return (z >= 0 ? 1 : e) / (1 + e);", "return 0.5 * Math.tanh(z / 2) + 0.5;"),
    "one sign flipped: the recurrent term of the forget gate subtracted": (
        "x * p.w_xf + h * p.w_hf + p.b_f", "x * p.w_xf - h * p.w_hf + p.b_f"),
    "one sign flipped: the write subtracted from the memory": ("c = c * f + i * j;", "c = c * f - i * j;"),
    "the candidate with σ instead of tanh": (
        "var i = Math.tanh(x * p.w_xi", "var i = sigmoid(x * p.w_xi"),
    "h_t from c_{t-1} (the new memory written after h is computed)": (
        "c = c * f + i * j;\n      var tanhC = Math.tanh(c);", "var tanhC = Math.tanh(c);\n      c = c * f + i * j;"),
    "the fixed point without the input gate": ("out.c_star = i * j / (1 - f);", "out.c_star = i / (1 - f);"),
    # the backward pass of chapters 8 and 9
    "backward: the error from c_{t+1} forgotten": (
        "var ec = eh * o * (1 - tanhC * tanhC) + dcNext;", "var ec = eh * o * (1 - tanhC * tanhC);"),
    "backward: tanh' left out on the way from h_t to c_t": (
        "var ec = eh * o * (1 - tanhC * tanhC) + dcNext;", "var ec = eh * o + dcNext;"),
    "backward: σ' written as σ for the input gate": ("var zj = ec * i * j * (1 - j);", "var zj = ec * i * j;"),
    "backward: the forget gate left out on the way to c_{t-1}": ("dcNext = ec * f;", "dcNext = ec;"),
    "plain RNN: tanh' left out": ("next = rnn[t] * (1 - hs[t] * hs[t]) * w;", "next = rnn[t] * w;"),
}


def mutated_mirror(tmp_path, old: str, new: str):
    """A copy of mirror.js with `old` (found exactly once) replaced by `new`: a deliberately wrong mirror."""
    source = MIRROR.read_text()
    assert source.count(old) == 1, f"the mutant's target is not (once) in mirror.js: {old!r}"
    wrong = tmp_path / "mirror.js"
    wrong.write_text(source.replace(old, new))
    return wrong


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_a_wrong_mirror_is_rejected(mutant, tmp_path):
    wrong = mutated_mirror(tmp_path, *MUTANTS[mutant])
    with pytest.raises(AssertionError):
        check(wrong, Z_GRID, n_random=100)
