"""Part I's checker of the whole step (chapter 6): `check_lstm_step`, for a reader's
``lstm_step(x_t, h_prev, c_prev, params)`` that returns ``(h_t, c_t)``.

Its catalogue of mistakes (`_step_mistakes`) is PyTorch's letters for the gate and the candidate, the old memory
used for h_t, h_{t-1} and c_{t-1} swapped or left out, a state returned unchanged, one part computed with the
weights of another, and every mistake of the gates' and the states' catalogues made inside the step. When none
matches, `_locate` says which equation the mistake is in, judged from which results are right (c_t is made of
i_t, j_t, f_t; h_t of c_t and o_t).
"""

from __future__ import annotations

import numpy as np

from lstm_book.cell import LSTMParams, Step, lstm_step
from lstm_book.equations import sigmoid

from ..diagnoses import Mistake, attempt
from ..results import as_result, close, compare, rounding, show, what_came
from ..runner import Feedback, check
from .gates import CASE_SIZES, GATE_COVERED, gate_mistakes
from .states import CELL_MISTAKES, HIDDEN_MISTAKES

__all__ = ["check_lstm_step"]


def _step_cases() -> list[dict]:
    """Every one of the twelve parameters drawn at random for every case (the forget bias too: a step that
    writes a constant where params.b_f belongs cannot pass), and non-zero states."""
    cases = []
    for seed, (D, H, B, dtype, scale) in enumerate(CASE_SIZES):
        rng = np.random.default_rng(2000 + seed)
        lead = () if B is None else (B,)
        values = {}
        for g in "ijfo":
            values[f"W_x{g}"] = rng.normal(0, 1.2 * scale, (H, D))
            values[f"W_h{g}"] = rng.normal(0, 1.2 * scale, (H, H))
            values[f"b_{g}"] = rng.normal(0.3, scale, H)
        params = LSTMParams(**{k: v.astype(dtype) for k, v in values.items()})
        cases.append({"x_t": rng.normal(0, 1, lead + (D,)).astype(dtype),
                      "h_prev": rng.uniform(-0.9, 0.9, lead + (H,)).astype(dtype),
                      "c_prev": rng.uniform(-2, 2, lead + (H,)).astype(dtype), "params": params})
    return cases


_PART_NAMES = {"i": "the candidate i_t", "j": "the input gate j_t", "f": "the forget gate f_t", "o": "the output gate o_t"}
_ACTIVATION = {"i": np.tanh, "j": sigmoid, "f": sigmoid, "o": sigmoid}


def _parts(x, h, p: LSTMParams, replace: dict | None = None) -> dict:
    """i, j, f, o computed by the book's equations, with some parts replaced by given functions of
    (x, h, W_x, W_h, b)."""
    replace = replace or {}
    out = {}
    for g in "ijfo":
        Wx, Wh, b = p.part(g)
        compute = replace.get(g) or (lambda x_, h_, W_x, W_h, b_, act=_ACTIVATION[g]: act(x_ @ W_x.T + h_ @ W_h.T + b_))
        out[g] = compute(x, h, Wx, Wh, b)
    return out


