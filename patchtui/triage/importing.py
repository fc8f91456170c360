"""Import report files: detect, parse and record each one in its own transaction."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock
from patchtui.errors import ReportError
from patchtui.importers import parse_report, read_head
from patchtui.store.ingest import ImportSummary, Progress, ScanFile, find_scan_by_hash, ingest


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's content, reading it in chunks."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as err:
        raise ReportError(path, f"cannot read the file: {err.strerror}") from err
    return digest.hexdigest()


def import_file(
    db: Database,
    path: Path,
    *,
    clock: Clock = system_clock,
    actor: str | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import one report file and return its summary.

    A file imported before (same SHA-256) changes nothing and its summary says so.
    Raises ``ReportError`` for a file that cannot be read or parsed, and
    ``ImportCancelled`` when ``progress`` cancels; either way nothing is written.
    """
    read_head(path)
    sha256 = file_sha256(path)
    earlier = find_scan_by_hash(db, sha256)
    if earlier is not None:
        return ImportSummary(file=str(path), scan_id=earlier, duplicate_of=earlier)
    source = ScanFile(
        file_name=str(path),
        sha256=sha256,
        modified_at=datetime.fromtimestamp(int(path.stat().st_mtime), UTC),
        imported_at=clock(),
        actor=actor or current_actor(),
    )
    _, records = parse_report(path)
    return ingest(db, records, source, progress)


