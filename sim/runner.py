"""Replications of every alternative — and every point of a sweep — over an Executor, written
as they finish, resumable.

One unit of work is one (alternative, replication), or (point, alternative, replication) in a
sweep: a fresh SimPy world. Units go in batches to a ``concurrent.futures`` Executor — a local
process pool by default, a Dask cluster's executor with ``--cluster``: the same code path — and
each finished unit is written at once (``sim.results``), so an interrupted run keeps everything
that finished. Every point keeps the scenario's seed, so points see common random numbers as
alternatives do. Results do not depend on the executor, the batching or the finishing order.

What a run can rely on: one process writes a result directory at a time (its lock); a run
resumes only what the same scenario and the same build of the code started, and only units
whose parts still match their checksums (any other unit runs again); every unit's tables obey
the invariants (``sim.invariants``) before they are written; and a stopped run (Ctrl-C,
SIGTERM, an error) stops its worker processes and leaves a manifest of what finished.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from sim import __version__
from sim.build import code_sha256
from sim.errors import InvalidInput, WorkerDied
from sim.invariants import check_conservation, check_unit
from sim.model.world import run_unit
from sim.results import (
    PartDamaged,
    ResultDir,
    ResultDirError,
    command_line,
    from_rows,
    now_iso,
    to_table,
    unit_name,
)
from sim.scenario import Scenario, scenario_hash
from sim.scenario.models import MAX_REPLICATIONS, MAX_SEED

if TYPE_CHECKING:   # not needed to run: a sweep's plan comes made, the pool where it is used
    from concurrent.futures import ProcessPoolExecutor

    from sim.scenario.sweep import SweepPlan

TABLES = ["summary", "items", "depots", "timeseries", "depot_timeseries", "costs"]


def cooperative_tables(scenario: Scenario) -> list[str]:
    """``partnerships`` and ``acsa``, each written when the scenario has that block."""
    return [name for name, block in (("partnerships", scenario.partnerships),
                                     ("acsa", scenario.acsa)) if block]


class ResultDirConflict(ResultDirError):
    """The output directory holds results of a different scenario, settings or build."""


REPAIR_ATTEMPTS = 2
"""Times a run reruns units whose parts were found damaged at compaction before giving up."""


def credit_holders(scenario: Scenario, alt_index: int) -> set[str]:
    """Customers whose costs may be negative under an alternative, beyond the CLSSA credits
    the summary shows: those who bought in-country spares (their residual value is credited
    at the horizon; with a fraction of 1 the summary nets it to nothing, the last period
    still shows it) and the parties to an ACSA agreement in force (a provider is reimbursed
    in cash or in value, in any period, the warm-up's included)."""
    from sim.scenario.stocking import purchased_units

    alternative = scenario.alternatives[alt_index]
    name = alternative.name
    out = {c for a in scenario.acsa or []
           if a.alternatives == "all" or name in a.alternatives for c in a.between}
    if scenario.residual_value_fraction > 0:     # a bought shelf is credited at the horizon
        for spec in scenario.customers:
            if spec.kind != "fms":
                continue
            parts = dict(scenario.system(spec.fleet.system).parts)
            mtbr = {n: scenario.item(n).mtbr_fh for n in parts}
            if any(q > 0 for q in purchased_units(spec, alternative.support.get(spec.name),
                                                  parts, mtbr).values()):
                out.add(spec.name)
    return out


def simulate_unit(scenario: Scenario, alt_index: int, replication: int,
                  record_events: bool) -> dict[str, list[dict]]:
    """Run one alternative in one replication; rows for every table (worker entry point)."""
    alternative = scenario.alternatives[alt_index]
    result = run_unit(scenario, alternative, replication, record_events)
    check_conservation(result.conservation, alternative.name, replication)
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
    fresh: bool = False  # start the directory afresh: discard what earlier runs wrote there


@dataclass(frozen=True)
class Resumed:
    """What a run found in its result directory before running anything."""

    total: int           # units the run has
    reused: int          # finished units kept from an earlier run (checksums verified)
    pending: list[Unit]  # units to run now
    rerun: int = 0       # units an earlier run listed as done whose parts were damaged
    finished_before: bool = False  # the directory was a finished result already
    other_build: bool = False      # ... computed by another build of sustain
    stale_lock: str | None = None  # a stale lock of a dead run was recovered (the message)


def resolve(scenario: Scenario, replications: int | None, seed: int | None) -> Scenario:
    """Apply command-line overrides, so the manifest holds what was actually run; an override
    outside the scenario format's bounds is InvalidInput (exit 2, nothing written)."""
    update: dict[str, Any] = {}
    if replications is not None:
        if not 1 <= replications <= MAX_REPLICATIONS:
            raise InvalidInput(f"--replications must be between 1 and {MAX_REPLICATIONS:,}")
        update["replications"] = replications
    if seed is not None:
        if not 0 <= seed <= MAX_SEED:
            raise InvalidInput(f"--seed must be between 0 and {MAX_SEED:,} (2^63 - 1)")
        update["seed"] = seed
    return scenario.model_copy(update=update) if update else scenario


def worker_count(workers: int) -> int:
    return workers or os.cpu_count() or 1


def _worker_init() -> None:
    """In each worker process: Ctrl-C is for the main process (which stops the workers), so a
    worker ignores it and prints no traceback; SIGTERM ends it at once (the main process's
    handler, inherited by fork, is dropped); and it dies with the main process even when that
    is killed outright (Linux: PR_SET_PDEATHSIG), so a SIGKILLed run leaves no orphans."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    # The objects inherited from the main process (modules, the scenario, a sweep's points)
    # live as long as the worker: left out of its collections, they are never traversed
    # and their pages never written (Python's advice for forked workers; gc.freeze).
    gc.freeze()


@contextmanager
def local_executor(workers: int) -> Iterator[Executor | None]:
    """A process pool with ``workers`` processes; None (run in this process) for one worker.
    Leaving it by an exception (Ctrl-C, SIGTERM, an error) stops the workers at once —
    running units are abandoned, not waited for — and reaps them: no orphan processes."""
    n = worker_count(workers)
    if n <= 1:
        yield None
        return
    # Imported here: it brings in multiprocessing (20-30 ms), which a run on one worker or a
    # cluster never needs.
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=n, initializer=_worker_init)
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


STUCK_POOL = False
"""Set when a stopped pool's manager thread is still waiting for the rest of a result that a
terminated worker was sending. concurrent.futures reads the message's length, then blocks for
bytes that will never come (nothing wakes that read), and interpreter shutdown joins the
thread: the program, its message said and its files closed, would hang for ever (seen once:
Ctrl-C under load, then 19 minutes asleep in ``_python_exit``). ``sim.cli.main`` then leaves
with ``os._exit``."""


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Terminate a pool's workers and wait for them (a worker that ignores SIGTERM is
    killed), then for the pool's manager thread (see ``STUCK_POOL``)."""
    global STUCK_POOL
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)
        if p.is_alive():
            p.kill()
            p.join(timeout=5)
    if manager is not None:
        manager.join(timeout=2)
        if manager.is_alive():
            STUCK_POOL = True