def _step_mistakes() -> list[tuple[Mistake, str]]:
    """Wrong steps, each with where the reader should look; results are (h_t, c_t)."""

    def step_with(replace=None, cell=None, hidden=None):
        def compute(x, h, c, p):
            q = _parts(x, h, p, replace)
            c_t = (cell or (lambda c_, f, i, j: c_ * f + i * j))(c, q["f"], q["i"], q["j"])
            h_t = (hidden or (lambda c_, o: np.tanh(c_) * o))(c_t, q["o"])
            return h_t, c_t
        return compute

    out: list[tuple[Mistake, str]] = []

    def pytorch(x, h, c, p):
        gate = sigmoid(x @ p.W_xi.T + h @ p.W_hi.T + p.b_i)
        candidate = np.tanh(x @ p.W_xj.T + h @ p.W_hj.T + p.b_j)
        q = _parts(x, h, p)
        c_t = c * q["f"] + candidate * gate
        return np.tanh(c_t) * q["o"], c_t

    out.append((Mistake(pytorch,
                        "You used the i weights for the gate and the j weights for the candidate, as PyTorch's letters "
                        "would suggest. In this book i_t = tanh(W_xi x_t + W_hi h_(t-1) + b_i) is the candidate "
                        "(PyTorch's g) and j_t = σ(W_xj x_t + W_hj h_(t-1) + b_j) is the input gate (PyTorch's i)."), ""))

    def old_memory(x, h, c, p):
        q = _parts(x, h, p)
        return np.tanh(c) * q["o"], c * q["f"] + q["i"] * q["j"]

    out.append((Mistake(old_memory, "Your h_t uses the old memory c_(t-1): compute c_t first, then "
                                    "h_t = tanh(c_t) ⊙ o_t from the new one."), ""))

    def h_for_c(x, h, c, p):
        q = _parts(x, h, p)
        c_t = h * q["f"] + q["i"] * q["j"]
        return np.tanh(c_t) * q["o"], c_t

    out.append((Mistake(h_for_c, "Your c_t keeps a fraction of h_prev: the memory that the forget gate keeps is the "
                                 "old cell state, c_t = c_prev ⊙ f_t + i_t ⊙ j_t."), ""))
    def states_step(x, h, c, p, h_gates, c_kept):
        q = _parts(x, h_gates, p)
        c_t = c_kept * q["f"] + q["i"] * q["j"]
        return np.tanh(c_t) * q["o"], c_t

    out.append((Mistake(lambda x, h, c, p: states_step(x, c, h, p, c, h),
                        "h_prev and c_prev are swapped: the gates read the previous hidden state h_(t-1), and the "
                        "forget gate scales the previous cell state c_(t-1). Take them in the order "
                        "(x_t, h_prev, c_prev, params)."), ""))
    out.append((Mistake(lambda x, h, c, p: states_step(x, c, h, p, c, c),
                        "Your gates read c_(t-1) where h_(t-1) belongs: every gate is computed from x_t and the "
                        "previous hidden state, W_x? x_t + W_h? h_(t-1) + b_?."), ""))
    out.append((Mistake(lambda x, h, c, p: states_step(x, h, c, p, np.zeros_like(h), c),
                        "h_(t-1) is left out of every gate: add the recurrent terms W_h? h_(t-1) (params.W_hi, "
                        "params.W_hj, params.W_hf, params.W_ho)."), ""))
    out.append((Mistake(lambda x, h, c, p: (step_with()(x, h, c, p)[0], c),
                        "Your c_t is c_(t-1), unchanged: return the new cell state c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t, "
                        "not the one that came in."), "c"))
    out.append((Mistake(lambda x, h, c, p: (h, step_with()(x, h, c, p)[1]),
                        "Your h_t is h_(t-1), unchanged: return the new hidden state h_t = tanh(c_t) ⊙ o_t, not the "
                        "one that came in."), "h"))
    # one part computed with the weights of another (a copy-and-paste slip)
    for g in "ijfo":
        for other in "ijfo":
            if other == g:
                continue

            def compute(x, h, c, p, g=g, other=other):
                Wx, Wh, b = p.part(other)
                act = _ACTIVATION[g]
                return step_with({g: lambda x_, h_, *_: act(x_ @ Wx.T + h_ @ Wh.T + b)})(x, h, c, p)

            words = (f"{_PART_NAMES[g][0].upper()}{_PART_NAMES[g][1:]} is computed with the weights of "
                     f"{_PART_NAMES[other]} (params.W_x{other}, params.W_h{other}, params.b_{other}): it needs its "
                     f"own, params.W_x{g}, params.W_h{g}, params.b_{g}.")
            if {g, other} == {"j", "f"}:  # the same numbers as using one gate twice in c_t
                twice = other
                words = (f"Your c_t uses {twice}_t twice, as if c_t = c_(t-1) ⊙ {twice}_t + i_t ⊙ {twice}_t (or "
                         + words[0].lower() + words[1:-1] + "). c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t: f_t keeps the old "
                         "memory, j_t lets the candidate in.")
            out.append((Mistake(compute, words), g))
    # a known mistake in one equation, with everything else right
    for g in "ijfo":
        for mistake in gate_mistakes(g):
            out.append((Mistake(step_with({g: mistake.compute}), mistake.message), g))
    for mistake in CELL_MISTAKES:
        out.append((Mistake(step_with(cell=mistake.compute), mistake.message), "c"))
    for mistake in HIDDEN_MISTAKES:
        out.append((Mistake(step_with(hidden=mistake.compute), mistake.message), "h"))
    return out


