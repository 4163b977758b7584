"""The output folder of a run: one run at a time, and nothing lost.

A run locks ``--out`` (a lock on the folder itself, which dies with the
process holding it), writes every file into a scratch folder *inside* it, so a
mount point or a folder in a non-writable parent works and no move crosses a
file system, then moves the files into place. The earlier files are set aside
until every new one has moved; a failure, or a signal, puts them back whole.

The tool replaces or removes only files it can show it wrote: those listed in
the folder's manifest (written by each run), or, in a run folder of an earlier
version without a manifest, the output names when its ``results.gpkg`` says
this software made it. Any other file under an output's name is the user's,
and the run is refused before the analysis starts. Scratch left by a run that
was killed outright is removed by the next run, which holds the lock.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path

from . import __version__, interrupt
from .catalogue import Msg
from .errors import InputError
from .metadata import read_run_metadata

MANIFEST = ".aldersvennlig.json"
SCRATCH = ".aldersvennlig-scratch-"
_PROBE_BYTES = 4 << 20  # after a failed write: can 4 MiB still be written here? (a map page is 1-3 MiB)

# Faults of the folder, not of the tool: reported as input errors (exit 2) with a reason in the user's language.
REASONS = {
    errno.ENOSPC: "full", errno.EDQUOT: "quota", errno.EROFS: "read_only", errno.EACCES: "denied",
    errno.EPERM: "denied", errno.ENAMETOOLONG: "too_long", errno.ENOTDIR: "not_folder", errno.EFBIG: "full",
    errno.EEXIST: "broken_link", errno.ELOOP: "broken_link",
}


def reason(exc: OSError) -> Msg | str:
    """Why a file could not be written, in the user's language where the cause is known."""
    key = REASONS.get(exc.errno)
    return Msg(f"err.reason.{key}") if key else (exc.strerror or str(exc))


def folder_error(out: Path, exc: OSError) -> InputError:
    """The one-line error for ``exc`` met while writing ``out``."""
    return InputError("out_not_writable", out=out, reason=reason(exc))


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


class OutputFolder:
    """``--out`` held for one run: ``with OutputFolder(out, names) as f:``, write into
    ``f.scratch``, then ``f.commit()``.

    ``names`` are the file names a run may write; those that exist and are not
    the tool's refuse the folder at once.
    """

    def __init__(self, out: Path, names: set[str]) -> None:
        self.out = Path(out)
        self.names = set(names)
        self.scratch: Path | None = None
        self._fd: int | None = None
        self._created: Path | None = None  # the first folder of --out this run made

    def __enter__(self) -> OutputFolder:
        out = self.out
        try:
            if out.exists() and not out.is_dir():
                raise InputError("out_not_folder", out=out)
            self._created = next((p for p in [out, *out.parents] if not p.exists() and p.parent.exists()), None)
            out.mkdir(parents=True, exist_ok=True)
            self._lock()
            for old in out.glob(f"{SCRATCH}*"):  # left by a run that was killed outright
                _remove(old)
            self.owned = self._owned()
            foreign = sorted(n for n in self.names - self.owned if (out / n).exists())
            if foreign:
                raise InputError("out_foreign_file", path=out / foreign[0])
            self.scratch = Path(tempfile.mkdtemp(prefix=SCRATCH, dir=out))
        except OSError as exc:
            self.__exit__(None, None, None)
            raise folder_error(out, exc) from None
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
        folder = self.out
        while self._created is not None and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # a failed first run leaves no empty folders behind (maps/ of the default --out too)
            if folder == self._created:
                break
            folder = folder.parent
        if self._fd is not None:
            os.close(self._fd)  # releases the lock
            self._fd = None

    def _lock(self) -> None:
        self._fd = os.open(self.out, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError("out_locked", out=self.out) from None
        except OSError:
            pass  # a file system without locks (some network shares): run unlocked

    def _owned(self) -> set[str]:
        """Names in ``out`` the tool wrote: its manifest, else all output names of an earlier version's run folder."""
        try:
            listed = json.loads((self.out / MANIFEST).read_text(encoding="utf-8"))["files"]
            return {n for n in listed if isinstance(n, str) and "/" not in n and n not in ("", ".", "..")}
        except (OSError, ValueError, KeyError, TypeError):
            return set(self.names) if read_run_metadata(self.out) is not None else set()

    def unwritable(self, exc: BaseException) -> InputError | None:
        """After a writer failed with ``exc``: the folder's fault, if it is one (full, quota, read-only)."""
        if isinstance(exc, OSError) and exc.errno in REASONS:
            return folder_error(self.out, exc)
        try:
            fd, probe = tempfile.mkstemp(dir=self.scratch)
            try:
                left = memoryview(bytes(_PROBE_BYTES))
                while left:  # a write cut short by a full disk returns a count; the next one raises ENOSPC
                    left = left[os.write(fd, left) :]
                os.fsync(fd)
            finally:
                os.close(fd)
                os.unlink(probe)
        except OSError as probe_exc:
            return folder_error(self.out, probe_exc)
        return None

    def commit(self) -> list[Path]:
        """Move every file in the scratch folder into place and write the manifest.

        Earlier files of the tool that this run did not write are removed. On any
        failure the earlier result is put back whole.

        Returns
        -------
        list of Path
            The files now in place.
        """
        out, scratch = self.out, self.scratch
        new = sorted(p.name for p in scratch.iterdir())
        manifest = scratch / MANIFEST
        aside = Path(tempfile.mkdtemp(prefix="previous-", dir=scratch))
        moved, placed = [], []
        interrupt.check()  # a run asked to stop never replaces the earlier result
        with interrupt.deferred():
            try:
                manifest.write_text(
                    json.dumps({"software": f"aldersvennlig_gis {__version__}", "files": new}, indent=1), encoding="utf-8"
                )
                for name in sorted((set(new) | self.owned) & {p.name for p in out.iterdir()}):
                    os.rename(out / name, aside / name)
                    moved.append(name)
                for name in new:
                    os.rename(scratch / name, out / name)
                    placed.append(name)
                os.replace(manifest, out / MANIFEST)
            except BaseException as exc:
                for name in placed:
                    _remove(out / name)
                for name in moved:
                    os.rename(aside / name, out / name)
                if isinstance(exc, OSError):
                    raise folder_error(out, exc) from None
                raise
        self.owned = set(new)
        return [out / n for n in new]
