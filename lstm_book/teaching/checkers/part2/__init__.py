"""Checkers for the exercises of Part II (chapters 7-9): the stacked weights and their backward step, the backward
pass step by step and through time, the error along the memory, clipping.

They run on the runner shared by every checker, `runner.check` (and return its `Feedback`), with its
protections: the reader's function runs on copies of seeded cases; an input it changes in place is named, an
endless loop is stopped, a wrong parameter list is named before anything runs, and whatever it returns or raises
becomes a sentence. On a mismatch its answer is compared with the mistakes people make in a backward pass (a
derivative written for the wrong function, a factor of the product rule dropped, the error from the next step
forgotten, time run the wrong way, a buffer overwritten, a mean where a sum belongs, ...), and the `Feedback`
names the one it matches; when none does, it names the quantity, the first index that differs and both values.
Modules: `stacked` (chapter 7), `steps` (one backward step, chapter 8), `through_time` (chapters 8 and 9),
`predictions` (the numbers exercises 7.2, 9.1, 9.2 and 9.3 ask the reader to predict or derive).
"""

from .stacked import check_stack_params, check_stacked_backward
from .steps import check_forget_gate_backward, check_memory_backward, check_peephole_forget_gate_backward
from .predictions import check_clipped_norms, check_smallest_forget_bias, check_state_and_factor, check_work_counts
from .through_time import check_clip_by_global_norm, check_lstm_backward, check_memory_errors

__all__ = ["check_stack_params", "check_stacked_backward", "check_memory_backward", "check_forget_gate_backward",
           "check_peephole_forget_gate_backward", "check_lstm_backward", "check_memory_errors",
           "check_clip_by_global_norm", "check_work_counts", "check_clipped_norms", "check_smallest_forget_bias",
           "check_state_and_factor"]
