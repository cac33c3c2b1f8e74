"""The result directory: Parquet tables written as parts per finished unit, then compacted.

A unit is one (alternative, replication), or one (point, alternative, replication) of a sweep.
Each finished unit's rows are written at once as small Parquet parts (atomically, by rename),
then one line naming the unit is appended to ``progress.log`` and fsynced: that log is the
truth for which units are done, so finishing a unit costs the same whether it is the first or
the ten-thousandth, and a crash loses at most the units in flight. ``manifest.json`` (the
resolved scenario, written once) gets its completed-units list when the run ends or stops.
Compaction streams the parts into one table each, so memory stays flat in the number of units.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA_VERSION = "1"

KEYS = {
    "summary": ["alternative", "replication", "customer"],
    "items": ["alternative", "replication", "customer", "nsn"],
    "depots": ["alternative", "replication", "depot"],
    "timeseries": ["alternative", "replication", "customer", "period_start_day"],
    "depot_timeseries": ["alternative", "replication", "depot", "period_start_day"],
    "bases": ["alternative", "replication", "customer", "base"],
    "costs": ["alternative", "replication", "customer", "ips_element", "fiscal_year"],
    "events": ["alternative", "replication"],
}
KEYS["partnerships"] = ["alternative", "replication", "partnership", "customer"]
KEYS["acsa"] = ["alternative", "replication", "agreement", "window"]

COLUMNS = {
    "summary": ["availability", "nmcs_aircraft_mean", "backorders_mean", "fill_rate",
                "cwt_days_mean", "cwt_days_p50", "cwt_days_p85", "cwt_days_p95", "demands",
                "flight_hours", "cost_usd", "cost_repair_usd", "cost_purchase_usd",
                "cost_exchange_usd", "cost_clssa_usd", "cost_transport_usd",
                "cost_surcharge_usd", "cost_fees_usd", "cost_other_usd", "cost_per_fh_usd",
                "npv_cost_usd", "mc_rate", "fmc_rate", "nmcm_aircraft_mean",
                "materiel_availability", "mean_down_time_days", "mfhbr_fh"],
    "items": ["demands", "fill_rate", "backorders_mean", "pipeline_mean", "cwt_days_mean",
              "condemnations", "cost_usd", "no_source"],
    "depots": ["inductions", "turnaround_days_mean", "queue_days_mean", "backlog_mean",
               "utilization", "awaiting_parts", "awaiting_parts_days_mean"],
    "timeseries": ["availability", "backorders_mean", "cost_usd", "flight_hours"],
    "depot_timeseries": ["backlog_mean", "utilization"],
    "bases": ["availability", "backorders_mean", "fill_rate", "cwt_days_mean",
              "lateral_issues"],
    "costs": ["constant_usd", "then_year_usd"],
    "events": ["day", "event", "customer", "nsn", "aircraft"],
}
COLUMNS["partnerships"] = ["demands", "fill_rate", "backorders_mean", "share", "share_usd",
                           "pool_stock_mean", "pool_backorders_mean", "pool_fill_rate",
                           "pool_cost_usd", "pool_fee_usd", "pool_initial_stock"]
COLUMNS["acsa"] = ["day", "nsn", "provider", "requester", "reimbursement", "arrival_day",
                   "returned_day", "value_usd", "cost_usd"]

INT_COLUMNS = {"replication", "demands", "condemnations", "inductions", "aircraft",
               "no_source", "awaiting_parts", "lateral_issues", "fiscal_year"}
STRING_COLUMNS = {"alternative", "customer", "nsn", "depot", "event", "base", "ips_element"}
INT_COLUMNS |= {"pool_initial_stock", "window"}
STRING_COLUMNS |= {"partnership", "agreement", "provider", "requester", "reimbursement"}


def _type(name: str) -> pa.DataType:
    if name in INT_COLUMNS:
        return pa.int64()
    if name in STRING_COLUMNS:
        return pa.string()
    return pa.float64()


def schema(table: str, parameters: Sequence[str] | None = None) -> pa.Schema:
    """A table's columns; a sweep's (``parameters`` not None) start with ``point`` and one
    float column per swept parameter, named by its path."""
    fields = [(n, _type(n)) for n in KEYS[table] + COLUMNS[table]]
    if parameters is not None:
        fields = [("point", pa.int64())] + [(p, pa.float64()) for p in parameters] + fields
    return pa.schema(fields, metadata={"sustain_schema_version": SCHEMA_VERSION,
                                       "table": table})


def to_table(table: str, rows: list[dict], parameters: Sequence[str] | None = None) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema(table, parameters))


def unit_name(alt_index: int, replication: int, point: int | None = None) -> str:
    """A unit's part-file name; sorted names are unit order (point, alternative, replication)."""
    name = f"a{alt_index:03d}_r{replication:05d}"
    return name if point is None else f"p{point:05d}_{name}"


