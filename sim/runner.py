"""Replications of every alternative over an Executor, written as they finish, resumable.

One unit of work is one (alternative, replication): a fresh SimPy world. Units go to a
``concurrent.futures`` Executor (a local process pool by default), and each finished unit is
written at once, so an interrupted run keeps everything that finished.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sim import __version__
from sim.model.world import run_unit
from sim.results import ResultDir, now_iso, to_table, unit_name
from sim.scenario import Scenario, scenario_hash

TABLES = ["summary", "items", "depots", "timeseries", "depot_timeseries"]


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
    }
    if record_events:
        tables["events"] = [
            {**tag, "day": d, "event": k, "customer": c, "nsn": n, "aircraft": a}
            for d, k, c, n, a in result.events or []
        ]
    return tables


@dataclass
class RunSettings:
    out: Path
    workers: int = 0
    record_events: bool = False


def resolve(scenario: Scenario, replications: int | None, seed: int | None) -> Scenario:
    """Apply command-line overrides, so the manifest holds what was actually run."""
    update = {}
    if replications is not None:
        update["replications"] = replications
    if seed is not None:
        update["seed"] = seed
    return scenario.model_copy(update=update) if update else scenario


@contextmanager
def local_executor(workers: int) -> Iterator[Executor | None]:
    """A process pool with ``workers`` processes; None (run in this process) for one worker."""
    n = workers or os.cpu_count() or 1
    if n <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=n) as pool:
        yield pool


def run(scenario: Scenario, settings: RunSettings,
        on_unit: Callable[[int, int], None] | None = None,
        executor: Executor | None = None) -> ResultDir:
    """Run every pending unit and compact the tables. Units already in the manifest of
    ``settings.out`` (same scenario hash) are skipped: that is how a run resumes."""
    out = ResultDir(settings.out)
    sha = scenario_hash(scenario)
    manifest = out.read_manifest()
    alt_names = [a.name for a in scenario.alternatives]
    if manifest is not None:
        if manifest.get("scenario_sha256") != sha:
            raise ResultDirConflict(
                f"{out.path} holds results of a different scenario or seed "
                f"(sha256 {manifest.get('scenario_sha256', '?')[:12]}); choose another --out")
        if bool(manifest.get("record_events")) != settings.record_events:
            raise ResultDirConflict(f"{out.path} was started with a different --events setting")
    else:
        out.path.mkdir(parents=True, exist_ok=True)
        manifest = ResultDir.new_manifest(scenario.model_dump(mode="json"), sha, scenario.seed,
                                          scenario.replications, alt_names, __version__)
        manifest["record_events"] = settings.record_events
        out.write_manifest(manifest)
    done = {(u["alternative_index"], u["replication"]) for u in manifest["completed_units"]}
    pending = [(a, r) for a in range(len(alt_names)) for r in range(scenario.replications)
               if (a, r) not in done]
    tables = TABLES + (["events"] if settings.record_events else [])

    def finished(a: int, r: int, rows: dict[str, list[dict]]) -> None:
        out.write_unit(a, r, {t: to_table(t, rows[t]) for t in tables})
        manifest["completed_units"].append(
            {"alternative_index": a, "alternative": alt_names[a], "replication": r,
             "unit": unit_name(a, r)})
        out.write_manifest(manifest)
        if on_unit is not None:
            on_unit(a, r)

    if executor is None:
        for a, r in pending:
            finished(a, r, simulate_unit(scenario, a, r, settings.record_events))
    else:
        futures: dict[Future, tuple[int, int]] = {
            executor.submit(simulate_unit, scenario, a, r, settings.record_events): (a, r)
            for a, r in pending}
        try:
            for fut in as_completed(futures):
                a, r = futures[fut]
                finished(a, r, fut.result())
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
    if pending or not all((out.path / f"{t}.parquet").exists() for t in tables):
        out.compact(tables)
    manifest["finished_at"] = now_iso()
    out.write_manifest(manifest)
    return out
