"""Total ownership cost by Integrated Product Support element and fiscal year, from
``costs.parquet``: what each nation pays under each alternative, in constant dollars of the
scenario's base year and in then-year dollars.

Each figure is a mean over replications; a replication with no charge in a cell counts as
zero there (``costs.parquet`` holds only the cells charged). The totals reconcile with
``summary.cost_usd``: both count the measured window plus investments paid in warm-up.
"""

from __future__ import annotations

import pandas as pd

from analysis.load import ResultSet

IPS_ORDER = (
    "product support management", "design interface", "sustaining engineering",
    "supply support", "maintenance planning and management",
    "packaging, handling, storage and transportation", "technical data",
    "support equipment", "training and training support", "manpower and personnel",
    "facilities and infrastructure", "IT systems continuous support")

IPS_SHORT = {  # as a table row or a legend names each element
    "product support management": "Product support management",
    "design interface": "Design interface",
    "sustaining engineering": "Sustaining engineering",
    "supply support": "Supply support",
    "maintenance planning and management": "Maintenance planning & management",
    "packaging, handling, storage and transportation": "PHS&T",
    "technical data": "Technical data",
    "support equipment": "Support equipment",
    "training and training support": "Training & training support",
    "manpower and personnel": "Manpower & personnel",
    "facilities and infrastructure": "Facilities & infrastructure",
    "IT systems continuous support": "IT systems continuous support",
}


def tco_long(rs: ResultSet) -> pd.DataFrame:
    """Mean constant and then-year dollars per (alternative, customer, IPS element, fiscal
    year), over every replication of the (alternative, customer)."""
    cols = ["alternative", "customer", "ips_element", "fiscal_year", "constant_usd",
            "then_year_usd"]
    costs = rs.costs
    if costs.empty:
        return pd.DataFrame(columns=cols)
    reps = rs.summary.groupby(["alternative", "customer"])["replication"].nunique()
    total = costs.groupby(["alternative", "customer", "ips_element", "fiscal_year"],
                          as_index=False)[["constant_usd", "then_year_usd"]].sum()
    n = total.set_index(["alternative", "customer"]).index.map(reps)
    total["constant_usd"] /= n.to_numpy()
    total["then_year_usd"] /= n.to_numpy()
    order = {e: i for i, e in enumerate(IPS_ORDER)}
    total["_o"] = total["ips_element"].map(order)
    return total.sort_values(["alternative", "customer", "_o", "fiscal_year"]).drop(
        columns="_o").reset_index(drop=True)[cols]


def tco_table(rs: ResultSet, customer: str, alternative: str,
              dollars: str = "constant") -> pd.DataFrame:
    """One nation's cost under one alternative: IPS elements down, fiscal years across, with
    totals (``dollars``: "constant" or "then_year")."""
    long = tco_long(rs)
    part = long[(long["customer"] == customer) & (long["alternative"] == alternative)]
    if part.empty:
        return pd.DataFrame()
    table = part.pivot_table(index="ips_element", columns="fiscal_year",
                             values=f"{dollars}_usd", aggfunc="sum", fill_value=0.0)
    table = table.reindex([e for e in IPS_ORDER if e in table.index])
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    return table


def tco_totals(rs: ResultSet) -> pd.DataFrame:
    """Per (alternative, customer): total constant and then-year dollars, and the share of
    the supply chain (supply support, maintenance, PHS&T, surcharge) in it."""
    long = tco_long(rs)
    if long.empty:
        return pd.DataFrame(columns=["alternative", "customer", "constant_usd",
                                     "then_year_usd"])
    return long.groupby(["alternative", "customer"], as_index=False, sort=False)[
        ["constant_usd", "then_year_usd"]].sum()


def tco_by_element(rs: ResultSet) -> pd.DataFrame:
    """Per (alternative, customer, IPS element): the mean total over the measured window
    (investments paid in warm-up included) in constant and then-year dollars, elements in
    the order of ``IPS_ORDER``."""
    long = tco_long(rs)
    cols = ["alternative", "customer", "ips_element", "constant_usd", "then_year_usd"]
    if long.empty:
        return pd.DataFrame(columns=cols)
    out = long.groupby(["alternative", "customer", "ips_element"], as_index=False,
                       sort=False)[["constant_usd", "then_year_usd"]].sum()
    return out[cols]


def escalation_index(scenario: dict, fiscal_year: int) -> float:
    """Then-year dollars per constant dollar in a fiscal year, from the scenario as written
    (the model's rule: ``sim.scenario.money.Money.index``): (1 + rate)^(FY - base year), or
    the scenario's table of indices."""
    esc = scenario.get("escalation")
    if isinstance(esc, dict):
        table = esc.get("indices") or {}
        value = table.get(fiscal_year, table.get(str(fiscal_year)))
        return float(value) if value is not None else float("nan")
    base = scenario.get("base_year")
    first = int(base) if base is not None else 1
    return (1.0 + float(esc or 0.0)) ** (int(fiscal_year) - first)
