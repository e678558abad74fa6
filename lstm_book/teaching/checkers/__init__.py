"""The checkers of the exercises: ``check_<name>(your_function)`` runs your answer on many cases and says what is
wrong, naming the mistake when it is a typical one. Part I (the six equations and the step), Part II (the
backward pass) and Part III (training and the variants), Part IV (the language model).

One runner serves every checker (`runner`, with `safe_call` for each call of your function), one way of judging
a result (`results`, `diagnoses`), and one catalogue of mistakes per part (`part1`, `part2`, `part3`, `part4`, and `part4_lookback` for chapter 14).
"""

from .part1 import (check_cell_state, check_forget_gate, check_hidden_state, check_input_gate, check_input_state,
                    check_lstm_step, check_output_gate)
from .part2 import (check_clip_by_global_norm, check_forget_gate_backward, check_lstm_backward,
                    check_memory_backward, check_memory_errors, check_peephole_forget_gate_backward,
                    check_stack_params, check_stacked_backward)
from .part3 import (check_adam_step, check_coupled_cell_state, check_coupled_memory_backward, check_cross_entropy,
                    check_forget_bias, check_gru_hidden_state, check_peephole_forget_gate, check_squared_error,
                    check_temperature_gradient)
from .part4 import check_char_temperature_gradient, check_evaluate_in_chunks, check_softmax_with_temperature
from .part4_lookback import check_factor_per_step, check_initial_rnn_factor, check_memory_path
from .runner import Feedback

__all__ = [
    "Feedback",
    "check_hidden_state", "check_output_gate", "check_cell_state", "check_forget_gate", "check_input_gate",
    "check_input_state", "check_lstm_step",
    "check_stack_params", "check_stacked_backward", "check_memory_backward", "check_forget_gate_backward",
    "check_peephole_forget_gate_backward", "check_lstm_backward", "check_memory_errors", "check_clip_by_global_norm",
    "check_cross_entropy", "check_squared_error", "check_temperature_gradient", "check_adam_step",
    "check_forget_bias", "check_coupled_cell_state", "check_gru_hidden_state", "check_peephole_forget_gate",
    "check_coupled_memory_backward",
    "check_softmax_with_temperature", "check_evaluate_in_chunks", "check_char_temperature_gradient",
    "check_factor_per_step", "check_memory_path", "check_initial_rnn_factor",
]
