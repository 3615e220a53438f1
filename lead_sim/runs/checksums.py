"""Checksums for the files and records that resumable work keeps on disk.

Sweeps, calibration and optimisation resume from what an earlier, perhaps killed, process left
behind. A file whose bytes changed since it was written (a bad disk, a hand edit, a truncated
copy) must not feed silently into the results, so each carries a SHA-256 digest taken when it
was written:

- a whole file (a result shard) carries it in its own name, ``<stem>-<digest16><suffix>``, so
  the file and its checksum appear together with one rename and nothing else records them;
- a line of a log (an evaluation record) carries it as a ``"sha"`` field over the record's other
  fields, so a damaged line is found among good ones.

What fails its check is moved into a ``set_aside`` folder beside it (never deleted: it may be
the only copy of something a user wants to inspect), and its work is done again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

DIGEST_CHARS = 16
SET_ASIDE = "set_aside"
_NAMED = re.compile(rf"-(?P<digest>[0-9a-f]{{{DIGEST_CHARS}}})$")


def digest(data: bytes) -> str:
    """The short SHA-256 digest used throughout (16 hex characters, 64 bits)."""
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARS]


def file_digest(path: str | os.PathLike[str]) -> str:
    """The digest of a file's bytes."""
    return digest(Path(path).read_bytes())


def name_with_digest(stem: str, data: bytes, suffix: str) -> str:
    """The file name that carries ``data``'s digest: ``<stem>-<digest><suffix>``."""
    return f"{stem}-{digest(data)}{suffix}"


def named_digest(path: str | os.PathLike[str]) -> str | None:
    """The digest a file's name claims, or None for a name without one (an older file)."""
    match = _NAMED.search(Path(path).name.removesuffix("".join(Path(path).suffixes)))
    return match["digest"] if match else None


def matches_name(path: str | os.PathLike[str]) -> bool:
    """True if the file's bytes still have the digest its name records."""
    claimed = named_digest(path)
    try:
        return claimed is not None and file_digest(path) == claimed
    except OSError:
        return False


def sign_record(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of a JSON record with a ``sha`` field over its other fields."""
    body = {k: v for k, v in record.items() if k != "sha"}
    return {**body, "sha": digest(_canonical(body))}


def record_intact(record: dict[str, Any]) -> bool:
    """True if a record's ``sha`` field matches its other fields."""
    body = {k: v for k, v in record.items() if k != "sha"}
    return record.get("sha") == digest(_canonical(body))


def set_aside(path: str | os.PathLike[str], reason: str) -> Path:
    """Move a damaged file into ``set_aside/`` beside it, with a note saying why; returns the
    new path. The file is kept, not deleted."""
    path = Path(path)
    folder = path.parent / SET_ASIDE
    folder.mkdir(exist_ok=True)
    stamp = time.strftime('%Y%m%dT%H%M%S')
    target = folder / f"{stamp}-{path.name}"
    n = 1
    while target.exists():  # the same name set aside twice within a second: keep both
        target = folder / f"{stamp}-{n}-{path.name}"
        n += 1
    os.replace(path, target)
    target.with_name(target.name + ".why.txt").write_text(reason + "\n", encoding="utf-8")
    return target


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