ROW_GROUP_ROWS = 65_536
ROW_GROUP_PARTS = 64
"""Compaction writes a row group once this many rows or parts are gathered (bounds its
memory: each part read costs a few buffers per column however few its rows)."""


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

    # -- progress --------------------------------------------------------------------------
    @property
    def log_path(self) -> Path:
        return self.path / "progress.log"

    def logged_units(self) -> list[dict[str, Any]]:
        """Units the progress log says are done, in the order they finished (a line torn by a
        crash is ignored: its unit runs again)."""
        if not self.log_path.exists():
            return []
        out = []
        for line in self.log_path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "unit" in entry:
                out.append(entry)
        return out

    def open_log(self) -> ProgressLog:
        return ProgressLog(self.log_path)

    # -- parts ------------------------------------------------------------------------------
    def write_unit(self, name: str, tables: dict[str, pa.Table]) -> None:
        """One finished unit's rows, one part per table, each put in place by rename."""
        for table, data in tables.items():
            folder = self.parts / table
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.parquet.tmp"
            pq.write_table(data, tmp)
            os.replace(tmp, folder / f"{name}.parquet")

    def compact(self, tables: list[str], parameters: Sequence[str] | None = None) -> None:
        """Stream all parts of each table into ``TABLE.parquet`` in unit order (point, then
        alternative, then replication), a bounded number of rows in memory at a time."""
        for table in tables:
            sch = schema(table, parameters)
            folder = self.parts / table
            files = sorted(folder.glob("*.parquet")) if folder.exists() else []
            target = self.path / f"{table}.parquet"
            tmp = target.with_name(f".{target.name}.tmp")
            with pq.ParquetWriter(tmp, sch) as writer:
                buf: list[pa.Table] = []
                rows = 0
                for f in files:
                    part = pq.read_table(f).cast(sch)
                    buf.append(part)
                    rows += part.num_rows
                    if rows >= ROW_GROUP_ROWS or len(buf) >= ROW_GROUP_PARTS:
                        writer.write_table(pa.concat_tables(buf))
                        buf, rows = [], 0
                if buf or not files:
                    writer.write_table(pa.concat_tables(buf) if buf else sch.empty_table())
            os.replace(tmp, target)

    def clear_progress(self) -> None:
        """Drop the parts and the progress log once the tables and manifest are final."""
        shutil.rmtree(self.parts, ignore_errors=True)
        self.log_path.unlink(missing_ok=True)

    def write_table(self, name: str, data: pa.Table) -> None:
        self._atomic_write_table(self.path / f"{name}.parquet", data)

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


class ProgressLog:
    """Append-only record of finished units: one JSON line each, flushed and fsynced, so
    recording unit n costs O(1) and survives a crash of the process or the machine."""

    def __init__(self, path: Path) -> None:
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def append(self, entry: dict[str, Any]) -> None:
        self._fh.write(json.dumps(entry, separators=(",", ":")) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
