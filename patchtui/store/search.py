"""Full-text search over findings: the query syntax and keeping the index current.

The ``findings_fts`` table (migration 2) holds, per finding, its name, CVEs,
host names and the plugin output of its latest sighting, with the finding id
as rowid. The admin's words are never passed to FTS5 as query syntax: each
word becomes a quoted prefix term, so quotes, brackets, ``AND`` or ``*`` in the
input are searched for as text.
"""

from __future__ import annotations

import sqlite3

_HOST_TEXT = (
    "f.host || ' ' || ifnull(a.hostname, '') || ' ' || ifnull(a.fqdn, '')"
    " || ' ' || ifnull(a.netbios, '')"
)
_LATEST_OUTPUT = (
    "(SELECT o.plugin_output FROM observations o WHERE o.finding_id = f.id"
    " ORDER BY o.seen_at DESC, o.scan_id DESC LIMIT 1)"
)


def match_expression(text: str | None) -> str | None:
    """Turn the admin's search words into an FTS5 query, or None when nothing is searchable.

    Every word must match (as a prefix of an indexed word, or a phrase for
    words such as ``10.0.0.5`` or ``CVE-2021-44228`` that the tokenizer
    splits). Words without a letter or digit cannot match any indexed token
    and are left out.
    """
    if not text:
        return None
    terms = []
    for word in text.split():
        if not any(char.isalnum() for char in word):
            continue
        terms.append('"' + word.replace('"', '""') + '"*')
    return " ".join(terms) or None


def search_condition(text: str) -> tuple[str, list[str]]:
    """Return the SQL condition over ``findings f`` for a text search, and its parameters.

    A search with no searchable word matches nothing, so the admin sees an
    empty list rather than every finding.
    """
    expression = match_expression(text)
    if expression is None:
        return "0", []
    return "f.id IN (SELECT rowid FROM findings_fts WHERE findings_fts MATCH ?)", [expression]


def refresh_for_scan(conn: sqlite3.Connection, scan_id: int) -> None:
    """Re-index every finding the scan saw; call inside the import's transaction.

    NOTE: a host name learnt from this scan reaches only the findings this
    scan saw; the host's other findings keep the names they were indexed with
    until a later scan sees them.
    """
    conn.execute(
        "DELETE FROM findings_fts WHERE rowid IN"
        " (SELECT finding_id FROM observations WHERE scan_id = ?)",
        (scan_id,),
    )
    conn.execute(
        "INSERT INTO findings_fts (rowid, name, cves, host, output)"
        f" SELECT f.id, f.name, f.cves, {_HOST_TEXT}, {_LATEST_OUTPUT}"
        " FROM observations s JOIN findings f ON f.id = s.finding_id"
        " JOIN assets a ON a.id = f.asset_id WHERE s.scan_id = ?",
        (scan_id,),
    )
