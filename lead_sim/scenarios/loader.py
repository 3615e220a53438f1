"""Reading scenario TOML files into checked :class:`Scenario` objects.

A file may name a parent with ``extends`` (a built-in name or a path relative to the file): the
parent's parameters and timeline come first and the child's are laid on top. Every problem is
reported as a :class:`LeadSimError` naming the file and the key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import Any

from lead_sim.errors import LeadSimError, close_matches
from lead_sim.inputfiles import SCENARIO, check_kind, read_toml
from lead_sim.neighbourhoods import resolve_areas
from lead_sim.params import REGISTRY, Params
from lead_sim.scenarios.schema import FIRST_DATE, LAST_DATE, Scenario, TimelineEntry

TOP_KEYS = ("name", "description", "extends", "start_date", "end_date", "params", "timeline")
ENTRY_KEYS = ("date", "cover", "set", "note")


def builtin_dir() -> Path:
    """The folder of built-in scenarios (``lead_sim/scenarios/builtin/``).

    They ship inside the package (as package data) so that an installed lead_sim finds them
    without a repository checkout. LEAD_SIM_CONFIGS=DIR uses ``DIR/scenarios`` instead.
    """
    env = os.environ.get("LEAD_SIM_CONFIGS")
    return Path(env) / "scenarios" if env else Path(__file__).resolve().parent / "builtin"


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, runnable by name."""
    return sorted(p.stem for p in builtin_dir().glob("*.toml"))


def load_scenario(name_or_path: str | os.PathLike[str]) -> Scenario:
    """Load a built-in scenario by name, or a scenario TOML file by path."""
    data, source = _read_chain(str(name_or_path), seen=())
    return _build(data, source)


def locate_scenario(name_or_path: str, relative_to: Path | None = None,
                    where: str | None = None) -> Path:
    """The file of a built-in scenario's name or of a path (taken relative to ``relative_to``).
    An error names ``where`` the name was given (a key of a file), when given."""
    try:
        return _locate(name_or_path, relative_to)
    except LeadSimError as exc:
        if where is None:
            raise
        raise LeadSimError(f"{where}: {exc}") from None


def _locate(name_or_path: str, relative_to: Path | None) -> Path:
    if not name_or_path.strip():
        raise LeadSimError("The scenario name is empty: give a built-in scenario's name "
                           f"({', '.join(builtin_names())}) or the path to a .toml file.")
    if name_or_path in builtin_names():
        return builtin_dir() / f"{name_or_path}.toml"
    path = Path(name_or_path)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    try:
        path.stat()
    except FileNotFoundError:
        pass
    except OSError as exc:  # a name too long, a loop of links, no permission
        raise LeadSimError(f"Scenario '{name_or_path}' cannot be read: {exc.strerror}.") from None
    if path.is_dir():
        raise LeadSimError(f"Scenario '{path}' is a folder, not a scenario file; give a "
                           "built-in scenario's name or the path to a .toml file.")
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise LeadSimError(f"Scenario file '{path}' does not exist.")
        return path
    raise LeadSimError(
        f"Unknown scenario '{name_or_path}'.{close_matches(name_or_path, builtin_names())} "
        f"Built-in scenarios: {', '.join(builtin_names())}; or give the path to a .toml file."
    )


def _read_toml(path: Path) -> dict[str, Any]:
    data = read_toml(path, SCENARIO)
    check_kind(data, SCENARIO, path)
    return data


def _read_chain(name_or_path: str, seen: tuple[Path, ...], relative_to: Path | None = None,
                where: str | None = None) -> tuple[dict[str, Any], str]:
    """Read a file and its ``extends`` parents, merged parent-first."""
    path = locate_scenario(name_or_path, relative_to, where).resolve()
    if path in seen:
        raise LeadSimError(f"Scenario '{path}' extends itself (through {seen[-1]}).")
    data = _read_toml(path)
    _check_keys(data, TOP_KEYS, f"'{path}'")
    if not isinstance(data.get("params", {}), dict):
        raise LeadSimError(f"[params] in '{path}' must be a table of NAME = VALUE.")
    data["timeline"] = _timeline(data.get("timeline", []), f"'{path}'")
    data.setdefault("name", path.stem)  # never the parent's name: runs are labelled by it
    parent_name = data.pop("extends", None)
    if parent_name is None:
        return data, str(path)
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise LeadSimError(f"'extends' in '{path}' must name a parent scenario: a built-in "
                           f"scenario's name or the path to a .toml file; got {parent_name!r}.")
    parent, _ = _read_chain(parent_name, (*seen, path), path.parent, f"'extends' in '{path}'")
    merged = {**parent, **data}
    if "description" not in data:  # the parent's own words would describe the wrong scenario
        merged["description"] = (f"{parent['name']}, changed by {path.name}: "
                                 f"{parent.get('description', '')}").rstrip(": ")
    merged["params"] = {**parent.get("params", {}), **data.get("params", {})}
    merged["timeline"] = [*parent.get("timeline", []), *data.get("timeline", [])]
    return merged, str(path)


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise LeadSimError(
                f"Unknown key '{key}' in {where}.{close_matches(key, allowed)} "
                f"Allowed keys: {', '.join(allowed)}."
            )


