"""Checkers for the exercises: run the reader's function against `lstm_book` and say what is wrong.

Each checker calls the reader's function on several cases (square and non-square weights, one sequence and
a batch), compares with the package, and on a mismatch compares the reader's answer with the mistakes people
actually make (σ and tanh swapped, x_t and h_{t-1} swapped, weights transposed, the bias left out, ...). The
answer is a `Feedback`: ``correct`` is True or False and ``message`` says, in words, what to look at.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .cell import LSTMParams, init_params, lstm_step
from .equations import cell_state, forget_gate, hidden_state, input_gate, input_state, output_gate, sigmoid, tanh

__all__ = [
    "Feedback",
    "check_hidden_state",
    "check_output_gate",
    "check_cell_state",
    "check_forget_gate",
    "check_input_gate",
    "check_input_state",
    "check_lstm_step",
]


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker: `correct`, and a `message` for the reader."""

    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return ("✔ Correct. " if self.correct else "✘ Not yet. ") + self.message

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return ("**✔ Correct.** " if self.correct else "**✘ Not yet.** ") + self.message


@dataclass(frozen=True)
class Mistake:
    """A known wrong version of an equation and what to tell a reader whose answer matches it."""

    compute: Callable[..., object]
    message: str


def _shape_words(case: dict) -> str:
    return ", ".join(
        f"{name} {np.shape(value)}" for name, value in case.items() if isinstance(value, np.ndarray)
    )


def _is_batch(case: dict) -> bool:
    """The first argument (x_t, or the first state) has a leading batch axis."""
    return np.ndim(next(iter(case.values()))) == 2


def _call(function, case: dict):
    copies = [value.copy() if isinstance(value, np.ndarray) else value for value in case.values()]
    return function(*copies)


def _check(title: str, function, reference, cases: Sequence[dict], mistakes: Sequence[Mistake],
           shape_hint: str, outputs: Sequence[str] = ()) -> Feedback:
    if not callable(function):
        return Feedback(False, f"Pass your function itself (without calling it), e.g. check(my_function); got {function!r}.")
    for number, case in enumerate(cases, start=1):
        expected = _call(reference, case)
        try:
            got = _call(function, case)
        except NotImplementedError:
            return Feedback(False, f"Your {title} is not written yet: replace `raise NotImplementedError` with your code.")
        except Exception as exc:  # the reader's code can fail in any way: explain, don't crash
            words = f"Your {title} raised {type(exc).__name__}: {exc} on inputs of shapes {_shape_words(case)}."
            if isinstance(exc, ValueError) and any(k in str(exc) for k in ("matmul", "broadcast", "shapes", "align")):
                words += " That is a shape mismatch. " + shape_hint
            if number > 1 and _is_batch(case):
                words = "Your code works for one sequence but fails on a batch of rows. " + words
            return Feedback(False, words)
        if got is None:
            return Feedback(False, f"Your {title} returned None: did you forget the `return`?")
        verdict = _compare(got, expected, outputs, case, shape_hint)
        if verdict is None:
            continue
        for mistake in mistakes:
            try:
                wrong = _call(mistake.compute, case)
            except Exception:  # this mistake is not possible with these shapes
                continue
            if _compare(got, wrong, outputs, case, shape_hint) is None:
                return Feedback(False, mistake.message)
        return Feedback(False, f"Case {number} ({_shape_words(case)}): {verdict}")
    return Feedback(True, f"Your {title} agrees with lstm_book on all {len(cases)} cases, one sequence and batches.")


def _compare(got, expected, outputs, case, shape_hint) -> str | None:
    """None when `got` matches `expected`; otherwise what differs, in words."""
    if outputs:  # several results, e.g. (h_t, c_t)
        if not isinstance(got, (tuple, list)) or len(got) != len(outputs):
            return f"return {len(outputs)} values, ({', '.join(outputs)}); got {type(got).__name__}."
        for name, g, e in zip(outputs, got, expected):
            problem = _compare(g, e, (), case, shape_hint)
            if problem:
                return f"{name}: {problem}"
        return None
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        return f"the result should have shape {expected.shape}, but yours has shape {got.shape}. {shape_hint}"
    if not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
        k = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
        return (f"the numbers differ, e.g. at index {tuple(int(i) for i in k)} you have {got[k]:.6f} where "
                f"{expected[k]:.6f} is expected. Compare your code with the equation term by term.")
    return None


