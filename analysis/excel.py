"""``summary.xlsx``: one sheet per table, numbers as numbers, CIs as their own columns.

Written cell by cell with openpyxl so that user text is always stored as text (a name that
begins with '=' must never become a formula).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from analysis import stats
from analysis.bca import Bca
from analysis.tables import assumptions

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def sheets(bca: Bca) -> dict[str, pd.DataFrame]:
    """The tables, by sheet name, in workbook order."""
    out: dict[str, pd.DataFrame] = {
        "Assumptions": pd.DataFrame(assumptions(bca), columns=["item", "value"]),
        "Comparison": stats.long_form(bca.comparison, ["alternative", "customer",
                                                        "replications"], bca.metrics),
        "Paired differences": bca.paired,
        "Cost by year": bca.years,
        "NMCS drivers": bca.drivers,
        "Depots": bca.depots,
        "Replications": bca.result.summary,
    }
    for metric, table in bca.tornado.items():
        out[f"Tornado {metric}"[:31]] = table
    for metric, table in bca.sensitivity.items():
        out[f"Sensitivity {metric}"[:31]] = table
    for metric, table in bca.break_even.items():
        out[f"Break-even {metric}"[:31]] = table
    return out


def write_workbook(bca: Bca, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets(bca).items():
        ws = wb.create_sheet(name[:31])
        headers = [str(c) for c in df.columns]
        ws.append(headers)
        for row in df.itertuples(index=False):
            ws.append([_value(v) for v in row])
        for col in ws.iter_cols(min_row=2):
            for c in col:
                if isinstance(c.value, str):
                    c.data_type = "s"  # text stays text, whatever it starts with
        for c in ws[1]:
            c.font = Font(bold=True)
            c.fill = HEADER_FILL
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        for i, h in enumerate(headers, start=1):
            values = df.iloc[:200, i - 1] if len(df) else []
            width = max([len(h)] + [len(_shown(v)) for v in values])
            ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 60)
        _number_formats(ws, headers)
    wb.save(path)
    return path


def _value(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
        if isinstance(v, float) and math.isnan(v):
            return None
    return v


def _shown(v) -> str:
    return f"{v:,.4f}" if isinstance(v, float) else str(v)


def _number_formats(ws, headers: list[str]) -> None:
    for i, h in enumerate(headers, start=1):
        fmt = None
        if h.endswith(("_usd", "_usd_ci")):
            fmt = "#,##0"
        elif h.startswith(("availability", "fill_rate", "share")):
            fmt = "0.0000"
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                if isinstance(cell.value, float):
                    cell.number_format = fmt
