"""All-or-nothing output folders: an exclusive lock, one-rename swaps and recovery.

An --out folder ``DIR/NAME`` is only ever written by a process holding ``DIR/.NAME.lock``
(``fcntl.flock``, exclusive, non-blocking), so a second process writing the same folder is
refused at once with the holder's pid. The lock sits beside the folder, not in it, because the
folder itself is replaced: its new contents are built in ``DIR/.NAME.staging-*`` (files the
folder holds that are not rewritten are carried over as hard links, ``manifest.json`` is written
last), then the old folder is renamed aside to ``DIR/.NAME.old-*`` and the staging folder
renamed in. A crash leaves either the old folder or the new one at ``DIR/NAME``, or (between
the two renames) the old one aside; whoever takes the lock next puts it back and removes
leftover staging and aside folders. The lock is re-entrant within a process and its file is
removed on release. Results that cannot be moved in are saved to a rescue folder under the
system's temporary directory, named after the folder (``lead-sim-rescue-NAME-HASH-*``); only
the newest is kept, and it is removed once the folder is written.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from lead_sim.errors import LeadSimError

Writer = Callable[[Path], None]
MANIFEST = "manifest.json"
#: Locks this process holds: folder -> [file descriptor, depth, time taken].
_held: dict[Path, list] = {}


def real(out_dir: str | os.PathLike[str]) -> Path:
    """The folder as one absolute path, whatever name (relative, via a link) it is given by."""
    return Path(os.path.realpath(out_dir))


def lock_path(out_dir: str | os.PathLike[str]) -> Path:
    out = real(out_dir)
    return out.parent / f".{out.name}.lock"


@contextmanager
def out_lock(out_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the exclusive lock on ``out_dir``, refusing if another process holds it.

    On taking it, a crash of an earlier writer is repaired (see :func:`recover`). Folders above
    ``out_dir`` that had to be made for the lock file are removed again if left empty.
    """
    out = real(out_dir)
    if out in _held:
        _held[out][1] += 1
        try:
            yield out
        finally:
            _held[out][1] -= 1
        return
    made = _make_parents(out.parent)
    try:
        since = time.time()
        fd = _acquire(out, out_dir)
        _held[out] = [fd, 1, since]
        try:
            recover(out, since)
            yield out
        finally:
            del _held[out]
            with suppress(FileNotFoundError):
                os.unlink(lock_path(out))
            os.close(fd)
    finally:
        for folder in made:
            try:
                folder.rmdir()
            except OSError:
                break


def _make_parents(folder: Path) -> list[Path]:
    """Make ``folder`` and the folders above it that are missing; those made, deepest first."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for path in reversed(missing):
        path.mkdir(exist_ok=True)
    return missing


def _acquire(out: Path, given: str | os.PathLike[str]) -> int:
    path = lock_path(out)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise LeadSimError(
                f"Another lead-sim process is writing to --out '{given}' (pid {pid}); wait "
                "for it or choose another folder. Nothing was run.") from None
        except BaseException:
            os.close(fd)
            raise
        try:  # the holder before us may have removed the file: lock the one at the path
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                break
        except FileNotFoundError:
            pass
        os.close(fd)
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _leftovers(out: Path, since: float) -> list[Path]:
    """Staging and aside folders of ``out`` made before ``since`` (by writers now gone)."""
    name = re.escape(out.name)
    pattern = re.compile(rf"\.{name}\.((staging|old)-[0-9a-f]+|[a-z0-9_]{{8}})")
    found = []
    for path in out.parent.iterdir() if out.parent.is_dir() else ():
        if pattern.fullmatch(path.name) and path.is_dir() and not path.is_symlink():
            try:
                if path.stat().st_mtime < since:
                    found.append(path)
            except FileNotFoundError:
                pass
    return found


def recover(out: Path, since: float) -> None:
    """Repair what a killed writer of ``out`` left: the old folder put back if it was renamed
    aside and nothing replaced it, staging and other aside folders removed. Call with the lock
    held (``since``: when it was taken)."""
    leftovers = _leftovers(out, since)
    asides = sorted((p for p in leftovers if p.name.startswith(f".{out.name}.old-")),
                    key=lambda p: p.stat().st_mtime)
    if asides and not os.path.lexists(out):
        os.rename(asides[-1], out)
        leftovers.remove(asides[-1])
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)


def swap_in(out: Path, writers: Mapping[str, Writer]) -> None:
    """Write ``out`` anew in a staging folder and put it in place with one rename."""
    staging = out.parent / f".{out.name}.staging-{secrets.token_hex(6)}"
    staging.mkdir()
    aside = None
    try:
        if out.is_dir():
            shutil.copymode(out, staging)
            _carry_over(out, staging, {Path(n).as_posix() for n in writers})
        write_files(staging, writers)
        if os.path.lexists(out):
            aside = out.parent / f".{out.name}.old-{secrets.token_hex(6)}"
            os.rename(out, aside)
        try:
            os.rename(staging, out)
        except OSError:
            if aside is not None:
                os.rename(aside, out)
                aside = None
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def write_files(folder: Path, writers: Mapping[str, Writer]) -> None:
    """Call each writer with its path in ``folder``; the manifest last, as the mark of a
    complete folder."""
    for name in sorted(writers, key=lambda n: Path(n).as_posix() == MANIFEST):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        writers[name](target)


def _carry_over(src: Path, dst: Path, replaced: set[str]) -> None:
    """Link (or copy) into ``dst`` every file of ``src`` not named in ``replaced``."""
    for root, dirs, files in os.walk(src):
        base = Path(root).relative_to(src)
        for entry in (*dirs, *files):
            source, rel = Path(root) / entry, (base / entry).as_posix()
            target = dst / rel
            if source.is_symlink():
                if rel not in replaced:
                    os.symlink(os.readlink(source), target)
            elif source.is_dir():
                target.mkdir(exist_ok=True)
            elif rel not in replaced:
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copy2(source, target)


def _tag(out: Path) -> str:
    return hashlib.sha256(os.fsencode(out)).hexdigest()[:8]


def write_rescue(out: Path, writers: Mapping[str, Writer]) -> Path:
    """Write the files into a new rescue folder for ``out``; remove its earlier ones."""
    prefix = f"lead-sim-rescue-{out.name[:60]}-{_tag(out)}-"
    rescue = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        write_files(rescue, writers)
    except BaseException:
        shutil.rmtree(rescue, ignore_errors=True)
        raise
    remove_rescues(out, keep=rescue)
    return rescue


def remove_rescues(out: Path, keep: Path | None = None) -> None:
    """Remove the rescue folders of ``out`` (but ``keep``): results now written or newer."""
    for path in Path(tempfile.gettempdir()).glob(f"lead-sim-rescue-*-{_tag(out)}-*"):
        if path != keep and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
