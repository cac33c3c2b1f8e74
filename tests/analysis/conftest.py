"""A small synthetic result directory (DESIGN §4 layout) with numbers simple enough to check
statistics by hand, and a one-at-a-time sweep variant for the tornado chart."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.results import COLUMNS

NSN_1, NSN_2 = "1111-01-000-0001", "2222-01-000-0002"
YEAR = 365.25
PERIOD = 30.4375  # 12 periods per year

# Per alternative, three replications. Differences Alt - Base: availability +0.05/+0.06/+0.04.
AVAILABILITY = {"Base": [0.90, 0.80, 0.70], "Alt": [0.95, 0.86, 0.74]}
NPV = {"Base": [10e6, 12e6, 14e6], "Alt": [11e6, 13.5e6, 15e6]}
NMCS = {"Base": [2.0, 4.0, 6.0], "Alt": [1.0, 2.0, 3.0]}
# Item backorders per replication: (NSN_1, NSN_2).
ITEM_BO = {"Base": [(1.0, 3.0), (2.0, 2.0), (0.0, 4.0)], "Alt": [(1.0, 1.0), (1.0, 3.0),
                                                                  (2.0, 2.0)]}


def scenario(names: dict[str, str], customers: list[str], sweep: dict | None = None,
             title: str = "synthetic", item_name: str = "Radar") -> dict:
    """The resolved scenario as the manifest holds it (only what the analysis reads)."""
    sc = {
        "scenario": title, "horizon_days": 2 * YEAR, "warmup_days": YEAR,
        "replications": 3, "seed": 7, "discount_rate": 0.02, "fms_surcharge_rate": 0.032,
        "period_days": PERIOD,
        "items": [{"nsn": NSN_1, "name": "Fuel pump", "leaves_dod_inventory_day": 500.0},
                  {"nsn": NSN_2, "name": item_name}],
        "systems": [{"name": "Jet", "parts": {NSN_1: 1, NSN_2: 1}}],
        "customers": [{"name": c, "kind": "fms", "country": c, "fad": "III",
                       "fleet": {"system": "Jet", "aircraft": 20, "fh_per_aircraft_month": 20},
                       "initial_stock": {"months_of_demand": 3},
                       "initial_support_days": 400.0} for c in customers],
        "alternatives": [{"name": names[k], "support": {}} for k in ("Base", "Alt")],
        "events": [{"event": "leave_dod_inventory", "day": 600.0, "system": "Jet"}],
    }
    if sweep:
        sc["sweep"] = sweep
    return sc


def build(path: Path, names: dict[str, str] | None = None, customers: list[str] | None = None,
          points: list[dict[str, float]] | None = None, sweep_method: str = "one_at_a_time",
          title: str = "synthetic", item_name: str = "Radar") -> Path:
    """Write the synthetic result directory; ``points``: one dict of swept values per point
    (each point's metrics are shifted by a known amount for the tornado test)."""
    names = names or {"Base": "Base", "Alt": "Alt"}
    customers = customers or ["Nation A"]
    sweep_rows = list(enumerate(points)) if points else [(None, {})]
    summary, items, depots, series = [], [], [], []
    for point, values in sweep_rows:
        extra = {} if point is None else {"point": point, **values}
        shift = _shift(values)
        for key in ("Base", "Alt"):
            alt = names[key]
            for r in range(3):
                for ci, cust in enumerate(customers):
                    row = {"alternative": alt, "replication": r, "customer": cust}
                    row.update({c: 1.0 for c in COLUMNS["summary"]})
                    row.update({
                        "availability": AVAILABILITY[key][r] + shift + 0.01 * ci,
                        "nmcs_aircraft_mean": NMCS[key][r],
                        "npv_cost_usd": NPV[key][r] * (1 + shift),
                        "cost_usd": 2e6 * (r + 1), "cost_repair_usd": 1.5e6 * (r + 1),
                        "cost_transport_usd": 0.5e6 * (r + 1), "cost_purchase_usd": 0.0,
                        "cost_exchange_usd": 0.0, "cost_clssa_usd": 0.0,
                        "cost_surcharge_usd": 0.0, "cost_fees_usd": 0.0,
                        "fill_rate": 0.6, "cwt_days_mean": 5.0 + r, "cwt_days_p50": 0.0,
                        "cwt_days_p85": 10.0 + r, "cwt_days_p95": 20.0 + r,
                        "demands": 100, "flight_hours": 1000.0,
                    })
                    summary.append({**row, **extra})
                    for nsn, bo in zip((NSN_1, NSN_2), ITEM_BO[key][r], strict=True):
                        items.append({"alternative": alt, "replication": r, "customer": cust,
                                      "nsn": nsn, "demands": 50, "fill_rate": 0.6,
                                      "backorders_mean": bo, "pipeline_mean": 2.0,
                                      "cwt_days_mean": 5.0, "condemnations": 1,
                                      "cost_usd": 1e6, **extra})
                    for p in range(24):
                        series.append({"alternative": alt, "replication": r, "customer": cust,
                                       "period_start_day": p * PERIOD,
                                       "availability": AVAILABILITY[key][r],
                                       "backorders_mean": 1.0 + r,
                                       "cost_usd": 1000.0 * (r + 1), "flight_hours": 80.0,
                                       **extra})
                depots.append({"alternative": alt, "replication": r, "depot": "Ogden",
                               "inductions": 100 + r, "turnaround_days_mean": 20.0 + r,
                               "queue_days_mean": 2.0 + r, "backlog_mean": 3.0 + r,
                               "utilization": 0.5, **extra})
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in (("summary", summary), ("items", items), ("depots", depots),
                       ("timeseries", series)):
        pd.DataFrame(rows).to_parquet(path / f"{name}.parquet", index=False)
    sweep = None
    if points:
        params = list(points[0])
        sweep = {"method": sweep_method,
                 "parameters": {p: sorted({pt[p] for pt in points}) for p in params}}
    manifest = {
        "scenario": scenario(names, customers, sweep, title, item_name),
        "scenario_sha256": "ab" * 32, "seed": 7, "replications": 3,
        "alternatives": [names["Base"], names["Alt"]], "package_version": "0.1.0",
        "schema_version": "1", "started_at": "2026-11-01T10:00:00+00:00",
        "finished_at": "2026-11-01T10:01:00+00:00",
        "completed_units": [{"alternative": names[k], "replication": r}
                            for k in ("Base", "Alt") for r in range(3)],
    }
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


# One-at-a-time sweep over two parameters: point 0 is the base (fh 20, lines 6).
FH = "customers[Nation A].fleet.fh_per_aircraft_month"
LINES = "depots[Ogden].repair_lines"
OAT_POINTS = [{FH: 20.0, LINES: 6.0}, {FH: 10.0, LINES: 6.0}, {FH: 30.0, LINES: 6.0},
              {FH: 20.0, LINES: 4.0}, {FH: 20.0, LINES: 8.0}]


def _shift(values: dict[str, float]) -> float:
    """Availability shift at a sweep point: -0.002 per flight hour above 20, +0.005 per line
    above 6 (so the swings are 0.04 for FH and 0.02 for lines)."""
    if not values:
        return 0.0
    return -0.002 * (values[FH] - 20.0) + 0.005 * (values[LINES] - 6.0)


@pytest.fixture
def result_dir(tmp_path: Path) -> Path:
    return build(tmp_path / "synthetic")


@pytest.fixture
def sweep_dir(tmp_path: Path) -> Path:
    return build(tmp_path / "sweep", points=OAT_POINTS)


XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="session")
def xss_report(tmp_path_factory) -> Path:
    """One report, shared by the output and browser tests: a one-at-a-time sweep (so every
    chart, the tornado included, is drawn) whose every user-named thing is hostile HTML."""
    from analysis.report import write_report

    result = build(tmp_path_factory.mktemp("xss") / "result",
                   names={"Base": "Base & <i>baseline</i>", "Alt": XSS},
                   customers=["Nation <A>"], points=OAT_POINTS, title=XSS,
                   item_name="<img src=x onerror=alert(2)>")
    return write_report(result)


CASE_STUDY = Path(__file__).resolve().parents[2] / "scenarios" / "fms_follow_on.yaml"
BANNER = "NOTIONAL DATA — ILLUSTRATIVE"


@pytest.fixture(scope="session")
def case_study(tmp_path_factory) -> Path:
    """The case study's report (3 nations and a US wing, 8 alternatives, the type leaving the
    DoD inventory at day 1900) with slides and a banner, shared by every test that reads it.

    A reduced run: 3 replications instead of the scenario's 20, to keep the suite fast. The
    report's shape and size do not depend on the replication count (the same charts, tables
    and slides); only the width of its confidence intervals does.
    """
    from sim.cli import main

    out = tmp_path_factory.mktemp("case") / "fms_follow_on"
    assert main(["run", str(CASE_STUDY), "--out", str(out), "--replications", "3",
                 "--workers", "2"]) == 0
    assert main(["report", str(out), "--pptx", "--banner", BANNER]) == 0
    return out / "report"
