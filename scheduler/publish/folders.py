"""Writing an output folder whole, and only over what bilateral itself wrote.

An output folder is built aside and swapped in at the end, so it never mixes two runs. The swap removes the
folder that was there before, so it is allowed only when that folder is new, empty, or a previous output of
bilateral holding nothing else: a marker file lists every file bilateral wrote with its SHA-256, and a folder
with any other file, a changed file or a symbolic link is refused before any work starts. `replace=True` (the
CLI's `--replace`) lifts that refusal, but never for the root folder, the home folder or one of its parents,
the current folder or one of its parents, never for a file or a symbolic link, and the removal never follows a
symbolic link out of the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

MARKER = ".bilateral-output.json"
_WRITER = "bilateral"


class FolderRefused(Exception):
    """The folder may not be replaced; `reason` says why in one line, naming the folder and the first obstacle."""

    def __init__(self, folder: Path, reason: str) -> None:
        super().__init__(f"{folder}: {reason}")
        self.folder = folder
        self.reason = reason


def check_target(target: Path, replace: bool = False) -> None:
    """Raise FolderRefused unless `target` may be replaced whole by a new output. Touches nothing."""
    target = Path(target)
    _refuse_protected(target)
    if target.is_symlink():
        raise FolderRefused(target, "is a symbolic link; name the folder itself as the output folder")
    if not target.exists():
        return
    if not target.is_dir():
        raise FolderRefused(target, "is a file, not a folder; nothing was touched")
    if replace:
        return
    foreign = first_foreign_entry(target)
    if foreign is not None:
        raise FolderRefused(
            target,
            f"not replaced: {foreign}. Nothing was touched; choose a new or empty folder, "
            "or add --replace to replace the folder and everything in it",
        )


def _refuse_protected(target: Path) -> None:
    """The folders that are never replaced, whatever the options."""
    where = target.resolve()
    here = Path.cwd().resolve()
    if where == Path(where.anchor):
        raise FolderRefused(target, "is the root folder; an output folder is replaced whole, so it must be its own")
    home = Path.home().resolve()
    if where == home:
        raise FolderRefused(target, "is the home folder; an output folder is replaced whole, so it must be its own")
    if where in home.parents:
        raise FolderRefused(
            target, "is a parent of the home folder; an output folder is replaced whole, so it must be its own"
        )
    if where == here:
        raise FolderRefused(target, "is the current folder; an output folder is replaced whole, so it must be its own")
    if where in here.parents:
        raise FolderRefused(
            target, "is a parent of the current folder; an output folder is replaced whole, so it must be its own"
        )


def first_foreign_entry(folder: Path) -> str | None:
    """What in `folder` bilateral did not write (first in path order), or None when it holds only its output."""
    written = _read_marker(folder)
    for name, path in sorted(_leaves(folder)):
        if name == MARKER and written is not None:
            continue
        if path.is_symlink():
            return f"it holds {name}, a symbolic link bilateral did not write"
        if path.is_dir():
            return f"it holds the empty folder {name}/, which bilateral did not write"
        if written is None or name not in written:
            return f"it holds {name}, which bilateral did not write"
        if _digest(path) != written[name]:
            return f"{name} was changed after bilateral wrote it"
    return None


def _leaves(folder: Path, prefix: str = "") -> Iterator[tuple[str, Path]]:
    """Every file, link and empty folder below `folder` as (relative path, path), never following a link."""
    with os.scandir(folder) as entries:
        found = [(prefix + e.name, Path(e.path), e.is_dir(follow_symlinks=False)) for e in entries]
    for name, path, is_folder in found:
        below = list(_leaves(path, name + "/")) if is_folder else []
        yield from below or [(name, path)]


def _read_marker(folder: Path) -> dict[str, str] | None:
    """The marker's file list (relative path -> SHA-256), or None when there is no readable marker."""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        content = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    files = content.get("files") if isinstance(content, dict) and content.get("written_by") == _WRITER else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        return None
    return files


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_marker(folder: Path) -> None:
    files = {name: _digest(path) for name, path in sorted(_leaves(folder)) if path.is_file()}
    content = {"written_by": _WRITER, "note": "files written by bilateral; the folder is replaced on its next run",
               "files": files}
    (folder / MARKER).write_text(json.dumps(content, indent=1) + "\n", encoding="utf-8")


def write_folder(target: Path, fill: Callable[[Path], None], replace: bool = False) -> None:
    """Build the folder's content aside with `fill`, then swap it in, so `target` never mixes two runs.

    Raises FolderRefused (nothing touched) when `target` is not bilateral's to replace (see `check_target`);
    checked again just before the swap, in case the folder changed while the content was built."""
    target = Path(target)
    check_target(target, replace)
    parent = target.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
    try:
        fill(staging)
        _write_marker(staging)
        os.chmod(staging, 0o755)
        check_target(target, replace)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=parent))
            os.replace(target, retired / "old")
            os.replace(staging, target)
            # rmtree removes links themselves, never what they point to
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
