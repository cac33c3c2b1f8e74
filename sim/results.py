"""The result directory: Parquet tables written as parts per finished unit, then compacted.

A unit is one (alternative, replication), or one (point, alternative, replication) of a sweep.
Each finished unit's rows are written at once as small Parquet parts (atomically, by rename),
then one line naming the unit and the SHA-256 of each of its parts is appended to
``progress.log`` and fsynced: that log is the truth for which units are done, so finishing a
unit costs the same whether it is the first or the ten-thousandth, and a crash loses at most
the units in flight. A part whose checksum no longer matches (or that is missing) is not done:
its unit runs again. ``manifest.json`` (the resolved scenario and the build that runs it,
written once) gets its completed-units list when the run ends or stops, and the final tables'
checksums when it ends. Compaction streams the parts — each checked against its checksum — into
one table each, so memory stays flat in the number of units.

One process writes a directory at a time: ``lock`` holds ``sustain.lock`` (a POSIX record lock,
released by the kernel when the holder dies, naming the holder's pid, host and start time). And
``sustain`` deletes only what it wrote, by name: its own part files, temporaries and progress
log — never a folder's other contents.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import ResultDirError

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
                "cost_surcharge_usd", "cost_fees_usd", "cost_spares_usd", "cost_other_usd",
                "cost_per_fh_usd", "flight_hours_shortfall", "cost_per_programmed_fh_usd",
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
    """``pa.Table.from_pylist(rows, schema=...)``, built from buffers: ``pa.array`` on a list
    imports pandas (pyarrow checks every sequence for pandas objects), a third of a second
    that a run does not otherwise need. A column holding anything but plain str, int and
    float values (or None) goes through ``pa.array`` as before."""
    return from_rows(rows, schema(table, parameters))


def from_rows(rows: list[dict], sch: pa.Schema) -> pa.Table:
    """``pa.Table.from_pylist(rows, schema=sch)`` built from buffers (see ``to_table``)."""
    columns = []
    for f in sch:
        values = [row.get(f.name) for row in rows]
        column = _from_buffers(f.type, values)
        columns.append(column if column is not None else pa.array(values, type=f.type))
    return pa.Table.from_arrays(columns, schema=sch)


_EXACT_INT = 2**53
"""Ints a float64 column takes as they are (pyarrow refuses larger ones: the fallback says so)."""


def _from_buffers(kind: pa.DataType, values: list) -> pa.Array | None:
    """An int64, float64 or string array built without ``pa.array``; None when a value is of
    another type (or out of range), so the caller converts the slow way with its checks."""
    n = len(values)
    valid = [v is not None for v in values]
    nulls = n - sum(valid)
    present = [v for v in values if v is not None] if nulls else values
    if kind == pa.float64():
        if not all(type(v) is float or (type(v) is int and -_EXACT_INT <= v <= _EXACT_INT)
                   for v in present):
            return None
        data = pa.py_buffer(np.array([0.0 if v is None else v for v in values]
                                     if nulls else values, dtype=np.float64))
        buffers = [data]
    elif kind == pa.int64():
        if not all(type(v) is int and -2**63 <= v < 2**63 for v in present):
            return None
        data = pa.py_buffer(np.array([0 if v is None else v for v in values]
                                     if nulls else values, dtype=np.int64))
        buffers = [data]
    elif kind == pa.string():
        if not all(type(v) is str for v in present):
            return None
        try:
            encoded = [b"" if v is None else v.encode() for v in values]
        except UnicodeEncodeError:
            return None
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        if offsets[-1] >= 2**31:
            return None
        buffers = [pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b"".join(encoded))]
    else:
        return None
    mask = pa.py_buffer(np.packbits(np.array(valid, dtype=bool), bitorder="little")) \
        if nulls else None
    return pa.Array.from_buffers(kind, n, [mask, *buffers], null_count=nulls)


def unit_name(alt_index: int, replication: int, point: int | None = None) -> str:
    """A unit's part-file name; sorted names are unit order (point, alternative, replication)."""
    name = f"a{alt_index:03d}_r{replication:05d}"
    return name if point is None else f"p{point:05d}_{name}"


ROW_GROUP_ROWS = 65_536
ROW_GROUP_PARTS = 64
"""Compaction writes a row group once this many rows or parts are gathered (bounds its
memory: each part read costs a few buffers per column however few its rows)."""


_UMASK = os.umask(0o022)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK
"""Files are created readable as the user's umask allows (``mkstemp`` alone would make 0600)."""

