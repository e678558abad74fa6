"""Part I's checkers of the two states (chapters 1 and 3): `check_hidden_state` (h_t = tanh(c_t) ⊙ o_t) and
`check_cell_state` (c_t = c_{t-1} ⊙ f_t + i_t ⊙ j_t), with their catalogues of mistakes, `HIDDEN_MISTAKES` and
`CELL_MISTAKES` (the tanh missing or misplaced, a gate left out, used twice or applied again, f_t and j_t
swapped, a `+` for a `⊙`, a dot product for an elementwise one, ...), which the step's checker (`step`) also
tries inside the step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lstm_book.equations import cell_state, hidden_state, sigmoid

from ..diagnoses import Mistake, single
from ..runner import Feedback, check
from .gates import relu

__all__ = ["check_hidden_state", "check_cell_state"]


def _state_cases(names: Sequence[str], ranges: dict[str, tuple[float, float]]) -> list[dict]:
    rng = np.random.default_rng(19971115)
    cases = []
    for lead, H, dtype in (((), 4, np.float64), ((3,), 4, np.float64), ((2,), 5, np.float64),
                           ((3,), 2, np.float32), ((), 1, np.float64), ((1,), 3, np.float64), ((), 4, np.float64)):
        cases.append({n: rng.uniform(*ranges[n], lead + (H,)).astype(dtype) for n in names})
    return cases


_STATE_HINT = "All inputs and the result have the same shape, (H,) or (B, H): every operation is elementwise (⊙)."
_STATE_COVERED = "one vector and batches (also of one row), one unit and several, float64 and float32"

HIDDEN_MISTAKES = [
    Mistake(lambda c, o: c * o, "Your h_t is c_t ⊙ o_t: the tanh is missing. tanh(c_t) squashes the memory into "
                                "(-1, 1) before the output gate scales it, so that |h_t| < 1 even when c_t is large."),
    Mistake(lambda c, o: sigmoid(c) * o, "You used σ(c_t) where tanh(c_t) belongs: the sigmoid would make h_t "
                                         "positive always, and a memory of a negative value could not be shown."),
    Mistake(lambda c, o: relu(c) * o, "You used ReLU, max(0, c_t), where tanh(c_t) belongs: a negative memory "
                                       "would never be shown, and a large one would not be bounded."),
    Mistake(lambda c, o: np.tanh(-c) * o, "A sign error: your h_t is −tanh(c_t) ⊙ o_t. The hidden state has the "
                                          "sign of the memory, tanh(c_t) ⊙ o_t."),
    Mistake(lambda c, o: np.tanh(c * o), "You applied tanh after multiplying: the equation is tanh(c_t) ⊙ o_t, "
                                         "squash first, then scale by the gate."),
    Mistake(lambda c, o: np.tanh(c), "The output gate is missing: multiply tanh(c_t) by o_t elementwise."),
    Mistake(lambda c, o: np.tanh(o) * c, "c_t and o_t are swapped: tanh acts on the cell state c_t, and the gate "
                                         "o_t multiplies the result."),
    Mistake(lambda c, o: np.tanh(c) + o, "You added o_t: the gate multiplies (⊙), it scales tanh(c_t) between "
                                         "0 and its full value."),
    Mistake(lambda c, o: np.tanh(c) * (1 - o), "You multiplied by 1 − o_t: the output gate is the fraction that "
                                               "is shown, tanh(c_t) ⊙ o_t."),
    Mistake(lambda c, o: np.tanh(c) * np.tanh(o), "You squashed the gate too: o_t is already in (0, 1) and "
                                                  "multiplies tanh(c_t) as it is."),
    Mistake(lambda c, o: (2 * sigmoid(c) - 1) * o, "You computed 2σ(c_t) − 1, which is tanh(c_t/2): the identity "
                                                   "is tanh(z) = 2σ(2z) − 1."),
    Mistake(lambda c, o: np.tanh(c) * sigmoid(o), "You applied σ to o_t again: o_t is already the gate's value in "
                                                  "(0, 1) (σ was applied when it was computed); multiply by o_t as it is."),
]


def check_hidden_state(function) -> Feedback:
    """Check a reader's ``hidden_state(c_t, o_t)``."""
    cases = _state_cases(["c_t", "o_t"], {"c_t": (-3.0, 3.0), "o_t": (0.05, 0.95)})
    return check("hidden_state", function, hidden_state, cases, single("h_t", HIDDEN_MISTAKES, _STATE_HINT),
                  ["c_t", "o_t"], _STATE_HINT, _STATE_COVERED)


