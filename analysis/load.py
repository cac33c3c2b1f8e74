"""Reading a result directory (never the model)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq


def read_table(result_dir: str | Path, table: str) -> pd.DataFrame:
    return pq.read_table(Path(result_dir) / f"{table}.parquet").to_pandas()


def read_manifest(result_dir: str | Path) -> dict:
    return json.loads((Path(result_dir) / "manifest.json").read_text())
