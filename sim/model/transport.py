"""Transport legs between countries: transit time and cost per shipment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.distributions import sampler
from sim.scenario.models import TransportLeg

if TYPE_CHECKING:
    from sim.model.world import World
    from sim.recorder import Bill


class Route:
    """One way a unit travels for one purpose (customer, NSN, leg), with its own stream.

    A shipment within one country takes no time and costs nothing unless the scenario states
    a leg for it (no hidden delays or prices). ``SupportOption.ship`` sends units over it."""

    __slots__ = ("bill", "cost", "draw")

    def __init__(self, world: World, leg: TransportLeg | None, stream_key: tuple) -> None:
        self.draw = None if leg is None else sampler(
            leg.days, world.streams.key("transit", *stream_key))
        self.cost = 0.0 if leg is None else leg.cost_usd
        self.bill: Bill | None = None   # set by the option that ships over it


class Transport:
    def __init__(self, world: World, legs: list[TransportLeg]) -> None:
        self.world = world
        self.legs = {frozenset(leg.between): leg for leg in legs}

    def leg(self, src: str, dst: str) -> TransportLeg | None:
        return self.legs.get(frozenset((src, dst)))

    def route(self, src: str, dst: str, stream_key: tuple, in_country: bool = False) -> Route:
        """The route between two places; ``in_country`` (a base and its country's central
        store): with no leg stated it takes no time, as a move within one country does."""
        leg = self.leg(src, dst)
        if leg is None and src != dst and not in_country:
            raise RuntimeError(f"no transport leg between {src!r} and {dst!r}")
        return Route(self.world, leg, stream_key)
