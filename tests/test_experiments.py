"""The experiments of chapter 11: records, the best learning rate, the table (diverged runs say so), the command
line. A tiny configuration stands in for the real ones, which chapter 11 runs at build time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

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
        assert set(record) >= {"variant", "task", "seed", "learning_rate", "val_loss", "val_accuracy", "test_loss",
                               "test_accuracy", "test_accuracy_at_T", "seconds", "diverged", "curve"}
        if not record["diverged"]:  # validation (the curve's last point) and test are different batches
            assert record["curve"][-1][1:] == [record["val_loss"], record["val_accuracy"]]
            assert record["test_loss"] != record["val_loss"]
        assert record["steps"] == 6 and [p[0] for p in record["curve"]] == [3, 6]
    assert (tmp_path / "sub" / "tiny_accuracy.png").stat().st_size > 1000
    assert (tmp_path / "sub" / "tiny_curves.png").stat().st_size > 1000


def test_records_do_not_depend_on_the_number_of_processes():
    one = run_experiments(TINY, jobs=1, progress=False, cache=None)
    two = run_experiments(TINY, jobs=2, progress=False, cache=None)
    assert strip_times(one) == strip_times(two)


def test_a_finished_run_is_read_from_the_cache_and_a_change_of_code_trains_again(tmp_path, monkeypatch):
    import lstm_book.teaching.experiments as experiments

    first = run_experiments(TINY, jobs=1, progress=False, cache=tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == len(first["records"])
    trained = []
    real = experiments._one_run
    monkeypatch.setattr(experiments, "_one_run", lambda run: trained.append(run) or real(run))
    again = run_experiments(TINY, jobs=1, progress=False, cache=tmp_path)
    assert not trained and again["records"] == first["records"]           # read, not trained: even the times
    assert (first["cached"], again["cached"]) == (0, len(first["records"]))
    next(tmp_path.glob("*.json")).write_text('{"half-writ')                   # a file a killed process left
    run_experiments(TINY, jobs=1, progress=False, cache=tmp_path)
    assert len(trained) == 1
    monkeypatch.setattr(experiments, "_code_digest", lambda: "the model changed")
    changed = run_experiments(TINY, jobs=1, progress=False, cache=tmp_path)
    assert len(trained) == 1 + len(first["records"])
    assert strip_times(changed) == strip_times(first)


def fake(records):
    config = {"variants": ["lstm", "gru"], "tasks": ["adding"], "learning_rates": [0.01, 0.1]}
    base = {"task": "adding", "seconds": 1.0, "curve": [[1, 0.5, 0.5]]}
    return {"config": config, "records": [{**base, **r} for r in records]}


def test_best_learning_rate_and_summary_by_hand():
    results = fake([
        {"variant": "lstm", "seed": 0, "learning_rate": 0.1, "val_loss": 0.2, "test_loss": 0.2, "test_accuracy": 0.8, "diverged": False},
        {"variant": "lstm", "seed": 1, "learning_rate": 0.1, "val_loss": 0.4, "test_loss": 0.4, "test_accuracy": 0.6, "diverged": False},
        {"variant": "lstm", "seed": 0, "learning_rate": 0.01, "val_loss": 0.1, "test_loss": 0.1, "test_accuracy": 0.9, "diverged": False},
        {"variant": "lstm", "seed": 1, "learning_rate": 0.01, "val_loss": 0.7, "test_loss": 0.7, "test_accuracy": 0.5, "diverged": False},
        # for the GRU the larger rate has the lower loss but diverged once: the smaller one wins
        {"variant": "gru", "seed": 0, "learning_rate": 0.1, "val_loss": 0.01, "test_loss": 0.01, "test_accuracy": 1.0, "diverged": False},
        {"variant": "gru", "seed": 1, "learning_rate": 0.1, "val_loss": None, "test_loss": None, "test_accuracy": None, "diverged": True},
        {"variant": "gru", "seed": 0, "learning_rate": 0.01, "val_loss": 0.5, "test_loss": 0.5, "test_accuracy": 0.5, "diverged": False},
        {"variant": "gru", "seed": 1, "learning_rate": 0.01, "val_loss": 0.5, "test_loss": 0.5, "test_accuracy": 0.7, "diverged": False},
    ])
    assert best_learning_rates(results) == {("lstm", "adding"): 0.1, ("gru", "adding"): 0.01}
    rows = {r["variant"]: r for r in summarise(results)}
    assert np.isclose(rows["lstm"]["loss_mean"], 0.3) and np.isclose(rows["lstm"]["accuracy_mean"], 0.7)
    assert np.isclose(rows["lstm"]["accuracy_std"], np.sqrt(0.02)) and rows["lstm"]["diverged"] == 0  # ddof = 1
    assert np.isclose(rows["gru"]["accuracy_mean"], 0.6)


def test_a_diverged_variant_reads_diverged_never_nan():
    results = fake([
        {"variant": "lstm", "seed": 0, "learning_rate": 0.1, "val_loss": 0.2, "test_loss": 0.2, "test_accuracy": 0.8, "diverged": False},
        {"variant": "gru", "seed": 0, "learning_rate": 0.1, "val_loss": None, "test_loss": None, "test_accuracy": None, "diverged": True},
    ])
    text = table(results)
    assert "| GRU (b_z starts at 0) | diverged |  |" in text and "nan" not in text.lower()
    assert "| 80.0% |" in text  # one seed: no standard deviation
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
    assert runs == 324 and q.steps * q.T <= 6000
    assert len(experiments.FULL.seeds) > len(q.seeds) and experiments.FULL.steps > q.steps
    assert set(q.learning_rates) <= set(experiments.FULL.learning_rates)
    ratios = np.diff(np.log10(sorted(q.learning_rates)))  # log-spaced: a factor √10 between neighbours
    assert np.allclose(ratios, 0.5, atol=0.01)


def test_bad_arguments():
    with pytest.raises(LSTMInputError, match="'config'"):
        run_experiments("quick")
    with pytest.raises(LSTMInputError, match="'jobs'"):
        run_experiments(TINY, jobs=0)
    with pytest.raises(LSTMInputError, match="'name'"):
        experiments.make_task("adding", 20)


# ---- the command line: every bad flag is one line on stderr and exit status 2, before any work -----------------

ROOT = Path(__file__).resolve().parents[1]
PROG = "python -m lstm_book.teaching.experiments"
# The command line in a fresh process, with the work replaced by a tripwire: a run that started before its flags
# were checked would print TRAINING and exit with status 3.
TRIPWIRE = """import sys
import lstm_book.teaching.experiments as e
def tripwire(*args, **kwargs):
    print("TRAINING", file=sys.stderr)
    sys.exit(3)
