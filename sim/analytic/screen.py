"""The analytic screen of a sweep: every point answered by the closed form of ``sustain
analytic`` in seconds, so an analyst can screen hundreds of points before simulating a few.

Writes ``analytic.parquet``: per (point, alternative, customer) the METRIC availability, the
finite-fleet availability, expected backorders, and the reason where no closed form applies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from itertools import islice
from typing import Any

import pyarrow as pa

from sim.scenario import Scenario
from sim.scenario.sweep import Point

COLUMNS = ["alternative", "customer", "availability", "availability_finite_fleet",
           "backorders", "reason"]


def schema(parameters: Sequence[str]) -> pa.Schema:
    from sim.results import SCHEMA_VERSION

    fields = [("point", pa.int64())] + [(p, pa.float64()) for p in parameters] + [
        ("alternative", pa.string()), ("customer", pa.string()),
        ("availability", pa.float64()), ("availability_finite_fleet", pa.float64()),
        ("backorders", pa.float64()), ("reason", pa.string())]
    return pa.schema(fields, metadata={"sustain_schema_version": SCHEMA_VERSION,
                                       "table": "analytic"})


def point_rows(scenario: Scenario, point: int, values: dict[str, float]) -> list[dict[str, Any]]:
    """The closed-form answer at one point, one row per (alternative, customer)."""
    from sim.analytic.predict import predict

    rows = []
    for ap in predict(scenario, detail=False):
        for cp in ap.customers:
            rows.append({"point": point, **values, "alternative": ap.name,
                         "customer": cp.customer, "availability": cp.availability,
                         "availability_finite_fleet": cp.availability_finite_fleet,
                         "backorders": cp.backorders,
                         "reason": "; ".join(cp.reasons) if cp.reasons else None})
    return rows


def screen_points(items: list[tuple[Scenario, int, dict[str, float]]]) -> list[dict[str, Any]]:
    """Several points in one task (worker entry point)."""
    return [row for sc, point, values in items for row in point_rows(sc, point, values)]


def _chunks(items: Iterable, size: int, count: int, tail: int) -> Iterator[list]:
    """``size`` items a chunk; of ``count`` items in all, the last ``tail`` one a chunk, so
    the workers finish together (a last task of four points left a core idle for up to
    0.3 s at the end of a screen)."""
    it = iter(items)
    left = count
    while chunk := list(islice(it, 1 if left <= tail else min(size, left - tail))):
        left -= len(chunk)
        yield chunk


POINTS_PER_TASK = 4
"""Points a local worker answers per task: a point takes about 0.1 s (the case study), so a
task is short enough that the last ones leave no worker idle for long, and long enough that
sending it costs nothing (one batch a worker of a 200-point screen left one core idle for
2 s at the end)."""
CLUSTER_POINTS_PER_TASK = 12
"""On a Dask cluster: about a second a task, as the runner batches simulation units."""


def screen(points: Iterable[Point], names: list[str], count: int,
           executor: Executor | None = None, workers: int = 1,
           on_point: Callable[[], None] | None = None,
           per_task: int = POINTS_PER_TASK,
           meanwhile: Callable[[], None] | None = None) -> pa.Table:
    """Every point (``count`` of them, with parameters ``names``); in this process, or spread
    over the executor's workers, ``per_task`` points a task (a cluster wants tasks of a second
    or more: more). ``points`` may be lazy — ``sim.scenario.sweep.validated``, checking each
    point as it is drawn — so the workers answer the first points while the main process
    checks the rest. ``meanwhile``: the caller's own work, done once ``points`` is exhausted
    (every point checked) while the workers answer the last ones; an exception from
    ``points`` (a point that is not valid) leaves it undone."""
    items = ((p.scenario, p.index, p.values) for p in points)
    sch = schema(names)
    rows: dict[int, list[dict[str, Any]]] = {}
    if executor is None or workers <= 1:
        listed = list(items)
        if meanwhile:
            meanwhile()
        for it in listed:
            rows[it[1]] = screen_points([it])
            if on_point:
                on_point()
    else:
        from sim.runner import wait_some

        size = max(1, min(count // (4 * workers), per_task))
        batches = _chunks(items, size, count, tail=2 * workers)
        in_flight: dict[Future, list] = {}
        for batch in islice(batches, 2 * workers):
            in_flight[executor.submit(screen_points, batch)] = batch
        checked = len(in_flight) < 2 * workers
        if checked and meanwhile:
            meanwhile()
        while in_flight:
            for fut in wait_some(in_flight, executor):
                batch = in_flight.pop(fut)
                for row in fut.result():
                    rows.setdefault(row["point"], []).append(row)
                for _ in batch:
                    if on_point:
                        on_point()
                nxt = None if checked else next(batches, None)
                if nxt:
                    in_flight[executor.submit(screen_points, nxt)] = nxt
                elif not checked:
                    checked = True
                    if meanwhile:
                        meanwhile()
    from sim.results import from_rows

    return from_rows([r for k in sorted(rows) for r in rows[k]], sch)
