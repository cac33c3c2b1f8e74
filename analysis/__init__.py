"""Result analysis: reads result directories; never imports the model.

The API for scripts and notebooks::

    from analysis import load_result, summarize, paired_differences, cost_by_year, nmcs_drivers
    res = load_result("results/quickstart")
    summarize(res.summary)                     # mean and 95 % t half-width of every metric
    paired_differences(res.summary, res.alternatives[0])   # against the baseline, paired by CRN
    cost_by_year(res.timeseries, res.discount_rate, res.warmup_days)
    nmcs_drivers(res.items, res.summary, res.item_names())

``analysis.bca.analyse(res)`` computes every table the report shows, with the recommendation
per FMS nation (``analysis.recommend``), its risks (``analysis.risks``), results by phase
(``analysis.phases``) and cost by fiscal year reconciled with the comparison
(``analysis.money``: from ``costs.parquet`` when the result has it), total ownership cost by
IPS element (``analysis.tco``) and the risk against each nation's target
(``analysis.target_risk``); ``analysis.bca_tables`` lays the whole-BCA tables out.
``analysis.report.write_report(path, pptx=False, banner="")`` writes the charts, report.html,
summary.xlsx and optionally report.pptx.
"""

from analysis.load import ResultSet, load_result, read_manifest, read_table
from analysis.stats import (
    cost_by_year,
    efficient,
    mean_ci,
    nmcs_drivers,
    paired_differences,
    summarize,
    timeseries_band,
)

__all__ = ["ResultSet", "cost_by_year", "efficient", "load_result", "mean_ci",
           "nmcs_drivers", "paired_differences", "read_manifest", "read_table", "summarize",
           "timeseries_band"]
