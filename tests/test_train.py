"""Training: the losses and Adam against hand-worked steps, clipping, the network's gradient against finite
differences, the loop on tiny tasks (it learns, it is deterministic, it reports divergence), and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lstm_book import LSTMInputError
from lstm_book.gradients import clip_by_global_norm, gradient_check
from lstm_book.memory_tasks import adding, anbn, reset_stream, temporal_order
from lstm_book.adam import Adam
from lstm_book.losses import cross_entropy, squared_error
from lstm_book.train import CELLS, init_network, network_backward, network_forward, train


def test_cross_entropy_by_hand():
    # logits (0, ln 3): softmax = (1/4, 3/4); label 1: loss -ln(3/4), gradient p - one_hot = (1/4, -1/4)
    logits = np.array([[[0.0, np.log(3.0)]]])
    loss, grad = cross_entropy(logits, np.array([[1]]), np.array([[True]]))
    assert np.isclose(loss, -np.log(0.75))
    assert np.allclose(grad, [[[0.25, -0.25]]])
    # unscored steps contribute nothing, the mean is over the scored ones
    logits = np.zeros((2, 1, 2))
    loss, grad = cross_entropy(logits, np.array([[0], [1]]), np.array([[False], [True]]))
    assert np.isclose(loss, np.log(2.0)) and np.all(grad[0] == 0) and np.allclose(grad[1], [[0.5, -0.5]])
    # huge logits do not overflow
    loss, _ = cross_entropy(np.array([[[1000.0, 0.0]]]), np.array([[1]]), np.array([[True]]))
    assert np.isclose(loss, 1000.0)


def test_squared_error_by_hand():
    outputs = np.array([[[1.0]], [[3.0]]])
    targets = np.array([[[0.0]], [[1.0]]])
    loss, grad = squared_error(outputs, targets, np.array([[True], [True]]))
    assert np.isclose(loss, (1 + 4) / 2) and np.allclose(grad, [[[1.0]], [[2.0]]])   # 2 (y - t) / 2
    loss, grad = squared_error(outputs, targets, np.array([[False], [True]]))
    assert np.isclose(loss, 4.0) and np.allclose(grad, [[[0.0]], [[4.0]]])


def test_adam_two_steps_by_hand():
    adam = Adam(learning_rate=0.1)
    theta = {"w": np.array([1.0])}
    # step 1, g = 0.5: m = 0.05, v = 0.00025; bias-corrected m̂ = 0.5, v̂ = 0.25: a step of exactly lr
    theta = adam.step(theta, {"w": np.array([0.5])})
    assert np.isclose(theta["w"][0], 0.9, atol=1e-7)
    # step 2, g = -1: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001 = 0.00124975
    # m̂ = -0.055 / (1 - 0.81), v̂ = 0.00124975 / (1 - 0.998001)
    theta = adam.step(theta, {"w": np.array([-1.0])})
    m_hat, v_hat = -0.055 / 0.19, 0.00124975 / 0.001999
    assert np.isclose(theta["w"][0], 0.9 - 0.1 * m_hat / np.sqrt(v_hat), atol=1e-7)
    assert np.isclose(theta["w"][0], 0.93661, atol=1e-5)
    # the old dict is left alone
    old = {"w": np.array([1.0])}
    Adam(0.1).step(old, {"w": np.array([1.0])})
    assert old["w"][0] == 1.0


def test_adam_rejects_a_wrong_bias_correction():
    """The hand-worked number above is not met by Adam without bias correction: the test can fail."""
    class NoCorrection(Adam):
        def step(self, params, grads):
            self.t += 1
            out = {}
            for k, p in params.items():
                self.m[k] = self.beta1 * self.m.get(k, 0.0) + (1 - self.beta1) * grads[k]
                self.v[k] = self.beta2 * self.v.get(k, 0.0) + (1 - self.beta2) * grads[k] ** 2
                out[k] = p - self.learning_rate * self.m[k] / (np.sqrt(self.v[k]) + self.eps)
            return out

    theta = NoCorrection(0.1).step({"w": np.array([1.0])}, {"w": np.array([0.5])})
    assert not np.isclose(theta["w"][0], 0.9, atol=1e-7)


def test_clipping_by_hand():
    grads = {"a": np.array([3.0]), "b": np.array([[4.0]])}          # norm 5
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert norm == 5.0 and np.allclose(clipped["a"], 0.6) and np.allclose(clipped["b"], 0.8)
    same, _ = clip_by_global_norm(grads, 10.0)
    assert np.array_equal(same["a"], grads["a"])


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("task", [anbn(1, 3), adding(20)], ids=["cross_entropy", "squared_error"])
def test_network_gradient_against_finite_differences(cell, task):
    params = init_network(cell, task.input_size, 2, task.output_size, seed=3)
    batch = task.sample(2, 0)
    loss_fn = cross_entropy if task.loss == "cross_entropy" else squared_error
    xs = batch.x[:12]
    y, mask = batch.y[:12], batch.mask[:12].copy()
    mask[-1] = True

    def loss(**p):
        return loss_fn(network_forward(p, xs, cell)[0], y, mask)[0]

    outputs, trace = network_forward(params, xs, cell)
    grads = network_backward(params, xs, cell, trace, loss_fn(outputs, y, mask)[1])
    result = gradient_check(loss, params, grads)
    assert result.passed, str(result)


def test_training_lowers_the_loss_and_is_deterministic():
    task = temporal_order(20)
    a = train(task, "lstm", hidden_size=4, steps=120, learning_rate=0.01, seed=1, progress=False)
    assert a.losses[-20:].mean() < 0.7 * a.losses[:20].mean()
    assert a.curve[-1][1] < a.curve[0][1] and not a.diverged
    b = train(task, "lstm", hidden_size=4, steps=120, learning_rate=0.01, seed=1, progress=False)
    assert np.array_equal(a.losses, b.losses) and all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    c = train(task, "lstm", hidden_size=4, steps=120, learning_rate=0.01, seed=2, progress=False)
    assert not np.array_equal(a.losses, c.losses)


@pytest.mark.parametrize("cell", ["rnn", "gru", "no_forget"])
def test_every_kind_of_cell_trains(cell):
    result = train(reset_stream(20), cell, hidden_size=4, steps=60, learning_rate=0.02, progress=False)
    assert result.losses[-10:].mean() < result.losses[:10].mean()


def test_stopping_at_a_target_accuracy():
    result = train(anbn(1, 3), "lstm", hidden_size=3, steps=2000, learning_rate=0.05, eval_every=10,
                   target_accuracy=1.0, progress=False)
    assert result.solved_at is not None and result.steps == result.solved_at < 2000 and result.accuracy == 1.0


def test_divergence_is_reported_not_a_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")                              # and no RuntimeWarning on the way
        result = train(adding(20), "lstm", hidden_size=3, steps=20, learning_rate=1e200, clip=None,
                       progress=False)
    assert result.diverged and result.loss is None and result.accuracy is None
    assert "diverged" in repr(result)


def test_progress_bar_is_one_line(capsys):
    train(temporal_order(20), "lstm", hidden_size=2, steps=30, learning_rate=0.01, progress=True, desc="tiny")
    err = capsys.readouterr().err
    assert "tiny" in err and "30/30" in err and err.count("\n") <= 1


@pytest.mark.parametrize("kwargs, arg", [
    ({"steps": 0}, "'steps'"), ({"learning_rate": float("nan")}, "'learning_rate'"),
    ({"learning_rate": -0.1}, "'learning_rate'"), ({"learning_rate": "0.1"}, "'learning_rate'"),
    ({"hidden_size": 0}, "'hidden_size'"), ({"batch_size": 2.5}, "'batch_size'"), ({"clip": 0.0}, "'clip'"),
    ({"clip": float("inf")}, "'clip'"), ({"seed": -1}, "'seed'"), ({"cell": "transformer"}, "'cell'"),
    ({"target_accuracy": 1.5}, "'target_accuracy'"), ({"eval_every": 0}, "'eval_every'"),
    ({"test_task": anbn()}, "'test_task'"), ({"params": {"W_y": np.zeros((4, 2))}}, "'params'"),
])
def test_bad_arguments_name_the_argument(kwargs, arg):
    settings = {"hidden_size": 2, "steps": 5, "learning_rate": 0.01, "progress": False, **kwargs}
    with pytest.raises(LSTMInputError, match=arg):
        train(temporal_order(20), **settings)


def test_a_task_that_is_not_a_task():
    with pytest.raises(LSTMInputError, match="'task'"):
        train("adding", hidden_size=2, steps=5, learning_rate=0.01)
