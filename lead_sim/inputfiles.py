"""Reading the project's TOML input files, with one clear message for every way that fails.

Four kinds of file are read: scenarios, calibrated parameter files, sweep specs and
calibration configs. :func:`read_toml` turns a missing file, a folder, an unreadable file,
bytes that are not UTF-8, malformed TOML and TOML nested too deeply to read into a
:class:`LeadSimError` naming the file; :func:`check_kind` recognises a file of another kind by
its top-level keys (a scenario given as a calibrated file) and says which kind it is.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from lead_sim.errors import LeadSimError

SCENARIO = "scenario file"
CALIBRATED = "calibrated parameter file"
SWEEP_SPEC = "sweep spec"
CALIBRATION_CONFIG = "calibration config"

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
}


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
