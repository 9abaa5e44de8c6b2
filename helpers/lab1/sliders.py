"""Lab 1 panel: the whole pipeline rerun from sliders.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..data import OrderGenerator
from ..platform import limits
from ..platform.errors import EnvironmentClosedError, InvalidParameterError, SecureCartError
from ..platform.plotting import new_figure
from ..sqs import plots as sqs_plots
from ..sqs.consumer import run_consumers
from ..sqs.faults import Scenario
from ..sqs.producer import send_orders

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..environment import Environment

from ..course.panels import Panel
from ..course.results import OneRun
from ..course.workspace import caller_namespace
from .common import (
    PaymentGateway,
    _dlq_order_ids,
    _fresh_queue,
    _invariant,
    _payment_handler,
    _queue_labels,
)

__all__ = ["PanelResult", "run_panel_experiment", "panel", "PANEL_DEFAULTS"]

def _require_open(env: Environment) -> None:
    if getattr(env, "closed", False):
        raise EnvironmentClosedError(
            "The Lab 1 panel needs an open environment and this one was torn down (by the "
            "notebook's last cell): run the `env = helpers.connect(...)` cell, then this cell again.")


# -- the panel ---------------------------------------------------------------------------
#: The panel's starting settings (also what the notebook's static run shows).
PANEL_DEFAULTS: dict[str, Any] = {
    "poison_rate": 0.03,
    "crash_rate": 0.05,
    "duplicate_rate": 0.05,
    "slow_rate": 0.05,
    "consumers": 2,
    "batch_size": 10,
    "visibility_timeout": 30,
    "seed": 0,
}
#: Seconds one order normally takes in the panel's consumer, and a slow one.
PANEL_PROCESSING_SECONDS = 2.0
PANEL_SLOW_SECONDS = 45.0


@dataclass(repr=False)
class PanelResult(OneRun):
    """One run of the panel's experiment (:func:`run_panel_experiment`)."""

    settings: dict[str, Any]
    orders: int
    poison: int
    scenario: str
    report: Any
    charged_twice: int
    dlq: int
    invariant: Any
    #: Distinct orders in the DLQ (``dlq`` counts messages: an SQS copy is a second message).
    dlq_orders: int = 0

    def summary(self) -> str:
        s = self.settings
        return "\n".join([
            f"{self.orders} orders ({self.poison} poison), {s['consumers']} consumers, batch "
            f"{s['batch_size']}, visibility timeout {s['visibility_timeout']} s, seed {s['seed']}",
            self.scenario,
            f"consumers: {self.report}".replace(" duplicates)", " of them repeats)"),
            f"delivered again (a crash, a visibility timeout, or an SQS copy): "
            f"{self.delivered_again}; charged twice: {self.charged_twice} (idempotent handler)",
            f"DLQ: {self.dlq_orders} orders in {self.dlq} messages (a copy of a poison order is "
            "dead-lettered too)" if self.dlq != self.dlq_orders else f"DLQ: {self.dlq} orders",
            str(self.invariant),
        ])

    @property
    def delivered_again(self) -> int:
        """Deliveries of a payment already delivered: what the ordering plot marks as duplicate."""
        order = sqs_plots.delivery_order(self.labelled_frame(), queue="orders")
        return int(order["duplicate"].sum())

    def figure(self) -> Figure:
        """Queue depth, throughput per consumer, DLQ depth and per-customer order, 2 x 2."""
        fig, axes = new_figure(size=(12, 8), nrows=2, ncols=2)
        frame = self.labelled_frame()
        sqs_plots.plot_queue_depth(frame, ax=axes[0][0])
        sqs_plots.plot_throughput(frame, ax=axes[0][1])
        axes[0][1].set_ylabel("processed per second")
        sqs_plots.plot_dlq_depth(frame, ax=axes[1][0])
        sqs_plots.plot_ordering({"orders (standard queue)": frame}, axes=[axes[1][1]],
                                queues={"orders (standard queue)": "orders"})
        # one meaning per word: the slider's "SQS extra copies" are some of these deliveries
        order = axes[1][1]
        order.set_title(order.get_title().replace(" duplicates", " delivered again"))
        order.legend(loc="lower right", fontsize="small")
        return fig


