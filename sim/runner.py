"""Replications of every alternative — and every point of a sweep — over an Executor, written
as they finish, resumable.

One unit of work is one (alternative, replication), or (point, alternative, replication) in a
sweep: a fresh SimPy world. Units go in batches to a ``concurrent.futures`` Executor — a local
process pool by default, a Dask cluster's executor with ``--cluster``: the same code path — and
each finished unit is written at once (``sim.results``), so an interrupted run keeps everything
that finished. Every point keeps the scenario's seed, so points see common random numbers as
alternatives do. Results do not depend on the executor, the batching or the finishing order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import pyarrow as pa

from sim import __version__
from sim.model.world import run_unit
from sim.results import ResultDir, now_iso, to_table, unit_name
from sim.scenario import Scenario, scenario_hash
from sim.scenario.sweep import SweepPlan

TABLES = ["summary", "items", "depots", "timeseries", "depot_timeseries", "costs"]


def cooperative_tables(scenario: Scenario) -> list[str]:
    """``partnerships`` and ``acsa``, each written when the scenario has that block."""
    return [name for name, block in (("partnerships", scenario.partnerships),
                                     ("acsa", scenario.acsa)) if block]


class ResultDirConflict(Exception):
    """The output directory holds results of a different scenario or settings."""


def simulate_unit(scenario: Scenario, alt_index: int, replication: int,
                  record_events: bool) -> dict[str, list[dict]]:
    """Run one alternative in one replication; rows for every table (worker entry point)."""
    alternative = scenario.alternatives[alt_index]
    result = run_unit(scenario, alternative, replication, record_events)
    tag = {"alternative": alternative.name, "replication": replication}
    tables = {
        "summary": [{**tag, **r} for r in result.summary],
        "items": [{**tag, **r} for r in result.items],
        "depots": [{**tag, **r} for r in result.depots],
        "timeseries": [{**tag, **r} for r in result.timeseries],
        "depot_timeseries": [{**tag, **r} for r in result.depot_timeseries],
        "costs": [{**tag, **r} for r in result.costs],
    }
    if any(c.bases for c in scenario.customers):
        tables["bases"] = [{**tag, **r} for r in result.bases]
    for name in cooperative_tables(scenario):
        tables[name] = [{**tag, **r} for r in getattr(result, name)]
    if record_events:
        tables["events"] = [
            {**tag, "day": d, "event": k, "customer": c, "nsn": n, "aircraft": a}
            for d, k, c, n, a in result.events or []
        ]
    return tables


@dataclass(frozen=True)
class Unit:
    """What a worker runs: one alternative in one replication, at one sweep point."""

    alternative: int
    replication: int
    point: int | None = None

    @property
    def name(self) -> str:
        return unit_name(self.alternative, self.replication, self.point)


@dataclass(frozen=True)
class PointWork:
    """A point's scenario and parameter values (empty for a plain run), as shipped to workers."""

    scenario: Scenario
    values: dict[str, float] = field(default_factory=dict)


def simulate_batch(work: dict[int | None, PointWork], units: list[Unit], record_events: bool,
                   parameters: list[str] | None) -> list[tuple[Unit, dict[str, pa.Table]]]:
    """Run several units in one task (worker entry point); Arrow tables per unit, tagged with
    the point and its parameter values in a sweep."""
    out = []
    for unit in units:
        w = work[unit.point]
        rows = simulate_unit(w.scenario, unit.alternative, unit.replication, record_events)
        tag: dict[str, Any] = {} if unit.point is None else {"point": unit.point, **w.values}
        out.append((unit, {t: to_table(t, [{**tag, **r} for r in rs] if tag else rs, parameters)
                           for t, rs in rows.items()}))
    return out


def simulate_point_unit(point_scenario: Scenario, point: int, values: dict[str, float],
                        alt_index: int, replication: int,
                        record_events: bool = False) -> dict[str, pa.Table]:
    """One unit of a sweep point, tagged as the sweep writes it (for tests and scripts)."""
    unit = Unit(alt_index, replication, point)
    [(_, tables)] = simulate_batch({point: PointWork(point_scenario, values)}, [unit],
                                   record_events, list(values))
    return tables


