"""Paging through the findings list by keyset, for lists of any length.

A page is fetched with ``WHERE (key, id) > (?, ?) ORDER BY key, id LIMIT n``
(reversed for descending order), which reads only the rows it returns when
the sort key has an index with the id as tie-breaker. Offsets are never
used: at a million rows ``LIMIT/OFFSET`` costs tens of milliseconds a page,
a keyset step well under one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlite_utils import Database

from patchtui.importers.model import SEVERITIES
from patchtui.store.search import search_condition

SORT_KEYS = {
    "priority": "f.priority",
    "severity": "f.severity",
    "status": "f.status",
    "host": "f.host_sort",
    "port": "f.port",
    "cvss": "f.cvss",
    "name": "f.name",
    "cves": "f.cves",
    "first_seen": "f.first_seen",
    "last_seen": "f.last_seen",
    "due": "f.due_at",
}
"""SQL of each sort key, each matching an index with the id as tie-breaker (``priority``
and ``due`` from migration 3, ``cvss`` from migration 6, ``host`` from migration 7, the others
from migration 2)."""

SORT_INDEXES = {key: f"findings_sort_{key}" for key in SORT_KEYS} | {"due": "findings_sort_due_at"}
"""The index that orders the list by each sort key."""

NULLABLE_KEYS = ("cvss", "due")
"""Sort keys whose NULLs come last in the list, whichever the direction. Row values
never compare with NULL, so the keyset reads that block apart."""

DENSE_MATCHES = 5000
"""Matches above which a page is read along the sort index rather than sorted.

With at least this many matches, walking the sort index meets a page of
matches quickly: at a million findings, 100 rows take about 20,000 index steps
when the matches are spread evenly along the sort order (more when they
bunch at its far end). With fewer, reading the matches through the filter's
own index and sorting them is faster, and walking could cross the whole index."""

MIN_QOD = 70
"""OpenVAS results below this quality of detection are hidden by default, as Greenbone does."""

RESOLVED_STATUSES = ("fixed", "false_positive")
"""Statuses the default list hides: nothing is left to do for them."""

_COLUMNS = (
    "f.id, f.severity, f.status, f.host, f.port, f.protocol, f.cvss, f.name, f.cves,"
    " f.first_seen, f.last_seen, f.scanner, f.qod"
)


@dataclass(slots=True)
class ListQuery:
    """The filters and order of the findings list; empty fields do not restrict."""

    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    scanners: tuple[str, ...] = ()
    asset_id: int | None = None
    host: str | None = None
    """Substring of the asset's key (IP address) or any host name it was seen with."""
    search: str | None = None
    """Words searched in the full-text index (name, CVEs, host names, latest plugin output)."""
    show_hidden: bool = False
    """Show info findings (``severities`` can also include them), low-QoD results, and
    resolved findings (``statuses`` can also include them)."""
    overdue_at: str | None = None
    """When set, only findings whose due date is before this UTC time. The policy leaves
    ``due_at`` empty for findings that need no fix, so this is its overdue rule."""
    sort: str = "priority"
    """The default is the priority order of ``patchtui.triage.priority``, highest first."""
    descending: bool = True

    def with_changes(self, **changes: Any) -> ListQuery:
        """Return a copy with some fields changed."""
        return replace(self, **changes)


@dataclass(slots=True)
class ListRow:
    """One row of the findings list."""

    id: int
    sort_value: Any
    severity: int
    status: str
    host: str
    port: int
    protocol: str
    cvss: float | None
    name: str
    cves: str
    first_seen: str
    last_seen: str
    scanner: str
    qod: int | None
    due_at: str | None = None
    priority: int | None = None