CELL_MISTAKES = [
    Mistake(lambda c, f, i, j: c + i * j, "c_(t-1) is not multiplied by f_t: the forget gate decides how much "
                                          "of the old memory is kept, c_(t-1) ⊙ f_t."),
    Mistake(lambda c, f, i, j: c * (1 - f) + i * j, "You kept c_(t-1) ⊙ (1 − f_t): in this book f_t is the "
                                                    "fraction that is kept, so the term is c_(t-1) ⊙ f_t."),
    Mistake(lambda c, f, i, j: c * f + i * (1 - f), "You wrote i_t ⊙ (1 − f_t): that couples the input and forget "
                                                    "gates (a variant, and the GRU's rule). This cell has its own input "
                                                    "gate: the new content is i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * f + i, "The input gate is missing: the candidate i_t is written through the "
                                          "gate, i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * f + j, "You wrote the gate j_t itself into the memory: what is written is the "
                                          "candidate i_t, scaled by the input gate, i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * f + i * f, "You used f_t twice: it scales the old memory c_(t-1), and the "
                                              "input gate j_t (not f_t) scales the candidate i_t."),
    Mistake(lambda c, f, i, j: c * j + i * j, "You used j_t twice: the input gate j_t scales the candidate i_t, "
                                              "and the forget gate f_t (not j_t) scales the old memory c_(t-1)."),
    Mistake(lambda c, f, i, j: c * j + i * f, "f_t and j_t are swapped: f_t scales the old memory c_(t-1), j_t "
                                              "scales the new candidate i_t."),
    Mistake(lambda c, f, i, j: c * i + f * j, "The arguments are mixed up: the old memory c_(t-1) is scaled by "
                                              "the forget gate f_t, and the candidate i_t by the input gate j_t."),
    Mistake(lambda c, f, i, j: c * f - i * j, "The new content is subtracted: c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t "
                                              "adds it (its sign comes from the candidate i_t)."),
    Mistake(lambda c, f, i, j: (c + i * j) * f, "You multiplied the new content by f_t as well: only the old "
                                                "memory passes through the forget gate; i_t ⊙ j_t is added after."),
    Mistake(lambda c, f, i, j: np.tanh(c * f + i * j), "You squashed c_t with tanh: the cell state is not "
                                                       "squashed (it may grow past ±1); only h_t applies tanh."),
    Mistake(lambda c, f, i, j: i * j, "The old memory is missing: c_t = c_(t-1) ⊙ f_t + i_t ⊙ j_t keeps a "
                                      "fraction f_t of what was stored before."),
    Mistake(lambda c, f, i, j: c * f, "The new content is missing: add i_t ⊙ j_t, the candidate let in by the "
                                      "input gate."),
    Mistake(lambda c, f, i, j: c * f * i * j, "You multiplied everything together: the two terms are added, "
                                              "c_(t-1) ⊙ f_t + i_t ⊙ j_t."),
    Mistake(lambda c, f, i, j: c * (1 - j) + i * j, "You kept c_(t-1) ⊙ (1 − j_t): that couples the two gates (a "
                                                    "variant). This cell has its own forget gate: c_(t-1) ⊙ f_t."),
    Mistake(lambda c, f, i, j: c * f + np.tanh(i) * j, "You applied tanh to i_t again: i_t is already the candidate "
                                                       "(tanh was applied when it was computed); use it as it is."),
    Mistake(lambda c, f, i, j: c * f + i * sigmoid(j), "You applied σ to j_t again: j_t is already the gate's value "
                                                       "in (0, 1); use it as it is."),
    Mistake(lambda c, f, i, j: c * sigmoid(f) + i * j, "You applied σ to f_t again: f_t is already the gate's value "
                                                       "in (0, 1); use it as it is."),
    Mistake(lambda c, f, i, j: c * f + np.dot(i, j), "`@` or np.dot of two vectors is their dot product, one "
                                                     "number, which numpy then adds to every unit: ⊙ is the "
                                                     "elementwise product, `*`."),
    Mistake(lambda c, f, i, j: np.dot(c, f) + i * j, "`@` or np.dot of two vectors is their dot product, one "
                                                     "number, which numpy then adds to every unit: ⊙ is the "
                                                     "elementwise product, `*`."),
]


def check_cell_state(function) -> Feedback:
    """Check a reader's ``cell_state(c_prev, f_t, i_t, j_t)``."""
    names = ["c_prev", "f_t", "i_t", "j_t"]
    cases = _state_cases(names, {"c_prev": (-3.0, 3.0), "f_t": (0.05, 0.95), "i_t": (-0.95, 0.95),
                                 "j_t": (0.05, 0.95)})
    return check("cell_state", function, cell_state, cases, single("c_t", CELL_MISTAKES, _STATE_HINT), names,
                 _STATE_HINT, _STATE_COVERED)
