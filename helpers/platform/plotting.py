"""Course figures: matplotlib figures a notebook cell shows exactly once, as a PNG.

Every plot of the course (:mod:`helpers.course.topology`, :mod:`helpers.architecture`,
:mod:`helpers.sqs.plots`, :mod:`helpers.lab1`) starts from :func:`new_figure`. It makes a
:class:`CourseFigure`: a :class:`matplotlib.figure.Figure` made without ``pyplot`` that renders
itself as PNG (``_repr_png_``). So a figure appears once, as the value a cell returns; nothing
is drawn twice, nothing leaks from one cell into the next, and no IPython formatter has to be
registered.

Plot functions follow one contract: they take an optional ``ax`` (draw into it, and leave the
figure's size alone) and return the figure they drew on.

Example
-------
>>> fig, ax = new_figure(size=(4, 3))
>>> _ = ax.plot([0, 1], [0, 1])
>>> fig._repr_png_()[:4], fig.get_size_inches().tolist()
(b'\\x89PNG', [4.0, 3.0])
"""

from __future__ import annotations

import io
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .errors import InvalidParameterError

__all__ = ["CourseFigure", "new_figure", "PNG_DPI"]

#: Resolution of the PNG a notebook shows, in dots per inch (an 8-inch figure is 800 px wide).
PNG_DPI = 100


class CourseFigure(Figure):
    """A matplotlib Figure that renders itself as PNG in Jupyter without ``pyplot``.

    The PNG is cropped to what is drawn (``bbox_inches="tight"``), so a legend placed beside
    the axes is not cut off. Its text form is ``<CourseFigure size WxH with N Axes>``.

    Example
    -------
    >>> fig, _ = new_figure(size=(4, 3))
    >>> fig._repr_png_()[:4]
    b'\\x89PNG'
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        FigureCanvasAgg(self)

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=PNG_DPI, bbox_inches="tight")
        return buffer.getvalue()


def new_figure(ax: Any = None, size: tuple[float, float] = (8.0, 4.0), ncols: int = 1, *,
               nrows: int = 1, sharex: bool = False) -> tuple[Figure, Any]:
    """``(figure, axes)``: ``ax``'s own figure when given, else a new :class:`CourseFigure`.

    Parameters
    ----------
    ax
        An existing axes to draw into: returned as it is, with its figure (whose size is
        left alone). ``None`` makes a new figure.
    size
        ``(width, height)`` in inches of a new figure.
    ncols, nrows
        Axes of a new figure, in a grid (constrained layout).
    sharex
        Share the x axis between the rows of a new figure.

    Returns
    -------
    tuple
        The figure and its one ``Axes``, or with several the array of axes that
        :meth:`matplotlib.figure.Figure.subplots` returns (one row: ``axes[0]``,
        ``axes[1]``...; a grid: ``axes[row][col]``).

    Raises
    ------
    InvalidParameterError
        ``ax`` is not an axes (e.g. the old call ``new_figure(8, 3)``).

    Example
    -------
    >>> fig, (left, right) = new_figure(size=(8, 3), ncols=2)
    >>> type(fig).__name__, len(fig.axes), new_figure(left)[0] is fig
    ('CourseFigure', 2, True)
    """
    if ax is not None:
        if not hasattr(ax, "figure"):
            raise InvalidParameterError(
                f"new_figure(ax={ax!r}): ax must be a matplotlib Axes or None. For a new figure "
                "of a given size write new_figure(size=(8, 3)).")
        return ax.figure, ax
    fig = CourseFigure(figsize=tuple(size), layout="constrained")
    return fig, fig.subplots(nrows, ncols, sharex=sharex)
