"""One checked surface: every public callable of the model refuses bad input with a clear error naming the argument.

The sweep itself is `tools/hostile_inputs.py` (also a command that prints the table). Here it runs on every public
callable of every model module, not only those in `__all__`, and is proven able to fail on deliberately unchecked
versions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import hostile_inputs as hi  # noqa: E402

from lstm_book import LSTMInputError  # noqa: E402
from lstm_book.validation import unchecked  # noqa: E402

CALLS = hi.valid_calls()
SWEPT = sorted(name for name, (function, kwargs) in CALLS.items() if function is not None and kwargs)


def test_every_public_callable_is_swept_or_is_a_record():
    """A new public function, class or method of the model must join the sweep (or be listed as a record)."""
    public = set(hi.public_callables())
    known = set(CALLS) | set(hi.RECORDS)
    assert not public - known, f"public callables with no valid call in tools/hostile_inputs.py: {sorted(public - known)}"
    assert not known - public, f"stale entries in tools/hostile_inputs.py: {sorted(known - public)}"
    without_arguments = {n for n, (f, kwargs) in CALLS.items() if f is None or not kwargs}
    assert without_arguments <= {"backward.StepGradients.params", "backward.Gradients.params",
                                 "params.Params.as_dict", "validation.no_overflow"}, without_arguments


@pytest.mark.parametrize("name", SWEPT)
def test_every_bad_input_is_refused_with_a_clear_error(name):
    function, kwargs = CALLS[name]
    outcomes = hi.sweep(name, function, kwargs)
    problems = [f"{arg} <- {kind}: {o}" for (arg, kind), o in outcomes.items()
                if o not in ("refused", "accepted (allowed)")]
    assert outcomes and not problems, "\n".join(problems)


def test_the_valid_calls_are_valid():
    """The sweep spoils valid calls: each one, unspoiled, must run without an error or a warning."""
    import warnings

    for name in SWEPT:
        function, kwargs = CALLS[name]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            function(**kwargs)


# ---------------------------------------------------------------- the sweep can fail

def test_an_unchecked_function_is_caught():
    """The body of forget_gate, run without its checks, lets NaN, strings and wrong shapes through."""
    from lstm_book.equations import forget_gate

    _, kwargs = CALLS["equations.forget_gate"]
    outcomes = hi.sweep("equations.forget_gate", unchecked(forget_gate), kwargs)
    kinds = {o.split(":")[0] for o in outcomes.values() if o != "refused"}
    assert "accepted silently" in kinds and any(k.endswith("Error") for k in kinds), kinds


def test_a_loop_run_without_its_checks_is_caught():
    """lstm_forward's loop (`_forward`) called directly: a NaN input goes through silently."""
    from lstm_book.fast import _forward

    _, kwargs = CALLS["fast.lstm_forward"]
    batched = dict(xs=kwargs["xs"][:, None], params=kwargs["params"], h0=kwargs["h0"][None], c0=kwargs["c0"][None])
    outcomes = hi.sweep("fast.lstm_forward", lambda xs, params, h0, c0: _forward(xs, params, h0, c0), batched)
    assert outcomes[("xs", "NaN inside")] == "accepted silently"


def test_an_error_that_does_not_name_the_argument_is_caught():
    def vague(xs, params, h0=None, c0=None):
        raise LSTMInputError("something is wrong")

    _, kwargs = CALLS["fast.lstm_forward"]
    outcomes = hi.sweep("fast.lstm_forward", vague, kwargs)
    assert all(o.startswith("refused without naming") for o in outcomes.values())


def test_a_runtime_warning_is_caught():
    def warns(z):
        return np.exp(np.asarray(z, dtype=float) * 1e308)

    outcomes = hi.sweep("equations.sigmoid", warns, {"z": np.ones(3)})
    assert any("RuntimeWarning" in o for o in outcomes.values()), outcomes


def test_the_command_prints_a_table_and_exits_0():
    import subprocess

    out = subprocess.run([sys.executable, str(Path(hi.__file__)), "--part", "2"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "fast.lstm_forward" in out.stdout and "refused with a clear error, 0 not" in out.stdout
    bad = subprocess.run([sys.executable, str(Path(hi.__file__)), "--part", "7"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--part" in bad.stderr
