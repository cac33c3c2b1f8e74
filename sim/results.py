"""The result directory: Parquet tables written as parts per finished unit, then compacted.

A unit is one (alternative, replication). Each finished unit's rows are written at once as
small Parquet parts (atomically, by rename) and listed in ``manifest.json``, so a crash or an
interrupt loses at most the units in flight and a rerun resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = "1"

KEYS = {
    "summary": ["alternative", "replication", "customer"],
    "items": ["alternative", "replication", "customer", "nsn"],
    "depots": ["alternative", "replication", "depot"],
    "timeseries": ["alternative", "replication", "customer", "period_start_day"],
    "depot_timeseries": ["alternative", "replication", "depot", "period_start_day"],
    "events": ["alternative", "replication"],
}

COLUMNS = {
    "summary": ["availability", "nmcs_aircraft_mean", "backorders_mean", "fill_rate",
                "cwt_days_mean", "cwt_days_p50", "cwt_days_p85", "cwt_days_p95", "demands",
                "flight_hours", "cost_usd", "cost_repair_usd", "cost_purchase_usd",
                "cost_exchange_usd", "cost_clssa_usd", "cost_transport_usd",
                "cost_surcharge_usd", "cost_fees_usd", "cost_per_fh_usd", "npv_cost_usd"],
    "items": ["demands", "fill_rate", "backorders_mean", "pipeline_mean", "cwt_days_mean",
              "condemnations", "cost_usd", "no_source"],
    "depots": ["inductions", "turnaround_days_mean", "queue_days_mean", "backlog_mean",
               "utilization", "awaiting_parts", "awaiting_parts_days_mean"],
    "timeseries": ["availability", "backorders_mean", "cost_usd", "flight_hours"],
    "depot_timeseries": ["backlog_mean", "utilization"],
    "events": ["day", "event", "customer", "nsn", "aircraft"],
}

INT_COLUMNS = {"replication", "demands", "condemnations", "inductions", "aircraft",
               "no_source", "awaiting_parts"}
STRING_COLUMNS = {"alternative", "customer", "nsn", "depot", "event"}


def _type(name: str) -> pa.DataType:
    if name in INT_COLUMNS:
        return pa.int64()
    if name in STRING_COLUMNS:
        return pa.string()
    return pa.float64()


def schema(table: str) -> pa.Schema:
    names = KEYS[table] + COLUMNS[table]
    return pa.schema([(n, _type(n)) for n in names],
                     metadata={"sustain_schema_version": SCHEMA_VERSION, "table": table})


def to_table(table: str, rows: list[dict]) -> pa.Table:
    sch = schema(table)
    return pa.Table.from_pylist(rows, schema=sch)


def unit_name(alt_index: int, replication: int) -> str:
    return f"a{alt_index:03d}_r{replication:05d}"


class ResultDir:
    """Reads and writes one result directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.parts = self.path / "parts"
        self.manifest_path = self.path / "manifest.json"

    # -- manifest ---------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        return json.loads(self.manifest_path.read_text())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self._atomic_write(self.manifest_path, json.dumps(manifest, indent=2).encode())

    @staticmethod
    def new_manifest(scenario: dict, scenario_sha256: str, seed: int, replications: int,
                     alternatives: list[str], version: str) -> dict[str, Any]:
        return {
            "scenario": scenario,
            "scenario_sha256": scenario_sha256,
            "seed": seed,
            "replications": replications,
            "alternatives": alternatives,
            "package_version": version,
            "schema_version": SCHEMA_VERSION,
            "started_at": now_iso(),
            "finished_at": None,
            "completed_units": [],
        }

    # -- parts ------------------------------------------------------------------------
    def write_unit(self, alt_index: int, replication: int, tables: dict[str, pa.Table]) -> None:
        name = unit_name(alt_index, replication)
        for table, data in tables.items():
            folder = self.parts / table
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.parquet.tmp"
            pq.write_table(data, tmp)
            os.replace(tmp, folder / f"{name}.parquet")

    def compact(self, tables: list[str]) -> None:
        """Join all parts of each table into ``TABLE.parquet``, in unit order (alternative, then replication)."""
        for table in tables:
            folder = self.parts / table
            files = sorted(folder.glob("*.parquet")) if folder.exists() else []
            if not files:
                data = schema(table).empty_table()
            else:
                data = pa.concat_tables([pq.read_table(f) for f in files])
            data = data.cast(schema(table))
            self._atomic_write_table(self.path / f"{table}.parquet", data)
        shutil.rmtree(self.parts, ignore_errors=True)

    def _atomic_write_table(self, target: Path, data: pa.Table) -> None:
        tmp = target.with_name(f".{target.name}.tmp")
        pq.write_table(data, tmp)
        os.replace(tmp, target)

    @staticmethod
    def _atomic_write(target: Path, payload: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, target)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