@dataclass
class RunSettings:
    out: Path
    workers: int = 0  # processes (or cluster threads) the executor has; 0: this machine's cores
    record_events: bool = False
    batch_units: int = 1  # units per task: enough that a task runs about a second


def resolve(scenario: Scenario, replications: int | None, seed: int | None) -> Scenario:
    """Apply command-line overrides, so the manifest holds what was actually run."""
    update: dict[str, Any] = {}
    if replications is not None:
        update["replications"] = replications
    if seed is not None:
        update["seed"] = seed
    return scenario.model_copy(update=update) if update else scenario


def worker_count(workers: int) -> int:
    return workers or os.cpu_count() or 1


@contextmanager
def local_executor(workers: int) -> Iterator[Executor | None]:
    """A process pool with ``workers`` processes; None (run in this process) for one worker."""
    n = worker_count(workers)
    if n <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=n) as pool:
        yield pool


def _entry(unit: Unit, alt_names: list[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {"alternative_index": unit.alternative,
                             "alternative": alt_names[unit.alternative],
                             "replication": unit.replication, "unit": unit.name}
    if unit.point is not None:
        entry = {"point": unit.point, **entry}
    return entry


def open_result(scenario: Scenario, settings: RunSettings,
                plan: SweepPlan | None = None) -> dict[str, Any]:
    """The manifest of ``settings.out``: checked against this run if it exists (a different
    scenario or kind is ResultDirConflict, before anything is written), written once if not."""
    out = ResultDir(settings.out)
    sha = scenario_hash(scenario)
    kind = "sweep" if plan is not None else "run"
    manifest = out.read_manifest()
    if manifest is not None:
        if manifest.get("scenario_sha256") != sha:
            raise ResultDirConflict(
                f"{out.path} holds results of a different scenario or seed "
                f"(sha256 {manifest.get('scenario_sha256', '?')[:12]}); choose another --out")
        if manifest.get("kind", "run") != kind:
            raise ResultDirConflict(f"{out.path} holds a {manifest.get('kind', 'run')} of this "
                                    f"scenario, not a {kind}; choose another --out")
        if bool(manifest.get("record_events")) != settings.record_events:
            raise ResultDirConflict(f"{out.path} was started with a different --events setting")
    else:
        manifest = _new_manifest(out, scenario, sha, kind, settings, plan)
    if plan is not None and not (out.path / "points.parquet").exists():
        write_points(out, plan)
    return manifest


def _new_manifest(out: ResultDir, scenario: Scenario, sha: str, kind: str,
                  settings: RunSettings, plan: SweepPlan | None) -> dict[str, Any]:
    out.path.mkdir(parents=True, exist_ok=True)
    manifest = ResultDir.new_manifest(scenario.model_dump(mode="json"), sha, scenario.seed,
                                      scenario.replications,
                                      [a.name for a in scenario.alternatives], __version__)
    manifest["kind"] = kind
    manifest["record_events"] = settings.record_events
    if plan is not None:
        manifest["sweep"] = {"method": plan.method, "parameters": plan.names,
                             "points": len(plan.points)}
    out.write_manifest(manifest)
    return manifest


def write_points(out: ResultDir, plan: SweepPlan) -> None:
    """``points.parquet``: each point's parameter values (factors for the scale form)."""
    cols: dict[str, Any] = {"point": pa.array([p.index for p in plan.points], pa.int64())}
    for name in plan.names:
        cols[name] = pa.array([p.values[name] for p in plan.points], pa.float64())
    out.write_table("points", pa.table(cols))


def units_of(scenario: Scenario, plan: SweepPlan | None) -> list[Unit]:
    """Every unit in unit order: point, then alternative, then replication."""
    points: list[int | None] = [None] if plan is None else [p.index for p in plan.points]
    return [Unit(a, r, p) for p in points for a in range(len(scenario.alternatives))
            for r in range(scenario.replications)]


def _batches(units: list[Unit], size: int) -> Iterator[list[Unit]]:
    it = iter(units)
    while batch := list(islice(it, max(1, size))):
        yield batch


def run(scenario: Scenario, settings: RunSettings,
        on_unit: Callable[[int, int], None] | None = None,
        executor: Executor | None = None, plan: SweepPlan | None = None) -> ResultDir:
    """Run every pending unit and compact the tables. Units the result directory already has
    (same scenario hash) are skipped: that is how a run resumes. ``plan``: run the sweep's
    points (``scenario`` is then the plan's scenario, sweep block included)."""
    out = ResultDir(settings.out)
    manifest = open_result(scenario, settings, plan)
    alt_names = [a.name for a in scenario.alternatives]
    tables = TABLES + (["bases"] if any(c.bases for c in scenario.customers) else []) + (
        ["events"] if settings.record_events else [])
    tables += cooperative_tables(scenario)
    parameters = plan.names if plan is not None else None
    work: dict[int | None, PointWork] = (
        {None: PointWork(scenario)} if plan is None
        else {p.index: PointWork(p.scenario, p.values) for p in plan.points})

    done = {u["unit"] for u in manifest["completed_units"]} | {
        u["unit"] for u in out.logged_units()}
    every = units_of(scenario, plan)
    pending = [u for u in every if u.name not in done]

    def finished(log: Any, unit: Unit, data: dict[str, pa.Table]) -> None:
        out.write_unit(unit.name, data)
        log.append(_entry(unit, alt_names))
        if on_unit is not None:
            on_unit(unit.alternative, unit.replication)

    try:
        with out.open_log() as log:
            batches = _batches(pending, settings.batch_units)
            if executor is None:
                for batch in batches:
                    for unit, data in simulate_batch(work, batch, settings.record_events,
                                                     parameters):
                        finished(log, unit, data)
            else:
                _run_on(executor, batches, work, settings, parameters,
                        lambda u, d: finished(log, u, d))
    except BaseException:
        # Stopped (Ctrl-C, an error): leave a manifest that lists what finished.
        manifest["completed_units"] = _completed(manifest, out)
        out.write_manifest(manifest)
        raise
    if pending or not all((out.path / f"{t}.parquet").exists() for t in tables):
        out.compact(tables, parameters)
    manifest["completed_units"] = [_entry(u, alt_names) for u in every]
    manifest["finished_at"] = now_iso()
    out.write_manifest(manifest)
    out.clear_progress()
    return out


def _completed(manifest: dict[str, Any], out: ResultDir) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {u["unit"]: u for u in manifest["completed_units"]}
    for u in out.logged_units():
        seen.setdefault(u["unit"], u)
    return list(seen.values())


def _run_on(executor: Executor, batches: Iterator[list[Unit]],
            work: dict[int | None, PointWork], settings: RunSettings,
            parameters: list[str] | None,
            finished: Callable[[Unit, dict[str, pa.Table]], None]) -> None:
    """Keep a few batches per worker in flight (bounded memory however many units), each with
    only the points it needs, and record units as their batches finish."""
    window = 2 * worker_count(settings.workers)
    in_flight: dict[Future, list[Unit]] = {}

    def submit(batch: list[Unit]) -> None:
        needed = {u.point: work[u.point] for u in batch}
        fut = executor.submit(simulate_batch, needed, batch, settings.record_events, parameters)
        in_flight[fut] = batch

    try:
        for batch in islice(batches, window):
            submit(batch)
        while in_flight:
            ready, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for fut in ready:
                in_flight.pop(fut)
                for unit, data in fut.result():
                    finished(unit, data)
                nxt = next(batches, None)
                if nxt is not None:
                    submit(nxt)
    except BaseException:
        for fut in in_flight:
            fut.cancel()
        raise
