"""Reading the records of `lstm_book.teaching.experiments`: the learning rate chosen on validation data, the test
results at that rate, and variants compared seed by seed.

Each run is measured on two held-out sets (chapter 11):

* the **validation** batch (`val_loss`, `val_accuracy`): drawn by `train` for the learning curve, and the only
  thing the choice of learning rate looks at;
* the **test** batch (`test_loss`, `test_accuracy`): drawn once, the same for every run of a task, never seen in
  training nor in the choice. The results are reported on it.

Two variants trained with the same seed saw the same training batches, so their difference on that seed is a fair
pair. `paired` gives the mean of the per-seed differences with its 95% interval (Student's t with n - 1 degrees
of freedom); a difference is told only when the interval leaves out 0, otherwise the verdict is "cannot tell".
"""

from __future__ import annotations

import numpy as np

from lstm_book.variants import VARIANTS

__all__ = ["best_learning_rates", "at_grid_edge", "summarise", "paired", "table", "plot_results", "plot_curves",
           "T_975"]

#: Two-sided 95% quantiles of Student's t by degrees of freedom (1 to 10), for `paired`.
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228}


def _runs(results: dict, variant: str, task: str, lr: float) -> list[dict]:
    return [r for r in results["records"] if r["variant"] == variant and r["task"] == task
            and r["learning_rate"] == lr]


def best_learning_rates(results: dict) -> dict[tuple[str, str], float]:
    """For each (variant, task), the learning rate with the lowest mean final VALIDATION loss over the seeds (the
    test set plays no part). A run that diverged counts as the worst possible: a learning rate at which any seed
    diverged loses to one at which none did."""
    by = {}
    for r in results["records"]:
        by.setdefault((r["variant"], r["task"], r["learning_rate"]), []).append(r)
    best = {}
    for (variant, task, lr), runs in by.items():
        diverged = sum(r["diverged"] for r in runs)
        loss = np.mean([r["val_loss"] for r in runs if not r["diverged"]]) if diverged < len(runs) else np.inf
        key = (diverged, loss)
        if (variant, task) not in best or key < best[(variant, task)][0]:
            best[(variant, task)] = (key, lr)
    return {k: lr for k, (_, lr) in best.items()}


def at_grid_edge(results: dict) -> dict[tuple[str, str], float]:
    """The (variant, task) whose chosen learning rate is the smallest or the largest of the grid: there a wider
    grid might have found a better one. Empty when every best rate is inside the grid."""
    grid = sorted(results["config"]["learning_rates"])
    return {k: lr for k, lr in best_learning_rates(results).items() if lr in (grid[0], grid[-1])}


def _std(values) -> float | None:
    """The sample standard deviation (ddof = 1); None for fewer than two values."""
    return float(np.std(values, ddof=1)) if len(values) > 1 else None


def summarise(results: dict) -> list[dict]:
    """One row per variant × task at its chosen learning rate: over the seeds, the test accuracy's mean, sample
    standard deviation (ddof = 1) and minimum, the test loss's mean and standard deviation, the test accuracy on
    streams of the training length, the number of seeds that diverged, and the mean training time."""
    best = best_learning_rates(results)
    rows = []
    for variant in results["config"]["variants"]:
        for task in results["config"]["tasks"]:
            lr = best[(variant, task)]
            runs = _runs(results, variant, task, lr)
            ok = [r for r in runs if not r["diverged"]]
            acc = [r["test_accuracy"] for r in ok]
            loss = [r["test_loss"] for r in ok]
            at_T = [r.get("test_accuracy_at_T", r["test_accuracy"]) for r in ok]
            rows.append({
                "variant": variant, "task": task, "learning_rate": lr, "seeds": len(runs),
                "diverged": len(runs) - len(ok),
                "accuracy_mean": float(np.mean(acc)) if ok else None, "accuracy_std": _std(acc),
                "accuracy_min": float(np.min(acc)) if ok else None,
                "loss_mean": float(np.mean(loss)) if ok else None, "loss_std": _std(loss),
                "accuracy_at_T_mean": float(np.mean(at_T)) if ok else None,
                "seconds_mean": float(np.mean([r["seconds"] for r in runs])),
            })
    return rows