e.run_experiments = e._one_run = e.write_results = tripwire
e.main(sys.argv[1:])
"""


def command(*args, cwd, module=False):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    head = ["-m", "lstm_book.teaching.experiments"] if module else ["-c", TRIPWIRE]
    return subprocess.run([sys.executable, *head, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def tree(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


@pytest.fixture
def unwritable(tmp_path):
    """A directory in which no file can be created (root ignores permissions: then /proc)."""
    d = tmp_path / "read_only"
    d.mkdir()
    d.chmod(0o555)
    for candidate in (d, Path("/proc")):
        try:
            (candidate / "probe").open("x").close()
            (candidate / "probe").unlink()
        except OSError:
            yield candidate
            break
    else:
        pytest.skip("no directory here refuses a new file")
    d.chmod(0o755)


BAD = [  # (arguments, the flag named, what came); {tmp} is the test's directory
    (["--jobs", "0"], "--jobs", "'0'"),
    (["--jobs", "-3"], "--jobs", "'-3'"),
    (["--jobs", "two"], "--jobs", "'two'"),
    (["--jobs=2.5"], "--jobs", "'2.5'"),
    (["--jobs", "1e3"], "--jobs", "'1e3'"),
    (["--jobs", " 2"], "--jobs", "' 2'"),
    (["--jobs"], "--jobs", "nothing"),
    (["--jobs", "2", "--jobs", "3"], "--jobs", "2 times"),
    (["--frobnicate"], "'--frobnicate'", "'--frobnicate'"),
    (["--qu"], "'--qu'", "'--qu'"),  # no abbreviations: --qu is not --quick
    (["results.json"], "'results.json'", "'results.json'"),
    (["--quick=yes"], "--quick", "'yes'"),
    (["--quick", "--quick"], "--quick", "2 times"),
    (["--out"], "--out", "nothing"),
    (["--out="], "--out", "''"),
    (["--out", "{tmp}/missing/r.json"], "--out", "does not exist"),
    (["--out", "{tmp}"], "--out", "is a directory"),
    (["--out", "{tmp}/afile/r.json"], "--out", "is not a directory"),
    (["--out", "{tmp}/r.json"], "--out", "r_accuracy.png' is a directory"),  # a figure's place is taken
    (["--out", "/dev/null"], "--out", "is not one"),
    (["--out", "{tmp}/" + "x" * 300 + ".json"], "--out", "is longer"),
    (["--out", "{unwritable}/r.json"], "--out", "cannot write in"),
]


@pytest.mark.parametrize("args, flag, came", BAD, ids=[" ".join(a)[:40] for a, _, _ in BAD])
def test_a_bad_flag_is_one_line_and_status_2_before_any_work(tmp_path, request, args, flag, came):
    (tmp_path / "afile").write_text("")
    if "r_accuracy.png' is a directory" in came:
        (tmp_path / "r_accuracy.png").mkdir()
    subs = {"tmp": str(tmp_path)}
    if any("{unwritable}" in a for a in args):
        subs["unwritable"] = str(request.getfixturevalue("unwritable"))
    args = [a.format(**subs) for a in args]
    before = tree(tmp_path)
    run = command(*args, cwd=tmp_path)
    lines = run.stderr.splitlines()
    assert run.returncode == 2 and len(lines) == 1, (run.returncode, run.stderr)
    assert lines[0].startswith(f"{PROG}: error: ") and flag in lines[0] and came in lines[0], lines[0]
    assert "expected" in lines[0] and "TRAINING" not in run.stderr and run.stdout == ""
    assert tree(tmp_path) == before  # nothing written, no probe left behind


def test_the_module_itself_answers_a_bad_flag_with_status_2(tmp_path):
    for args in (["--jobs", "0"], ["--out", str(tmp_path / "missing" / "r.json")], ["--nope"]):
        run = command(*args, cwd=tmp_path, module=True)
        assert run.returncode == 2 and len(run.stderr.splitlines()) == 1 and run.stderr.startswith(PROG), run.stderr


def test_good_flags_reach_the_work(tmp_path):
    """The tripwire above is live: with good flags the work starts."""
    run = command("--quick", "--out", str(tmp_path / "r.json"), "--jobs", "2", cwd=tmp_path)
    assert run.returncode == 3 and run.stderr.strip() == "TRAINING"
    args = experiments.parse(["--jobs=007", "--out", str(tmp_path / "r.json"), "--quick"])
    assert args.jobs == 7 and args.quick and args.out == str(tmp_path / "r.json")
    assert experiments.parse([]).jobs is None


def test_run_experiments_checks_out_before_training(tmp_path, monkeypatch):
    def tripwire(run):
        raise AssertionError("training started")

    monkeypatch.setattr(experiments, "_one_run", tripwire)
    with pytest.raises(LSTMInputError, match="'out' should be a file, but got .* is a directory"):
        run_experiments(TINY, out=tmp_path, jobs=1, progress=False)


def test_no_more_processes_than_runs(monkeypatch):
    seen = {}

    class Pool:
        def __init__(self, processes):
            seen["processes"] = processes

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def imap_unordered(self, function, runs):
            return map(function, runs)

    def one_run(job):
        _, variant, task, seed, lr = job
        return {"variant": variant, "task": task, "seed": seed, "learning_rate": lr}

    monkeypatch.setattr(experiments, "_one_run", one_run)
    monkeypatch.setattr(experiments.multiprocessing, "get_context", lambda method: types.SimpleNamespace(Pool=Pool))
    results = run_experiments(TINY, jobs=10 ** 6, progress=False)
    assert seen["processes"] == 16 and results["jobs"] == 16 and len(results["records"]) == 16


# ---- results and figures are written whole or not at all ------------------------------------------------------

def two_runs():
    return fake([
        {"variant": "lstm", "seed": 0, "learning_rate": 0.1, "val_loss": 0.2, "test_loss": 0.2, "test_accuracy": 0.8, "diverged": False},
        {"variant": "gru", "seed": 0, "learning_rate": 0.1, "val_loss": 0.3, "test_loss": 0.3, "test_accuracy": 0.7, "diverged": False},
    ])


def test_write_results_writes_the_json_and_both_figures(tmp_path):
    results = two_runs()
    experiments.write_results(results, tmp_path / "r.json")
    assert tree(tmp_path) == ["r.json", "r_accuracy.png", "r_curves.png"]
    assert json.loads((tmp_path / "r.json").read_text()) == results
    assert (tmp_path / "r_curves.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("failing", ["plot_results", "plot_curves", "json"])
def test_a_failure_while_writing_leaves_no_results_and_no_temporary_file(tmp_path, monkeypatch, failing):
    def boom(*args, **kwargs):
        raise RuntimeError("the figure step failed")

    experiments.write_results(two_runs(), tmp_path / "old.json")  # an earlier run
    earlier = {name: (tmp_path / name).read_bytes() for name in tree(tmp_path)}
    results = two_runs()
    if failing == "json":
        results["records"][0]["curve"] = object()  # not JSON: fails once both figures are drawn
    else:
        monkeypatch.setattr(experiments, failing, boom)
    with pytest.raises((RuntimeError, TypeError)):
        experiments.write_results(results, tmp_path / "r.json")
    with pytest.raises((RuntimeError, TypeError)):
        experiments.write_results(results, tmp_path / "old.json")
    assert tree(tmp_path) == ["old.json", "old_accuracy.png", "old_curves.png"]  # no r.json, no temporary file
    assert {name: (tmp_path / name).read_bytes() for name in tree(tmp_path)} == earlier  # the earlier run, whole


def test_a_failed_rename_leaves_no_temporary_file(tmp_path, monkeypatch):
    renames = []

    def replace(source, target):
        renames.append(target)
        if len(renames) == 3:  # the results, renamed last
            raise OSError("disk gone")
        os.rename(source, target)

    monkeypatch.setattr(experiments.os, "replace", replace)
    with pytest.raises(OSError, match="disk gone"):
        experiments.write_results(two_runs(), tmp_path / "r.json")
    assert tree(tmp_path) == ["r_accuracy.png", "r_curves.png"]  # whole figures; no results, no temporary file


def test_the_learning_rate_is_chosen_on_validation_and_reported_on_test():
    """Validation prefers 0.01, test would prefer 0.1: the choice follows validation, the table reports test."""
    results = fake([
        {"variant": v, "seed": s, "learning_rate": lr, "val_loss": val, "test_loss": 0.3, "test_accuracy": acc,
         "diverged": False}
        for v in ("lstm", "gru") for s in (0, 1)
        for lr, val, acc in ((0.01, 0.2, 0.6 + 0.1 * s), (0.1, 0.5, 0.9))])
    assert best_learning_rates(results) == {("lstm", "adding"): 0.01, ("gru", "adding"): 0.01}
    assert experiments.at_grid_edge(results) == {("lstm", "adding"): 0.01, ("gru", "adding"): 0.01}
    assert all(np.isclose(r["accuracy_mean"], 0.65) for r in summarise(results))  # the test accuracy at 0.01


def test_variants_are_compared_seed_by_seed_with_a_t_interval():
    """Differences 0.1, 0.2, 0.3 over three seeds: mean 0.2, s = 0.1, interval 0.2 ± 4.303 · 0.1/√3 = [-0.048, 0.448]:
    cannot tell. Differences 0.19, 0.2, 0.21: interval [0.175, 0.225]: higher."""
    def results(differences):
        return fake([{"variant": v, "seed": s, "learning_rate": 0.1, "val_loss": 0.1, "test_loss": 0.1,
                      "test_accuracy": 0.5 + (d if v == "gru" else 0.0), "diverged": False}
                     for s, d in enumerate(differences) for v in ("lstm", "gru")])
    wide = experiments.paired(results([0.1, 0.2, 0.3]), "gru", "lstm", "adding")
    assert np.allclose(wide["differences"], [0.1, 0.2, 0.3]) and np.isclose(wide["mean"], 0.2)
    assert np.isclose(wide["low"], 0.2 - 4.303 * 0.1 / np.sqrt(3)) and wide["verdict"] == "cannot tell"
    narrow = experiments.paired(results([0.19, 0.2, 0.21]), "gru", "lstm", "adding")
    assert narrow["verdict"] == "higher" and narrow["low"] > 0.17
    assert experiments.paired(results([-0.19, -0.2, -0.21]), "gru", "lstm", "adding")["verdict"] == "lower"
    # the seeds are paired, not pooled: a shift shared by both variants on a seed does not widen the interval
    shared = fake([{"variant": v, "seed": s, "learning_rate": 0.1, "val_loss": 0.1, "test_loss": 0.1,
                    "test_accuracy": 0.3 * s + (0.05 if v == "gru" else 0.0), "diverged": False}
                   for s in range(3) for v in ("lstm", "gru")])
    assert experiments.paired(shared, "gru", "lstm", "adding")["verdict"] == "higher"
    assert "+5.0% [+5.0%, +5.0%]" in table(shared)
