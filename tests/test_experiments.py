"""The experiments of chapter 11: records, the best learning rate, the table (diverged runs say so), the command
line. A tiny configuration stands in for the real ones, which chapter 11 runs at build time."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lstm_book.teaching.experiments as experiments
from lstm_book import LSTMInputError
from lstm_book.teaching.experiments import Config, best_learning_rates, run_experiments, summarise, table

TINY = Config("tiny", ("lstm", "no_forget"), ("reset_stream", "temporal_order"), (0, 1), (0.01, 0.03),
              steps=6, T=20, hidden_size=2, batch_size=4, eval_every=3)


def strip_times(results):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in results["records"]]


def test_one_record_per_run_written_with_figures(tmp_path):
    out = tmp_path / "sub" / "tiny.json"
    results = run_experiments(TINY, out=out, jobs=1, progress=False)
    assert len(results["records"]) == 2 * 2 * 2 * 2
    stored = json.loads(out.read_text())
    assert strip_times(stored) == strip_times(results)
    for record in stored["records"]:
        assert set(record) >= {"variant", "task", "seed", "learning_rate", "final_loss", "accuracy", "seconds",
                               "diverged", "curve"}
        assert record["steps"] == 6 and [p[0] for p in record["curve"]] == [3, 6]
    assert (tmp_path / "sub" / "tiny_accuracy.png").stat().st_size > 1000
    assert (tmp_path / "sub" / "tiny_curves.png").stat().st_size > 1000


def test_records_do_not_depend_on_the_number_of_processes():
    one = run_experiments(TINY, jobs=1, progress=False)
    two = run_experiments(TINY, jobs=2, progress=False)
    assert strip_times(one) == strip_times(two)


def fake(records):
    config = {"variants": ["lstm", "gru"], "tasks": ["adding"]}
    base = {"task": "adding", "seconds": 1.0, "curve": [[1, 0.5, 0.5]]}
    return {"config": config, "records": [{**base, **r} for r in records]}


def test_best_learning_rate_and_summary_by_hand():
    results = fake([
        {"variant": "lstm", "seed": 0, "learning_rate": 0.1, "final_loss": 0.2, "accuracy": 0.8, "diverged": False},
        {"variant": "lstm", "seed": 1, "learning_rate": 0.1, "final_loss": 0.4, "accuracy": 0.6, "diverged": False},
        {"variant": "lstm", "seed": 0, "learning_rate": 0.01, "final_loss": 0.1, "accuracy": 0.9, "diverged": False},
        {"variant": "lstm", "seed": 1, "learning_rate": 0.01, "final_loss": 0.7, "accuracy": 0.5, "diverged": False},
        # for the GRU the larger rate has the lower loss but diverged once: the smaller one wins
        {"variant": "gru", "seed": 0, "learning_rate": 0.1, "final_loss": 0.01, "accuracy": 1.0, "diverged": False},
        {"variant": "gru", "seed": 1, "learning_rate": 0.1, "final_loss": None, "accuracy": None, "diverged": True},
        {"variant": "gru", "seed": 0, "learning_rate": 0.01, "final_loss": 0.5, "accuracy": 0.5, "diverged": False},
        {"variant": "gru", "seed": 1, "learning_rate": 0.01, "final_loss": 0.5, "accuracy": 0.7, "diverged": False},
    ])
    assert best_learning_rates(results) == {("lstm", "adding"): 0.1, ("gru", "adding"): 0.01}
    rows = {r["variant"]: r for r in summarise(results)}
    assert np.isclose(rows["lstm"]["loss_mean"], 0.3) and np.isclose(rows["lstm"]["accuracy_mean"], 0.7)
    assert np.isclose(rows["lstm"]["accuracy_std"], 0.1) and rows["lstm"]["diverged"] == 0
    assert np.isclose(rows["gru"]["accuracy_mean"], 0.6)


def test_a_diverged_variant_reads_diverged_never_nan():
    results = fake([
        {"variant": "lstm", "seed": 0, "learning_rate": 0.1, "final_loss": 0.2, "accuracy": 0.8, "diverged": False},
        {"variant": "gru", "seed": 0, "learning_rate": 0.1, "final_loss": None, "accuracy": None, "diverged": True},
    ])
    text = table(results)
    assert "| GRU | diverged | diverged |" in text and "nan" not in text.lower()
    assert "80.0% ± 0.0%" in text
    fig = experiments.plot_results(results)
    assert any("diverged" in t.get_text() for t in fig.axes[0].texts)


def test_command_line(monkeypatch, tmp_path, capsys):
    seen = {}

    def fake_run(config, *, out, jobs):
        seen.update(config=config, out=out, jobs=jobs)
        return run_experiments(TINY, out=out, jobs=1, progress=False)

    monkeypatch.setattr(experiments, "run_experiments", fake_run)
    experiments.main(["--quick", "--out", str(tmp_path / "r.json"), "--jobs", "1"])
    assert seen["config"] is experiments.QUICK and seen["jobs"] == 1
    experiments.main(["--out", str(tmp_path / "r.json")])
    assert seen["config"] is experiments.FULL
    printed = capsys.readouterr().out
    assert "| variant |" in printed and "runs in" in printed and (tmp_path / "r.json").exists()


def test_the_quick_run_fits_its_budget_on_paper():
    """The quick configuration's size, as chapter 11 describes it (its time is measured when the book builds)."""
    q = experiments.QUICK
    runs = len(q.variants) * len(q.tasks) * len(q.seeds) * len(q.learning_rates)
    assert runs == 96 and q.steps * q.T <= 8000
    assert len(experiments.FULL.seeds) > len(q.seeds) and experiments.FULL.steps > q.steps


def test_bad_arguments():
    with pytest.raises(LSTMInputError, match="'config'"):
        run_experiments("quick")
    with pytest.raises(LSTMInputError, match="'jobs'"):
        run_experiments(TINY, jobs=0)
    with pytest.raises(LSTMInputError, match="'name'"):
        experiments.make_task("adding", 20)