def _date(value: Any, where: str) -> dt.date:
    date = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        date = value
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            date = dt.date.fromisoformat(value)
    if date is None or not FIRST_DATE <= date <= LAST_DATE:
        raise LeadSimError(f"{where} must be a date like 2011-10-01, from {FIRST_DATE} to "
                           f"{LAST_DATE}; got {date or value!r}.")
    return date


def _build(data: dict[str, Any], source: str) -> Scenario:
    where = f"'{source}'"
    for key in ("name", "start_date", "end_date"):
        if key not in data:
            raise LeadSimError(f"Scenario file {where} lacks '{key}'.")
    start = _date(data["start_date"], f"start_date in {where}")
    end = _date(data["end_date"], f"end_date in {where}")
    if end <= start:
        raise LeadSimError(f"end_date {end} in {where} must come after start_date {start}.")
    params = data.get("params", {})
    if not isinstance(params, dict):
        raise LeadSimError(f"[params] in {where} must be a table of NAME = VALUE.")
    Params.with_overrides(params, f"[params] of {where}")
    timeline = _merge_same_day(sorted(data.get("timeline", []), key=lambda e: e.date))
    return Scenario(
        name=str(data["name"]), description=str(data.get("description", "")),
        start_date=start, end_date=end, params=dict(params), timeline=tuple(timeline),
        source=source,
    )


def _merge_same_day(timeline: list[TimelineEntry]) -> list[TimelineEntry]:
    """One entry per date: a child's entry on a parent's date adds areas and its settings win
    (the timeline is sorted stably, parent first), and both notes are kept."""
    merged: list[TimelineEntry] = []
    for entry in timeline:
        if merged and merged[-1].date == entry.date:
            last = merged[-1]
            merged[-1] = TimelineEntry(
                date=entry.date, cover=tuple(dict.fromkeys((*last.cover, *entry.cover))),
                set={**last.set, **entry.set},
                note="; ".join(n for n in (last.note, entry.note) if n))
        else:
            merged.append(entry)
    return merged


def _timeline(raw: Any, where: str) -> list[TimelineEntry]:
    """One file's own ``[[timeline]]`` entries, checked before it is merged with a parent's,
    so that an error's entry number counts entries in the file it names."""
    if not isinstance(raw, list):
        raise LeadSimError(f"'timeline' in {where} must be a list of [[timeline]] tables.")
    entries = [_entry(entry, i, where) for i, entry in enumerate(raw)]
    first: dict[tuple[dt.date, str], int] = {}
    for i, entry in enumerate(entries):
        for name, value in entry.set.items():
            j = first.setdefault((entry.date, name), i)
            if entries[j].set[name] != value:
                raise LeadSimError(
                    f"[[timeline]] entries {j + 1} and {i + 1} of {where} both set '{name}' on "
                    f"{entry.date} ({entries[j].set[name]!r} and {value!r}); keep one.")
    return entries


def _entry(raw: Any, index: int, where: str) -> TimelineEntry:
    at = f"[[timeline]] entry {index + 1} of {where}"
    if not isinstance(raw, dict):
        raise LeadSimError(f"{at} must be a table with date, cover, set and note.")
    _check_keys(raw, ENTRY_KEYS, at)
    if "date" not in raw:
        raise LeadSimError(f"{at} lacks 'date'.")
    cover = raw.get("cover", [])
    if not isinstance(cover, list) or not all(isinstance(c, str) for c in cover):
        raise LeadSimError(f"'cover' in {at} must be a list of area or group names (strings), "
                           f"e.g. [\"west\"]; got {cover!r}.")
    changes = raw.get("set", {})
    if not isinstance(changes, dict):
        raise LeadSimError(f"'set' in {at} must be a table of NAME = VALUE.")
    Params.with_overrides(changes, at)
    fixed = [name for name in changes if REGISTRY[name].start_only]
    if fixed:
        raise LeadSimError(
            f"{at} sets {', '.join(map(repr, fixed))}, which can only be set at the start (the "
            "model sizes the population and scales budgets once); set it in [params], or with "
            "--set NAME=VALUE, instead.")
    return TimelineEntry(
        date=_date(raw["date"], f"'date' in {at}"),
        cover=tuple(resolve_areas(cover, at)),
        set=dict(changes),
        note=str(raw.get("note", "")),
    )
