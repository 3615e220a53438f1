"""Reading the project's TOML input files, with one clear message for every way that fails.

Four kinds of file are read: scenarios, calibrated parameter files, sweep specs and
calibration configs. :func:`read_toml` turns a missing file, a folder, an unreadable file,
bytes that are not UTF-8, malformed TOML and TOML nested too deeply to read into a
:class:`LeadSimError` naming the file; :func:`check_kind` recognises a file of another kind by
its top-level keys (a scenario given as a calibrated file) and says which kind it is.

Some kinds are also built in: package data under ``lead_sim/data/<folder>/`` (the folder in
:data:`BUILTIN_FOLDERS`), so an installed copy runs them by name (``lead-sim sweep
morris_screen``). :func:`locate` turns what a user typed, a built-in's name or a path, into the
file to read; :func:`shown_name` names a built-in file by that name in outputs. A new built-in
kind is a folder under ``lead_sim/data/`` and an entry in :data:`BUILTIN_FOLDERS`.
"""

from __future__ import annotations

import difflib
import logging
import os
import tomllib
from pathlib import Path
from typing import Any

from lead_sim.errors import LeadSimError

logger = logging.getLogger(__name__)

SCENARIO = "scenario file"
CALIBRATED = "calibrated parameter file"
SWEEP_SPEC = "sweep spec"
CALIBRATION_CONFIG = "calibration config"
OPTIMIZE_CONFIG = "optimize config"

#: Top-level keys that only one kind of file has, and how that kind is used.
MARKERS: dict[str, tuple[tuple[str, ...], str]] = {
    SCENARIO: (("start_date", "end_date", "timeline", "extends"),
               "run it with 'lead-sim run FILE', or name it in a sweep spec or calibration "
               "config's 'scenario'"),
    CALIBRATED: (("posterior", "calibration"), "give it with --calibrated FILE"),
    SWEEP_SPEC: (("method", "samples", "outcomes", "groups", "parameters", "options",
                  "discovery", "baseline"), "run it with 'lead-sim sweep FILE --out DIR'"),
    CALIBRATION_CONFIG: (("parameter", "target", "candidates", "accept", "generations"),
                         "run it with 'lead-sim calibrate FILE --out DIR'"),
    OPTIMIZE_CONFIG: (("objectives", "variable", "budget_cap", "pop_size", "generations"),
                      "run it with 'lead-sim optimize FILE --out DIR'"),
}


#: The package data folder of the built-in input files.
DATA_DIR = Path(__file__).resolve().parent / "data"

#: Kinds of file that are also built in, and their folder under :data:`DATA_DIR`.
BUILTIN_FOLDERS: dict[str, str] = {
    SWEEP_SPEC: "sweeps",
    CALIBRATION_CONFIG: "calibration",
    OPTIMIZE_CONFIG: "optimize",
}


def builtin_names(kind: str) -> list[str]:
    """The names of the built-in files of ``kind``, sorted."""
    return sorted(p.stem for p in (DATA_DIR / BUILTIN_FOLDERS[kind]).glob("*.toml"))


def builtin_path(kind: str, name: str) -> Path:
    """The file of the built-in ``kind`` called ``name``; an unknown name is refused with the
    built-in names listed (and the closest one suggested)."""
    names = builtin_names(kind)
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise LeadSimError(f"There is no built-in {kind} called '{name}'.{hint} Built in: "
                           f"{', '.join(names) or 'none'}; or give the path to a .toml file.")
    return DATA_DIR / BUILTIN_FOLDERS[kind] / f"{name}.toml"


def locate(kind: str, name_or_path: str | os.PathLike[str]) -> Path:
    """The file a user means by ``name_or_path``: an existing file, else a built-in's name
    (``morris_screen``, no folder and no ``.toml``). A path that does not exist is returned
    as it is, so :func:`read_toml` reports it with :func:`missing_hint`."""
    text = os.fspath(name_or_path)
    path = Path(text)
    if path.is_file() or kind not in BUILTIN_FOLDERS:
        return path
    if os.sep not in text and "/" not in text and path.suffix != ".toml":
        found = builtin_path(kind, text)
        logger.debug("%s '%s' is the built-in %s", kind, text, found)
        return found
    return path


def missing_hint(kind: str, path: str | os.PathLike[str]) -> str:
    """What to add to the message of a ``kind`` file that does not exist: the built-in of the
    same name (``configs/sweeps/morris_screen.toml`` is now ``morris_screen``), or the
    built-in names."""
    if kind not in BUILTIN_FOLDERS:
        return ""
    names = builtin_names(kind)
    stem = Path(path).stem
    if stem in names:
        return f" '{stem}' is built in: give its name, '{stem}', instead of a path."
    return f" Built-in {kind}s, run by name: {', '.join(names)}."


def shown_name(path: str | os.PathLike[str]) -> str | None:
    """The name of the built-in file at ``path``, or None if it is not a built-in one."""
    try:
        relative = Path(path).resolve().relative_to(DATA_DIR)
    except (ValueError, OSError):
        return None
    parts = relative.parts
    if (len(parts) == 2 and parts[0] in BUILTIN_FOLDERS.values()
            and relative.suffix == ".toml"):
        return relative.stem
    return None


def read_toml(path: str | os.PathLike[str], kind: str, hint: str = "") -> dict[str, Any]:
    """The TOML table in file ``path`` (a ``kind`` of file, e.g. :data:`SCENARIO`).

    ``hint`` is added to the message of a file that does not exist (where such files live).
    """
    where = f"{kind[0].upper()}{kind[1:]} '{path}'"
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise LeadSimError(f"{where} does not exist.{hint}") from None
    except IsADirectoryError:
        raise LeadSimError(f"{where} is a folder, not a file; give the path to the .toml "
                           "file.") from None
    except OSError as exc:
        raise LeadSimError(f"Cannot read {kind} '{path}': {exc.strerror or exc}.") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LeadSimError(
            f"{where} is not UTF-8 text: byte 0x{raw[exc.start]:02x} at position {exc.start} "
            "cannot be read. TOML files must be saved as UTF-8.") from None
    try:
        data = tomllib.loads(text)
    except ValueError as exc:  # TOMLDecodeError, or an integer too long to read
        raise LeadSimError(f"{where} is not valid TOML: {exc}.") from None
    except RecursionError:
        raise LeadSimError(f"{where} nests arrays or tables too deeply to read; a {kind} needs "
                           "at most a few levels.") from None
    return data


def check_kind(data: dict[str, Any], kind: str, path: str | os.PathLike[str]) -> None:
    """Refuse a file of another kind than ``kind``, recognised by a top-level key only that
    other kind has, naming the kind it is and how it is used."""
    own = MARKERS[kind][0]
    for other, (keys, usage) in MARKERS.items():
        found = [k for k in data if k in keys and k not in own]
        if other != kind and found:
            raise LeadSimError(
                f"'{path}' is a {other} (it has '{found[0]}'), not a {kind}; {usage}.")
