"""Checkers for the exercises of Part III (chapters 10 and 11): the losses and the temperature's gradient
(`losses`), Adam's step and the forget bias of exercise 10.3 (`adam`), the equations the variants change and the
coupled cell's backward step (`variants`), the predictions of exercises 10.1, 10.2 and 11.4 (`predictions`) and the
training runs of exercises 10.3 and 11.4 (`runs`, whose answer is the run itself).

Each runs the reader's function on seeded cases that vary what the mistakes depend on, with the runner shared by
every checker (its protections included: copies of the inputs, changed inputs named, a time limit, the
parameter list read first, any return value or exception explained), compares with `lstm_book`, and on a
mismatch names the mistake from its catalogue (the mask ignored or inverted, a mean over the wrong count, the
moments not updated, the bias correction off by one step, z and 1 - z swapped, ...); when none matches, it names
the quantity, the first index that differs and both values.
"""

from .adam import check_adam_step, check_forget_bias
from .predictions import check_constant_gradient_step, check_matching_size, check_uniform_cross_entropy
from .runs import check_forget_bias_run, check_matching_size_run
from .losses import check_cross_entropy, check_squared_error, check_temperature_gradient
from .variants import (check_coupled_cell_state, check_coupled_memory_backward, check_gru_hidden_state,
                       check_peephole_forget_gate)

__all__ = ["check_cross_entropy", "check_squared_error", "check_temperature_gradient", "check_adam_step",
           "check_forget_bias", "check_coupled_cell_state", "check_gru_hidden_state", "check_peephole_forget_gate",
           "check_coupled_memory_backward", "check_uniform_cross_entropy", "check_constant_gradient_step", "check_matching_size",
           "check_forget_bias_run", "check_matching_size_run"]