def _rng_cases_gate(g: str) -> list[dict]:
    """Cases for a gate or the candidate: square weights first (so swapped or transposed weights still run and
    can be recognised), then non-square weights, unbatched and batched. Seeded: the same every run."""
    rng = np.random.default_rng(20150707)
    cases = []
    for D, H, B in ((3, 3, None), (3, 3, 2), (2, 4, None), (5, 3, 4)):
        lead = () if B is None else (B,)
        cases.append({
            "x_t": rng.normal(0, 1.0, lead + (D,)),
            "h_prev": rng.uniform(-1, 1, lead + (H,)),
            f"W_x{g}": rng.normal(0, 1.0, (H, D)),
            f"W_h{g}": rng.normal(0, 1.0, (H, H)),
            f"b_{g}": rng.normal(0, 1.0, (H,)) + 0.5,
        })
    return cases


def _gate_mistakes(g: str, activation, other, role_message: str) -> list[Mistake]:
    Wx, Wh, b = f"W_x{g}", f"W_h{g}", f"b_{g}"
    return [
        Mistake(lambda x, h, W_x, W_h, b_: other(x @ W_x.T + h @ W_h.T + b_), role_message),
        Mistake(lambda x, h, W_x, W_h, b_: x @ W_x.T + h @ W_h.T + b_,
                f"You returned the pre-activation {Wx} x_t + {Wh} h_(t-1) + {b}: the equation applies a "
                f"nonlinearity to that sum, so the result is bounded."),
        Mistake(lambda x, h, W_x, W_h, b_: activation(h @ W_x.T + x @ W_h.T + b_),
                f"You multiplied {Wx} by h_(t-1) and {Wh} by x_t: the input weights {Wx} (shape H×D) go with the "
                f"input x_t, the recurrent weights {Wh} (shape H×H) with the previous hidden state h_(t-1)."),
        Mistake(lambda x, h, W_x, W_h, b_: activation(x @ W_x + h @ W_h + b_),
                f"Your weights are transposed: {Wx} has shape (H, D) and maps the D numbers of x_t to H numbers. "
                f"With x_t as a row vector (numpy's 1-D array, or a batch of rows) that is x_t @ {Wx}.T; "
                f"for a single vector, {Wx} @ x_t is the same."),
        Mistake(lambda x, h, W_x, W_h, b_: activation(x @ W_x.T + h @ W_h.T),
                f"The bias is left out: add {b} inside the nonlinearity."),
        Mistake(lambda x, h, W_x, W_h, b_: activation(x @ W_x.T + h @ W_h.T) + b_,
                f"The bias is added after the nonlinearity: {b} belongs inside it, with the two products."),
        Mistake(lambda x, h, W_x, W_h, b_: activation(x @ W_x.T + b_),
                f"The recurrent term is missing: add {Wh} h_(t-1), the previous hidden state's contribution."),
        Mistake(lambda x, h, W_x, W_h, b_: activation(h @ W_h.T + b_),
                f"The input term is missing: add {Wx} x_t, the current input's contribution."),
    ]


def _gate_hint(g: str) -> str:
    return (f"W_x{g} has shape (H, D) and meets x_t (size D); W_h{g} has shape (H, H) and meets h_prev (size H); "
            f"b_{g} has size H. With rows: x_t @ W_x{g}.T + h_prev @ W_h{g}.T + b_{g}, which also works for a batch.")


def _check_gate(function, g: str, reference, activation, other, activation_message: str) -> Feedback:
    title = {"o": "output_gate", "f": "forget_gate", "j": "input_gate", "i": "input_state"}[g]
    mistakes = _gate_mistakes(g, activation, other, activation_message)
    return _check(title, function, reference, _rng_cases_gate(g), mistakes, _gate_hint(g))


def check_output_gate(function) -> Feedback:
    """Check a reader's ``output_gate(x_t, h_prev, W_xo, W_ho, b_o)``."""
    return _check_gate(function, "o", output_gate, sigmoid, tanh,
                       "Values outside (0, 1): did you use tanh where σ belongs? A gate is a fraction between 0 and "
                       "1 (how much of the memory is shown), so the output gate uses the sigmoid σ.")