LOCK_NAME = "sustain.lock"
MANIFEST_NAME = "manifest.json"
LOG_NAME = "progress.log"
PART = re.compile(r"^(p\d{5}_)?a\d{3}_r\d{5}\.parquet$")
TEMPORARY = re.compile(r"^\.(.+?)(\.[A-Za-z0-9_]{8})?\.tmp$")
"""``write_atomic``'s temporaries: ``.<file>.<8 random characters>.tmp``."""
OWN_TABLES = tuple(KEYS) + ("points", "analytic")
"""Tables ``sustain run`` and ``sweep`` write at the top of a result directory."""


class PartDamaged(Exception):
    """Parts whose bytes no longer match their recorded checksum (or are missing)."""

    def __init__(self, units: dict[str, list[str]]) -> None:
        self.units = units
        shown = ", ".join(f"{u} ({', '.join(t)})" for u, t in list(units.items())[:5])
        super().__init__(f"{len(units)} unit(s) with damaged or missing parts: {shown}")


def sha256_bytes(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def sha256_file(path: Path) -> str | None:
    """The file's SHA-256, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def write_atomic(target: Path, write: Callable[[Any], None]) -> None:
    """Write ``target`` through a temporary beside it, put in place by rename; on any failure
    (a full disk, an interrupt) the temporary is removed and ``target`` is as it was."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
        with _open_for_write(fd) as fh:
            write(fh)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _open_for_write(fd: int) -> Any:
    """The temporary file's writer (one place, so a test can make it fail like a full disk)."""
    return os.fdopen(fd, "wb")


def parquet_bytes(data: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(data, sink)
    return sink.getvalue().to_pybytes()


class ResultDir:
    """Reads and writes one result directory."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.parts = self.path / "parts"
        self.manifest_path = self.path / MANIFEST_NAME

    # -- one writer --------------------------------------------------------------------------
    @contextmanager
    def lock(self, command: str = "sustain") -> Iterator[str | None]:
        """Hold the directory for this process (creating it if need be); yields the message
        about a stale lock recovered, if any. ResultDirError names the holder when another
        live process has it. Re-entrant within one process. On the way out the lock file is
        removed, and the directory too when this call created it and it is still empty."""
        key = os.path.realpath(self.path)
        if key in _HELD:
            _HELD[key][1] += 1
            try:
                yield None
            finally:
                _HELD[key][1] -= 1
            return
        created = not self.path.exists()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ResultDirError(f"cannot create the result directory {self.path}: "
                                 f"{exc.strerror}") from None
        if not self.path.is_dir():
            raise ResultDirError(f"{self.path} exists and is not a directory")
        try:
            fd, stale = _acquire(self.path / LOCK_NAME, command)
        except BaseException:
            if created:
                _remove_if_empty(self.path)
            raise
        _HELD[key] = [fd, 1]
        try:
            yield stale
        finally:
            del _HELD[key]
            try:
                os.unlink(self.path / LOCK_NAME)
            except OSError:
                pass
            os.close(fd)
            if created:
                _remove_if_empty(self.path)

    # -- manifest ---------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, None when there is none; ResultDirError (exit 2) naming the file when
        it is damaged or not a sustain manifest."""
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise ResultDirError(f"{self.manifest_path}: cannot be read ({exc}); "
                                 "rerun with --fresh to start afresh, or choose another --out") \
                from None
        try:
            manifest = json.loads(text)
        except ValueError as exc:
            raise ResultDirError(f"{self.manifest_path}: damaged, not JSON ({exc}); rerun with "
                                 "--fresh to start afresh, or choose another --out") from None
        if not isinstance(manifest, dict) or not isinstance(
                manifest.get("completed_units"), list) or "scenario_sha256" not in manifest:
            raise ResultDirError(f"{self.manifest_path}: not a sustain manifest (an object with "
                                 "scenario_sha256 and completed_units), so not sustain's to "
                                 "remove: choose another --out")
        return manifest

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        payload = json.dumps(manifest, indent=2).encode()
        write_atomic(self.manifest_path, lambda fh: fh.write(payload))

    @staticmethod
    def new_manifest(scenario: dict, scenario_sha256: str, seed: int, replications: int,
                     alternatives: list[str], version: str,
                     code_sha256: str | None = None) -> dict[str, Any]:
        return {
            "scenario": scenario,
            "scenario_sha256": scenario_sha256,
            "seed": seed,
            "replications": replications,
            "alternatives": alternatives,
            "package_version": version,
            "code_sha256": code_sha256,
            "schema_version": SCHEMA_VERSION,
            "started_at": now_iso(),
            "finished_at": None,
            "completed_units": [],
        }

    def check_usable(self) -> None:
        """A directory ``sustain`` may write into: new, empty, or a result directory (it has
        a manifest). Anything else — a home folder, a source tree — is refused (exit 2), so a
        mistyped ``--out`` never mixes results into, or cleans up in, someone else's folder."""
        if not self.path.exists():
            return
        if not self.path.is_dir():
            raise ResultDirError(f"{self.path} exists and is not a directory")
        if self.manifest_path.exists():
            return
        others = sorted(p.name for p in self.path.iterdir() if p.name != LOCK_NAME)
        if others:
            shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
            raise ResultDirError(
                f"{self.path} is not empty and is not a sustain result directory (no "
                f"{MANIFEST_NAME}; it holds {shown}): choose a new or empty folder for --out")

    def discard(self) -> list[str]:
        """Start afresh (``--fresh``): remove what an earlier run wrote here, by name — the
        manifest, the tables, the progress log, the parts and temporaries — and nothing else.
        Returns what is left that sustain did not write (e.g. a report) for the caller to
        mention."""
        own = {MANIFEST_NAME, LOG_NAME, *(f"{t}.parquet" for t in OWN_TABLES)}
        if _foreign_manifest(self.manifest_path):
            raise ResultDirError(f"{self.manifest_path} is not a sustain manifest; --fresh "
                                 "removes only sustain's own files: choose another --out")
        for name in own:
            (self.path / name).unlink(missing_ok=True)
        self._remove_parts(None)
        for f in self.path.iterdir() if self.path.exists() else []:
            if _temporary_of(f.name) in own and f.is_file() and not f.is_symlink():
                f.unlink(missing_ok=True)
        return sorted(p.name for p in self.path.iterdir() if p.name != LOCK_NAME) \
            if self.path.exists() else []

    # -- progress --------------------------------------------------------------------------
    @property
    def log_path(self) -> Path:
        return self.path / LOG_NAME

    def logged_units(self) -> list[dict[str, Any]]:
        """Units the progress log says are done, in the order they finished (a line torn by a
        crash is ignored: its unit runs again)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        out = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("unit"), str):
                out.append(entry)
        return out

    def open_log(self) -> ProgressLog:
        return ProgressLog(self.log_path)

    # -- parts ------------------------------------------------------------------------------
    def part_path(self, table: str, name: str) -> Path:
        return self.parts / table / f"{name}.parquet"

    def write_unit(self, name: str, tables: dict[str, pa.Table]) -> dict[str, str]:
        """One finished unit's rows, one part per table, each put in place by rename; returns
        each part's SHA-256 (recorded in the progress log)."""
        sums = {}
        for table, data in tables.items():
            folder = self.parts / table
            folder.mkdir(parents=True, exist_ok=True)
            payload = parquet_bytes(data)
            write_atomic(folder / f"{name}.parquet", lambda fh, b=payload: fh.write(b))
            sums[table] = sha256_bytes(payload)
        return sums

    def verified(self, entry: dict[str, Any], tables: Sequence[str]) -> bool:
        """Whether every part of a logged unit is on disk with the checksum it was logged with."""
        sums = entry.get("parts")
        if not isinstance(sums, dict):
            return False
        return all(isinstance(sums.get(t), str)
                   and sha256_file(self.part_path(t, entry["unit"])) == sums[t] for t in tables)

    def compact(self, tables: list[str], parameters: Sequence[str] | None = None,
                units: Sequence[dict[str, Any]] | None = None) -> dict[str, str]:
        """Stream the parts of each table into ``TABLE.parquet`` in unit order (point, then
        alternative, then replication), a bounded number of rows in memory at a time.
        ``units``: the logged entries to compact, each part checked against its checksum
        (PartDamaged names those that fail, and no table is replaced); None: every part file
        present, unchecked. Returns each table's SHA-256."""
        if units is not None:
            damaged: dict[str, list[str]] = {}
            for entry in units:
                sums = entry.get("parts") or {}
                for t in tables:
                    if sha256_file(self.part_path(t, entry["unit"])) != sums.get(t):
                        damaged.setdefault(entry["unit"], []).append(t)
            if damaged:
                raise PartDamaged(damaged)
        checksums = {}
        for table in tables:
            sch = schema(table, parameters)
            if units is not None:
                expected = {e["unit"]: (e.get("parts") or {}).get(table) for e in units}
                files = [(self.part_path(table, u), expected[u]) for u in sorted(expected)]
            else:
                folder = self.parts / table
                found = sorted(f for f in folder.glob("*.parquet") if PART.match(f.name)) \
                    if folder.exists() else []
                files = [(f, None) for f in found]
            target = self.path / f"{table}.parquet"
            write_atomic(target, lambda fh, sch=sch, files=files, table=table:
                         _stream_parts(fh, sch, files, table))
            checksums[table] = sha256_file(target) or ""
        return checksums

    def clear_progress(self, units: Sequence[str] | None = None) -> None:
        """Once the tables and manifest are final: delete the parts of ``units`` (None: every
        file named like a part) and sustain's temporaries, each by name, then the progress
        log; folders only when that leaves them empty. Nothing else is touched."""
        self._remove_parts(units)
        self.log_path.unlink(missing_ok=True)

    def _remove_parts(self, units: Sequence[str] | None) -> None:
        if not self.parts.is_dir() or self.parts.is_symlink():
            return
        wanted = None if units is None else {f"{u}.parquet" for u in units}
        for folder in self.parts.iterdir():
            if folder.name not in KEYS or not folder.is_dir() or folder.is_symlink():
                continue
            for f in folder.iterdir():
                own = (PART.match(f.name) and (wanted is None or f.name in wanted)) or \
                    PART.match(_temporary_of(f.name) or "")
                if own and f.is_file() and not f.is_symlink():
                    f.unlink(missing_ok=True)
            _remove_if_empty(folder)
        _remove_if_empty(self.parts)

    def write_table(self, name: str, data: pa.Table) -> None:
        self._atomic_write_table(self.path / f"{name}.parquet", data)

    def _atomic_write_table(self, target: Path, data: pa.Table) -> None:
        write_atomic(target, lambda fh: pq.write_table(data, fh))

    def temporaries(self) -> list[Path]:
        """sustain's temporary files anywhere in the directory (none, once a write is over)."""
        return [p for p in self.path.rglob(".*") if p.is_file() and _temporary_of(p.name)] \
            if self.path.exists() else []


def _stream_parts(fh: Any, sch: pa.Schema, files: list[tuple[Path, str | None]],
                  table: str) -> None:
    """Write parts into one Parquet file, a bounded number of rows in memory at a time; a part
    whose bytes do not match its checksum is PartDamaged (and the file is not put in place)."""
    damaged: dict[str, list[str]] = {}
    with pq.ParquetWriter(fh, sch) as writer:
        buf: list[pa.Table] = []
        rows = 0
        for f, want in files:
            payload = f.read_bytes() if f.exists() else b""
            if want is not None and sha256_bytes(payload) != want:
                damaged.setdefault(f.stem, []).append(table)
                continue
            part = read_parquet(pa.BufferReader(payload))
            if not part.schema.equals(sch, check_metadata=True):
                part = part.cast(sch)   # only then: casting imports pyarrow.compute (0.1 s)
            buf.append(part)
            rows += part.num_rows
            if rows >= ROW_GROUP_ROWS or len(buf) >= ROW_GROUP_PARTS:
                writer.write_table(pa.concat_tables(buf))
                buf, rows = [], 0
        if damaged:
            raise PartDamaged(damaged)
        if buf or not files:
            writer.write_table(pa.concat_tables(buf) if buf else sch.empty_table())


def read_parquet(source: Any, columns: Sequence[str] | None = None) -> pa.Table:
    """One Parquet file as a table, as ``pq.read_table`` reads it, without its dataset layer
    (``pyarrow.dataset`` and pandas: a third of a second to import) that one file does not
    need."""
    return pq.ParquetFile(source).read(columns=columns)


def numbers(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A numeric column as float64, nulls as NaN: ``column.to_numpy().astype(float)``
    without pandas (pyarrow's NumPy conversion imports it), read from the Arrow buffers."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out = [np.empty(0)]
    for chunk in chunks:
        kind = "f" if pa.types.is_floating(chunk.type) else \
            "u" if pa.types.is_unsigned_integer(chunk.type) else "i"
        dtype = np.dtype(f"{kind}{chunk.type.bit_width // 8}")
        mask, data = chunk.buffers()[:2]
        start, n = chunk.offset, len(chunk)
        values = np.frombuffer(data, dtype=dtype, count=start + n)[start:].astype(float) \
            if n else np.empty(0)
        if chunk.null_count:
            bits = np.unpackbits(np.frombuffer(mask, dtype=np.uint8), bitorder="little")
            values[bits[start:start + n] == 0] = np.nan
        out.append(values)
    return np.concatenate(out)


def _temporary_of(name: str) -> str | None:
    """The file a temporary of ``write_atomic`` was for, or None when ``name`` is not one."""
    match = TEMPORARY.match(name)
    return match.group(1) if match else None


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


# -- the lock ----------------------------------------------------------------------------------

_HELD: dict[str, list[int]] = {}
"""Directories this process holds: real path -> [lock file descriptor, depth]. (A POSIX lock
does not stop the process that holds it from taking it again, so this does.)"""


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _start_ticks(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot, Linux), '' when unknown or gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def holder_alive(info: dict[str, Any]) -> bool | None:
    """Whether the process a lock file names still runs: True, False, or None when it is on
    another host (cannot be told from here)."""
    if info.get("host") != socket.gethostname():
        return None
    pid = info.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if info.get("boot_id") and info.get("boot_id") != _boot_id():
        return False
    if Path("/proc/self/stat").exists():
        ticks = _start_ticks(pid)
        return bool(ticks) and ticks == str(info.get("start_ticks", ""))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe_holder(info: dict[str, Any]) -> str:
    return (f"pid {info.get('pid', '?')} on host {info.get('host', '?')}, started "
            f"{info.get('started_at', '?')}: {info.get('command', 'sustain')}")


def _acquire(path: Path, command: str) -> tuple[int, str | None]:
    import fcntl

    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        except OSError as exc:
            raise ResultDirError(f"cannot create the lock {path}: {exc.strerror}") from None
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                os.close(fd)
                raise ResultDirError(f"cannot lock {path}: {exc.strerror}") from None
            info = _read_lock(fd)
            os.close(fd)
            raise ResultDirError(
                f"{path.parent} is in use by another sustain process ({describe_holder(info)}); "
                "wait for it to finish, or choose another --out") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)   # the holder removed the file as we opened it: take the new one
    previous = _read_lock(fd)
    stale = None
    if previous.get("unreadable"):
        stale = f"note: recovered a lock on {path.parent} that could not be read"
    elif previous:
        # The record lock was free. Its holder may still live (the lock is lost if that
        # process closes any descriptor of the file, and some network filesystems do not
        # share such locks): the pid, boot and start time it wrote decide.
        alive = holder_alive(previous)
        if alive:
            os.close(fd)
            raise ResultDirError(
                f"{path.parent} is in use by another sustain process "
                f"({describe_holder(previous)}); wait for it to finish, or choose another --out")
        if alive is None:
            os.close(fd)
            raise ResultDirError(
                f"{path.parent} is locked by {describe_holder(previous)}, which is on another "
                "host, so whether it still runs cannot be told from here; if it is no longer "
                f"running, delete {path} and rerun")
        stale = (f"note: recovered a stale lock on {path.parent}: "
                 f"{describe_holder(previous)} is no longer running")
    info = {"pid": os.getpid(), "host": socket.gethostname(), "boot_id": _boot_id(),
            "start_ticks": _start_ticks(os.getpid()), "started_at": now_iso(),
            "command": command}
    payload = json.dumps(info).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, payload, 0)
    os.fsync(fd)
    return fd, stale


def _read_lock(fd: int) -> dict[str, Any]:
    try:
        info = json.loads(os.pread(fd, 65536, 0).decode("utf-8", "replace") or "{}")
    except ValueError:
        return {"unreadable": True}
    return info if isinstance(info, dict) else {"unreadable": True}


def command_line() -> str:
    """This process's command line, for the lock file (at most 300 characters)."""
    text = " ".join(["sustain", *sys.argv[1:]])
    return text if len(text) <= 300 else text[:297] + "..."


class ProgressLog:
    """Append-only record of finished units: one JSON line each, flushed and fsynced, so
    recording unit n costs O(1) and survives a crash of the process or the machine."""

    def __init__(self, path: Path) -> None:
        self._fh = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed by close()
        if self._fh.tell() > 0:   # a line torn by a crash or a full disk: end it first, so
            self._fh.seek(self._fh.tell() - 1)   # the next entry is a line of its own
            if self._fh.read(1) != "\n":
                self._fh.write("\n")

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


def _foreign_manifest(path: Path) -> bool:
    """A ``manifest.json`` that is whole JSON but not sustain's (someone else's file): never
    removed. A damaged one (not JSON: a crash mid-write) is sustain's to replace."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return not (isinstance(data, dict) and "scenario_sha256" in data
                and isinstance(data.get("completed_units"), list))
