"""The in-country shelf as a priced decision: a customer's initial spares (central store and
bases) are bought at standard price at day 0 — an FMS sale, so surcharged — unless they came
with the Total Package Approach (``initial_stock_source: tpa``; then only units an alternative
holds beyond the package are bought). What was bought is still owned at the horizon (the
one-for-one loop keeps the count), so ``residual_value_fraction`` of its standard price is
credited then, in the horizon's year; the surcharge is not refunded. Both land in
``cost_spares_usd`` (IPS element: supply support). US units' spares are DoD's, not priced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.scenario.stocking import purchased_units

if TYPE_CHECKING:
    from sim.model.customer import Customer
    from sim.model.world import World

CREDIT_BEFORE_HORIZON = 1e-6
"""Days before the horizon the residual value is credited: inside the run and its last year."""


def spares_bought(world: World, customer: Customer) -> dict[str, int]:
    """Units per NSN the customer buys at day 0 under the world's alternative."""
    spec = customer.spec
    parts = dict(customer.system.parts)
    mtbr = {n: world.items[n].mtbr_fh for n in parts}
    return purchased_units(spec, world.alternative.support.get(spec.name), parts, mtbr)


def price_initial_spares(world: World, customer: Customer) -> None:
    """Charge the purchase at day 0 and schedule the residual-value credit."""
    if not customer.is_fms:
        return
    bought = {n: q for n, q in spares_bought(world, customer).items() if q > 0}
    if not bought:
        return
    rec = world.recorder
    for nsn, q in bought.items():
        rec.charge(customer.stats, nsn, "spares", q * world.items[nsn].unit_price_usd,
                   world.surcharge_rate, 0.0, investment=True)
    fraction = world.scenario.residual_value_fraction
    horizon = world.scenario.horizon_days
    if fraction > 0:
        world.after(horizon - CREDIT_BEFORE_HORIZON, _credit, (world, customer, bought))


def _credit(arg: tuple[World, Customer, dict[str, int]]) -> None:
    world, customer, bought = arg
    fraction = world.scenario.residual_value_fraction
    for nsn, q in bought.items():
        world.recorder.charge(customer.stats, nsn, "spares",
                              -fraction * q * world.items[nsn].unit_price_usd, 0.0,
                              world.env.now)
