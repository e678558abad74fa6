"""The checkers of Part I's exercises (chapters 1-6): the six equations and the step.

Each checker calls the reader's function on several cases (square and non-square weights, one vector and a
batch of rows, a batch of one row, the one-unit cell, saturated gates, float64 and float32, every parameter
drawn at random, and the first shapes again with new numbers), compares with the package, and on a
mismatch compares the reader's answer with the mistakes people actually make (σ and tanh swapped, ReLU, a sign
error, x_t and h_{t-1} swapped, weights transposed, the bias left out or subtracted, one gate used twice, ...).
When no known mistake matches, the message names the quantity, the first index that differs and both values;
for the step, it says which equation the mistake is in.

They run on the runner shared by every checker (`runner.check`, with its protections: copies of the inputs,
changed inputs named, a time limit, the parameter list read first, any return value or exception explained).
Part I's catalogue of mistakes is the largest, so it has three modules: `gates` (the three gates and the
candidate), `states` (h_t and c_t) and `step` (the whole step, which also tries every mistake of the other two).
"""

from .gates import check_forget_gate, check_input_gate, check_input_state, check_output_gate
from .states import check_cell_state, check_hidden_state
from .step import check_lstm_step

__all__ = [
    "check_hidden_state",
    "check_output_gate",
    "check_cell_state",
    "check_forget_gate",
    "check_input_gate",
    "check_input_state",
    "check_lstm_step",
]
