"""Checkers of the training runs the exercises ask for: `check_forget_bias_run` (exercise 10.3: the LSTM on
`adding(50)` with the forget bias the reader derived) and `check_matching_size_run` (exercise 11.4: the GRU at
the size that matches the LSTM's parameters on `temporal_order(40)`).

The answer is the `TrainResult` that `train` returned. What the result records is read first (the cell, the
task, the hidden size, the steps, how often it was measured, divergence); what it does not record (the task's
length, the learning rate, the seed, the initial forget bias) is recognised by training the first three steps
again: the same settings give the same first losses (0.1 s). A run whose first losses match a known wrong
setting (the default forget bias, the chapter's, one rounded to a decimal, another learning rate or seed, another
length) is named; otherwise the first loss that differs and both values.
"""

from __future__ import annotations

import numpy as np

from lstm_book.memory_tasks import adding, temporal_order
from lstm_book.train import TrainResult, train

from ..runner import Feedback, check_value

__all__ = ["check_forget_bias_run", "check_matching_size_run"]

#: How many first steps are trained again, and how close their losses must be (a forget bias rounded to two
#: decimals, 4.05 for 4.0467, changes them by 5e-4 relative; one rounded to 4.0 by 7e-3).
REPLAYED, RTOL = 3, 2e-3


def _first_losses(settings: dict) -> np.ndarray:
    replay = {**settings, "steps": REPLAYED, "eval_every": REPLAYED, "eval_size": 8, "progress": False}
    replay.pop("target_accuracy", None)
    return train(replay.pop("task"), replay.pop("cell"), **replay).losses


def _diagnose_run(run, settings: dict, wrong: list[tuple[dict, str]], words: str):
    """None when `run` was trained with `settings` (the arguments of `train`), else what differs."""
    if not isinstance(run, TrainResult):
        return (f"Pass the result of train(...) itself, the TrainResult (e.g. `run = train(...)`, then "
                f"check(run)); got {type(run).__name__}.")
    task, cell, H = settings["task"], settings["cell"], settings["hidden_size"]
    if run.cell != cell or run.task != task.name:
        return f"You trained {run.cell!r} on {run.task!r}: the exercise asks for {words}."
    size = int(np.shape(run.params["W_y"])[1])
    if size != H:
        return f"Your run has hidden_size={size}: the exercise asks for hidden_size={H} ({words})."
    if run.diverged:
        return f"Your run diverged after {run.steps} steps: was the learning rate larger than {settings['learning_rate']}?"
    every = settings.get("eval_every", 50)
    first = run.curve[0][0] if run.curve else None
    if first != min(every, run.steps):
        return (f"Your run was measured every {first} steps: pass eval_every={every}, so that the step at which it "
                f"reaches the target is read as in the chapter.")
    target = settings.get("target_accuracy")
    reached = [step for step, _, accuracy in run.curve if target is not None and accuracy >= target]
    if target is not None and run.solved_at is None and reached:
        return (f"Your run reached {target:.0%} at step {reached[0]} and went on: pass target_accuracy={target} so "
                f"that it stops there and records the step (run.solved_at).")
    if run.solved_at is None and run.steps != settings["steps"]:
        return f"Your run has {run.steps} steps: train for steps={settings['steps']}, as asked."
    mine = np.asarray(run.losses[:REPLAYED])
    if np.allclose(mine, _first_losses(settings), rtol=RTOL, atol=0):
        return None
    for change, message in wrong:
        if np.allclose(mine, _first_losses({**settings, **change}), rtol=RTOL, atol=0):
            return message
    want = _first_losses(settings)
    k = int(np.argmax(~np.isclose(mine, want, rtol=RTOL, atol=0)))
    return (f"The loss of your run's step {k + 1} is {mine[k]:.6g}, but {want[k]:.6g} with the settings asked "
            f"({words}): check the task's length, the learning rate, the seed and the forget bias.")


def _verdict(run, settings, wrong, words, target=None):
    def diagnose(value):
        return _diagnose_run(value, settings, wrong, words)

    def passed():
        if target is None:
            return f"Your run is the one asked ({words}): test accuracy {run.accuracy:.0%} after {run.steps} steps."
        if run.solved_at is None:
            return f"Your run is the one asked ({words}); it did not reach {target:.0%} in {run.steps} steps."
        return f"Your run is the one asked ({words}); it reached {target:.0%} at step {run.solved_at}."

    feedback = check_value("run", run, diagnose, "", "assign the TrainResult of train(...) and pass it.")
    return Feedback(True, passed()) if feedback.correct else feedback


def forget_bias_for(steps: int, share: float) -> float:
    """σ⁻¹(share^(1/steps)): the bias for which `steps` resting forget gates keep `share` of the memory."""
    f = share ** (1.0 / steps)
    return float(np.log(f / (1 - f)))


def check_forget_bias_run(run) -> Feedback:
    """Check the run of exercise 10.3: `train(adding(50), "lstm", hidden_size=8, steps=800, learning_rate=0.01,
    seed=0, forget_bias=b, eval_every=25, target_accuracy=0.95)` with b for 40 steps and a share of 0.5."""
    b = forget_bias_for(40, 0.5)
    settings = {"task": adding(50), "cell": "lstm", "hidden_size": 8, "steps": 800, "learning_rate": 0.01, "seed": 0,
                "forget_bias": b, "eval_every": 25, "target_accuracy": 0.95}
    wrong = [({"forget_bias": None}, "Your run starts from the LSTM's own forget bias (1): pass forget_bias=... with "
                                     "the bias you derived, σ⁻¹(0.5^(1/40)) ≈ 4.05."),
             ({"forget_bias": 3.0}, "Your run starts from the chapter's b_f = 3: pass the bias you derived for 40 steps "
                                    "and a share of 0.5, σ⁻¹(0.5^(1/40)) ≈ 4.05."),
             ({"forget_bias": round(b, 1)}, f"You rounded the forget bias to {round(b, 1)}: pass the number your "
                                            f"function returns ({b:.4f}), or at least two decimals."),
             ({"learning_rate": 0.001}, "Your run's learning rate is not the chapter's: learning_rate=0.01."),
             ({"seed": 1}, "Your run has another seed: the chapter's runs use seed=0, so that the runs differ only by "
                           "the forget bias."),
             ({"task": adding(40)}, "Your run is on adding(40): the exercise trains on adding(50), as the chapter."),
             ({"task": adding(100)}, "Your run is on adding(100): the exercise trains on adding(50), as the chapter.")]
    return _verdict(run, settings, wrong, "the LSTM, H = 8, on adding(50) with b_f = σ⁻¹(0.5^(1/40))", target=0.95)


def check_matching_size_run(run) -> Feedback:
    """Check the run of exercise 11.4: `train(temporal_order(40), "gru", hidden_size=10, steps=200,
    learning_rate=0.01)`, the GRU with as many parameters as the LSTM with H = 8."""
    settings = {"task": temporal_order(40), "cell": "gru", "hidden_size": 10, "steps": 200, "learning_rate": 0.01,
                "seed": 0}
    wrong = [({"learning_rate": 0.005}, "Your run's learning rate is 0.005: the exercise's is learning_rate=0.01."),
             ({"seed": 1}, "Your run has another seed: use seed=0 (the default), as the line of the experiment."),
             ({"task": temporal_order(50)}, "Your run is on temporal_order(50): the exercise's line is temporal_order(40)."),
             ({"task": temporal_order(30)}, "Your run is on temporal_order(30): the exercise's line is temporal_order(40).")]
    return _verdict(run, settings, wrong, "the GRU with hidden_size=10 on temporal_order(40), 200 steps")