_WHERE = {
    "": "",
    "i": "The mistake is in the candidate i_t (c_t is wrong, the gates are right). ",
    "j": "The mistake is in the input gate j_t (c_t is wrong, the other parts are right). ",
    "f": "The mistake is in the forget gate f_t (c_t is wrong, the other parts are right). ",
    "o": "The mistake is in the output gate o_t (c_t is right, h_t is wrong). ",
    "c": "The mistake is in the cell state c_t (the four gates are right). ",
    "h": "The mistake is in the hidden state h_t (c_t and o_t are right). ",
}


def _locate(got_c: np.ndarray, got_h: np.ndarray, step: Step, case: dict) -> str:
    """Where the mistake is when no known one matches: which equation, judged from which results are right."""
    c_prev = np.asarray(case["c_prev"], dtype=float)
    if close(got_c, step.c):
        # c_t right: h_t is wrong; if tanh(c_t) could not give it with any gate in (0, 1), look at the tanh
        ratio = np.divide(got_h, np.tanh(step.c), out=np.full(step.c.shape, np.nan), where=np.abs(step.c) > 1e-3)
        if np.all((ratio > 0) & (ratio < 1) | np.isnan(ratio)):
            return ("c_t is right and h_t is not, and your h_t is tanh(c_t) times numbers in (0, 1): look at the "
                    "output gate o_t = σ(W_xo x_t + W_ho h_(t-1) + b_o).")
        return "c_t is right and h_t is not: look at h_t = tanh(c_t) ⊙ o_t and at the output gate o_t."
    x, h, params = np.asarray(case["x_t"], dtype=float), np.asarray(case["h_prev"], dtype=float), case["params"]
    written, kept = step.i * step.j, c_prev * step.f
    with np.errstate(all="ignore"):
        implied = {  # the value each part would need for your c_t, if the other parts were right
            "f": np.divide(got_c - written, c_prev, out=np.full(c_prev.shape, np.nan), where=np.abs(c_prev) > 1e-2),
            "j": np.divide(got_c - kept, step.i, out=np.full(c_prev.shape, np.nan), where=np.abs(step.i) > 1e-2),
            "i": np.divide(got_c - kept, step.j, out=np.full(c_prev.shape, np.nan), where=np.abs(step.j) > 1e-2),
        }
    low = {"f": 0.0, "j": 0.0, "i": -1.0}
    suspects = [g for g, v in implied.items() if np.all(((v > low[g]) & (v < 1)) | np.isnan(v))
                and not np.all(np.isnan(v))]
    for g in suspects:  # a constant where params.b_g belongs, or a bias with the wrong sign?
        v = implied[g]
        with np.errstate(all="ignore"):
            z = np.arctanh(v) if g == "i" else np.log(v) - np.log1p(-v)
        Wx, Wh, b = params.part(g)
        bias = z - (x @ Wx.T + h @ Wh.T)
        seen = bias[np.isfinite(bias)]
        if seen.size and np.ptp(seen) < 1e-4 * max(1.0, float(np.max(np.abs(seen)))):
            value = float(np.mean(seen))
            return (f"c_t is wrong, and {_PART_NAMES[g]} behaves as if its bias were {value:.4g} in every unit, "
                    f"but params.b_{g} is {np.round(np.asarray(b, dtype=float), 4).tolist()}: use params.b_{g}, "
                    f"not a constant.")
        if seen.size and np.allclose(seen, -np.broadcast_to(b, bias.shape)[np.isfinite(bias)], rtol=1e-4, atol=1e-6):
            return f"c_t is wrong, and {_PART_NAMES[g]} behaves as if its bias were subtracted: add params.b_{g}."
    described = {"f": "the forget gate f_t = σ(W_xf x_t + W_hf h_(t-1) + b_f)",
                 "j": "the input gate j_t = σ(W_xj x_t + W_hj h_(t-1) + b_j)",
                 "i": "the candidate i_t = tanh(W_xi x_t + W_hi h_(t-1) + b_i)"}
    if len(suspects) == 1:
        return (f"c_t is wrong. If the other parts are right, only {described[suspects[0]]} could give your c_t "
                f"with a value in its range: look there first, then at c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t.")
    if suspects:
        return (f"c_t is wrong: look at {' or at '.join(described[g] for g in suspects)}, and at "
                f"c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t.")
    return "c_t is wrong: look at c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t and at the gates it is made of."


