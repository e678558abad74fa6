"""Interactive explorers: data first, widget second (see `lstm_book.teaching.explorers.core`)."""

from .core import (WEB_DIR, Explorer, Panel, ReferenceLine, Slider, cell_state_explorer, full_cell_explorer,
                   gate_explorer, hidden_state_explorer, leaky_integrator_data, running_example_data)
from .part2 import LOSS_STEP, backward_data, backward_explorer, gradient_flow_data, gradient_flow_explorer


def __getattr__(name):
    if name == "ExplorerWidget":  # anywidget is imported only when a widget is made
        from .core import _widget_class

        return _widget_class()
    raise AttributeError(name)


__all__ = ["Slider", "Panel", "ReferenceLine", "Explorer", "ExplorerWidget", "WEB_DIR", "running_example_data",
           "leaky_integrator_data", "full_cell_explorer", "gate_explorer", "hidden_state_explorer",
           "cell_state_explorer", "backward_data", "backward_explorer", "gradient_flow_data", "gradient_flow_explorer",
           "LOSS_STEP"]
