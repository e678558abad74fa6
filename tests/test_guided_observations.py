"""Guided observations as buttons: the Python side (the browser side is in test_website.py and
test_explorer_in_jupyterlab.py).

An explorer made with ``.with_observations([(label, {slider: value}), ...])`` carries its chapter's settings; its
description (`spec()`) gives the front end one button per setting with *every* slider's value (the ones the
setting does not name at their defaults), so that explorer.js holds no value of its own. Every chapter's
explorer carries the settings its guided observations draw, and every setting drawn has its button.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

import lstm_book.teaching.explorers as explorers
from lstm_book.teaching.explorers import cell_state_explorer, gate_explorer
from lstm_book.validation import LSTMInputError

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("0[0-9]_*.ipynb"))  # Part I and II: one explorer each

SETTINGS = [("1. b_o = −6", {"b_o": -6.0}), ("2. w_xo = 10, b_o = −5", {"w_xo": 10.0, "b_o": -5.0}), ("3. defaults", {})]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_description_gives_every_slider_of_every_setting():
    explorer = gate_explorer("o").with_observations(SETTINGS)
    buttons = explorer.spec()["observations"]
    assert [b["label"] for b in buttons] == [label for label, _ in SETTINGS]
    assert all(b["action"] == "Set the explorer:" for b in buttons)  # said before the label to screen readers
    # written out by hand: the sliders a setting does not name are at their defaults (w_xo = w_ho = b_o = 0)
    assert [b["values"] for b in buttons] == [{"w_xo": 0.0, "w_ho": 0.0, "b_o": -6.0},
                                              {"w_xo": 10.0, "w_ho": 0.0, "b_o": -5.0},
                                              {"w_xo": 0.0, "w_ho": 0.0, "b_o": 0.0}]
    json.dumps(explorer.spec(), allow_nan=False)  # what the page embeds
    assert gate_explorer("o").spec()["observations"] == [], "an explorer without observations draws no buttons"


def test_the_copy_is_the_same_explorer_with_its_settings():
    plain = gate_explorer("o")
    guided = plain.with_observations(SETTINGS)
    assert plain.guided == () and len(guided.guided) == 3
    assert guided.defaults() == plain.defaults() and guided.title == plain.title
    assert np.array_equal(guided.data(b_o=2.0)["h"], plain.data(b_o=2.0)["h"])
    assert {k: v for k, v in guided.spec().items() if k != "observations"} == \
           {k: v for k, v in plain.spec().items() if k != "observations"}


def test_the_widget_gets_the_buttons_and_answers_a_press_as_a_slider_move():
    """A press sends {"type": "request", "values": <the button's values>}: the kernel computes that setting."""
    explorer = cell_state_explorer().with_observations([("3. c_0 = 3, b_j = −6", {"c_0": 3.0, "b_j": -6.0})])
    widget = explorer.widget()
    button = widget.spec["observations"][0]
    assert button["values"] == {"b_f": 1.0, "b_j": -6.0, "b_i": 1.0, "c_0": 3.0}
    sent = []
    widget.send = sent.append
    widget._on_message(widget, {"type": "request", "values": button["values"], "seq": 4}, [])
    assert widget.values() == button["values"]
    expected = cell_state_explorer().data(c_0=3.0, b_j=-6.0)
    assert np.array_equal(sent[0]["data"]["c"], expected["c"]) and sent[0]["data"]["seq"] == 4
    assert np.isclose(sent[0]["data"]["c"][0], 3.0 * 0.7311 + 0.7616 * 0.0025, atol=5e-4)  # c_1 = c_0 f + i j, by hand


def test_observations_draws_the_explorers_own_settings():
    explorer = gate_explorer("o").with_observations(SETTINGS)
    fig = explorer.observations()
    lines = {line.get_label(): line.get_ydata() for ax in fig.axes for line in ax.lines if ": " in line.get_label()}
    for label, changes in SETTINGS:
        assert np.array_equal(lines[f"{label}: hidden state $h_t$"], explorer.data(**changes)["h"])
    with pytest.raises(LSTMInputError, match="observations\\(\\) needs argument 'settings'"):
        gate_explorer("o").observations()


def test_a_figure_draws_some_of_the_explorers_own_settings_by_label():
    """A chapter writes each setting once: its figures name the explorer's own settings by their labels."""
    explorer = gate_explorer("o").with_observations(SETTINGS)
    fig = explorer.observations(["3. defaults", "1. b_o = −6"], panels=[2])
    lines = {line.get_label(): line.get_ydata() for ax in fig.axes for line in ax.lines if ": " in line.get_label()}
    assert sorted(lines) == ["1. b_o = −6: cell state $c_t$", "1. b_o = −6: hidden state $h_t$",
                             "3. defaults: cell state $c_t$", "3. defaults: hidden state $h_t$"]
    assert np.array_equal(lines["1. b_o = −6: hidden state $h_t$"], explorer.data(b_o=-6.0)["h"])
    assert [ax.get_ylabel() for ax in fig.axes] == ["3. defaults", "1. $b_{o}$ = −6"]  # in the order asked, symbols set
    # a label and a written setting mix; the rows are the same as with the values written out
    mixed = explorer.observations([("b_o = 2", {"b_o": 2.0}), "2. w_xo = 10, b_o = −5"])
    assert [ax.get_ylabel() for ax in mixed.axes[::2]] == ["$b_{o}$ = 2", "2. $w_{xo}$ = 10, $b_{o}$ = −5"]
    # figure(observation=label) is figure(**that setting), title included
    by_label = explorer.figure(observation="2. w_xo = 10, b_o = −5")
    by_value = explorer.figure(w_xo=10.0, b_o=-5.0)
    assert by_label.axes[0].get_title(loc="left") == by_value.axes[0].get_title(loc="left") == \
        "The output gate $o_{t}$ on the running example: $w_{xo}$ = 10, $b_{o}$ = \u22125"  # symbols and minus set
    for got, want in zip(by_label.axes, by_value.axes):
        assert [list(l.get_ydata()) for l in got.lines] == [list(l.get_ydata()) for l in want.lines]


@pytest.mark.parametrize("call, message", [
    (lambda e: e.observations(["4. b_o = 6"]), r"observations\(\): settings\[0\] should be the label of one of the "
                                               r"explorer's own settings, but got '4. b_o = 6'; its settings are \['1. b_o"),
    (lambda e: e.observations(["1. b_o = -6"]), r"but got '1. b_o = -6'"),  # a hyphen for the label's minus sign
    (lambda e: e.observations("1. b_o = −6"), r"argument 'settings' should be a non-empty list"),
    (lambda e: e.observations([]), r"argument 'settings' should be a non-empty list"),
    (lambda e: e.figure(observation="b_o = 6"), r"figure\(\): observation should be the label .* but got 'b_o = 6'"),
    (lambda e: e.figure(observation="3. defaults", b_o=6.0), r"either argument 'observation' or slider values"),
    (lambda e: gate_explorer("o").figure(observation="3. defaults"), r"it has none \(make it with .with_observations"),
])
def test_a_label_that_names_no_setting_is_refused(call, message):
    with pytest.raises(LSTMInputError, match=message):
        call(gate_explorer("o").with_observations(SETTINGS))


@pytest.mark.parametrize("settings, message", [
    ([], "argument 'settings' should be a non-empty list"),
    ("b_o = 6", "argument 'settings' should be a non-empty list"),
    ({"b_o": 6.0}, "argument 'settings' should be a non-empty list"),
    ([("b_o = 6",)], r"settings\[0\] should be a pair"),
    ([("", {"b_o": 6.0})], r"settings\[0\] should be a pair .* non-empty label"),
    ([("a", {"b_o": 6.0}), ("a", {"b_o": 5.0})], r"settings\[1\] repeats the label 'a'"),
    ([("a", {"b_q": 6.0})], r"settings\[0\] \('a'\): .*no slider named 'b_q'"),
    ([("a", {"b_o": 60.0})], r"settings\[0\] \('a'\): .*slider 'b_o' should be a number in \[-8.0, 8.0\], but got 60.0"),
    ([("a", {"b_o": float("nan")})], r"settings\[0\] \('a'\): .*b_o"),
    ([("a", {"b_o": 0.05})], r"sets b_o = 0.05, which a slider of step 0.1 from -8 cannot show"),
])
def test_bad_settings_are_refused_with_a_clear_message(settings, message):
    with pytest.raises(LSTMInputError, match=message):
        gate_explorer("o").with_observations(settings)


def button_name(label: str) -> str:
    """The accessible name of a label's button: the action, then the label as the front end shows it (b_o as b
    with a subscript o, which a name reads as "bo")."""
    return "Set the explorer: " + re.sub(r"([A-Za-z]+)_(\{[^}]*\}|[A-Za-z0-9*-]+)", lambda m: m[1] + m[2].strip("{}"), label)


# ------------------------------------------------------------------------------------------------------------
# The chapters: each explorer carries its settings, and every setting drawn as an observation has a button.

def _cells(chapter):
    nb = json.loads((ROOT / "notebooks" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            tags = cell.get("metadata", {}).get("tags", [])
            yield "".join(cell["source"]), any(t in ("remove-cell", "remove-input") for t in tags)


def chapter_buttons_and_drawn(chapter):
    """(the explorer with its settings, [the full slider values of every setting the chapter draws])."""
    namespace = vars(explorers)
    explorer, drawn = None, []
    for source, hidden in _cells(chapter):
        for node in ast.walk(ast.parse(source)):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr == "with_observations":
                assert explorer is None, f"{chapter}: two explorers with observations"
                explorer = eval(compile(ast.Expression(node), chapter, "eval"), namespace)  # literals and a factory
            elif (not hidden and isinstance(node.func.value, ast.Name) and node.func.value.id == "explorer"
                  and node.func.attr in ("figure", "observations")):
                assert explorer is not None, f"{chapter}: an observation drawn before the explorer has its settings"
                own = dict(explorer.guided)  # a setting named by its label is the explorer's own
                keywords = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg not in ("title", "panels")}
                if node.func.attr == "figure":
                    changes = own[keywords["observation"]] if "observation" in keywords else keywords
                    drawn.append(explorer.values(**changes))
                else:
                    settings = (ast.literal_eval(node.args[0]) if node.args
                                else keywords.get("settings", explorer.guided))
                    drawn += [explorer.values(**(own[item] if isinstance(item, str) else item[1])) for item in settings]
    return explorer, drawn


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_setting_a_chapter_draws_has_its_button(chapter):
    explorer, drawn = chapter_buttons_and_drawn(chapter)
    assert explorer is not None, f"{chapter}: the explorer is not made with .with_observations([...])"
    assert drawn, f"{chapter}: no guided observation is drawn"
    buttons = [b["values"] for b in explorer.spec()["observations"]]
    missing = [values for values in drawn if values not in buttons]
    assert not missing, f"{chapter}: settings drawn without a button: {missing}"
    undrawn = [values for values in buttons if values not in drawn]
    assert not undrawn, f"{chapter}: buttons whose setting no figure shows: {undrawn}"


LABEL = re.compile(r"(\d+)([a-z]?)\. \S")


def numbering_problems(labels: list[str], text: str) -> list[str]:
    """What breaks the book's one numbering of observation buttons: every label is "<N>. <setting>", N the number
    of the guided observation of the chapter's text that it illustrates (an item "N. **..." or "**N. ...");
    the numbers never go down; a number with several buttons letters them "Na.", "Nb.", ... in order, a number
    with one button has no letter."""
    problems, parsed = [], []
    for label in labels:
        m = LABEL.match(label)
        if not m:
            problems.append(f"{label!r} does not start with its observation's number, 'N. ' or 'Na. '")
            continue
        parsed.append((int(m[1]), m[2], label))
    numbers = [n for n, _, _ in parsed]
    if numbers != sorted(numbers):
        problems.append(f"the numbers go down: {[label for _, _, label in parsed]}")
    for n in dict.fromkeys(numbers):
        letters = [letter for k, letter, _ in parsed if k == n]
        want = [""] if len(letters) == 1 else [chr(ord("a") + k) for k in range(len(letters))]
        if letters != want:
            problems.append(f"observation {n}'s buttons should be lettered {want}, but are {letters}")
        if not re.search(rf"^(?:{n}\. \*\*|\*\*{n}\. )", text, re.M):
            problems.append(f"no guided observation {n} in the text for the button(s) of number {n}")
    return problems


def _markdown(chapter: str) -> str:
    nb = json.loads((ROOT / "notebooks" / f"{chapter}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_buttons_are_numbered_as_the_observations_they_illustrate(chapter):
    explorer, _ = chapter_buttons_and_drawn(chapter)
    labels = [b["label"] for b in explorer.spec()["observations"]]
    assert not numbering_problems(labels, _markdown(chapter)), (chapter, numbering_problems(labels, _markdown(chapter)))


@pytest.mark.parametrize("labels, problem", [
    (["defaults", "1. b_f = 4"], "does not start with"),                              # chapter 7 before
    (["1. defaults", "1. b_f = 4", "3. w_xj = 5"], "should be lettered ['a', 'b']"),  # chapter 8 before
    (["2. b_f = 4", "1. defaults"], "the numbers go down"),
    (["1a. defaults"], "should be lettered ['']"),
    (["1. defaults", "4. b_f = 4"], "no guided observation 4"),
])
def test_the_numbering_rule_rejects_what_the_chapters_had(labels, problem):
    text = "1. **The defaults.**\n\n**2. Next.** ...\n3. **More.**"
    assert any(problem in p for p in numbering_problems(labels, text)), numbering_problems(labels, text)
