"""A seeded day at SecureCart: orders, repeat customers, a spike, stock running low.

Example
-------
>>> orders = day(seed=7, orders=200)
>>> len(orders) > 200, orders[0]["order_id"]
(True, 'ord-00001')
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["DAY_SECONDS", "POISON_ORDER", "DECLINED_CARD", "Shop", "day"]

#: A day on the simulated clock, in seconds.
DAY_SECONDS = 86_400
#: The order whose body can never be processed (its amount is not a number).
POISON_ORDER = "ord-00042"
#: The test card number the provider always declines.
DECLINED_CARD = "4000-0000-0000-0002"


@dataclass(frozen=True)
class Shop:
    """The catalogue: products, starting stock, the restock threshold and lead time."""

    products: int = 12
    stock: int = 120
    threshold: int = 20
    restock_units: int = 150
    restock_seconds: float = 7_200.0

    @classmethod
    def for_orders(cls, orders: int, products: int = 12) -> Shop:
        """A catalogue whose stock runs low during a day of ``orders`` (each product crosses its
        threshold at least once)."""
        return cls(products=products, stock=max(30, round(0.6 * orders / products)))


def day(seed: int = 7, orders: int = 2_000, *, spike: tuple[float, float] | None = (64_800.0, 65_700.0),
        spike_factor: float = 10.0, customers: int | None = None, shop: Shop | None = None,
        seconds: float = DAY_SECONDS) -> list[dict]:
    """The day's orders in the order they are placed.

    ``orders`` arrive at an even rate over ``seconds``; during ``spike`` the rate is
    ``spike_factor`` times higher. About 8 % of orders are followed within 3 s by another from
    the same customer (a basket changed): their payments must stay in order. About 3 % use the
    declined test card; :data:`POISON_ORDER` has an amount that is not a number.
    """
    shop = shop or Shop()
    rng = random.Random(f"capstone-day:{seed}")
    customers = customers or max(20, orders // 6)
    rate = orders / seconds
    times: list[float] = []
    t = 0.0
    while True:
        boost = spike_factor if spike and spike[0] <= t < spike[1] else 1.0
        t += rng.expovariate(rate * boost)
        if t >= seconds:
            break
        times.append(t)
        if rng.random() < 0.08:
            times.append(t + rng.uniform(0.5, 3.0))
    times.sort()
    out, last = [], {}
    weights = [1 / (k + 1) for k in range(customers)]  # a few customers order often
    for i, placed in enumerate(times, start=1):
        follow = i > 1 and placed - out[-1]["placed_at"] <= 3.0 and rng.random() < 0.9
        customer = out[-1]["customer_id"] if follow else \
            f"cus-{rng.choices(range(customers), weights)[0] + 1:04d}"
        last[customer] = placed
        oid = f"ord-{i:05d}"
        amount: object = round(rng.uniform(8, 250), 2)
        out.append({"order_id": oid, "customer_id": customer,
                    "sku": f"sku-{rng.randrange(shop.products) + 1:02d}", "qty": 1,
                    "amount": "NaN" if oid == POISON_ORDER else amount,
                    "card": DECLINED_CARD if rng.random() < 0.03 else "4242-4242-4242-4242",
                    "placed_at": round(placed, 3)})
    return out