RESUME = "every finished unit is kept: rerun the same command to resume"
"""What to do after a worker died (said by ``wait_some`` and by sim.cli)."""

DEAD_WORKER_CHECK_SECONDS = 2.0
"""How often a wait for results looks for a worker that died without the pool noticing."""


def wait_some(futures: Iterable[Future], executor: Executor | None) -> set[Future]:
    """The futures that are done, waiting for at least one. A local worker killed while it
    sends a result (the kernel's out-of-memory killer, a user's kill -9) leaves the pool
    waiting for the rest of the message for ever: no future would ever finish and the run
    would hang. Every few seconds the pool's processes are looked at, and a dead one is
    WorkerDied (sim.cli reports it as it reports the pool's own BrokenProcessPool)."""
    futures = list(futures)
    while True:
        ready, _ = wait(futures, timeout=DEAD_WORKER_CHECK_SECONDS,
                        return_when=FIRST_COMPLETED)
        if ready:
            return ready
        dead = [p for p in (getattr(executor, "_processes", None) or {}).values()
                if p.exitcode is not None]
        if dead:
            how = ", ".join(f"pid {p.pid}: " + (f"signal {-p.exitcode}" if p.exitcode < 0
                                                else f"exit {p.exitcode}") for p in dead)
            raise WorkerDied(f"a worker process died ({how}; killed for want of memory?) while "
                             f"sending its result; {RESUME}")


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
    scenario, kind, ``--events`` setting or build is ResultDirConflict, before anything is
    written), written once if not. The caller holds the directory's lock."""
    out = ResultDir(settings.out)
    sha = scenario_hash(scenario)
    kind = "sweep" if plan is not None else "run"
    out.check_usable()
    if settings.fresh:
        out.discard()
    manifest = out.read_manifest()
    if manifest is not None:
        _check_manifest(out, manifest, sha, kind, settings)
    else:
        manifest = _new_manifest(out, scenario, sha, kind, settings, plan)
    if plan is not None and not (out.path / "points.parquet").exists():
        write_points(out, plan)
    return manifest


