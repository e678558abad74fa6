"""The checkers of the exercises: ``check_<name>(your_function)`` runs your answer on many cases and says what is
wrong, naming the mistake when it is a typical one. Part I (the six equations and the step), Part II (the
backward pass) and Part III (training and the variants), Part IV (the language model).

One runner serves every checker (`runner`, with `safe_call` for each call of your function), one way of judging
a result (`results`, `diagnoses`), and one catalogue of mistakes per part (`part1`, `part2`, `part3`, `part4`, with
chapter 13's in `part4_units` and chapter 14's in `part4_lookback`).
"""

from .part1 import (check_cell_state, check_forget_gate, check_hidden_state, check_input_gate, check_input_state,
                    check_lstm_step, check_output_gate)
from .part2 import (check_clip_by_global_norm, check_clipped_norms, check_forget_gate_backward, check_lstm_backward,
                    check_memory_backward, check_memory_errors, check_peephole_forget_gate_backward,
                    check_smallest_forget_bias, check_stack_params, check_stacked_backward, check_state_and_factor,
                    check_work_counts)
from .part3 import (check_adam_step, check_constant_gradient_step, check_coupled_cell_state,
                    check_coupled_memory_backward, check_cross_entropy, check_forget_bias, check_forget_bias_run,
                    check_gru_hidden_state, check_matching_size, check_matching_size_run, check_peephole_forget_gate,
                    check_squared_error, check_temperature_gradient, check_uniform_cross_entropy)
from .part4 import check_evaluate_in_chunks, check_softmax_with_temperature, check_unigram_bias
from .part4_units import check_binary_correlation, check_chars_to_line_end, check_mean_gate_slope
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
    "check_softmax_with_temperature", "check_evaluate_in_chunks",
    "check_work_counts", "check_clipped_norms", "check_smallest_forget_bias", "check_state_and_factor",
    "check_uniform_cross_entropy", "check_constant_gradient_step", "check_matching_size", "check_forget_bias_run",
    "check_matching_size_run", "check_unigram_bias",
    "check_chars_to_line_end", "check_binary_correlation", "check_mean_gate_slope",
    "check_factor_per_step", "check_memory_path", "check_initial_rnn_factor",
]
