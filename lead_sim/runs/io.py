"""Writing outputs atomically: a folder gets all of its files or none of them.

The folder is written whole into a staging folder beside it and swapped in with one rename
(:mod:`lead_sim.runs.atomic`), so an interrupted or failed run leaves the folder as it was or
complete, never half-written; only one process at a time may write it (a lock file beside it).
Whether the destination can be written at all is checked before any work starts, and if
writing still fails at the end (a full disk, a mount gone), the results go to a rescue folder
under the system's temporary directory rather than being lost.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from lead_sim.errors import LeadSimError
from lead_sim.runs.atomic import Writer, out_lock, remove_rescues, swap_in, write_rescue
from lead_sim.runs.manifest import shareable

#: The manifest ``kind`` of each command's results, by the ``what`` its folder check names.
KINDS = {"run": "lead-sim run", "validation": "lead-sim validate",
         "comparison": "lead-sim compare", "calibration": "lead-sim calibrate"}


def check_out_dir(out_dir: str | os.PathLike[str], key: Mapping[str, Any] | str, *,
                  field: str, what: str, settings: Mapping[str, Any] | None = None) -> None:
    """Refuse an --out folder that holds anything other than this same ``what``.

    A folder is accepted if it is new, empty, or its ``manifest.json`` records the same ``key``
    under ``field``: rerunning a command may rewrite its own results, but never someone's
    other files or the results of a different run. Called before any work and again just
    before writing. When ``key`` is a hash, ``settings`` (manifest entries it was made from)
    lets the refusal name what differs.
    """
    check_out_name(out_dir)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise LeadSimError(f"--out '{out}' is a file, not a folder; nothing was written.")
    check_writable(out)
    if out.parent.is_dir():  # refused if another process writes it; a crash's leftovers repaired
        with out_lock(out):
            pass
    if not out.exists() or not any(out.iterdir()):
        return
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        found = manifest.get(field)
    except (OSError, ValueError, AttributeError):
        manifest, found = {}, None
    kind = manifest.get("kind") if isinstance(manifest, dict) else None
    if kind and kind != KINDS.get(what, kind):  # a validation also records a run_key
        found = None
    if found is None:
        holds = (f"holds results of {kind}, not a {what}" if kind
                 else f"holds no lead-sim {what}")
        raise LeadSimError(f"--out '{out}' is not empty and {holds}; choose a new or empty "
                           "folder. Nothing was written.")
    if isinstance(key, Mapping) and isinstance(found, Mapping):
        key = shareable(dict(key))  # as the manifest recorded it: paths relative, not absolute
        if found == key:
            return
        detail = _differences(found, key)
    elif found == key:
        return
    elif settings:
        detail = _differences(manifest, settings)
    else:
        detail = " (other scenarios, seeds, parameters or horizon)"
    raise LeadSimError(f"--out '{out}' holds a different {what}{detail}; choose another folder "
                       "or delete it. Nothing was written.")


def _differences(found: Mapping[str, Any], ours: Mapping[str, Any]) -> str:
    """" (differs in: a, b)" for the entries of ``ours`` that ``found`` records otherwise."""
    ours = json.loads(json.dumps(shareable(dict(ours)), default=str))
    differs = sorted(k for k in ours if found.get(k) != ours[k])
    return f" (differs in: {', '.join(differs)})" if differs else " (made by another version)"


#: The longest folder name, and the longest path, that Linux and macOS file systems take.
NAME_MAX, PATH_MAX = 255, 4096
#: What the folders and lock kept beside --out NAME add to its name: ``.NAME.staging-<12 hex>``
#: (lead_sim.runs.atomic), the longest of them.
SIBLING_EXTRA = len(".") + len(".staging-") + 12


def check_out_name(out_dir: str | os.PathLike[str]) -> None:
    """Refuse an --out path the file system would refuse as too long, before any work."""
    out = Path(out_dir).absolute()
    longest = max(out.parts, key=lambda part: len(os.fsencode(part)))
    own = len(os.fsencode(out.name))
    if (len(os.fsencode(longest)) > NAME_MAX or own > NAME_MAX - SIBLING_EXTRA
            or len(os.fsencode(str(out))) + SIBLING_EXTRA >= PATH_MAX):
        raise LeadSimError(
            f"--out '{out_dir}' is too long: a folder name may have at most {NAME_MAX} bytes, "
            f"and the --out folder's own name at most {NAME_MAX - SIBLING_EXTRA} (its staging "
            f"folder and lock beside it add {SIBLING_EXTRA}; here it has {own}, the longest "
            f"name {len(os.fsencode(longest))}), and a whole path fewer than {PATH_MAX:,}. "
            "Choose a shorter name. Nothing was run.")


def check_writable(out_dir: str | os.PathLike[str]) -> None:
    """Refuse, before any work, an --out folder that cannot be created or written.

    The test is the real operation: a staging folder is made (and removed) in the nearest
    folder that exists, which is where :func:`write_folder` will need to write.
    """
    check_out_name(out_dir)
    out = Path(out_dir).absolute()
    base = next(p for p in (out, *out.parents) if p.exists())
    try:
        Path(tempfile.mkdtemp(prefix=".lead-sim-probe.", dir=base)).rmdir()
    except OSError as exc:
        raise LeadSimError(f"--out '{out_dir}': cannot write in '{base}' ({exc.strerror}); "
                           "choose a folder you can write to. Nothing was run.") from None


def write_folder(out_dir: str | os.PathLike[str], writers: dict[str, Writer]) -> Path:
    """Create or update ``out_dir`` with one file per entry of ``writers`` (name -> writer).

    Each writer is called with a path inside a staging folder that becomes ``out_dir`` in one
    rename, files of ``out_dir`` not rewritten included; ``manifest.json`` is written last. A
    writer that fails leaves ``out_dir`` as it was. If the folder cannot be put in place, the
    files are written to a rescue folder instead and the error says where.
    """
    with out_lock(out_dir) as out:
        try:
            swap_in(out, writers)
        except OSError as exc:
            reason = f"{exc.strerror or exc} ({exc.filename})" if exc.filename else str(exc)
            try:
                rescue = write_rescue(out, writers)
            except OSError:
                raise LeadSimError(f"Could not write the results to '{out_dir}': {reason}."
                                   ) from None
            raise LeadSimError(f"Could not write the results to '{out_dir}': {reason}. They "
                               f"were saved to '{rescue}' instead.") from None
        remove_rescues(out)
    return Path(out_dir)


def csv_writer(frame: pd.DataFrame) -> Writer:
    return lambda path: frame.to_csv(path, index=False)


def json_writer(data: Any) -> Writer:
    return lambda path: path.write_text(json.dumps(data, indent=2, default=str) + "\n",
                                        encoding="utf-8")