def _check_manifest(out: ResultDir, manifest: dict[str, Any], sha: str, kind: str,
                    settings: RunSettings) -> None:
    """ResultDirConflict unless this run can continue the directory's: the same scenario (and
    seed), kind, ``--events`` setting and — unless it finished — build of sustain."""
    again = "rerun with --fresh to start it afresh, or choose another --out"
    if manifest.get("scenario_sha256") != sha:
        raise ResultDirConflict(
            f"{out.path} holds results of a different scenario or seed "
            f"(sha256 {str(manifest.get('scenario_sha256', '?'))[:12]}); {again}")
    if manifest.get("kind", "run") != kind:
        raise ResultDirConflict(f"{out.path} holds a {manifest.get('kind', 'run')} of this "
                                f"scenario, not a {kind}; {again}")
    if bool(manifest.get("record_events")) != settings.record_events:
        raise ResultDirConflict(f"{out.path} was started with a different --events "
                                f"setting; {again}")
    if manifest.get("code_sha256") != code_sha256() and not manifest.get("finished_at"):
        raise ResultDirConflict(
            f"{out.path} was started by another build of sustain (version "
            f"{manifest.get('package_version', '?')}, code "
            f"{str(manifest.get('code_sha256') or 'not recorded')[:12]}); this is version "
            f"{__version__}, code {code_sha256()[:12]}. Units simulated by two builds are "
            f"never mixed: finish it with the build that started it, or {again}")


def _new_manifest(out: ResultDir, scenario: Scenario, sha: str, kind: str,
                  settings: RunSettings, plan: SweepPlan | None) -> dict[str, Any]:
    out.path.mkdir(parents=True, exist_ok=True)
    manifest = ResultDir.new_manifest(scenario.model_dump(mode="json"), sha, scenario.seed,
                                      scenario.replications,
                                      [a.name for a in scenario.alternatives], __version__,
                                      code_sha256())
    manifest["kind"] = kind
    manifest["record_events"] = settings.record_events
    if plan is not None:
        manifest["sweep"] = {"method": plan.method, "parameters": plan.names,
                             "points": len(plan.points)}
    out.write_manifest(manifest)
    return manifest


def write_points(out: ResultDir, plan: SweepPlan) -> None:
    """``points.parquet``: each point's parameter values (factors for the scale form), built
    from buffers as the other tables are (``pa.array`` on a list imports pandas)."""
    sch = pa.schema([("point", pa.int64())] + [(name, pa.float64()) for name in plan.names])
    out.write_table("points", from_rows([{"point": p.index, **p.values} for p in plan.points],
                                        sch))


def units_of(scenario: Scenario, plan: SweepPlan | None) -> list[Unit]:
    """Every unit in unit order: point, then alternative, then replication."""
    points: list[int | None] = [None] if plan is None else [p.index for p in plan.points]
    return [Unit(a, r, p) for p in points for a in range(len(scenario.alternatives))
            for r in range(scenario.replications)]


def _batches(units: list[Unit], size: int) -> Iterator[list[Unit]]:
    it = iter(units)
    while batch := list(islice(it, max(1, size))):
        yield batch


def pending_units(scenario: Scenario, settings: RunSettings,
                  plan: SweepPlan | None = None) -> int:
    """How many units a run would have to run now (read only, for the up-front estimate:
    units an earlier run finished are not counted). A directory this run cannot continue is
    refused here already, before anything is started (and again under the lock)."""
    every = units_of(scenario, plan)
    if settings.fresh:
        return len(every)
    out = ResultDir(settings.out)
    out.check_usable()
    manifest = out.read_manifest()
    if manifest is None:
        return len(every)
    _check_manifest(out, manifest, scenario_hash(scenario), "sweep" if plan else "run",
                    settings)
    if manifest.get("finished_at"):
        return 0
    done = {e["unit"] for e in [*manifest["completed_units"], *out.logged_units()]
            if isinstance(e, dict) and isinstance(e.get("unit"), str)}
    return sum(u.name not in done for u in every)


def run(scenario: Scenario, settings: RunSettings,
        on_unit: Callable[[int, int], None] | None = None,
        executor: Executor | None = None, plan: SweepPlan | None = None,
        on_start: Callable[[Resumed], None] | None = None) -> ResultDir:
    """Run every pending unit and compact the tables. Units the result directory already has
    (same scenario and build, parts intact) are skipped: that is how a run resumes.
    ``plan``: run the sweep's points (``scenario`` is then the plan's scenario, sweep block
    included). ``on_start`` hears what was found before anything runs."""
    out = ResultDir(settings.out)
    with out.lock(command_line()) as stale:
        if stale is not None and on_start is not None:
            told = on_start

            def on_start(found: Resumed) -> None:
                told(dataclasses.replace(found, stale_lock=stale))

        return _run_locked(out, scenario, settings, on_unit, executor, plan, on_start)


