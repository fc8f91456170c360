"""Sort the findings list by host numerically: a ``host_sort`` column with its own index.

Sorting on ``host`` compared addresses as text, so 10.0.0.10 came before
10.0.0.2. ``host_sort`` holds ``patchtui.store.host_order.host_sort_key(host)``,
which the import writes for each new finding; a finding's host never changes.
"""

from __future__ import annotations

from sqlite_utils import Database

from patchtui.store.host_order import fill_host_sort

VERSION = 7
DESCRIPTION = "numeric host order for the findings list"


def apply(db: Database) -> None:
    db.conn.execute("ALTER TABLE findings ADD COLUMN host_sort TEXT NOT NULL DEFAULT ''")
    fill_host_sort(db.conn)
    db.conn.execute("DROP INDEX IF EXISTS findings_sort_host")
    db.conn.execute("CREATE INDEX findings_sort_host ON findings (host_sort, id)")
