"""The book's figures: the cell diagram, quantities over time, and Part II's diagrams of the stacked weights and
of the error flowing back; chapter 13's text coloured by a unit and the gates' saturation."""

from .part2 import ERROR_STYLE, draw_backward_flow, draw_stacked_weights, draw_unrolled_backward, plot_error_flow
from .plots import CELL_PARTS, EVENT_STYLE, PANEL_LIMITS, REFERENCE_COLOURS, STYLE, draw_cell, plain_label, plot_series
from .units import UNIT_COLOURS, draw_gate_saturation, draw_text_by_units, unit_colours
from .variants import VARIANT_DIAGRAMS, draw_variant

__all__ = ["STYLE", "EVENT_STYLE", "REFERENCE_COLOURS", "PANEL_LIMITS", "CELL_PARTS", "plain_label", "plot_series",
           "draw_cell", "draw_stacked_weights", "draw_backward_flow", "plot_error_flow", "ERROR_STYLE", "draw_variant", "draw_unrolled_backward",
           "VARIANT_DIAGRAMS", "UNIT_COLOURS", "unit_colours", "draw_text_by_units", "draw_gate_saturation"]