def run_panel_experiment(env: Environment, *, orders: int | None = None, progress: bool = False,
                         **settings: Any) -> PanelResult:
    """The panel's experiment without widgets: orders through a faulty standard queue.

    Parameters
    ----------
    settings
        Any of :data:`PANEL_DEFAULTS`: ``poison_rate``, ``crash_rate``, ``duplicate_rate``,
        ``slow_rate`` (a slow order takes 45 s), ``consumers``, ``batch_size``,
        ``visibility_timeout``, ``seed``.
    orders
        Orders from 20 customers (120; 30 in the short scenario).
    progress
        Show a progress bar of processed messages.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> result = run_panel_experiment(env, orders=30, seed=1)
    >>> str(result.invariant).startswith("✔")
    True
    >>> _ = env.teardown()
    """
    _require_open(env)
    unknown = set(settings) - set(PANEL_DEFAULTS)
    if unknown:
        raise InvalidParameterError(
            f"Unknown panel setting(s) {sorted(unknown)}; the panel has {sorted(PANEL_DEFAULTS)}.")
    s = {**PANEL_DEFAULTS, **settings}
    orders = env.sized(orders, full=120, short=30)
    batch = OrderGenerator(seed=s["seed"]).orders(orders, customers=20)
    pick = random.Random(f"panel-poison:{s['seed']}")
    poison = {o["order_id"] for o in batch if pick.random() < s["poison_rate"]}
    scenario = Scenario(seed=s["seed"], crash_before_delete=s["crash_rate"], slow_rate=s["slow_rate"],
                        slow_seconds=PANEL_SLOW_SECONDS, poison=poison or None,
                        duplicate_rate=s["duplicate_rate"], reorder_rate=0.1)
    mark = env.log.mark()
    queue = _fresh_queue(env, "panel", visibility_timeout=int(s["visibility_timeout"]),
                         max_receive_count=3)
    gateway = PaymentGateway()
    send_orders(env, queue, batch)
    report = run_consumers(env, queue, _payment_handler(env, gateway), workers=int(s["consumers"]),
                           batch_size=int(s["batch_size"]), scenario=scenario,
                           processing_seconds=PANEL_PROCESSING_SECONDS, progress=progress)
    dlq = _dlq_order_ids(env, queue)
    return PanelResult(
        settings=s, orders=len(batch), poison=len(poison), scenario=scenario.describe(env),
        report=report, charged_twice=len(gateway.charged_twice()), dlq=len(dlq), dlq_orders=len(set(dlq)),
        invariant=_invariant(env, queue, [o["order_id"] for o in batch], gateway, dlq=dlq),
        frame=env.log.to_frame(mark), labels=_queue_labels(queue, "orders"),
    )


class _Panel(Panel):
    """The widget box, shown with a short fixed text where widgets cannot render."""

    TEXT = "Lab 1 panel: move the sliders and press Run experiment (needs a live kernel)."

    def __init__(self, box: Any, run: Callable[[], PanelResult | None]) -> None:
        super().__init__(box)
        self.run = run


def panel(env: Environment, *, static: bool = False, **settings: Any) -> Any:
    """Sliders for the failure rates, consumers, batch size, visibility timeout and seed.

    The button runs :func:`run_panel_experiment` with the sliders' values and draws its
    figure and summary below them (nothing runs before the first press, so the cell's own
    output is only the widgets). With ``static=True`` (or without ipywidgets) it returns one
    :class:`PanelResult` instead.

    Example
    -------
    >>> import helpers
    >>> env = helpers.connect(quiet=True)
    >>> panel(env, static=True, orders=20).settings["consumers"]
    2
    >>> _ = env.teardown()
    """
    _require_open(env)
    notebook = caller_namespace()
    try:
        import ipywidgets as w
    except ImportError:  # pragma: no cover - ipywidgets is a course dependency
        static = True
    orders = settings.pop("orders", None)
    if static:
        return run_panel_experiment(env, orders=orders, **settings)
    s = {**PANEL_DEFAULTS, **settings}
    style = {"description_width": "150px"}
    layout = w.Layout(width="420px")

    def rate(key: str, text: str, top: float) -> Any:
        return w.FloatSlider(value=s[key], min=0.0, max=top, step=0.01, description=text,
                             readout_format=".0%", style=style, layout=layout)

    controls = {
        "poison_rate": rate("poison_rate", "poison orders", 0.2),
        "crash_rate": rate("crash_rate", "crash before delete", 0.5),
        "duplicate_rate": rate("duplicate_rate", "SQS extra copies", 0.5),
        "slow_rate": rate("slow_rate", f"slow ({PANEL_SLOW_SECONDS:g} s) orders", 0.5),
        "consumers": w.IntSlider(value=s["consumers"], min=1, max=8, description="consumers",
                                 style=style, layout=layout),
        "batch_size": w.IntSlider(value=s["batch_size"], min=1, max=limits.SQS_MAX_BATCH_ENTRIES,
                                  description="batch size", style=style, layout=layout),
        "visibility_timeout": w.IntSlider(value=s["visibility_timeout"], min=5, max=120, step=5,
                                          description="visibility timeout (s)", style=style,
                                          layout=layout),
        "seed": w.IntText(value=s["seed"], description="seed", style=style, layout=layout),
    }
    button = w.Button(description="Run experiment", button_style="primary")
    out = w.Output()
    last: list[PanelResult] = []

    def rerun(_: Any = None) -> PanelResult | None:
        from IPython.display import display

        values = {k: c.value for k, c in controls.items()}
        # After Restart & Run All, re-running the connect cell is enough: use the notebook's
        # current environment rather than the one this panel was drawn with.
        current = notebook.get("env", env)
        live = current if getattr(current, "closed", True) is False else env
        with out:
            out.clear_output(wait=True)
            try:
                result = run_panel_experiment(live, orders=orders, progress=True, **values)
            except SecureCartError as err:  # e.g. the environment was torn down: one line
                print(f"✘ {err}")
                return None
            display(result.figure())
            print(result)
        last[:] = [result]
        return result

    button.on_click(rerun)
    box = w.VBox([w.HTML("<b>Lab 1 · order processing under failures</b>"),
                  w.HBox([w.VBox(list(controls.values())[:4]), w.VBox(list(controls.values())[4:])]),
                  button, out])
    return _Panel(box, rerun)


