"""Byte storage for the lake: a local folder or S3, chosen from the root alone.

Every write is atomic (a reader sees no file or a complete one) and every listing is one
walk per prefix, so completeness of thousands of targets costs a handful of calls.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from pipeline.core.errors import StorageError

# OSErrors that mean the lake itself cannot take writes, with the words the message uses.
STORAGE_ERRNOS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a path component is a file, not a folder",
}


class LocalStore:
    # Local reads are one at a time: a small file comes from the page cache in about 12 us,
    # and a thread pool's handoffs cost ten times that (6,575 files: 0.08 s in turn, 0.76 s
    # in 8 threads), decoding in threads fights over the GIL. Compaction's processes use
    # the cores.
    read_threads = 1
    # Compaction decodes thousands of small files: a process per core (see compact.py).
    processes = max(1, min(4, os.cpu_count() or 1))

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def read_bytes(self, path: str) -> bytes:
        with open(path, "rb") as handle:
            return handle.read()

    def write_bytes(self, path: str, data: bytes) -> None:
        """Write the bytes to a nameless file (O_TMPFILE), fsync, then give it its name.

        A kill -9 at any moment leaves no partial file under any name: until the data is
        on disk the file has no name, and the kernel frees it if the process dies. Where
        the file system has no O_TMPFILE, a named temporary file beside the target is
        renamed over it instead (a kill mid-write then leaves a .tmp-*.part behind, which
        listings ignore).

        A lake that cannot be written (disk full, quota, read-only, permission denied, a
        file where a folder should be) is a StorageError: critical, it stops the run."""
        folder = os.path.dirname(path)
        with _storage_errors(path):
            os.makedirs(folder, exist_ok=True)
            if not _write_nameless(folder, path, data):
                _write_named(folder, path, data)

    def write_many(self, files: list[tuple[str, bytes]]) -> None:
        """write_bytes for several files (a fetch's raw body and tables), their fsyncs at
        once so the file system commits them together: 1.8 ms for a fetch's four against
        3.0 ms one after the other. They get their names in the order given, each whole."""
        if len(files) < 2:
            for path, data in files:
                self.write_bytes(path, data)
            return
        written = []  # (folder, path, nameless fd)
        try:
            for path, data in files:
                folder = os.path.dirname(path)
                with _storage_errors(path):
                    os.makedirs(folder, exist_ok=True)
                    written.append((folder, path, _nameless(folder, data)))
            if any(fd is None for _, _, fd in written):  # no O_TMPFILE here
                for path, data in files:
                    self.write_bytes(path, data)
                return
            list(_fsync_threads().map(_synced, written))
            for folder, path, fd in written:
                with _storage_errors(path):
                    _link(folder, fd, path)
        finally:
            for _, _, fd in written:
                if fd is not None:
                    os.close(fd)

    def delete(self, path: str) -> None:
        if os.path.exists(path):
            os.unlink(path)

    def list(self, prefix: str) -> set[str]:
        """Every finished file below prefix (temporary files excluded)."""
        found = set()
        for folder, _, files in os.walk(prefix):
            for name in files:
                if not name.startswith(".tmp-"):
                    found.add(os.path.join(folder, name))
        return found

    def list_versions(self, prefix: str) -> dict[str, tuple[int, str]]:
        """Every finished file below prefix -> (size, version). The version changes whenever
        the file is written again: its modification time, to the nanosecond (not the inode,
        so that a lake copied with its times, or restored from a backup, stays current)."""
        found = {}
        for path in self.list(prefix):
            with contextlib.suppress(FileNotFoundError):  # replaced or deleted meanwhile
                stat = os.stat(path)
                found[path] = (stat.st_size, str(stat.st_mtime_ns))
        return found

    def read_tail(self, path: str, size: int) -> bytes:
        """The last `size` bytes of a file (all of it if smaller)."""
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - size))
            return handle.read()


_FSYNC_THREADS: tuple[int, ThreadPoolExecutor] | None = None  # (pid, pool)


def _fsync_threads() -> ThreadPoolExecutor:
    """This process's threads for write_many's fsyncs, made once: a pool per fetch cost
    more CPU than the fsyncs (starting its threads). A forked process makes its own: threads
    do not survive a fork."""
    global _FSYNC_THREADS
    if _FSYNC_THREADS is None or _FSYNC_THREADS[0] != os.getpid():
        _FSYNC_THREADS = (os.getpid(), ThreadPoolExecutor(8, thread_name_prefix="fsync"))
    return _FSYNC_THREADS[1]


def _synced(written: tuple[str, str, int]) -> None:
    with _storage_errors(written[1]):
        os.fsync(written[2])


@contextlib.contextmanager
def _storage_errors(what: str):
    """A lake that cannot be written (disk full, quota, read-only, permission denied, a file
    where a folder should be) is a StorageError: critical, it stops the run."""
    try:
        yield
    except OSError as exc:
        cause = STORAGE_ERRNOS.get(exc.errno)
        if cause is None:
            raise
        raise StorageError(f"cannot write {what}: {cause}") from exc


def check_writable(folder: str) -> None:
    """A local lake root we can create and write: made if missing, then a probe file
    written and removed. StorageError (one line) otherwise: /proc, /sys, a read-only or
    missing parent, a file in the way."""
    try:
        os.makedirs(folder, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".tmp-preflight-", suffix=".part")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = STORAGE_ERRNOS.get(exc.errno) or exc.strerror or type(exc).__name__
        raise StorageError(f"lake root {folder} cannot be created or written: {reason}") from None


def _write_nameless(folder: str, path: str, data: bytes) -> bool:
    """O_TMPFILE write, then link into place; False where the file system cannot."""
    fd = _nameless(folder, data)
    if fd is None:
        return False
    try:
        os.fsync(fd)
        _link(folder, fd, path)
    finally:
        os.close(fd)
    return True


def _nameless(folder: str, data: bytes) -> int | None:
    """A file with the data and no name yet (its fd), or None where the file system has
    no O_TMPFILE."""
    try:
        fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o644)
    except (AttributeError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno not in (
            errno.EOPNOTSUPP,
            errno.EISDIR,
            errno.EINVAL,
        ):
            raise
        return None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        raise
    return fd


def _link(folder: str, fd: int, path: str) -> None:
    """Give a nameless file (its data on disk by now) its name, replacing any file there."""
    folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        nameless = f"/proc/self/fd/{fd}"
        # A dir fd makes Python call linkat(AT_SYMLINK_FOLLOW), which links the file
        # itself rather than the /proc symlink.
        name = os.path.basename(path)
        try:
            os.link(nameless, name, dst_dir_fd=folder_fd, follow_symlinks=True)
        except FileExistsError:
            # Replacing a file: link under a temporary name (the data is whole by now),
            # then rename over the old one.
            tmp = f".tmp-{os.getpid()}-{fd}-{time.monotonic_ns():x}.part"
            os.link(nameless, tmp, dst_dir_fd=folder_fd, follow_symlinks=True)
            os.replace(tmp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    finally:
        os.close(folder_fd)


def _write_named(folder: str, path: str, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def store_for(root: str, s3_client: Callable[[], object] | None = None):
    """The store for a lake root: s3://... goes to S3, anything else is a local folder.
    s3_client returns the process's S3 client (the runtime hands its own in); without
    one, the store builds a client from the [s3] config when it first needs one."""
    if not root.startswith("s3://"):
        return _LOCAL
    from pipeline.lake.s3.client import build_client
    from pipeline.lake.s3.store import S3Store

    return S3Store(s3_client or _built_once(build_client))


def _built_once(factory: Callable[[], object]) -> Callable[[], object]:
    built: list = []

    def get():
        if not built:
            built.append(factory())
        return built[0]

    return get


_LOCAL = LocalStore()