class FindingPager:
    """Fetch pages of the findings list from one connection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.has_due = "due_at" in {column.name for column in db["findings"].columns}
        self._dense: dict[tuple[str, tuple[Any, ...]], bool] = {}

    def where(self, query: ListQuery) -> tuple[str, list[Any]]:
        """Return the SQL condition over ``findings f`` for ``query`` and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        for column, values in (("f.status", query.statuses), ("f.scanner", query.scanners)):
            if values:
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                params += values
        if not query.statuses and not query.show_hidden:
            clauses.append(f"f.status NOT IN ({', '.join('?' * len(RESOLVED_STATUSES))})")
            params += RESOLVED_STATUSES
        if query.severities:
            clauses.append(f"f.severity IN ({', '.join('?' * len(query.severities))})")
            params += [SEVERITIES.index(name) for name in query.severities]
        elif not query.show_hidden:
            clauses.append("f.severity > 0")
        if not query.show_hidden:
            clauses.append("(f.qod IS NULL OR f.qod >= ?)")
            params.append(MIN_QOD)
        if query.asset_id is not None:
            clauses.append("f.asset_id = ?")
            params.append(query.asset_id)
        if query.host:
            clauses.append(
                "f.asset_id IN (SELECT a.id FROM assets a WHERE a.key LIKE ? ESCAPE '\\'"
                " OR a.id IN (SELECT n.asset_id FROM asset_names n"
                " WHERE n.kind IN ('hostname', 'fqdn', 'netbios') AND n.value LIKE ? ESCAPE '\\'))"
            )
            params += [_like(query.host)] * 2
        if query.search:
            condition, search_params = search_condition(query.search)
            clauses.append(condition)
            params += search_params
        if query.overdue_at is not None and self.has_due:
            clauses.append("f.due_at < ?")
            params.append(query.overdue_at)
        return (" AND ".join(clauses) or "1"), params

    def first(self, query: ListQuery, limit: int) -> list[ListRow]:
        """Return the first ``limit`` rows."""
        return self._fetch(query, None, forward=True, limit=limit)

    def last(self, query: ListQuery, limit: int) -> list[ListRow]:
        """Return the last ``limit`` rows, in list order."""
        return self._fetch(query, None, forward=False, limit=limit)

    def after(self, query: ListQuery, row: ListRow, limit: int) -> list[ListRow]:
        """Return up to ``limit`` rows that follow ``row``."""
        return self._fetch(query, (row.sort_value, row.id), forward=True, limit=limit)

    def before(self, query: ListQuery, row: ListRow, limit: int) -> list[ListRow]:
        """Return up to ``limit`` rows that precede ``row``, in list order."""
        return self._fetch(query, (row.sort_value, row.id), forward=False, limit=limit)

    def count(self, query: ListQuery) -> int:
        """Return how many findings match; this reads every match, so it is slow at a million."""
        condition, params = self.where(query)
        return int(self.db.execute(f"SELECT count(*) FROM findings f WHERE {condition}",
                                   params).fetchone()[0])

    def ids(self, query: ListQuery, limit: int) -> list[int]:
        """Return the ids of up to ``limit`` matching findings, in list order."""
        key = self._sort_key(query)
        condition, params = self.where(query)
        direction = "DESC" if query.descending else "ASC"
        nulls = " NULLS LAST" if query.sort in NULLABLE_KEYS else ""
        rows = self.db.execute(
            f"SELECT f.id FROM findings f WHERE {condition}"
            f" ORDER BY {key} {direction}{nulls}, f.id {direction} LIMIT ?",
            [*params, limit],
        )
        return [row[0] for row in rows]

    def _sort_key(self, query: ListQuery) -> str:
        if query.sort not in SORT_KEYS or (query.sort in ("due", "priority") and not self.has_due):
            raise ValueError(f"cannot sort findings by {query.sort!r}")
        return SORT_KEYS[query.sort]

    def _fetch(self, query: ListQuery, start: tuple[Any, int] | None, *, forward: bool,
               limit: int) -> list[ListRow]:
        key = self._sort_key(query)
        condition, params = self.where(query)

        # Reading forward in a descending list walks the index downwards, and so on.
        upwards = query.descending != forward
        direction = "ASC" if upwards else "DESC"
        due = ", f.due_at, f.priority" if self.has_due else ""
        index = f"INDEXED BY {SORT_INDEXES[query.sort]}" if self._is_dense(condition, params) else ""
        parts = _segments(key, start, upwards=upwards, forward=forward) if (
            query.sort in NULLABLE_KEYS) else [_keyset(key, start, upwards)]

        rows: list[ListRow] = []
        for segment, segment_params in parts:
            cursor = self.db.execute(
                f"SELECT {key} AS sort_value, {_COLUMNS}{due} FROM findings f {index}"
                f" WHERE {condition} AND {segment}"
                f" ORDER BY {key} {direction}, f.id {direction} LIMIT ?",
                [*params, *segment_params, limit - len(rows)],
            )
            rows += [_row(record) for record in cursor]
            if len(rows) >= limit:
                break
        return rows if forward else rows[::-1]

    def _is_dense(self, condition: str, params: list[Any]) -> bool:
        """Return whether at least ``DENSE_MATCHES`` findings match, remembering the answer.

        SQLite has no statistics to choose between walking the sort index and
        sorting the matches, and a wrong choice costs a full index walk or a
        sort of most of the table, so the pager counts up to the threshold once
        per filter. The answer only chooses a plan, so a stale one is harmless.
        """
        cache_key = (condition, tuple(params))
        dense = self._dense.get(cache_key)
        if dense is None:
            found = self.db.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM findings f WHERE {condition} LIMIT ?)",
                [*params, DENSE_MATCHES],
            ).fetchone()[0]
            dense = found >= DENSE_MATCHES
            if len(self._dense) > 64:
                self._dense.clear()
            self._dense[cache_key] = dense
        return dense


def _keyset(key: str, start: tuple[Any, int] | None, upwards: bool) -> tuple[str, list[Any]]:
    """Return the condition that selects the rows after ``start`` along the index."""
    if start is None:
        return "1", []
    return f"({key}, f.id) {'>' if upwards else '<'} (?, ?)", list(start)


def _segments(key: str, start: tuple[Any, int] | None, *, upwards: bool, forward: bool
              ) -> list[tuple[str, list[Any]]]:
    """Return the conditions that select, in order, the rows after ``start`` of a nullable key.

    The list shows the key's values in its order, then the NULLs by id in the
    same direction, so findings without a score or due date come last either
    way. Each part is read with its own condition, because a row value such as
    ``(NULL, id) > (?, ?)`` is never true.
    """
    comparison = ">" if upwards else "<"
    every_value, every_null = (f"{key} IS NOT NULL", []), (f"{key} IS NULL", [])
    if start is None:
        return [every_value, every_null] if forward else [every_null, every_value]

    value, finding_id = start
    if value is None:
        later_nulls = (f"{key} IS NULL AND f.id {comparison} ?", [finding_id])
        return [later_nulls] if forward else [later_nulls, every_value]
    later_values = (f"{key} IS NOT NULL AND ({key}, f.id) {comparison} (?, ?)", [value, finding_id])
    return [later_values, every_null] if forward else [later_values]


def _row(record: tuple[Any, ...]) -> ListRow:
    sort_value, *values = record
    return ListRow(values[0], sort_value, *values[1:])


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
