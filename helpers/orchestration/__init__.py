"""Notebook 06 · orchestration and streaming: the experiments and the exercise checks.

Example
-------
>>> from helpers.orchestration import also_bought
>>> also_bought([{"customer": "c", "product": "A", "action": "view"},
...              {"customer": "c", "product": "B", "action": "purchase"}])
{'A': {'B': 1}}
"""

from __future__ import annotations

from ..kinesis import also_bought
from . import checks, fraud, status
from .checks import check, hint
from .fulfillment import (
    Fulfillment,
    InvalidOrder,
    OutOfStock,
    PaymentDeclined,
    PaymentProviderUnavailable,
    Services,
    ShippingUnavailable,
)

__all__ = ["Fulfillment", "Services", "PaymentProviderUnavailable", "PaymentDeclined",
           "ShippingUnavailable", "InvalidOrder", "OutOfStock", "also_bought", "checks", "status", "fraud",
           "check", "hint"]
