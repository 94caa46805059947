"""Output folders that are safe by construction: named, checked, probed, written and replaced.

Every command writes through this module, so one set of rules holds everywhere:

- A folder name derived from a scenario, sweep or file name is a :func:`slug` (letters, digits,
  ``.``, ``_``, ``-``; no separator, no leading dot, at most :data:`MAX_SLUG` characters, with a
  short hash of the full name when cut), and :func:`derived_folder` asserts that it lands inside
  the chosen parent.
- Every folder the tool writes carries its marker: ``manifest.json`` with ``"tool":
  "housing-sim"``. ``--force`` replaces only a marked folder (or one an earlier version wrote,
  recognised by its own record, :func:`is_ours`); any other folder, a symbolic link or a file is
  refused and left as it is.
- :func:`prepare_target` checks and probes the destination (creates the parent, creates and
  removes a probe file) before any simulation starts.
- Results are written in a hidden temporary folder ``.NAME.tmp-PID`` (or file ``.NAME.tmp-PID``)
  beside the target, held under an ``fcntl.flock`` by its writer for its lifetime, and renamed into
  place when complete. Temporaries whose writer is gone are removed by the next write beside them
  (:func:`clean_stale`); a live writer's are never touched.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sim.inputs.errors import InputError

TOOL = "housing-sim"
MARKER = "manifest.json"
MAX_SLUG = 80
MAX_SLUG_BYTES = 160  # file names are limited to 255 bytes; leave room for ".NAME.tmp-PID"
LOCK = ".lock"  # inside a temporary folder; removed before the folder is renamed into place
PROJECT_ROOT = Path(__file__).resolve().parents[2]
_TEMP = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old|probe)-(?P<pid>\d+)$")
# Single-file temporaries of earlier versions (no process number): only the names they wrote.
_LEGACY_FILE_TEMP = re.compile(
    r"^\.(part-\d+\.parquet|design\.parquet|sweep\.json|trials\.csv|fitted\.csv|fitted\.toml)\.tmp$"
)


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------


def slug(name: str, limit: int = MAX_SLUG) -> str:
    """A folder name made from ``name``: readable, safe, bounded, and distinct when cut.

    Letters and digits of any script are kept (``Højgårdsparken`` stays as it is); any other
    character but ``.``, ``_`` and ``-`` becomes ``_``; leading dots, dashes and underscores are
    dropped. A name
    longer than ``limit`` characters (or :data:`MAX_SLUG_BYTES` bytes) is cut and ends in ``-`` and
    eight hex digits of the full name's SHA-256, so two long names never share a folder and a cut
    name never equals an unrelated folder's name by accident.
    """
    text = unicodedata.normalize("NFC", str(name))
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in text)
    safe = re.sub(r"_{2,}", "_", safe).lstrip("._-")
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not safe.strip("._-"):
        return f"unnamed-{digest}"
    if len(safe) <= limit and len(safe.encode()) <= MAX_SLUG_BYTES:
        return safe
    cut = safe[: limit - 9]
    while len(cut.encode()) > MAX_SLUG_BYTES - 9:
        cut = cut[:-1]
    return f"{cut.rstrip('._-')}-{digest}"


def derived_folder(parent: Path, name: str) -> Path:
    """``parent / slug(name)``, asserted (by resolving) to lie directly inside ``parent``."""
    folder = Path(parent) / slug(name)
    if folder.resolve().parent != Path(parent).resolve():
        raise InputError(f"{folder}: the output folder would not lie inside {parent}; choose another --out")
    return folder


# ---------------------------------------------------------------------------------------------
# The marker
# ---------------------------------------------------------------------------------------------


def marker(kind: str, **fields: Any) -> dict[str, Any]:
    """The marker fields every manifest the tool writes begins with."""
    found = {
        "tool": TOOL,
        "kind": kind,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        **fields,
    }
    found["tool"] = TOOL  # never overridden by ``fields`` (the key keeps its first place)
    return found


def write_marker(folder: Path, kind: str, **fields: Any) -> None:
    """Write a minimal ``manifest.json`` (commands with more to record overwrite it)."""
    (folder / MARKER).write_text(json.dumps(marker(kind, **fields), indent=2) + "\n", encoding="utf-8")


def _json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_ours(folder: Path) -> bool:
    """Whether ``folder`` (a real folder, not a link) was written by this tool.

    Marked folders carry ``manifest.json`` with ``"tool": "housing-sim"``. Folders written before
    the marker existed are recognised by the record each kind kept: a ``manifest.json`` or
    ``sweep.json`` listing the version of this package, an analysis's ``summary.json`` or a
    calibration's ``settings.json``.
    """
    if folder.is_symlink() or not folder.is_dir():
        return False
    manifest = _json(folder / MARKER)
    if manifest is not None and manifest.get("tool") == TOOL:
        return True
    for name in (MARKER, "sweep.json"):
        record = _json(folder / name)
        if record is not None and isinstance(record.get("versions"), dict) and "sim" in record["versions"]:
            return True
    summary = _json(folder / "summary.json")
    if summary is not None and {"planned_runs", "succeeded_runs"} <= summary.keys():
        return True
    settings = _json(folder / "settings.json")
    return settings is not None and {"sampler_seed", "targets", "parameters"} <= settings.keys()


# ---------------------------------------------------------------------------------------------
# Checking and probing a destination
# ---------------------------------------------------------------------------------------------


def _protected(resolved: Path) -> str | None:
    """Why ``resolved`` (a resolved path) must never be an output folder, or None."""
    places = {
        "the current folder": Path.cwd().resolve(),
        "the project folder": PROJECT_ROOT,
        "the home folder": Path.home().resolve(),
    }
    for what, place in places.items():
        if resolved == place:
            return f"is {what}"
        if place.is_relative_to(resolved):
            return f"contains {what}"
    return None


def check_target(target: Path, force: bool, *, keep: Iterable[Path] = ()) -> None:
    """Refuse a destination that cannot or must not be written; change nothing.

    Refused: the current, project or home folder (or a folder holding one), a symbolic link, a
    file, an existing folder without ``force``, and with ``force`` a folder this tool did not
    write or one that holds any of ``keep`` (the command's own inputs).
    """
    target = Path(target)
    try:
        _check_target(target, force, keep)
    except OSError as exc:  # say, a parent folder that may not be read
        raise InputError(
            f"{target}: cannot check the output folder ({exc.strerror or type(exc).__name__}); "
            "choose another --out (nothing was changed)"
        ) from None
    except RuntimeError:  # a loop of symbolic links
        raise InputError(f"{target}: the path loops through symbolic links; choose another --out") from None
    except ValueError:  # an embedded NUL character
        raise InputError(f"{target!r}: not a valid path; choose another --out") from None


def _check_target(target: Path, force: bool, keep: Iterable[Path]) -> None:
    why = _protected(target.resolve())
    if why:
        raise InputError(
            f"{target}: output folder {why}; choose a new folder for --out (nothing was changed)"
        )
    if target.is_symlink():
        raise InputError(
            f"{target}: output folder is a symbolic link; give the real folder to --out (nothing was changed)"
        )
    if not target.exists():
        return
    if not target.is_dir():
        raise InputError(f"{target}: exists and is not a folder; choose another --out (nothing was changed)")
    if not force:
        raise InputError(
            f"{target}: output folder exists; pass --force to overwrite it (nothing was changed)"
        )
    if not is_ours(target):
        raise InputError(
            f"{target}: --force replaces only a folder this tool wrote (with its {MARKER}); "
            "this one is not, so it was left as it is; choose another --out"
        )
    resolved = target.resolve()
    for path in keep:
        if Path(path).resolve().is_relative_to(resolved):
            raise InputError(
                f"{target}: --force would replace the folder that holds the input {path}; "
                "choose another --out (nothing was changed)"
            )


def probe(target: Path) -> None:
    """Make sure ``target`` can be created: create its parent, then create and remove a probe file.

    Parent folders created here are removed again when the probe fails.
    """
    target = Path(target)
    parent = target.parent
    created = []
    try:
        missing = parent
        while not missing.exists() and missing != missing.parent:
            created.append(missing)
            missing = missing.parent
        parent.mkdir(parents=True, exist_ok=True)
        probe_file = parent / f".{target.name}.probe-{os.getpid()}"
        fd = os.open(probe_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
        probe_file.unlink()
    except (OSError, ValueError) as exc:
        for folder in created:  # deepest first; only empty folders go
            with suppress(OSError):
                folder.rmdir()
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise InputError(
            f"{target}: cannot write the output folder there ({reason}); choose another --out "
            "(nothing was run)"
        ) from None


def prepare_target(target: Path, force: bool, *, keep: Iterable[Path] = ()) -> None:
    """Check and probe an output folder before any work starts (see :func:`check_target`)."""
    check_target(target, force, keep=keep)
    probe(target)


def check_file_target(path: Path) -> None:
    """Probe that a single output file can be written beside its folder (creating the folder)."""
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError(f"{path}: exists and is not a regular file; choose another path (nothing was run)")
    probe(path)


# ---------------------------------------------------------------------------------------------
# Temporaries and their writers
# ---------------------------------------------------------------------------------------------


def _lock_is_free(path: Path) -> bool:
    """Whether nobody holds an flock on ``path`` (a missing file holds no lock)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
    finally:
        os.close(fd)  # closing releases a lock taken here
    return True


def _writer_gone(pid: int, modified: float) -> bool:
    """Whether process ``pid`` cannot be the one that last modified a temporary at ``modified``.

    Either no such process exists, or the process now holding that number started afterwards
    (the number was reused).
    """
    import psutil

    try:
        started = psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return True
    except psutil.Error:
        return False
    return started > modified + 1.0  # create_time is derived from the boot time: allow for rounding


def is_stale(path: Path) -> bool:
    """Whether a temporary (``.NAME.tmp-PID``, ``.NAME.old-PID``, ``.NAME.probe-PID``) is abandoned.

    Its writer holds an flock (on the lock file in a temporary folder, or on a temporary file
    itself) for its lifetime, so a held lock means a live writer. A free lock is not enough on
    its own (a writer takes it a moment after creating the temporary), so the writer's process
    must also be gone: no process with its number, or one that started after the temporary was
    last modified. A single-file temporary of an earlier version (``.NAME.tmp``, no number) is
    abandoned when its lock is free.
    """
    match = _TEMP.match(path.name)
    try:
        info = path.lstat()
    except OSError:
        return False
    lock = path / LOCK if path.is_dir() and not path.is_symlink() else path
    if not _lock_is_free(lock):
        return False
    if match is None:
        return bool(_LEGACY_FILE_TEMP.match(path.name)) and path.is_file() and not path.is_symlink()
    return _writer_gone(int(match["pid"]), info.st_mtime)


def remove_path(path: Path) -> None:
    """Remove a file, a link (never what it points to) or a folder tree without following links."""
    if path.is_symlink() or not path.is_dir():
        with suppress(FileNotFoundError):
            path.unlink()
        return
    # rmtree removes links inside the tree without following them (on Linux it works on file
    # descriptors, so not even a link swapped in meanwhile leads it out: rmtree.avoids_symlink_attacks).
    shutil.rmtree(path)


def _is_temporary(path: Path) -> bool:
    """Whether the name is one of this tool's temporaries: folders .tmp-/.old-, files .tmp-/.probe-."""
    match = _TEMP.match(path.name)
    folder = path.is_dir() and not path.is_symlink()
    if match is None:
        return not folder and bool(_LEGACY_FILE_TEMP.match(path.name))
    return match["kind"] in (("tmp", "old") if folder else ("tmp", "probe"))


def clean_stale(directory: Path) -> list[Path]:
    """Remove the abandoned temporaries in ``directory``; return what was removed."""
    removed = []
    try:
        entries = list(Path(directory).iterdir())
    except OSError:
        return removed
    for path in entries:
        if not _is_temporary(path):
            continue
        if is_stale(path):
            with suppress(OSError):
                remove_path(path)
                removed.append(path)
    return removed


_cleaned: set[Path] = set()


def _clean_once(directory: Path) -> None:
    key = Path(directory).absolute()
    if key not in _cleaned:
        _cleaned.add(key)
        clean_stale(directory)


@contextmanager
def _locked_temp_folder(target: Path) -> Iterator[tuple[Path, int]]:
    """A fresh ``.NAME.tmp-PID`` beside ``target``, with its lock held; removed on an exception."""
    clean_stale(target.parent)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    if tmp.exists() or tmp.is_symlink():
        remove_path(tmp)  # our own number: a leftover of this very process
    tmp.mkdir()
    fd = os.open(tmp / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield tmp, fd
    except BaseException:
        with suppress(OSError):
            remove_path(tmp)
        raise
    finally:
        os.close(fd)


def _swap_into_place(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` to ``target``; a previous ``target`` (checked as ours) is removed afterwards."""
    (tmp / LOCK).unlink()  # the writer keeps its lock on the open file until it is done
    old = None
    if target.exists() or target.is_symlink():
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        target.rename(old)
    try:
        tmp.rename(target)
    except BaseException:
        if old is not None:
            old.rename(target)  # the previous results stay where they were
        raise
    if old is not None:
        remove_path(old)


@contextmanager
def atomic_folder(
    target: Path, force: bool, kind: str = "results", keep: Iterable[Path] = ()
) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` when the block succeeds.

    The folder is checked again (:func:`check_target`) and starts with the tool's marker; on an
    exception the temporary folder is removed and ``target`` is left as it was.
    """
    target = Path(target)
    check_target(target, force, keep=keep)
    probe(target)
    with _locked_temp_folder(target) as (tmp, _):
        if not (tmp / MARKER).exists():
            write_marker(tmp, kind)
        yield tmp
        manifest = _json(tmp / MARKER)
        if manifest is None or manifest.get("tool") != TOOL:
            write_marker(tmp, kind, **(manifest or {}))
        check_target(target, force, keep=keep)  # the destination may have changed meanwhile
        _swap_into_place(tmp, target)


def fresh_folder(
    target: Path,
    force: bool,
    kind: str,
    fill: Callable[[Path], None] | None = None,
    keep: Iterable[Path] = (),
) -> Path:
    """Put a new marked folder in place of ``target`` (replacing one of ours when forced).

    For commands that go on writing into their folder (a sweep's parts, a calibration's study):
    the folder exists from the start with its marker and whatever ``fill`` writes. It is checked
    and probed as :func:`atomic_folder` does.
    """
    with atomic_folder(target, force, kind, keep) as tmp:
        if fill is not None:
            fill(tmp)
    return Path(target)


def write_file_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write one file under a hidden temporary name beside it, then rename it into place.

    ``write`` is given the temporary path ``.NAME.tmp-PID``, locked by this process until it is
    renamed. A reader never sees a half-written file: hidden names (a leading dot) are never read
    as results, and abandoned ones are removed by the next write in the same folder.
    """
    path = Path(path)
    _clean_once(path.parent)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    finally:
        os.close(fd)
