"""Writing outputs atomically: a folder gets all of its files or none of them.

Files are written into a staging folder beside the destination and moved into place only when
every one of them is complete, so an interrupted or failed run leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

Writer = Callable[[Path], None]


def write_folder(out_dir: str | os.PathLike[str], writers: dict[str, Writer]) -> Path:
    """Create or update ``out_dir`` with one file per entry of ``writers`` (name -> writer).

    Each writer is called with a path inside a staging folder; then the files are moved in.
    """
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, write in writers.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            write(target)
        out.mkdir(exist_ok=True)
        for name in writers:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def csv_writer(frame: pd.DataFrame) -> Writer:
    return lambda path: frame.to_csv(path, index=False)


def json_writer(data: Any) -> Writer:
    return lambda path: path.write_text(json.dumps(data, indent=2, default=str) + "\n")
