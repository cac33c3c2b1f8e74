"""The CLSSA FMSO I account of one FMS customer for one NSN: its stock level, what it has drawn
against it, and its life from deposit to drawdown.

Sources: AFLCMC/WFALA, "CLSSA and Repair and Replace Country Brochure" (Aug 2020) — FMSO I
stock levels, valuation and the deposit (ch. 1), eligible-to-be-programmed quantities and
requisitions coded programmed (ch. 2 and 4), the termination file and drawdown requisitions
(ch. 3); DoD FMR Vol. 15 ch. 7 (pricing of exchanges).

- **Stock level**: the FMSO I quantity ``level``. DoD earmarks existing stock above its
  protection level for it ("on hand": no new units, 30 % of their value deposited plus a 5 %
  SSA surcharge) and procures the rest ("on order": 70 % deposited; the units join wholesale
  one procurement lead time after day 0).
- **Programmed requisitions**: a requisition is coded programmed — served from all stock at
  the customer's equivalent FAD, like a US unit's — while the units the customer has drawn
  against its level and that have not yet been restored to stock (by the repair of the
  exchanged carcass, or by the procurement that replaces a condemned one) are fewer than the
  level. Beyond it a requisition is unprogrammed and the non-CLSSA asset-release rule
  applies. This is our operational reading of the brochure's eligible-to-be-programmed
  quantity: the level is the share of the resupply pipeline the customer has paid to stock.
- **Termination** (the item leaves the DoD inventory, the customer's configuration of it
  departs from the US baseline under national software support, or the customer's choice
  ends at its ``end_day``): the assets left of the level (level less units drawn and not restored) are
  drawn down to the customer's shelf — from wholesale stock at once, and on-order units not
  yet delivered when they arrive — and the customer is billed their standard price less the
  deposit it paid (a credit when little is left). The SSA surcharge is not refunded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.analytic.clssa import fmso1_deposit
from sim.analytic.clssa import fmso1_quantities as buy_in
from sim.model.distributions import sampler
from sim.scenario.models import SupportChoice

if TYPE_CHECKING:
    from sim.model.customer import Customer
    from sim.model.world import World

WHOLESALE_COUNTRY = "US"


@dataclass(slots=True)
class Fmso1Account:
    """One customer's FMSO I position in one NSN."""

    level: int = 0
    drawn: int = 0              # programmed draws not yet restored to stock
    on_order_pending: int = 0   # on-order units not yet delivered to wholesale
    terminated: bool = False
    programmed: int = 0         # requisitions coded programmed (counted over the whole run)
    unprogrammed: int = 0

    def try_program(self) -> bool:
        """Code the next requisition: programmed (and drawn) if within the level."""
        if not self.terminated and self.drawn < self.level:
            self.drawn += 1
            self.programmed += 1
            return True
        self.unprogrammed += 1
        return False

    def restore(self, _nsn: object = None) -> None:
        """A unit drawn by a programmed requisition is back in wholesale stock."""
        if self.drawn > 0:
            self.drawn -= 1


def clssa_choice(world: World, cust: Customer, nsn: str) -> SupportChoice | None:
    """The CLSSA choice of this customer's NSN in the alternative (the NSN's own choice or the
    first CLSSA in its fallback chain), or None."""
    if not cust.is_fms:
        return None
    top = world.alternative.support[cust.name]
    choice: SupportChoice | None = top.items.get(nsn, top)
    while choice is not None:
        if choice.option == "clssa":
            return choice
        choice = choice.fallback if isinstance(choice.fallback, SupportChoice) else None
    return None


def fmso1_quantities(world: World, cust: Customer) -> dict[str, int]:
    """FMSO I stock level per NSN supported by CLSSA (the rule is ``sim.analytic.clssa``'s,
    shared with the closed form and the recommendation)."""
    top = world.alternative.support.get(cust.name)
    quantities: dict[str, int] = {}
    for nsn, qpa in cust.system.parts.items():
        choice = clssa_choice(world, cust, nsn)
        if choice is None:
            continue
        spec = choice.fmso1 or (top.fmso1 if top is not None else None)
        qty = buy_in(spec, cust.spec, {nsn: qpa}, {nsn: world.items[nsn].mtbr_fh})[nsn]
        if qty > 0:
            quantities[nsn] = qty
    return quantities


