"""Chapter 10's training view, the Python side (the browser side is in test_website.py, the mirror's arithmetic in
test_training_mirror.py): its controls are checked, its run is lstm_book's train_step (or the reader's own
function), its JupyterLab widget answers the front end's requests with the run's state, and the website's HTML holds
the description and the figure of a finished run."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest

from lstm_book.teaching.explorers import TrainingRun, TrainingView
from lstm_book.teaching.explorers.training_views import training_html
from lstm_book.teaching.figures import STYLE
from lstm_book.train import train_step
from lstm_book.validation import LSTMInputError


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("changes", [{"seed": -1}, {"seed": 1.5}, {"learning_rate": 0.02}, {"batch_size": 7},
                                     {"forget_bias": 0.3}, {"forget": 2}, {"momentum": 0.9}, {"seed": "4"}])
def test_a_control_refuses_what_it_cannot_show(changes):
    with pytest.raises(LSTMInputError):
        TrainingView().values(**changes)
    with pytest.raises(LSTMInputError):
        TrainingView().with_observations([("x", changes)])


@pytest.mark.parametrize("changes", [{"seed": -1}, {"seed": "4"}, {"learning_rate": 0.0}, {"learning_rate": np.nan},
                                     {"batch_size": 0}, {"batch_size": 2.5}, {"forget_bias": np.inf},
                                     {"forget": 1}, {"step": "train_step"}])
def test_a_run_refuses_bad_settings_naming_them(changes):
    settings = {"seed": 0, "learning_rate": 0.1, "forget_bias": 1.0, "batch_size": 4, **changes}
    with pytest.raises(LSTMInputError, match=r"^TrainingRun: argument '(%s)'" % "|".join(changes)):
        TrainingRun(**settings)
    with pytest.raises(LSTMInputError, match=r"^TrainingRun.advance: argument 'n'"):
        TrainingRun(0, 0.1, 1.0, 4).advance(-1)


def test_the_description_names_every_weight_in_the_books_colours():
    spec = TrainingView().with_observations([("1. seed 0", {"seed": 0})]).spec()
    json.dumps(spec, allow_nan=False)
    colours = {w["name"]: w["colour"] for w in spec["weights"]}
    assert len(colours) == 16 and colours["W_xf"] == STYLE["f"][0] and colours["b_j"] == STYLE["j"][0]
    assert colours["W_y0"] == STYLE["h"][0]
    assert spec["observations"] == [{"label": "1. seed 0", "values": {**TrainingView().defaults, "seed": 0}}]


def test_the_readers_own_train_step_drives_the_run():
    calls = []

    def my_train_step(params, adam, batch, cell, clip, loss):
        calls.append(cell)
        return train_step(params, adam, batch, cell, clip, loss)

    own = TrainingView(train_step=my_train_step).run(12, forget=0)
    assert calls == ["no_forget"] * 12
    package = TrainingView().run(12, forget=0)
    assert own.history == package.history and "W_xf" not in own.history[-1]

    def broken(params, adam, batch, cell, clip, loss):
        return None, float("nan")

    run = TrainingView(train_step=broken).run(5)
    assert run.diverged and run.step == 0 and run.state()["diverged"]


def test_the_widget_trains_in_the_kernel_on_request():
    widget = TrainingView().widget()
    sent = []
    widget.send = sent.append
    widget._on_message(widget, {"type": "reset", "settings": {**TrainingView().defaults, "seed": 3}, "seq": 1}, [])
    widget._on_message(widget, {"type": "advance", "n": 7, "seq": 2}, [])
    widget._on_message(widget, {"type": "something else", "seq": 3}, [])
    assert [m["seq"] for m in sent] == [1, 2] and sent[0]["state"]["step"] == 0 and sent[1]["state"]["step"] == 7
    expected = TrainingRun(seed=3, learning_rate=0.01, forget_bias=1.0, batch_size=32).advance(7)
    assert sent[1]["state"]["params"] == expected.history[-1]
    assert widget.spec["max_steps"] == 1000 and "Python trains" in widget.spec["note"]
    json.dumps(sent, allow_nan=False)


def test_the_website_holds_the_description_and_a_finished_run():
    page = training_html(TrainingView())
    spec = json.loads(page[page.index(">", page.index("<script")) + 1:page.index("</script>")])
    assert spec["defaults"]["seed"] == 4 and "browser trains" in spec["note"]
    alt = page[page.index('alt="') + 5:page.index('"', page.index('alt="') + 5)]
    run = TrainingView().run()
    assert f"100% test accuracy at step {run.solved_at}" in alt and np.isclose(run.curve[-1][2], 1.0)
    assert "<button" not in page and "<input" not in page
