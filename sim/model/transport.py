"""Transport legs between countries: transit time and cost per shipment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from sim.model.distributions import Sampler, sampler
from sim.scenario.models import TransportLeg

if TYPE_CHECKING:
    from sim.model.world import World


class Transport:
    """Ships units between countries; a shipment within one country takes no time and costs
    nothing unless the scenario states a leg for it (no hidden delays or prices)."""

    def __init__(self, world: "World", legs: list[TransportLeg]) -> None:
        self.world = world
        self.legs = {frozenset(leg.between): leg for leg in legs}
        self._samplers: dict[tuple, Sampler] = {}

    def leg(self, src: str, dst: str) -> TransportLeg | None:
        return self.legs.get(frozenset((src, dst)))

    def ship(self, src: str, dst: str, stream_key: tuple, fn: Callable, arg: object) -> float:
        """Start a shipment; ``fn(arg)`` runs on arrival. Returns the shipment's cost."""
        leg = self.leg(src, dst)
        if leg is None:
            if src != dst:
                raise RuntimeError(f"no transport leg between {src!r} and {dst!r}")
            fn(arg)
            return 0.0
        draw = self._samplers.get(stream_key)
        if draw is None:
            draw = sampler(leg.days, self.world.streams.generator("transit", *stream_key))
            self._samplers[stream_key] = draw
        self.world.after(draw(), fn, arg)
        return leg.cost_usd
