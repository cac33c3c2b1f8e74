"""The closed form of a Weapon System Partnership's pooled store: a shared echelon (issue 10).

The pooled store is METRIC's depot for its members (Sherbrooke, *Optimal Inventory Modeling
of Systems*, ch. 2 and 5): every member's removal of a pooled NSN sends a carcass around the
loop member -> depot -> store (or, condemned, the agency's buy) and draws one unit from the
store. With independent Poisson removals the superposed demand on the store is Poisson at
the summed rate, so by Palm's theorem the units owed to the store are Poisson with mean

    M0 = sum over members of  rate_i x (carcass leg + depot turnaround + leg to the store)

(condemned carcasses: the carcass leg, the wait for the agency's FMS buy and its leg from
the US), whatever the repair-time law — and the store's backorders against its stock S0
are exactly those of Poisson(M0): EBO0 = E[(X - S0)+]. That is the figure the tests check.

Each member's shelf is then a base of a two-echelon METRIC: its pipeline is the issue leg
(store to member) plus its share f_i = rate_i / total rate of the store's backorders (a
binomial thinning, Graves 1985), mean rate_i x issue + f_i x EBO0 and, by VARI-METRIC,
variance rate_i x issue + f_i (1 - f_i) EBO0 + f_i^2 VarBO0; its backorders and fill rate
follow at its own stock. The depot's queue (finite lines) and the wholesale wait for the
agency's buys come from ``AlternativeModel`` as for any repair flow: a member's flow is a
repair flow to the partnership's depot whose "shelf" is the store.

Not in the closed form (simulation only): the store's priority issue (NMCS requisitions
first: the member-level figures are first-come first-served), the cost-sharing formula
(money is not a closed-form output), a partnership ``end_day`` or a non-standard item's
commercial buys, and ACSA lateral support in any form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.analytic.vector import backorders as backorders_vec
from sim.analytic.vector import thinned_moments

if TYPE_CHECKING:
    from sim.analytic.predict import AlternativeModel, Flow
    from sim.scenario.models import Customer as CustomerSpec
    from sim.scenario.models import Scenario, SupportChoice

WHOLESALE_COUNTRY = "US"


@dataclass(frozen=True, slots=True)
class PoolPrediction:
    """One pooled NSN of one partnership: the store's closed-form figures."""

    partnership: str
    nsn: str
    stock: int
    demand_per_day: float      # the members' summed removals reaching the store
    pipeline_mean: float       # units owed to the store (Poisson by Palm's theorem)
    ebo: float                 # the store's expected backorders
    fill_rate: float           # share of requisitions it fills from stock at once


@dataclass
class _Member:
    partnership: str
    issue_days: float
    retro_days: float


def member_flow(model: AlternativeModel, spec: CustomerSpec, nsn: str,
                choice: SupportChoice, rate: float, retro: float) -> Flow:
    """The flow of a member's pooled NSN: a repair flow to the partnership's depot, repaired
    units going to the store (its loop is the store's pipeline)."""
    from sim.analytic.predict import CannotAnswer, Flow

    part = next((p for p in model.scenario.partnerships if p.name == choice.partnership), None)
    if part is None or part.depot not in model.depots:
        raise CannotAnswer("partnership names no known depot")
    state = _state(model)
    if part.name not in state["stock"]:
        _size_store(model, part.name)
    depot = model.depots[part.depot]
    item = model.items[nsn]
    issue = (model._transit(WHOLESALE_COUNTRY, part.store_country)
             if item.condemnation_rate > 0 else 0.0)
    state["members"][(spec.name, nsn)] = _Member(
        part.name, model._transit(part.store_country, spec.country), retro)
    notes = model.notes[spec.name]
    note = (f"pooled in {part.name}: its store (in {part.store_country}) is a shared echelon "
            "— its backorders are Palm's for the members' summed demand; this shelf's "
            "pipeline adds the issue leg and its demand share of them (two-echelon "
            "VARI-METRIC); priority issue at the store and cost sharing are simulation-only")
    if note not in notes:
        notes.append(note)
    return Flow(spec.name, nsn, "partnership", "repair", rate, item.condemnation_rate,
                depot.name, restricted=True,
                to_depot_days=model._transit(spec.country, depot.country),
                back_days=model._transit(depot.country, part.store_country),
                issue_days=issue, retro_days=0.0)


