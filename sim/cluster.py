"""Where units run: a local process pool, or a Dask distributed cluster (``--cluster``).

Both are a ``concurrent.futures`` Executor to the runner — the Dask client's executor submits
each batch with ``pure=False`` (every batch is new work, never a cached result) — so a run on a
cluster goes through exactly the code path of a local run and writes identical tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass

from sim.errors import InvalidInput

INSTALL_HINT = ('--cluster needs Dask distributed: pip install "sustain[cluster]" (or '
                'pip install "dask[distributed]") on this machine and on every worker')
CONNECT_TIMEOUT = "10s"


class ClusterUnreachable(Exception):
    """The scheduler did not answer; the message names its address."""


@dataclass
class Pool:
    """An executor (None: run in this process) and how many units it runs at once."""

    executor: Executor | None
    workers: int
    where: str


@contextmanager
def local_pool(workers: int) -> Iterator[Pool]:
    from sim.runner import local_executor, worker_count

    n = worker_count(workers)
    with local_executor(workers) as executor:
        yield Pool(executor, n, f"{n} local process{'es' if n > 1 else ''}"
                   if executor is not None else "this process")


def check_address(address: str) -> None:
    """A scheduler address must look like ``tcp://host:port`` (exit 2 before anything)."""
    scheme, sep, rest = address.partition("://")
    host, colon, port = rest.rpartition(":")
    if not sep or scheme not in ("tcp", "tls", "ucx", "inproc") or (
            scheme != "inproc" and (not colon or not host or not port.isdigit())):
        raise InvalidInput(f"--cluster {address!r}: expected a Dask scheduler address like "
                           "tcp://host:8786")


def require_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InvalidInput(INSTALL_HINT) from None


@contextmanager
def cluster_pool(address: str) -> Iterator[Pool]:
    """The cluster's executor; its worker threads are the units run at once."""
    check_address(address)
    require_distributed()
    from distributed import Client

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnreachable(f"cannot reach the Dask scheduler at {address} ({exc})") from None
    try:
        threads = sum(client.nthreads().values())
        if threads < 1:
            raise ClusterUnreachable(f"the Dask scheduler at {address} has no workers; start "
                                     f"some with: dask worker {address}")
        _same_build(client, address)
        executor = client.get_executor(pure=False)
        yield Pool(executor, threads, f"Dask cluster {address} ({threads} worker threads)")
    finally:
        client.close()


def _same_build(client, address: str) -> None:
    """Every worker must run this build of sustain (the code hash a result records): a worker
    with other code would put another model's units into the tables. Exit 2 naming it."""
    from sim.build import code_sha256

    here = code_sha256()
    try:
        theirs = client.run(_worker_code)
    except Exception as exc:  # noqa: BLE001 - any failure means the build cannot be confirmed
        raise InvalidInput(f"cannot confirm the workers of {address} run this build of sustain "
                           f"({type(exc).__name__}: {exc}); install it on every worker") from None
    other = sorted(w for w, h in theirs.items() if h != here)
    if other:
        raise InvalidInput(f"{len(other)} worker(s) of {address} run another build of sustain "
                           f"than this one (code {here[:12]}): {', '.join(other[:5])}; install "
                           "the same version on every worker")


def _worker_code() -> str:
    try:
        from sim.build import code_sha256
    except ImportError:
        return "sustain not installed"
    return code_sha256()


@contextmanager
def pool_for(workers: int, cluster: str | None) -> Iterator[Pool]:
    if cluster:
        with cluster_pool(cluster) as pool:
            yield pool
    else:
        with local_pool(workers) as pool:
            yield pool
