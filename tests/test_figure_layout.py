"""The matplotlib figures as a reader sees them: no text cut off by the figure's edge, no label over a trace, no two
texts over each other, every colour of the events keyed. Measured on the drawn figure (the renderer's extents of
every text, the display coordinates of every line), for the explorers' static figures (the website without
JavaScript, a guided observation's figure), the small multiples of every chapter's guided observations, and the
book's other figures. tools/look_at_site.py and tests/test_website.py look at the website's live drawings."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from lstm_book.teaching import figures  # noqa: E402
from lstm_book.teaching.explorers import (backward_explorer, cell_state_explorer, full_cell_explorer,  # noqa: E402
                                          gate_explorer, gradient_flow_data, gradient_flow_explorer,
                                          hidden_state_explorer)
from test_guided_observations import CHAPTERS, chapter_buttons_and_drawn  # noqa: E402

EXPLORERS = {"full cell": full_cell_explorer, "hidden state": hidden_state_explorer, "cell state": cell_state_explorer,
             **{f"gate {g}": (lambda g=g: gate_explorer(g)) for g in "ojfi"}, "backward": backward_explorer,
             "gradient flow": gradient_flow_explorer}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _texts(fig):
    """(text, its box in pixels) of every visible, non-empty text of the figure: titles, labels, ticks, legends."""
    renderer = fig.canvas.get_renderer()
    unseen = set()  # the labels of ticks outside an axis's view, which matplotlib keeps but does not draw
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not ax.axison or not low - 1e-9 * (high - low) <= tick.get_loc() <= high + 1e-9 * (high - low):
                    unseen |= {id(tick.label1), id(tick.label2)}
    out = []
    for text in fig.findobj(Text):
        if (text.get_visible() and text.get_text().strip() and id(text) not in unseen
                and (text.axes is None or text.axes.get_visible())):
            out.append((text, text.get_window_extent(renderer)))
    return out


def layout_problems(fig, saved_whole=False) -> list[str]:
    """What a reader would trip over in a drawn matplotlib figure. saved_whole: the figure is saved with its tight
    bounding box (a notebook's inline figure), so nothing can be cut off by its edge (the explorers' static figures
    are saved at their size: html_view)."""
    fig.canvas.draw()
    frame = fig.bbox
    texts = _texts(fig)
    problems = [f"cut off by the figure's edge: {t.get_text()!r}" for t, b in texts if not saved_whole and (
                b.x0 < frame.x0 - 1 or b.x1 > frame.x1 + 1 or b.y0 < frame.y0 - 1 or b.y1 > frame.y1 + 1)]
    shrunk = [(t, b.expanded(1.0, 1.0).padded(-1.5)) for t, b in texts]
    for k, (a, box_a) in enumerate(shrunk):
        for b, box_b in shrunk[k + 1:]:
            if box_a.overlaps(box_b) and box_a.width > 0 and box_b.width > 0:
                problems.append(f"texts over each other: {a.get_text()!r} and {b.get_text()!r}")
    # the data's lines (not a legend's handles): sampled along each segment, no point inside a text's box
    for line in (l for ax in fig.axes for l in ax.get_lines()):
        if not line.get_visible() or len(line.get_xydata()) < 2 or isinstance(line.axes, Legend):
            continue
        xy = line.get_transform().transform(line.get_xydata())
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        steps = np.linspace(0.0, 1.0, 9)[:, None, None]
        points = (xy[:-1] + steps * (xy[1:] - xy[:-1])).reshape(-1, 2)
        clip = line.axes.bbox
        points = points[(points[:, 0] >= clip.x0) & (points[:, 0] <= clip.x1)
                        & (points[:, 1] >= clip.y0) & (points[:, 1] <= clip.y1)]
        for text, box in shrunk:
            if box.width > 0 and box.count_contains(points):
                problems.append(f"{text.get_text()!r} over the line {line.get_label()!r}")
    return sorted(set(problems))


def test_the_check_sees_a_label_over_a_trace_a_cut_title_and_two_texts_over_each_other():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="the trace")
    ax.text(0.5, 0.5, "on the trace", ha="center", va="center")
    ax.text(0.1, 0.9, "one text")
    ax.text(0.1, 0.9, "another")
    ax.set_title("a title far too long for a figure of this width, cut off at both of its ends " * 2)
    found = " | ".join(layout_problems(fig))
    assert "'on the trace' over the line 'the trace'" in found
    assert "cut off by the figure's edge: 'a title far too long" in found
    assert "texts over each other: 'one text' and 'another'" in found


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_an_explorers_figure_at_the_defaults_and_far_from_them(name):
    explorer = EXPLORERS[name]()
    far = {s.name: s.high for s in explorer.sliders}  # every slider at its top: the longest title, extreme traces
    for fig in (explorer.figure(), explorer.figure(**far)):
        assert layout_problems(fig) == [], explorer.title
        if explorer.events:  # every band and dotted line of the panels has its key under the figure
            assert fig.legends and {t.get_text() for t in fig.legends[0].get_texts()} == {
                figures.EVENT_STYLE[k][2] for k in explorer.events}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_small_multiples_of_a_chapters_observations(chapter):
    explorer, _ = chapter_buttons_and_drawn(chapter)
    fig = explorer.observations()
    assert layout_problems(fig, saved_whole=True) == []
    assert all("_" not in ax.get_ylabel().replace("_{", "") for ax in fig.axes), "a row label with a raw subscript"


@pytest.mark.parametrize("draw", [
    lambda: figures.draw_cell(), lambda: figures.draw_cell(highlight="f"), figures.draw_stacked_weights,
    figures.draw_backward_flow, figures.draw_unrolled_backward, lambda: figures.plot_error_flow(gradient_flow_data()),
    *(lambda v=v: figures.draw_variant(v) for v in figures.VARIANT_DIAGRAMS),
], ids=lambda d: getattr(d, "__name__", "figure"))
def test_the_books_other_figures(draw):
    result = draw()
    fig = result if isinstance(result, plt.Figure) else result.figure
    assert layout_problems(fig, saved_whole=True) == []


def test_the_training_views_figure_of_a_finished_run():
    """Chapter 10's figure with JavaScript off (and in the PDF): its five colours keyed under the panels."""
    from lstm_book.teaching.explorers import TrainingView
    from lstm_book.teaching.explorers.training_views import run_figure

    view = TrainingView()
    fig = run_figure(view, view.run())
    assert layout_problems(fig) == []
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 5
