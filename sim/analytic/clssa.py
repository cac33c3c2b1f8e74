"""CLSSA arithmetic shared by the closed forms, ``sustain recommend`` and the simulator.

A Cooperative Logistics Supply Support Arrangement has two FMS cases: FMSO I, the buy-in that
adds the nation's share of stock to DoD wholesale, and FMSO II, the requisitions drawn against
it. The FMSO I deposit follows the rule of DESIGN §2: DoD may earmark existing
stock above the protection level for the buy-in ("on hand", 30 % of its value is collected,
plus a 5 % Supply Support Arrangement surcharge on that value); the rest must be procured
("on order", 70 % of its value collected up front). Kept in one place so that the simulator
bills exactly what the recommendation quotes.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.scenario.models import Customer as CustomerSpec
from sim.scenario.models import MonthsOfDemand, Quantities

ON_HAND_RATE = 0.30
"""Share of the value of earmarked on-hand stock collected as FMSO I deposit."""
ON_ORDER_RATE = 0.70
"""Share of the value of stock DoD must procure collected as FMSO I deposit."""
SSA_SURCHARGE_RATE = 0.05
"""Supply Support Arrangement surcharge on the value of earmarked on-hand stock."""


def fmso1_deposit(
    quantities: Mapping[str, int],
    unit_price: Mapping[str, float],
    wholesale_stock: Mapping[str, int],
    protection_level: Mapping[str, int],
) -> dict:
    """FMSO I deposit per NSN and in total.

    For each NSN the buy-in quantity splits into ``on_hand_qty`` = min(quantity, max(0, stock -
    protection level)) — stock DoD can earmark without breaching its own protection — and an
    ``on_order_qty`` remainder. ``deposit`` = 30 % of the on-hand value + 70 % of the on-order
    value; ``ssa_surcharge`` = 5 % of the on-hand value; ``total`` is their sum (what the nation
    pays in at the start). NSNs missing from ``wholesale_stock``/``protection_level`` count as
    0; every NSN bought must have a unit price.

    Returns ``{"items": {nsn: {quantity, unit_price_usd, on_hand_qty, on_order_qty,
    on_hand_value, on_order_value, extended_value, deposit, ssa_surcharge, total}},
    "totals": {the same sums over NSNs, without unit_price_usd}}``.
    """
    items: dict[str, dict[str, float]] = {}
    keys = ("quantity", "on_hand_qty", "on_order_qty", "on_hand_value", "on_order_value",
            "extended_value", "deposit", "ssa_surcharge", "total")
    totals = dict.fromkeys(keys, 0.0)
    for nsn, qty in quantities.items():
        q = int(qty)
        if q != qty or q < 0:
            raise ValueError(f"{nsn}: FMSO I quantity must be a whole number >= 0, got {qty}")
        if nsn not in unit_price:
            raise ValueError(f"{nsn}: no unit price")
        price = float(unit_price[nsn])
        free = max(0, int(wholesale_stock.get(nsn, 0)) - int(protection_level.get(nsn, 0)))
        on_hand = min(q, free)
        on_order = q - on_hand
        on_hand_value = on_hand * price
        on_order_value = on_order * price
        deposit = ON_HAND_RATE * on_hand_value + ON_ORDER_RATE * on_order_value
        surcharge = SSA_SURCHARGE_RATE * on_hand_value
        row = {
            "quantity": q,
            "unit_price_usd": price,
            "on_hand_qty": on_hand,
            "on_order_qty": on_order,
            "on_hand_value": on_hand_value,
            "on_order_value": on_order_value,
            "extended_value": q * price,
            "deposit": deposit,
            "ssa_surcharge": surcharge,
            "total": deposit + surcharge,
        }
        items[nsn] = row
        for k in keys:
            totals[k] += row[k]
    for k in ("quantity", "on_hand_qty", "on_order_qty"):
        totals[k] = int(totals[k])
    return {"items": items, "totals": totals}


def fmso1_quantities(
    fmso1: MonthsOfDemand | Quantities | None,
    customer: CustomerSpec,
    parts: Mapping[str, int],
    mtbr_fh: Mapping[str, float],
) -> dict[str, int]:
    """FMSO I units per NSN of the customer's system: explicit quantities, or months of the
    fleet's expected demand rounded half up — the same rule as the TPA shelf stock
    (``sim.scenario.stocking.initial_quantities``), so a buy-in "of M months" means one thing."""
    if fmso1 is None:
        return dict.fromkeys(parts, 0)
    if isinstance(fmso1, MonthsOfDemand):
        from sim.scenario.stocking import initial_quantities

        return initial_quantities(customer, dict(parts), dict(mtbr_fh),
                                  months=fmso1.months_of_demand)
    return {nsn: int(fmso1.quantities.get(nsn, 0)) for nsn in parts}