def _run_locked(out: ResultDir, scenario: Scenario, settings: RunSettings,
                on_unit: Callable[[int, int], None] | None, executor: Executor | None,
                plan: SweepPlan | None,
                on_start: Callable[[Resumed], None] | None) -> ResultDir:
    manifest = open_result(scenario, settings, plan)
    alt_names = [a.name for a in scenario.alternatives]
    tables = TABLES + (["bases"] if any(c.bases for c in scenario.customers) else []) + (
        ["events"] if settings.record_events else [])
    tables += cooperative_tables(scenario)
    parameters = plan.names if plan is not None else None
    work: dict[int | None, PointWork] = (
        {None: PointWork(scenario)} if plan is None
        else {p.index: PointWork(p.scenario, p.values) for p in plan.points})
    every = units_of(scenario, plan)

    if manifest.get("finished_at"):
        _check_final_tables(out, manifest, tables)
        if on_start is not None:
            on_start(Resumed(len(every), len(every), [], finished_before=True,
                             other_build=manifest.get("code_sha256") != code_sha256()))
        return out

    claimed = _completed(manifest, out)
    done = {e["unit"]: e for e in claimed.values() if out.verified(e, tables)}
    pending = [u for u in every if u.name not in done]
    if on_start is not None:
        on_start(Resumed(len(every), len(done), pending, rerun=len(claimed) - len(done)))

    def finished(log: Any, unit: Unit, data: dict[str, pa.Table]) -> None:
        check_unit(data, unit.name,
                   credits=credit_holders(work[unit.point].scenario, unit.alternative))
        sums = out.write_unit(unit.name, data)
        entry = {**_entry(unit, alt_names), "parts": sums}
        log.append(entry)
        done[unit.name] = entry
        if on_unit is not None:
            on_unit(unit.alternative, unit.replication)

    try:
        for attempt in range(REPAIR_ATTEMPTS + 1):
            _run_units(pending, work, settings, parameters, executor, out, finished)
            try:
                checksums = out.compact(tables, parameters, [done[u.name] for u in every])
                break
            except PartDamaged as exc:
                if attempt == REPAIR_ATTEMPTS:
                    raise
                for name in exc.units:
                    done.pop(name, None)
                pending = [u for u in every if u.name in exc.units]
    except BaseException:
        # Stopped (Ctrl-C, SIGTERM, an error): leave a manifest that lists what finished —
        # a unit logged just as the signal came included.
        for name, entry in _completed(manifest, out).items():
            if name not in done and out.verified(entry, tables):
                done[name] = entry
        manifest["completed_units"] = [done[u.name] for u in every if u.name in done]
        out.write_manifest(manifest)
        raise
    manifest["completed_units"] = [_entry(u, alt_names) for u in every]
    manifest["tables"] = checksums
    manifest["finished_at"] = now_iso()
    out.write_manifest(manifest)
    out.clear_progress([u.name for u in every])
    return out


def _run_units(pending: list[Unit], work: dict[int | None, PointWork], settings: RunSettings,
               parameters: list[str] | None, executor: Executor | None, out: ResultDir,
               finished: Callable[[Any, Unit, dict[str, pa.Table]], None]) -> None:
    if not pending:
        return
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


def _check_final_tables(out: ResultDir, manifest: dict[str, Any], tables: list[str]) -> None:
    """A finished directory's tables must still be the ones it finished with."""
    from sim.results import sha256_file

    recorded = manifest.get("tables") or {}
    for t in tables:
        path = out.path / f"{t}.parquet"
        want = recorded.get(t)
        if want is None and path.exists():
            continue   # finished by a build that recorded no checksums
        if sha256_file(path) != want:
            raise ResultDirConflict(
                f"{path} is missing or is not the table this run finished with (its checksum "
                f"differs from the manifest's); rerun with --fresh to compute it again")


def _completed(manifest: dict[str, Any], out: ResultDir) -> dict[str, dict[str, Any]]:
    """Units an earlier run said were done: the manifest's list, then the progress log (a
    later line for the same unit wins: it is the unit's latest run)."""
    seen: dict[str, dict[str, Any]] = {}
    for u in [*manifest["completed_units"], *out.logged_units()]:
        if isinstance(u, dict) and isinstance(u.get("unit"), str):
            seen[u["unit"]] = u
    return seen


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
            for fut in wait_some(in_flight, executor):
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
