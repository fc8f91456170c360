"""Index the findings list's CVSS sort on the score itself, NULLs included.

Migration 2 indexed ``ifnull(cvss, -1)``, which puts every finding without a
score (nearly all informational ones, usually hidden) first in ascending
order, so the first page walked past all of them. The list now reads the
scores and the findings without one as two ranges of this index.
"""

from __future__ import annotations

from sqlite_utils import Database

VERSION = 6
DESCRIPTION = "CVSS sort index on the score, so findings without one page apart"


def apply(db: Database) -> None:
    db.conn.execute("DROP INDEX IF EXISTS findings_sort_cvss")
    db.conn.execute("CREATE INDEX findings_sort_cvss ON findings (cvss, id)")
