"""Reading a result directory (DESIGN §4) — never the model.

A report must refuse a directory that is not a finished result before it writes anything, so
every check on the directory's shape lives here and raises ``InvalidInput`` (exit code 2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from sim.errors import InvalidInput

TABLES = ("summary", "items", "depots", "timeseries", "depot_timeseries", "costs", "bases",
          "partnerships", "acsa")
REQUIRED_SUMMARY = ("alternative", "replication", "customer", "availability")

# ``sustain optimize`` writes into RESULT_DIR/optimize/ (DESIGN §4): each alternative at its own
# best spares. The optimum table is what makes the folder usable; the others add to it.
OPTIMIZE_DIR = "optimize"
OPTIMIZE_REQUIRED: dict[str, tuple[str, ...]] = {
    "optimum": ("alternative", "customer", "answered", "goal", "goal_value", "met",
                "availability", "npv_usd"),
    "curves": ("alternative", "customer", "step", "cost_npv_usd", "availability", "on_hull"),
    "stock": ("alternative", "customer", "nsn", "place", "units"),
    "verify": ("alternative", "customer", "at_optimum", "availability", "availability_ci",
               "npv_cost_usd", "npv_cost_ci", "against"),
}


def read_table(result_dir: str | Path, table: str) -> pd.DataFrame:
    return read_parquet(Path(result_dir) / f"{table}.parquet")


def read_parquet(file: Path) -> pd.DataFrame:
    """A Parquet file as a DataFrame, decoded in the system allocator's memory: Arrow's
    default pool (mimalloc) keeps the decoding buffers of every reader thread after the read,
    about 60 MB for the reference result's tables, for the life of the report."""
    pool = pa.system_memory_pool()
    table = ds.dataset(file, format="parquet").to_table(memory_pool=pool)
    return table.to_pandas(memory_pool=pool)


def read_manifest(result_dir: str | Path) -> dict:
    return json.loads((Path(result_dir) / "manifest.json").read_text())


@dataclass
class OptimizeTables:
    """``sustain optimize``'s tables: each alternative at its own best spares (``optimum``),
    the marginal-analysis ``curves``, the ``stock`` bought and, with ``--verify``, the
    simulated check (``verify``). Each optional table is None when absent."""

    optimum: pd.DataFrame
    curves: pd.DataFrame | None = None
    stock: pd.DataFrame | None = None
    verify: pd.DataFrame | None = None

    @property
    def verified(self) -> bool:
        return self.verify is not None and not self.verify.empty


def load_optimize(result_dir: str | Path) -> tuple[OptimizeTables | None, list[str]]:
    """The ``optimize/`` folder of a result directory, and a note for anything in it that
    could not be read. A damaged folder never stops a report: without a readable optimum
    table the folder is skipped; a damaged optional table is left out."""
    folder = Path(result_dir) / OPTIMIZE_DIR
    if not folder.is_dir():
        return None, []
    notes: list[str] = []
    found: dict[str, pd.DataFrame | None] = {}
    for name, required in OPTIMIZE_REQUIRED.items():
        file = folder / f"{name}.parquet"
        if not file.is_file():
            found[name] = None
            continue
        try:
            table = read_parquet(file)
        except Exception as exc:  # noqa: BLE001 - a damaged file is skipped, not fatal
            notes.append(f"{file}: unreadable ({type(exc).__name__}); left out of the report.")
            found[name] = None
            continue
        missing = [c for c in required if c not in table.columns]
        if missing:
            notes.append(f"{file}: missing column(s) {', '.join(missing)}; left out of the "
                         "report.")
            found[name] = None
            continue
        found[name] = table
    optimum = found.pop("optimum")
    if optimum is None or optimum.empty:
        why = ("no optimum.parquet (sustain optimize did not finish)"
               if not (folder / "optimum.parquet").is_file()
               else "no usable optimum.parquet" if optimum is None else "optimum.parquet "
               "has no rows")
        notes.append(f"{folder}: {why}; the optimize folder is left out of the report.")
        return None, notes
    optimum = optimum.assign(answered=optimum["answered"].fillna(False).astype(bool),
                             met=optimum["met"].fillna(False).astype(bool))
    return OptimizeTables(optimum=optimum, **found), notes