def _state(model: AlternativeModel) -> dict:
    state = getattr(model, "_pooled", None)
    if state is None:
        state = {"members": {}, "stock": {}, "rows": {}, "pools": {}}
        model._pooled = state
    return state


def _size_store(model: AlternativeModel, name: str) -> None:
    """The store's stock per NSN, by the simulator's rule for the joining members (that
    module, with simpy behind it, is imported only when a scenario has a partnership)."""
    from sim.model.partnership import joining, pool_units

    scenario = model.scenario
    part = next(p for p in scenario.partnerships if p.name == name)
    members = joining(scenario, model.alternative).get(name, [])
    parts = {m.name: dict(model.parts[m.name]) for m in members}
    mtbr = {n: it.mtbr_fh for n, it in model.items.items()}
    _state(model)["stock"][name] = pool_units(part, members, parts, mtbr)


def adjust(model: AlternativeModel, rows: np.ndarray, out: dict[str, np.ndarray]
           ) -> dict[str, np.ndarray]:
    """Replace the figures of members' pooled rows in ``out`` (computed as repair flows:
    their contribution to the store's pipeline) by their shelves' figures against the
    store. Called at the end of ``AlternativeModel._figures``; all rows at once compute the
    stores afresh, a subset (a trial of extra FMSO I units) reuses them."""
    state = getattr(model, "_pooled", None)
    if not state or not state["members"]:
        return out
    if rows.size == len(model.flows_list):
        _solve(model, state, rows, out)
    fig = state["rows"]
    for j, i in enumerate(rows.tolist()):
        if i in fig:
            for key, value in fig[i].items():
                out[key][j] = value
    return out


def _solve(model: AlternativeModel, state: dict, rows: np.ndarray,
           out: dict[str, np.ndarray]) -> None:
    flows = model.flows_list
    where = {int(i): j for j, i in enumerate(rows.tolist())}
    groups: dict[tuple[str, str], list[int]] = {}
    for i, f in enumerate(flows):
        m = state["members"].get((f.customer, f.nsn))
        if m is not None:
            groups.setdefault((m.partnership, f.nsn), []).append(i)
    state["rows"] = {}
    state["pools"] = {}
    for (name, nsn), members in groups.items():
        at = [where[i] for i in members]
        m0 = float(np.sum(out["mean"][at]))
        v0 = float(np.sum(out["var"][at]))
        rates = model._rate[members]
        total = float(rates.sum())
        s0 = int(state["stock"][name].get(nsn, 0))
        e0, vb0, fill0 = (float(x[0]) for x in backorders_vec(
            np.array([m0]), np.array([max(v0, m0)]), np.array([s0], dtype=np.int64)))
        state["pools"][(name, nsn)] = PoolPrediction(name, nsn, s0, total, m0, e0, fill0)
        share = rates / total if total > 0 else np.zeros(len(members))
        info = [state["members"][(flows[i].customer, nsn)] for i in members]
        own = rates * np.array([m.issue_days + m.retro_days for m in info])
        mean, var = thinned_moments(own, share, e0, vb0, model.method)
        stock = model._f_stock[members]
        ebo, vbo, fill = backorders_vec(mean, var, stock)
        delay = e0 / total if total > 0 else 0.0
        for k, i in enumerate(members):
            state["rows"][i] = {"mean": mean[k], "var": var[k], "ebo": ebo[k],
                                "vbo": vbo[k], "fill": fill[k], "delay": delay}


def pool_predictions(model: AlternativeModel) -> list[PoolPrediction]:
    """Every pooled store's figures under the model's alternative (after ``solve``)."""
    state = getattr(model, "_pooled", None)
    return list(state["pools"].values()) if state else []


def scenario_notes(scenario: Scenario) -> list[str]:
    """What of the cooperative blocks the closed form leaves to simulation."""
    notes = []
    if scenario.acsa:
        notes.append("ACSA lateral support is simulation-only: the closed form ignores its "
                     "transfers (their effect on both sides shows only in a run)")
    return notes