def check_forget_gate(function) -> Feedback:
    """Check a reader's ``forget_gate(x_t, h_prev, W_xf, W_hf, b_f)``."""
    return _check_gate(function, "f", forget_gate, sigmoid, tanh,
                       "Values outside (0, 1): did you use tanh where σ belongs? The forget gate is the fraction of "
                       "the old memory that is kept, a number between 0 and 1: it uses the sigmoid σ.")


def check_input_gate(function) -> Feedback:
    """Check a reader's ``input_gate(x_t, h_prev, W_xj, W_hj, b_j)``."""
    return _check_gate(function, "j", input_gate, sigmoid, tanh,
                       "Values outside (0, 1): you used tanh, the nonlinearity of the input state i_t. In this "
                       "book's notation j_t is the input gate (PyTorch calls it i_t): a fraction between 0 and 1, "
                       "so it uses the sigmoid σ. Did you mix up i_t and j_t?")


def check_input_state(function) -> Feedback:
    """Check a reader's ``input_state(x_t, h_prev, W_xi, W_hi, b_i)``."""
    return _check_gate(function, "i", input_state, tanh, sigmoid,
                       "Your values are all between 0 and 1: you used σ, the nonlinearity of a gate. The input "
                       "state i_t is the candidate value to write (PyTorch's g_t), which must be able to be negative: "
                       "it uses tanh. Did you mix up i_t and j_t?")


def _state_cases(names: Sequence[str], ranges: dict[str, tuple[float, float]]) -> list[dict]:
    rng = np.random.default_rng(19971115)
    cases = []
    for lead in ((), (3,), (2,)):
        H = 4 if lead != (2,) else 5
        cases.append({n: rng.uniform(*ranges[n], lead + (H,)) for n in names})
    return cases


_STATE_HINT = "All inputs and the result have the same shape, (H,) or (B, H): every operation is elementwise (⊙)."


def check_hidden_state(function) -> Feedback:
    """Check a reader's ``hidden_state(c_t, o_t)``."""
    cases = _state_cases(["c_t", "o_t"], {"c_t": (-3.0, 3.0), "o_t": (0.05, 0.95)})
    mistakes = [
        Mistake(lambda c, o: c * o, "Your h_t is c_t ⊙ o_t: the tanh is missing. tanh(c_t) squashes the memory "
                                    "into (-1, 1) before the output gate scales it, so that |h_t| < 1 even when c_t is large."),
        Mistake(lambda c, o: sigmoid(c) * o, "You used σ(c_t) where tanh(c_t) belongs: the sigmoid would make h_t "
                                             "positive always, and a memory of a negative value could not be shown."),
        Mistake(lambda c, o: np.tanh(c * o), "You applied tanh after multiplying: the equation is tanh(c_t) ⊙ o_t, "
                                             "squash first, then scale by the gate."),
        Mistake(lambda c, o: np.tanh(c), "The output gate is missing: multiply tanh(c_t) by o_t elementwise."),
        Mistake(lambda c, o: np.tanh(o) * c, "c_t and o_t are swapped: tanh acts on the cell state c_t, and the gate "
                                             "o_t multiplies the result."),
        Mistake(lambda c, o: np.tanh(c) + o, "You added o_t: the gate multiplies (⊙), it scales tanh(c_t) between "
                                             "0 and its full value."),
    ]
    return _check("hidden_state", function, hidden_state, cases, mistakes, _STATE_HINT)


