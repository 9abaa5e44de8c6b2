"""helpers.platform.plotting: the one figure factory every course plot uses."""

from __future__ import annotations

import pytest

from helpers import architecture
from helpers.course import topology
from helpers.platform.errors import InvalidParameterError
from helpers.platform.plotting import CourseFigure, new_figure


def test_new_figure_makes_a_course_figure_of_the_size_and_grid():
    # GIVEN / WHEN a 2 x 2 figure of 8 x 6 inches
    fig, axes = new_figure(size=(8, 6), nrows=2, ncols=2)
    # THEN a course figure of that size with four axes, as a grid
    assert isinstance(fig, CourseFigure) and tuple(fig.get_size_inches()) == (8, 6)
    assert axes.shape == (2, 2) and len(fig.axes) == 4


def test_new_figure_with_an_axes_returns_its_figure_unchanged():
    # GIVEN an existing axes
    fig, ax = new_figure(size=(5, 3))
    # WHEN asked again with it
    again, same = new_figure(ax, size=(20, 20))
    # THEN its own figure comes back, size untouched
    assert (again, same) == (fig, ax) and tuple(fig.get_size_inches()) == (5, 3)


def test_the_old_call_shape_says_how_to_pass_a_size():
    with pytest.raises(InvalidParameterError, match=r"new_figure\(size=\(8, 3\)\)"):
        new_figure(8, 3)


def test_every_module_draws_course_figures_that_ipython_shows_as_png(env):
    # GIVEN a topology figure and an architecture figure (no IPython formatter registered)
    from IPython.core.interactiveshell import InteractiveShell

    architecture.create_target_design(env)
    mono = architecture.simulate_checkout(env, design="monolith", orders=10, outage=(4, 10))
    evd = architecture.simulate_checkout(env, design="event-driven", orders=10, outage=(4, 10))
    for fig in (topology.draw_topology(env), architecture.plot_timeline(mono, evd)):
        # WHEN IPython formats it as a cell's value
        data, _ = InteractiveShell.instance().display_formatter.format(fig)
        # THEN it is one PNG plus a one-line text
        assert data["image/png"][:4] == b"\x89PNG"
        assert data["text/plain"].startswith("<CourseFigure size ")