def paired(results: dict, variant: str, reference: str, task: str, measure: str = "test_accuracy") -> dict:
    """`variant` against `reference` on `task`, seed by seed, each at its own chosen learning rate.

    Returns {"differences": [variant - reference, per seed], "n", "mean", "low", "high" (the 95% interval of the
    mean difference, Student's t), "verdict"}: "higher" or "lower" when the interval leaves out 0, "cannot tell"
    when it does not (or when fewer than two seeds have both runs finite).
    """
    best = best_learning_rates(results)
    mine = {r["seed"]: r for r in _runs(results, variant, task, best[(variant, task)]) if not r["diverged"]}
    theirs = {r["seed"]: r for r in _runs(results, reference, task, best[(reference, task)]) if not r["diverged"]}
    seeds = sorted(set(mine) & set(theirs))
    d = np.array([mine[s][measure] - theirs[s][measure] for s in seeds], dtype=float)
    out = {"differences": d.tolist(), "n": len(d), "mean": float(d.mean()) if len(d) else None,
           "low": None, "high": None, "verdict": "cannot tell"}
    if len(d) >= 2:
        half = T_975.get(len(d) - 1, 1.96) * d.std(ddof=1) / np.sqrt(len(d))
        out.update(low=float(d.mean() - half), high=float(d.mean() + half))
        if out["low"] > 0 or out["high"] < 0:
            out["verdict"] = "higher" if out["mean"] > 0 else "lower"
    return out


def table(results: dict, reference: str = "lstm") -> str:
    """The summary as a Markdown table: per task, the test accuracy as mean ± standard deviation over the seeds,
    and the paired difference from `reference` with its 95% interval (or "cannot tell" when it contains 0)."""
    tasks = results["config"]["tasks"]
    rows = {(r["variant"], r["task"]): r for r in summarise(results)}
    name = VARIANTS[reference].title.split(" (")[0]
    head = "| variant | " + " | ".join(f"{t.replace('_', ' ')}: test accuracy | vs {name}" for t in tasks) + " |"
    lines = [head, "|" + " --- |" * (1 + 2 * len(tasks))]
    for variant in results["config"]["variants"]:
        cells = []
        for t in tasks:
            r = rows[(variant, t)]
            if r["accuracy_mean"] is None:
                cells += ["diverged", ""]
                continue
            note = f" ({r['diverged']} diverged)" if r["diverged"] else ""
            spread = f" ± {r['accuracy_std']:.1%}" if r["accuracy_std"] is not None else ""
            cells.append(f"{r['accuracy_mean']:.1%}{spread}{note}")
            if variant == reference:
                cells.append("")
                continue
            p = paired(results, variant, reference, t)
            if p["low"] is None:
                cells.append("cannot tell")
            else:
                told = "" if p["verdict"] != "cannot tell" else ", cannot tell"
                cells.append(f"{p['mean']:+.1%} [{p['low']:+.1%}, {p['high']:+.1%}]{told}")
        lines.append(f"| {VARIANTS[variant].title} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_results(results: dict):
    """Final test accuracy of every variant on every task at its chosen learning rate: one dot per seed, a bar
    for the mean. Returns the Figure."""
    import matplotlib.pyplot as plt

    tasks = results["config"]["tasks"]
    variants = results["config"]["variants"]
    best = best_learning_rates(results)
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.2 * len(tasks), 0.4 * len(variants) + 0.6), sharey=True,
                             squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for k, variant in enumerate(variants):
            runs = _runs(results, variant, task, best[(variant, task)])
            acc = [r["test_accuracy"] for r in runs if not r["diverged"]]
            colour = "#2471a3" if variant == "lstm" else "#7f8c8d"
            if acc:
                ax.barh(k, np.mean(acc), color=colour, alpha=0.35)
                ax.plot(acc, [k] * len(acc), "o", color=colour, ms=4)
            if len(acc) < len(runs):
                ax.text(0.02, k, f"{len(runs) - len(acc)} diverged", va="center", fontsize=8, color="#c0392b")
        ax.set_yticks(range(len(variants)), [VARIANTS[v].title for v in variants])
        ax.invert_yaxis()
        ax.set_xlim(0, 1.02)
        ax.set_xlabel("test accuracy")
        ax.set_title(task.replace("_", " "))
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_curves(results: dict, variants=None):
    """Learning curves (validation loss against training step) at each variant's chosen learning rate: the mean
    over the seeds as a line, each seed faint. Returns the Figure."""
    import matplotlib.pyplot as plt

    tasks = results["config"]["tasks"]
    variants = variants or results["config"]["variants"]
    best = best_learning_rates(results)
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.6 * len(tasks), 3.6), squeeze=False)
    colours = plt.get_cmap("tab10")
    for ax, task in zip(axes[0], tasks):
        for k, variant in enumerate(variants):
            runs = [r for r in _runs(results, variant, task, best[(variant, task)]) if not r["diverged"]]
            if not runs:
                continue
            steps = np.array([p[0] for p in runs[0]["curve"]])
            losses = np.array([[p[1] for p in r["curve"]] for r in runs if len(r["curve"]) == len(steps)])
            for row in losses:
                ax.plot(steps, row, color=colours(k % 10), alpha=0.15, lw=0.8)
            ax.plot(steps, losses.mean(axis=0), color=colours(k % 10), lw=1.8, ls="-" if k < 10 else "--",
                    label=VARIANTS[variant].title)
        ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_ylabel("validation loss")
        ax.set_title(task.replace("_", " "))
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig
