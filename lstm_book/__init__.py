"""The LSTM cell, equation by equation: the code of the book.

Chapter by chapter the book adds to this package:

* `lstm_book.equations`: the six equations, one function each (`hidden_state`, `output_gate`, `cell_state`,
  `forget_gate`, `input_gate`, `input_state`) and the activations `sigmoid` and `tanh`;
* `lstm_book.cell`: the parameters (`LSTMParams`), one step (`lstm_step`), a sequence (`lstm_forward`);
* `lstm_book.fast`: the whole cell as one matrix product, the fast `lstm_forward` (chapter 7);
* `lstm_book.backward`: the backward pass equation by equation, `lstm_backward`, `gradient_check` (chapters 8, 9);
* `lstm_book.rnn`: a plain recurrent network and its backward pass, for comparison (chapter 9);
* `lstm_book.tasks`: the running example;
* `lstm_book.memory_tasks`: the memory tasks of Part III (storage, temporal order, adding, aⁿbⁿ, a reset stream);
* `lstm_book.train`: readout, losses, Adam, the training loop (chapter 10);
* `lstm_book.variants`: the cells compared in chapter 11 (no forget, input or output gate, coupled gates,
  peepholes, the GRU); `lstm_book.experiments`: their comparison, `python -m lstm_book.experiments`;
* `lstm_book.plots`: the figures;  `lstm_book.explorers`: the interactive explorers;
* `lstm_book.exercises`: the checkers of the exercises;
* `lstm_book.validation`: the checks of every input at the public surface.
"""

from .cell import LSTMParams, Step, Trace, init_params, lstm_forward, lstm_step, scalar_params
from .equations import cell_state, forget_gate, hidden_state, input_gate, input_state, output_gate, sigmoid, tanh
from .tasks import RUNNING_EXAMPLE_WEIGHTS, running_example, running_example_params
from .validation import LSTMInputError
from .backward import Gradients, gradient_check, lstm_backward, lstm_step_backward

__all__ = [
    "hidden_state", "output_gate", "cell_state", "forget_gate", "input_gate", "input_state", "sigmoid", "tanh",
    "LSTMParams", "Step", "Trace", "init_params", "scalar_params", "lstm_step", "lstm_forward",
    "running_example", "running_example_params", "RUNNING_EXAMPLE_WEIGHTS", "LSTMInputError",
    "lstm_backward", "lstm_step_backward", "Gradients", "gradient_check",
]