def _diagnose_step(hint: str):
    mistakes = _step_mistakes()

    def diagnose(got, expected, case):
        step: Step = expected
        if isinstance(got, Step) or (isinstance(got, tuple) and len(got) == 6):
            return ("it returned all six quantities (a Step): return just the two states, (h_t, c_t), e.g. "
                    "`return step.h, step.c`.")
        if isinstance(got, np.ndarray) and got.ndim and got.shape[0] == 2 and got.shape[1:] == step.h.shape:
            return ("it returned one array with h_t and c_t stacked (np.array([h_t, c_t])): return them as two "
                    "values, `return h_t, c_t`.")
        if isinstance(got, dict):
            return f"it returned a dict ({show(got)}): return the two arrays as a pair, `return h_t, c_t`."
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return f"it should return 2 values, (h_t, c_t); it returned {what_came(got)}."
        first, second = got
        if (isinstance(first, np.ndarray) and isinstance(second, np.ndarray) and close(first, step.c)
                and close(second, step.h) and not close(first, step.h)):
            return "it returned (c_t, h_t): return the hidden state first, (h_t, c_t)."
        got_h, problem = as_result(first, step.h, "h_t", hint)
        if got_h is None:
            return problem
        got_c, problem = as_result(second, step.c, "c_t", hint)
        if got_c is None:
            return problem
        if close(got_h, step.h) and close(got_c, step.c):
            return None
        for mistake, where in mistakes:
            wrong = attempt(mistake.compute, case)
            if (wrong is not None and close(got_h, wrong[0]) and close(got_c, wrong[1])
                    and not (close(wrong[0], step.h) and close(wrong[1], step.c))):
                return _WHERE[where] + mistake.message
        rounded = rounding(got_c, step.c, "c_t") or rounding(got_h, step.h, "h_t")
        if rounded:
            return rounded
        c_words = compare(got_c, step.c, "c_t")
        h_words = compare(got_h, step.h, "h_t")
        located = _locate(got_c, got_h, step, case)
        return f"{located} {c_words or h_words}"

    return diagnose


def check_lstm_step(function) -> Feedback:
    """Check a reader's ``lstm_step(x_t, h_prev, c_prev, params)`` that returns ``(h_t, c_t)``.

    The diagnosis says where a mistake is: c_t is compared first (it is made of i_t, j_t, f_t), then h_t (made
    of c_t and o_t), and every known mistake of the six per-equation checkers is tried inside the step.
    """
    hint = ("x_t has shape (D,) or (B, D), h_prev and c_prev (H,) or (B, H); h_t and c_t have the shape of h_prev. "
            "Use params.W_xi, params.W_hi, params.b_i and so on, as named in the equations.")
    return check("lstm_step", function, lstm_step, _step_cases(), _diagnose_step(hint),
                 ["x_t", "h_prev", "c_prev", "params"], hint, GATE_COVERED)
