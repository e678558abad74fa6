"""The LSTM cell, equation by equation: the model a reader writes along with the book (numpy only).

Two layers, one rule. This folder is the MODEL, and every line of it is shown by some chapter; the subpackage
`lstm_book.teaching` is the MACHINERY that teaches it (explorers, figures, exercise checkers, notebook helpers, the
experiments command). The machinery uses the model through its public names only; the model never imports the
machinery (nor matplotlib or any widget library). `tests/test_architecture.py` holds both rules.

The model, in the order the book builds it:

* `equations`: the six equations, one function each (`hidden_state`, `output_gate`, `cell_state`, `forget_gate`,
  `input_gate`, `input_state`), and the activations `sigmoid` and `tanh` (chapters 1-6);
* `params`: one protocol for parameters, named arrays checked once when made (`Params`);
* `cell`: the LSTM's parameters (`LSTMParams`, `init_params`), one step (`lstm_step`) (chapters 4, 6);
* `tasks`: the running example;
* `fast`: the whole cell as one matrix product, `lstm_forward` (chapter 7);
* `backward`: the backward pass equation by equation, `lstm_step_backward`, `lstm_backward`, `error_signal`
  (chapters 8, 9);  `gradients`: `gradient_check`, `clip_by_global_norm`;
* `rnn`: a plain recurrent network and its backward pass, for comparison (chapter 9);
* `memory_tasks`: the tasks of Part III;  `losses`: the readout and the losses;  `adam`: Adam;
  `train`: a network, its training step and the loop (chapter 10);
* `variants`: the cells compared in chapter 11 (no forget, input or output gate, coupled gates, peepholes, GRU);
* `text`, `charlm`: the corpus of Part IV and the character-level language model, LSTM or plain RNN (chapter 12);
  `lookback`: how far back one of its predictions looks, by path (chapter 14);
* `validation`: the checks of every input. Each public function checks its arguments once, naming them as you
  passed them, and then runs unchecked code; there is no switch that turns the checks off.
"""

from .backward import Gradients, lstm_backward, lstm_step_backward
from .cell import PARTS, LSTMParams, Step, Trace, init_params, lstm_step, scalar_params
from .equations import cell_state, forget_gate, hidden_state, input_gate, input_state, output_gate, sigmoid, tanh
from .fast import lstm_forward
from .gradients import gradient_check
from .params import Params
from .tasks import RUNNING_EXAMPLE_WEIGHTS, running_example, running_example_params
from .validation import LSTMInputError

__all__ = [
    "hidden_state", "output_gate", "cell_state", "forget_gate", "input_gate", "input_state", "sigmoid", "tanh",
    "PARTS", "Params", "LSTMParams", "Step", "Trace", "init_params", "scalar_params", "lstm_step", "lstm_forward",
    "running_example", "running_example_params", "RUNNING_EXAMPLE_WEIGHTS", "LSTMInputError",
    "lstm_backward", "lstm_step_backward", "Gradients", "gradient_check",
]
