"""The memory tasks: what each generator promises, checked on many seeds and sizes (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_book import LSTMInputError
from lstm_book.memory_tasks import adding, anbn, anbn_batch, reset_stream, storage, temporal_order

seeds = st.integers(0, 2**31)
sizes = st.integers(1, 12)


def shapes_ok(task, batch, B):
    T = batch.x.shape[0]
    assert batch.x.shape == (T, B, task.input_size) and batch.mask.shape == (T, B) and batch.mask.dtype == bool
    if task.loss == "cross_entropy":
        assert batch.y.shape == (T, B) and batch.y.dtype.kind == "i"
        assert batch.y[batch.mask].min() >= 0 and batch.y[batch.mask].max() < task.output_size
    else:
        assert batch.y.shape == (T, B, task.output_size)
    assert np.all(np.isfinite(batch.x))


@given(seed=seeds, B=sizes, T=st.integers(20, 80))
def test_temporal_order(seed, B, T):
    task = temporal_order(T)
    batch = task.sample(B, seed)
    shapes_ok(task, batch, B)
    symbols = batch.x.argmax(-1)
    assert np.all(batch.x.sum(-1) == 1)                                  # one-hot
    assert np.all(symbols[0] == 4) and np.all(symbols[-1] == 5)           # B ... E
    relevant = symbols >= 6
    assert np.all(relevant.sum(0) == 2)                                   # exactly two X/Y
    first, second = (np.sort(np.argwhere(relevant.T)[:, 1].reshape(B, 2), axis=1)).T
    assert np.all((first >= T // 10) & (first < 2 * T // 10)) and np.all((second >= 5 * T // 10) & (second < 6 * T // 10))
    rows = np.arange(B)
    expected = 2 * (symbols[first, rows] - 6) + (symbols[second, rows] - 6)
    assert np.array_equal(batch.y[-1], expected)
    assert batch.mask[-1].all() and batch.mask.sum() == B


@given(seed=seeds, B=sizes, T=st.integers(20, 80))
def test_adding(seed, B, T):
    task = adding(T)
    batch = task.sample(B, seed)
    shapes_ok(task, batch, B)
    values, markers = batch.x[..., 0], batch.x[..., 1]
    assert np.all(np.abs(values) <= 1)
    assert np.all(markers[0] == -1) and np.all(markers[-1] == -1)
    marked = markers == 1
    assert np.all(marked.sum(0) == 2)
    steps = np.argwhere(marked.T)[:, 1].reshape(B, 2)
    a, b = steps.T                                   # one among steps 1-9, the other among 1 to T/2 - 2
    assert np.all(((a < 10) & (b < T // 2 - 1)) | ((b < 10) & (a < T // 2 - 1))) and np.all(steps >= 1)
    total = (values * marked).sum(0)
    assert np.allclose(batch.y[-1, :, 0], 0.5 + total / 4)
    assert np.all((batch.y[-1] >= 0) & (batch.y[-1] <= 1))


def test_adding_chance_level_is_what_always_answering_a_half_scores():
    task = adding(30)
    batch = task.sample(20000, 0)
    guess = np.full(batch.y.shape, 0.5)
    assert abs(task.accuracy(guess, batch) - task.chance) < 0.01


@given(ns=st.lists(st.integers(1, 30), min_size=1, max_size=6))
def test_anbn(ns):
    batch = anbn_batch(ns)
    assert batch.x.shape == (2 * max(ns) + 1, len(ns), 3)
    for b, n in enumerate(ns):
        symbols = "".join("Sab"[k] for k in batch.x[: 2 * n + 1, b].argmax(-1))
        assert symbols == "S" + "a" * n + "b" * n
        assert np.all(batch.x[2 * n + 1:, b] == 0)                       # padding
        targets = "".join("abT"[k] for k in batch.y[: 2 * n + 1, b])
        assert targets == "a" * n + "b" * n + "T"                         # the next symbol
        scored = np.flatnonzero(batch.mask[:, b])
        assert scored.tolist() == [0] + list(range(n + 1, 2 * n + 1))     # after S and after each b


@given(seed=seeds, B=sizes)
def test_anbn_task_stays_in_range(seed, B):
    task = anbn(3, 7)
    batch = task.sample(B, seed)
    shapes_ok(task, batch, B)
    lengths = batch.x.any(-1).sum(0)
    assert np.all((lengths >= 7) & (lengths <= 15) & (lengths % 2 == 1))


@given(seed=seeds, B=sizes, T=st.integers(10, 60))
def test_reset_stream(seed, B, T):
    task = reset_stream(T)
    batch = task.sample(B, seed)
    shapes_ok(task, batch, B)
    value, store, reset = np.moveaxis(batch.x, -1, 0)
    assert np.all((store == 0) | (store == 1)) and np.all(store * reset == 0)
    assert np.all(value[store == 0] == 0)
    for b in range(B):                                                   # replay the stream by hand
        held = 0.0
        for t in range(T):
            if store[t, b]:
                held = value[t, b]
            elif reset[t, b]:
                held = 0.0
            assert batch.y[t, b, 0] == held
    assert not batch.mask[:5].any() and batch.mask[5:].all()


@given(seed=seeds, B=sizes)
def test_storage(seed, B):
    task = storage(20)
    batch = task.sample(B, seed)
    shapes_ok(task, batch, B)
    x = batch.x[..., 0]
    pulse = (x == 1.0).any(0)
    assert np.all((x == 1.0).sum(0) <= 1) and np.all(np.argmax(x == 1.0, 0)[pulse] < 8)
    assert np.all(np.isin(x[x != 1.0], [0.0, 0.3, -0.3]))
    assert np.array_equal(batch.y[-1], pulse.astype(int)) and batch.mask.sum() == B


def test_seeded_and_independent_of_anything_else():
    for task in (storage(), temporal_order(), adding(), anbn(), reset_stream()):
        a, b = task.sample(4, 11), task.sample(4, 11)
        assert all(np.array_equal(u, v) for u, v in zip(a, b))
        c = task.sample(4, 12)
        assert not np.array_equal(a.x, c.x)


def test_accuracy_counts_sequences_or_steps():
    task = anbn(1, 3)
    batch = anbn_batch([2, 3])
    perfect = np.eye(3)[batch.y] * 10
    assert task.accuracy(perfect, batch) == 1.0
    wrong_end = perfect.copy()
    wrong_end[6, 1] = np.eye(3)[1] * 10                                  # the end of the second string missed
    assert task.accuracy(wrong_end, batch) == 0.5


@pytest.mark.parametrize("make, kwargs, arg", [
    (temporal_order, {"T": 0}, "'T'"), (adding, {"T": 5}, "'T'"), (reset_stream, {"T": 3}, "'T'"),
    (storage, {"T": 2.5}, "'T'"), (anbn, {"n_min": 0}, "'n_min'"), (anbn, {"n_min": 5, "n_max": 2}, "'n_max'"),
    (reset_stream, {"event_rate": float("nan")}, "'event_rate'"), (storage, {"distraction_rate": 2}, "'distraction_rate'"),
])
def test_bad_settings_name_the_argument(make, kwargs, arg):
    with pytest.raises(LSTMInputError, match=arg):
        make(**kwargs)


def test_bad_sampling_arguments():
    with pytest.raises(LSTMInputError, match="'batch_size'"):
        adding().sample(0, 1)
    with pytest.raises(LSTMInputError, match="'seed'"):
        adding().sample(3, -1)
    with pytest.raises(LSTMInputError, match="'ns'"):
        anbn_batch([])
    with pytest.raises(LSTMInputError, match="'ns'"):
        anbn_batch([2, 0])
