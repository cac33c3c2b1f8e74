"""The nation's own depot: repair and return at its own cost and capacity, no FMS case.

Only a condemnation replacement is bought through FMS (with the surcharge)."""

from __future__ import annotations

from sim.model.support.repair_and_return import RepairAndReturn


class NationalDepot(RepairAndReturn):
    key = "national_depot"
    surcharged = False
