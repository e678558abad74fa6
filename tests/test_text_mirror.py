"""Chapter 12's text view: the JavaScript mirror of the language model (mirror.js, `charlm`) against lstm_book.

The mirror runs in node, as in tests/test_mirror.py, on the committed model (H = 128, V = 93), float64 on both
sides from the float32 weights. Over many random texts (the corpus's characters, unknown ones, line breaks) every
step's i, j, f, o, c, h and scores must equal the package's (`TextView.trace`: `charlm_forward` on float64
weights) to 1e-6, and the softmax `lstm_book.charlm.softmax`'s at several temperatures; the sampler's draws must be
`lstm_book.charlm.mulberry32`'s exactly, and the text it writes `lstm_book.charlm.sample`'s, character for
character, for many seeds, temperatures and prompts. The test proves that it can fail: deliberately wrong copies
of mirror.js (a swapped gate, a missing bias, a softmax or a sampler without the temperature, a draw off by one,
the generator one number late) must be rejected.
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from lstm_book.charlm import mulberry32, sample, softmax
from lstm_book.teaching.explorers.text_view import TextView
from test_mirror import MIRROR, _node, mutated_mirror

# reads {"source", "weights": {name: list}, "H", "V", "texts": [[ids]], "logits": [[y, tau]], "samples":
# [[prompt ids, length, tau, seed]], "draws": [seed, n]}
RUNNER = """
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const M = require(input.source), C = M.charlm;
const model = new C.CharModel(input.weights, input.H, input.V);
const out = {
  reads: input.texts.map((ids) => model.read(ids).map((s) => [Array.from(s.z), Array.from(s.c), Array.from(s.h), Array.from(s.y)])),
  softmax: input.logits.map(([y, tau]) => Array.from(C.softmax(y, tau))),
  samples: input.samples.map(([prompt, n, tau, seed]) => C.sampleIds(model, prompt, n, tau, seed)),
  // as a view samples after the text it has read: the prompt's steps given, all of them, or its first half
  known: input.samples.map(([prompt, n, tau, seed]) =>
    [prompt.length, Math.floor(prompt.length / 2)].map((k) => C.sampleIds(model, prompt, n, tau, seed, model.read(prompt.slice(0, k))))),
};
const g = C.generator(input.draws[0]);
out.numbers = Array.from({length: input.draws[1]}, () => g());
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def view():
    return TextView()


def _texts(view, n=40, seed=12):
    """Random texts: pieces of Python-like characters, unknown characters, line breaks; 1 to 150 characters."""
    rng = np.random.default_rng(seed)
    chars = view.vocabulary.chars + "~$é\t"
    return ["".join(rng.choice(list(chars), size=int(rng.integers(1, 150)))) for _ in range(n)] + [view.text]


SAMPLES = [("\n", 0.8, 1), ("def ", 0.5, 7), ("class A:\n    ", 1.0, 123456789), ("x", 1.5, 2**32 - 1),
           ("import os\n", 0.3, 0), ("(", 2.0, 99), ("    return", 0.8, 42), ("#", 1.2, 5)]
LENGTH = 120


_EXPECTED = {}


def _expected(view, texts):
    """The package's traces and samples, computed once for the mirror and every wrong copy."""
    if id(view) not in _EXPECTED:
        traces = [np.concatenate([tr[q] for q in ("i", "j", "f", "o", "c", "h", "y")], axis=1)
                  for tr in map(view.trace, texts)]
        written = [sample(view.params, view.vocabulary, LENGTH, temperature=tau, seed=seed, prompt=prompt)
                   for prompt, tau, seed in SAMPLES]
        _EXPECTED[id(view)] = traces, written
    return _EXPECTED[id(view)]


def check(source, view):
    """Raise AssertionError unless the mirror at `source` computes and samples as the package does."""
    texts = _texts(view)
    traces, samples = _expected(view, texts)
    rng = np.random.default_rng(3)
    logits = [[rng.normal(0, s, view.vocabulary.size).tolist(), tau] for s, tau in ((1, 1.0), (5, 0.3), (20, 2.0))]
    payload = {"source": str(source), "weights": {k: v.ravel().tolist() for k, v in view.params.items()},
               "H": view.H, "V": view.vocabulary.size, "texts": [view.vocabulary.encode(t).tolist() for t in texts],
               "logits": logits, "draws": [77, 500],
               "samples": [[view.vocabulary.encode(p).tolist(), LENGTH, tau, seed] for p, tau, seed in SAMPLES]}
    result = subprocess.run([_node(), "-e", RUNNER], input=json.dumps(payload), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    worst = 0.0
    for expected, got in zip(traces, out["reads"]):
        got = np.array([z + c + h + y for z, c, h, y in got])
        assert got.shape == expected.shape, (got.shape, expected.shape)
        worst = max(worst, float(np.abs(got - expected).max()))
    assert worst <= 1e-6, f"the mirror's forward pass differs from the package's by {worst:.2e}"
    for (y, tau), got in zip(logits, out["softmax"]):
        assert np.abs(np.array(got) - softmax(np.array(y), tau)).max() <= 1e-12, f"softmax at tau = {tau}"
    assert np.array_equal(out["numbers"], mulberry32(77, 500)), "the page's generator differs from mulberry32"
    for (prompt, tau, seed), ids, known, written in zip(SAMPLES, out["samples"], out["known"], samples):
        assert view.vocabulary.decode(np.array(ids, dtype=np.int64)) == written, (prompt, tau, seed)
        for ids in known:                                     # from the steps a view has read already
            assert view.vocabulary.decode(np.array(ids, dtype=np.int64)) == written, ("read", prompt, tau, seed)
    return worst


def test_the_mirror_reads_and_writes_as_the_package(view):
    worst = check(MIRROR, view)
    print(f"the mirror's forward pass against the package: at most {worst:.1e} apart")


MUTANTS = {
    "the input gate and the forget gate swapped": ("cNew[r] = c[r] * a[2 * H + r] + a[r] * a[H + r];",
                                                   "cNew[r] = c[r] * a[H + r] + a[r] * a[2 * H + r];"),
    "the bias missing": ("col[g * H + r] = wx[r * V + k] + b[r];", "col[g * H + r] = wx[r * V + k];"),
    "the readout's bias missing": ("y[v] = s + this.by[v];", "y[v] = s;"),
    "σ without halving z": ("Math.tanh(z * 0.5) * 0.5 + 0.5", "Math.tanh(z) * 0.5 + 0.5"),
    "a softmax without the temperature": ("e[k] = y[k] / temperature;", "e[k] = y[k];"),
    "a sampler without the temperature": ("w[v] = y[v] / temperature;", "w[v] = y[v];"),
    "the draw off by one": ("for (k = 0; k < V - 1 && !(w[k] > target); k++);",
                            "for (k = 0; k < V - 1 && !(w[k + 1] > target); k++);"),
    "the generator one number late": ("var target = next() * w[V - 1];", "next(); var target = next() * w[V - 1];"),
    "the prompt's last character read twice when its steps are given": (
        "var known = Math.min(read ? read.length : 0, prompt.length - 1);",
        "var known = Math.min(read ? read.length : 0, prompt.length);"),
}


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_a_wrong_text_mirror_is_rejected(mutant, tmp_path, view):
    with pytest.raises(AssertionError):
        check(mutated_mirror(tmp_path, *MUTANTS[mutant]), view)