def check_cell_state(function) -> Feedback:
    """Check a reader's ``cell_state(c_prev, f_t, i_t, j_t)``."""
    cases = _state_cases(["c_prev", "f_t", "i_t", "j_t"],
                         {"c_prev": (-3.0, 3.0), "f_t": (0.05, 0.95), "i_t": (-0.95, 0.95), "j_t": (0.05, 0.95)})
    mistakes = [
        Mistake(lambda c, f, i, j: c + i * j, "c_(t-1) is not multiplied by f_t: the forget gate decides how much "
                                              "of the old memory is kept, c_(t-1) ⊙ f_t."),
        Mistake(lambda c, f, i, j: c * (1 - f) + i * j, "You kept c_(t-1) ⊙ (1 − f_t): in this book f_t is the "
                                                        "fraction that is kept, so the term is c_(t-1) ⊙ f_t."),
        Mistake(lambda c, f, i, j: c * f + i, "The input gate is missing: the candidate i_t is written through the "
                                              "gate, i_t ⊙ j_t."),
        Mistake(lambda c, f, i, j: c * f + j, "You wrote the gate j_t itself into the memory: what is written is the "
                                              "candidate i_t, scaled by the input gate, i_t ⊙ j_t."),
        Mistake(lambda c, f, i, j: c * j + i * f, "f_t and j_t are swapped: f_t scales the old memory c_(t-1), j_t "
                                                  "scales the new candidate i_t."),
        Mistake(lambda c, f, i, j: c * i + f * j, "The arguments are mixed up: the old memory c_(t-1) is scaled by "
                                                  "the forget gate f_t, and the candidate i_t by the input gate j_t."),
        Mistake(lambda c, f, i, j: (c + i * j) * f, "You multiplied the new content by f_t as well: only the old "
                                                    "memory passes through the forget gate; i_t ⊙ j_t is added after."),
        Mistake(lambda c, f, i, j: np.tanh(c * f + i * j), "You squashed c_t with tanh: the cell state is not "
                                                           "squashed (it may grow past ±1); only h_t applies tanh."),
        Mistake(lambda c, f, i, j: i * j, "The old memory is missing: c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t keeps a "
                                          "fraction f_t of what was stored before."),
    ]
    return _check("cell_state", function, cell_state, cases, mistakes, _STATE_HINT)


def _step_cases() -> list[dict]:
    cases = []
    for seed, (D, H, B) in enumerate(((3, 3, None), (2, 4, None), (3, 2, 5))):
        rng = np.random.default_rng(2000 + seed)
        lead = () if B is None else (B,)
        params = init_params(D, H, seed=seed, forget_bias=1.0)
        params = params.replace(**{k: v * 2.5 for k, v in params.as_dict().items() if k.startswith("W")},
                                b_i=rng.normal(0, 1, H), b_j=rng.normal(0, 1, H), b_o=rng.normal(0, 1, H))
        cases.append({"x_t": rng.normal(0, 1, lead + (D,)), "h_prev": rng.uniform(-0.9, 0.9, lead + (H,)),
                      "c_prev": rng.uniform(-2, 2, lead + (H,)), "params": params})
    return cases


def _pytorch_letters(x, h, c, p: LSTMParams):
    gate = sigmoid(x @ p.W_xi.T + h @ p.W_hi.T + p.b_i)
    candidate = np.tanh(x @ p.W_xj.T + h @ p.W_hj.T + p.b_j)
    f = forget_gate(x, h, p.W_xf, p.W_hf, p.b_f)
    o = output_gate(x, h, p.W_xo, p.W_ho, p.b_o)
    c_t = c * f + candidate * gate
    return np.tanh(c_t) * o, c_t


def check_lstm_step(function) -> Feedback:
    """Check a reader's ``lstm_step(x_t, h_prev, c_prev, params)`` that returns ``(h_t, c_t)``."""

    def reference(x, h, c, p):
        step = lstm_step(x, h, c, p)
        return step.h, step.c

    def h_from_old_memory(x, h, c, p):
        step = lstm_step(x, h, c, p)
        return np.tanh(c) * step.o, step.c

    mistakes = [
        Mistake(lambda x, h, c, p: reference(x, h, c, p)[::-1],
                "You returned (c_t, h_t): return the hidden state first, (h_t, c_t)."),
        Mistake(_pytorch_letters,
                "You used the i weights for the gate and the j weights for the candidate, as PyTorch's letters "
                "would suggest. In this book i_t = tanh(W_xi x_t + W_hi h_(t-1) + b_i) is the candidate (PyTorch's g) "
                "and j_t = σ(W_xj x_t + W_hj h_(t-1) + b_j) is the input gate (PyTorch's i)."),
        Mistake(h_from_old_memory,
                "Your h_t uses the old memory c_(t-1): compute c_t first, then h_t = tanh(c_t) ⊙ o_t from the new one."),
    ]
    hint = ("x_t has shape (D,) or (B, D), h_prev and c_prev (H,) or (B, H); h_t and c_t have the shape of h_prev. "
            "Use params.W_xi, params.W_hi, params.b_i and so on, as named in the equations.")
    return _check("lstm_step", function, reference, _step_cases(), mistakes, hint, outputs=("h_t", "c_t"))
