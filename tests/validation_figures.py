"""Prints the figures the closed-form tests assert on — simulated mean ± standard error over the
replications, closed form in brackets — for notes and reviews:

    python -m tests.validation_figures
"""

from __future__ import annotations

import tests.test_closed_forms as cf
from tests.helpers import NSN_A, base_scenario, mean_se, simulate
from tests.test_weibull_cannibalization import _scenario as weibull_scenario


def _pm(values, digits: int = 3) -> str:
    mean, se = mean_se(values)
    return f"{mean:.{digits}f} ± {se:.{digits}f}"


def main() -> None:
    palm = cf._palm_scenario({"lognormal": {"mean": 10, "cv": 0.8}},
                             {"option": "repair_and_return", "depot": "Home"})
    items = simulate(palm)["items"]
    print(f"Palm, lognormal repair: pipeline {_pm(items.pipeline_mean)} (5); "
          f"EBO {_pm(items.backorders_mean)} ({float(cf.ebo(5, 5)):.3f}); "
          f"fill {_pm(items.fill_rate, 4)} ({float(cf.fill_rate(5, 5)):.4f})")

    for cannibalization in (False, True):
        data, laws = cf._metric_scenario(cannibalization)
        nmcs = simulate(data)["summary"].nmcs_aircraft_mean
        if cannibalization:
            expected = cf._expected_nmcs_with_cannibalization(laws)
        else:
            ebos = [float(cf.ebo(s, m)) for m, _, s in laws]
            expected = 2000 * (1 - cf.metric_availability(ebos, 2000, [z for _, z, _ in laws]))
        print(f"NMCS aircraft, cannibalization {cannibalization}: {_pm(nmcs)} ({expected:.3f})")

    lam = 0.225
    depot = base_scenario(horizon_days=20_000, warmup_days=1000, replications=12)
    depot["items"][0]["mtbr_fh"] = 1000 / lam
    depot["customers"][0]["fleet"]["aircraft"] = 1000
    depot["customers"][0]["initial_stock"] = {"quantities": {NSN_A: 100_000}}
    depot["depots"][0].update(repair_lines=3, repair_days={"exponential": {"mean": 10}})
    rows = simulate(depot)["depots"]
    home = rows[rows.depot == "Home"]
    print(f"Erlang C, 3 lines, rho 0.75: Wq {_pm(home.queue_days_mean, 2)} days "
          f"({cf.mmc_mean_wait(lam, 0.1, 3):.2f})")

    for cannibalization in (False, True):
        summary = simulate(weibull_scenario(cannibalization))["summary"]
        print(f"Weibull units, cannibalization {cannibalization}: availability "
              f"{summary.availability.mean():.3f}")


if __name__ == "__main__":
    main()