def start(world: World) -> None:
    """Open every customer's FMSO I: bill the deposit at day 0, schedule the on-order units'
    delivery and the termination. Customers earmark on-hand stock in scenario order, so two
    buy-ins never count the same free unit."""
    wholesale = world.scenario.wholesale
    free = {n: max(0, wholesale.stock.get(n, 0) - wholesale.protection_level.get(n, 0))
            for n in world.items}
    for cust in world.customers.values():
        quantities = fmso1_quantities(world, cust)
        if not quantities:
            continue
        prices = {n: world.items[n].unit_price_usd for n in quantities}
        deposit = fmso1_deposit(quantities, prices, free, {})
        rec = world.recorder
        for nsn, row in deposit["items"].items():
            free[nsn] -= row["on_hand_qty"]
            acct = world.fmso1_account(cust.name, nsn)
            acct.level = row["quantity"]
            acct.on_order_pending = row["on_order_qty"]
            rec.charge(cust.stats, nsn, "clssa", row["deposit"], 0.0, 0.0, investment=True)
            rec.charge(cust.stats, nsn, "clssa", row["ssa_surcharge"], 0.0, 0.0,
                       investment=True)
            if row["on_order_qty"]:
                lead = sampler(wholesale.procurement_lead_time_days,
                               world.streams.key("fmso1_maturity", cust.name, nsn))()
                world.after(lead, _on_order_arrives, (world, cust, nsn))
            choice = clssa_choice(world, cust, nsn)
            end = min(world.standard_day[(cust.name, nsn)], choice.end_day or math.inf)
            if end < world.scenario.horizon_days:
                world.after(end, _terminate, (world, cust, nsn, row["deposit"]))


def _on_order_arrives(arg: tuple[World, Customer, str]) -> None:
    """The on-order part of the level is delivered: to wholesale stock while the arrangement
    runs, to the customer once it has been terminated (drawn down)."""
    world, cust, nsn = arg
    acct = world.fmso1_account(cust.name, nsn)
    n = acct.on_order_pending
    acct.on_order_pending = 0
    if acct.terminated:
        _deliver(world, cust, nsn, n)
    else:
        for _ in range(n):
            world.item_manager.receive(nsn)


def _terminate(arg: tuple[World, Customer, str, float]) -> None:
    """Drawdown: the level's remaining assets go to the customer, billed at standard price
    less the deposit."""
    world, cust, nsn, deposit = arg
    acct = world.fmso1_account(cust.name, nsn)
    acct.terminated = True
    manager = world.item_manager
    remaining = max(0, acct.level - acct.drawn - acct.on_order_pending)
    now_units = min(remaining, manager.on_hand[nsn])
    manager.on_hand[nsn] -= now_units
    _deliver(world, cust, nsn, now_units)
    delivered = now_units + acct.on_order_pending
    price = world.items[nsn].unit_price_usd
    world.recorder.charge(cust.stats, nsn, "clssa", delivered * price - deposit, 0.0,
                          world.env.now)


def _deliver(world: World, cust: Customer, nsn: str, units: int) -> None:
    """Ship drawn-down units to the customer's shelf, one shipment each (they were never
    owed, so they are not pipeline)."""
    if units <= 0:
        return
    route = world.transport.route(WHOLESALE_COUNTRY, cust.country, (cust.name, nsn, "drawdown"))
    for _ in range(units):
        if route.cost:
            world.recorder.charge(cust.stats, nsn, "transport", route.cost,
                                  world.surcharge_rate, world.env.now)
        if route.draw is None:
            cust.add_stock(nsn)
        else:
            world.after(route.draw(), cust.add_stock, nsn)