@dataclass
class ResultSet:
    """One result directory in memory: the manifest and every table as a DataFrame."""

    path: Path
    manifest: dict[str, Any]
    summary: pd.DataFrame
    items: pd.DataFrame = field(default_factory=pd.DataFrame)
    depots: pd.DataFrame = field(default_factory=pd.DataFrame)
    timeseries: pd.DataFrame = field(default_factory=pd.DataFrame)
    depot_timeseries: pd.DataFrame = field(default_factory=pd.DataFrame)
    analytic: pd.DataFrame = field(default_factory=pd.DataFrame)  # a sweep's closed-form screen
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)     # by IPS element, fiscal year
    bases: pd.DataFrame = field(default_factory=pd.DataFrame)     # customers with bases
    partnerships: pd.DataFrame = field(default_factory=pd.DataFrame)  # per partnership member
    acsa: pd.DataFrame = field(default_factory=pd.DataFrame)      # per ACSA transfer
    optimize: OptimizeTables | None = None  # RESULT_DIR/optimize/ (sustain optimize), if any
    notes: list[str] = field(default_factory=list)  # what was found but could not be read

    @property
    def scenario(self) -> dict[str, Any]:
        return self.manifest.get("scenario") or {}

    @property
    def name(self) -> str:
        return str(self.scenario.get("scenario") or self.path.name)

    @property
    def alternatives(self) -> list[str]:
        """Alternatives in scenario order (the first is the baseline), then any others."""
        listed = [str(a) for a in self.manifest.get("alternatives") or []]
        if not listed:
            listed = [str(a.get("name")) for a in self.scenario.get("alternatives") or []]
        present = list(dict.fromkeys(self.summary["alternative"]))
        return [a for a in listed if a in present] + [a for a in present if a not in listed]

    @property
    def customers(self) -> list[str]:
        listed = [str(c.get("name")) for c in self.scenario.get("customers") or []]
        present = list(dict.fromkeys(self.summary["customer"]))
        return [c for c in listed if c in present] + [c for c in present if c not in listed]

    @property
    def replications(self) -> int:
        return int(self.summary.groupby(["alternative", "customer"])["replication"]
                   .nunique().max())

    @property
    def warmup_days(self) -> float:
        return float(self.scenario.get("warmup_days") or 0.0)

    @property
    def horizon_days(self) -> float:
        if "horizon_days" in self.scenario:
            return float(self.scenario["horizon_days"])
        if len(self.timeseries):
            return float(self.timeseries["period_start_day"].max())
        return 0.0

    @property
    def base_year(self) -> int | None:
        """The constant-dollar year every money label names (None: the scenario names none)."""
        year = self.scenario.get("base_year")
        return int(year) if year is not None else None

    @property
    def discount_rate(self) -> float:
        return float(self.scenario.get("discount_rate", 0.02))

    @property
    def decision_customers(self) -> list[str]:
        """The FMS customers: the alternatives are their choices."""
        return [c for c in self.customers if self.customer_spec(c).get("kind") != "us"]

    @property
    def us_units(self) -> list[str]:
        """US units: context (they compete for wholesale stock and depots), not a choice."""
        return [c for c in self.customers if self.customer_spec(c).get("kind") == "us"]

    def availability_target(self, customer: str) -> float | None:
        target = self.customer_spec(customer).get("availability_target")
        return float(target) if target is not None else None

    def customer_spec(self, name: str) -> dict[str, Any]:
        return next((c for c in self.scenario.get("customers") or [] if c.get("name") == name),
                    {})

    def item_names(self) -> dict[str, str]:
        return {str(i.get("nsn")): str(i.get("name", "")) for i in self.scenario.get("items") or []}


def load_result(result_dir: str | Path) -> ResultSet:
    """Load and check a result directory; ``InvalidInput`` when it is not one."""
    path = Path(result_dir)
    if not path.is_dir():
        raise InvalidInput(f"{path}: no such result directory")
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise InvalidInput(f"{path}: not a result directory (no manifest.json); "
                           "run 'sustain run SCENARIO' first")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{manifest_path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise InvalidInput(f"{manifest_path}: unreadable manifest (not a JSON object)")
    if not (path / "summary.parquet").is_file():
        hint = " (the run did not finish; rerun it to resume)" if (path / "parts").exists() else ""
        raise InvalidInput(f"{path}: no summary.parquet{hint}")
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        file = path / f"{name}.parquet"
        if not file.is_file():
            tables[name] = pd.DataFrame()
            continue
        try:
            tables[name] = read_table(path, name)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is bad input here
            raise InvalidInput(f"{file}: unreadable Parquet table ({exc})") from None
    summary = tables["summary"]
    missing = [c for c in REQUIRED_SUMMARY if c not in summary.columns]
    if missing:
        raise InvalidInput(f"{path / 'summary.parquet'}: missing column(s) {', '.join(missing)}")
    if summary.empty:
        raise InvalidInput(f"{path / 'summary.parquet'}: no rows (no finished replication)")
    analytic = pd.DataFrame()
    if (path / "analytic.parquet").is_file():
        try:
            analytic = read_table(path, "analytic")
        except Exception as exc:  # noqa: BLE001 - any unreadable file is bad input here
            raise InvalidInput(f"{path / 'analytic.parquet'}: unreadable ({exc})") from None
    optimize, notes = load_optimize(path)
    return ResultSet(path=path, manifest=manifest, summary=summary, items=tables["items"],
                     depots=tables["depots"], timeseries=tables["timeseries"],
                     depot_timeseries=tables["depot_timeseries"], analytic=analytic,
                     costs=tables["costs"], bases=tables["bases"],
                     partnerships=tables["partnerships"], acsa=tables["acsa"],
                     optimize=optimize, notes=notes)
