#!/usr/bin/env python3
"""Prove that tests/test_jupyterlab.py fails on each problem a learner met in JupyterLab (issue 11).

Each mutant breaks a copy of chapter 4 in one way (the repository is never touched) and runs the JupyterLab test
on that copy alone; the test must fail, and the check named here must be among the failures. About 25 s a mutant.

    .venv/bin/python tests/jupyterlab_mutants.py            # all mutants
    .venv/bin/python tests/jupyterlab_mutants.py roles      # one
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "04_forget_gate.ipynb"


def roles(nb):  # links that go nowhere: the Sphinx roles JupyterLab cannot resolve
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        text = text.replace("[forget gate](../book/glossary.md#term-forget-gate)", "{term}`forget gate`")
        text = text.replace("[Gers et al. (2000)](../book/references.md#gers2000forget)", "{cite:t}`gers2000forget`")
        cell["source"] = text


def gated(nb):  # the old gated solution: a box holding only the prose, and the solution's verdict printed
    n = next(i for i, c in enumerate(nb["cells"]) if "".join(c["source"]).startswith("::::{solution} ex-forget-1"))
    nb["cells"][n:n + 1] = [
        {"cell_type": "markdown", "id": "g1", "metadata": {},
         "source": "```{solution-start} ex-forget-1\n:class: dropdown\n```\nTwo matrix products, the bias, the sigmoid:"},
        {"cell_type": "code", "id": "g2", "metadata": {"jupyter": {"source_hidden": True}}, "execution_count": None,
         "outputs": [], "source": "def my_forget_gate(x_t, h_prev, W_xf, W_hf, b_f):\n"
                                  "    return sigmoid(x_t @ W_xf.T + h_prev @ W_hf.T + b_f)\n\n"
                                  "check_forget_gate(my_forget_gate)"},
        {"cell_type": "markdown", "id": "g3", "metadata": {}, "source": "```{solution-end}\n```"}]


def open_solution(nb):  # a solution that is not a dropdown: the answer in plain sight
    for cell in nb["cells"]:
        text = "".join(cell["source"])
        if text.startswith("::::{solution} ex-forget-2"):
            cell["source"] = text.replace(":class: dropdown\n", "", 1)


def kernelspec(nb):  # JupyterLab rewrites "Python 3" on open: the tab shows unsaved changes
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3"


def language_info(nb):  # stored for another Python (or missing): the kernel's report rewrites it on open
    nb["metadata"]["language_info"]["version"] = "3.0.0"


def title(nb):  # the title in the first cell: jupyterlab-myst shows its math as plain text
    nb["cells"][0]["source"] = "(ch-forget-gate)=\n" + "".join(nb["cells"][1]["source"])
    del nb["cells"][1]


def error(nb):  # a cell that raises under Run All
    nb["cells"].insert(5, {"cell_type": "code", "id": "err", "metadata": {}, "execution_count": None, "outputs": [],
                           "source": "1 / 0"})


def no_link_extension(nb):  # JupyterLab without jupyterlab/lstm-book-links: the glossary opens at its top
    pass


ENVIRONMENT = {"no_link_extension": {"LSTM_BOOK_LAB_DISABLE": "lstm-book-links"}}

MUTANTS = {  # mutant -> the check that must fail
    "roles": "test_every_reference_resolves",
    "gated": "test_solutions_stay_hidden",
    "open_solution": "test_solutions_stay_hidden",
    "kernelspec": "test_opening_a_chapter_leaves_it_unchanged",
    "language_info": "test_opening_a_chapter_leaves_it_unchanged",
    "title": "test_the_title_is_typeset",
    "error": "test_run_all_raises_nothing_and_reveals_no_verdict",
    "no_link_extension": "test_links_open_the_glossary_entry_the_chapter_and_the_reference",
}


def run(name: str) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder)
        for part in ("notebooks", "book"):
            shutil.copytree(ROOT / part, source / part)
        path = source / "notebooks" / CHAPTER
        nb = json.loads(path.read_text())
        globals()[name](nb)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        env = {**os.environ, "LSTM_BOOK_LAB_SOURCE": str(source), "LSTM_BOOK_LAB_ONLY": CHAPTER[:2],
               **ENVIRONMENT.get(name, {})}
        # the link test opens chapter 4 of the repository itself: it runs only for the mutant it is there to catch
        select = "links_open" if name in ENVIRONMENT else "not extension and not settings and not links_open"
        result = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "tests" / "test_jupyterlab.py"), "-q",
                                 "-p", "no:cacheprovider", "-k", select],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    failed = [line.split("::")[1].split("[")[0] for line in result.stdout.splitlines() if line.startswith("FAILED")]
    caught = result.returncode != 0 and MUTANTS[name] in failed
    print(f"{'caught' if caught else 'MISSED'}: {name}: failed {sorted(set(failed)) or 'nothing'}")
    return caught


if __name__ == "__main__":
    names = sys.argv[1:] or list(MUTANTS)
    sys.exit(0 if all([run(name) for name in names]) else 1)
