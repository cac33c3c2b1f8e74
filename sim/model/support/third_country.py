"""Repair and return at a third-country depot (for example a partner's regional depot).

Eligibility — the depot's third-party transfer approval, Security Assistance relationship and
prime-contractor approval, and a DSCA waiver for an FMFP-funded customer — is checked when the
scenario is validated. The customer pays that depot's price (repair cost x its cost factor)
and transport, outside the FMS case (no surcharge); a condemned unit is replaced by an FMS buy.
"""

from __future__ import annotations

from sim.model.support.repair_and_return import RepairAndReturn


class ThirdCountry(RepairAndReturn):
    key = "third_country"
    surcharged = False
