"""Widget panels that read well without a kernel: a fixed text line beside the widget view.

A committed notebook shows a widget's ``text/plain`` form where no kernel runs (GitHub, nbval,
a static HTML export). ipywidgets' own form is ``VBox(children=...)``; :class:`Panel` replaces
it with one friendly line, and keeps the widget view for a live kernel.

Example
-------
>>> class Box:
...     def _repr_mimebundle_(self, **kwargs):
...         return {"text/plain": "VBox(children=(...))", "application/vnd.jupyter.widget-view+json": {}}
>>> shown = Panel(Box(), "Lab 1 panel: move the sliders and press Run (needs a live kernel).")
>>> shown._repr_mimebundle_()["text/plain"]
'Lab 1 panel: move the sliders and press Run (needs a live kernel).'
>>> shown
Lab 1 panel: move the sliders and press Run (needs a live kernel).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Panel"]


class Panel:
    """An ipywidgets box shown with ``text`` as its plain-text form.

    Parameters
    ----------
    box
        The widget (``ipywidgets.VBox``...).
    text
        The one line shown where no kernel renders widgets.
    """

    #: The line shown where no kernel renders widgets (subclasses set it).
    TEXT = "Interactive panel (needs a live kernel)."

    def __init__(self, box: Any, text: str | None = None) -> None:
        self.box = box
        if text is not None:
            self.TEXT = text

    @property
    def children(self) -> tuple:
        """The widget box's children."""
        return self.box.children

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.box._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = self.TEXT
        return bundle

    def __repr__(self) -> str:
        return self.TEXT
