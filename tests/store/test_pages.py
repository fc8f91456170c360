"""Keyset paging and full-text search over findings, against a real imported database."""

from __future__ import annotations

from pathlib import Path

import pytest

from patchtui.store import open_db, pages
from patchtui.store.pages import NULLABLE_KEYS, SORT_KEYS, FindingPager, ListQuery
from patchtui.store.search import match_expression
from patchtui.triage.importing import import_file
from tests.tui.tui_reports import Host, Item, many_findings, small_network, write_report

SORTS = list(SORT_KEYS)


@pytest.fixture(params=["sorted", "index walk"])
def pager(request, tmp_path: Path, monkeypatch) -> FindingPager:
    """A pager over 600 findings on 30 hosts plus the small network's eleven.

    Each test runs twice: with the real threshold every filter here is sparse
    (its matches are sorted), and with a threshold of 1 every filter is dense
    (the pager walks the sort index).
    """
    if request.param == "index walk":
        monkeypatch.setattr(pages, "DENSE_MATCHES", 1)
    db = open_db(tmp_path / "pages.db")
    import_file(db, write_report(tmp_path / "small.nessus", small_network()))
    hosts = many_findings(hosts=30, items=20)
    for number, host in enumerate(hosts):
        for item in host.items:
            item.severity = (item.plugin_id + number) % 5
            item.cvss3 = None if item.severity == 0 else float(item.severity * 2)
    import_file(db, write_report(tmp_path / "many.nessus", hosts))
    return FindingPager(db)


def walk(pager: FindingPager, query: ListQuery, page: int) -> list[int]:
    rows = pager.first(query, page)
    ids = [row.id for row in rows]
    while len(rows) == page:
        rows = pager.after(query, rows[-1], page)
        ids += [row.id for row in rows]
    return ids


def full_order(pager: FindingPager, query: ListQuery) -> list[int]:
    """The order a plain ORDER BY over every match gives, the reference for paging."""
    return pager.ids(query, 1_000_000)


def test_due_dates_mixed(pager: FindingPager) -> None:
    # The due-date sort pages NULLs apart; this data must have both kinds.
    nulls, dated = pager.db.execute(
        "SELECT sum(due_at IS NULL), sum(due_at IS NOT NULL) FROM findings").fetchone()
    assert nulls > 0
    assert dated > 0


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("descending", [True, False])
def test_forward_pages_match_full_order(pager: FindingPager, sort: str, descending: bool) -> None:
    query = ListQuery(sort=sort, descending=descending, show_hidden=True)
    expected = full_order(pager, query)
    assert len(expected) == 611
    assert walk(pager, query, 37) == expected


@pytest.mark.parametrize("sort", SORTS)
def test_backward_pages_match_full_order(pager: FindingPager, sort: str) -> None:
    query = ListQuery(sort=sort)
    expected = full_order(pager, query)
    rows = pager.last(query, 50)
    ids = [row.id for row in rows]
    while len(rows) == 50:
        rows = pager.before(query, rows[0], 50)
        ids = [row.id for row in rows] + ids
    assert ids == expected


@pytest.mark.parametrize("sort", SORTS)
def test_sort_uses_index(pager: FindingPager, sort: str) -> None:
    query = ListQuery(sort=sort)
    condition, params = pager.where(query)
    key = SORT_KEYS[sort]
    plan = pager.db.execute(
        f"EXPLAIN QUERY PLAN SELECT f.id FROM findings f WHERE {condition}"
        f" AND ({key}, f.id) < (?, ?) ORDER BY {key} DESC, f.id DESC LIMIT 50",
        [*params, 1, 1],
    ).fetchall()
    details = " ".join(row[3] for row in plan)
    assert f"findings_sort_{'due_at' if sort == 'due' else sort}" in details
    assert "TEMP B-TREE" not in details


@pytest.mark.parametrize("sort", NULLABLE_KEYS)
@pytest.mark.parametrize("descending", [True, False])
def test_nulls_come_last(pager: FindingPager, sort: str, descending: bool) -> None:
    query = ListQuery(sort=sort, descending=descending, show_hidden=True)
    values = [row.sort_value for row in pager.first(query, 1000)]
    first_null = values.index(None)
    assert first_null > 0
    assert all(value is None for value in values[first_null:])
    present = values[:first_null]
    assert present == sorted(present, reverse=descending)


def test_hidden_rules(pager: FindingPager) -> None:
    everything = pager.count(ListQuery(show_hidden=True))
    info = pager.count(ListQuery(severities=("info",)))
    assert everything == 611
    assert info == 2 + 120  # two in the small network, every fifth synthetic finding
    assert pager.count(ListQuery()) == everything - info


def test_search_words_and_quoting(pager: FindingPager) -> None:
    def names(text: str) -> list[str]:
        return sorted(row.name for row in pager.first(ListQuery(search=text), 50))

    assert names("heartbeat") == ["OpenSSL Heartbeat Information Disclosure"]
    assert names("CVE-2021-44228") == ["Log4j Remote Code Execution"]
    assert names("log4j-core") == ["Log4j Remote Code Execution"]
    assert names("mail.example") == ["Log4j Remote Code Execution", "Postfix Outdated Version",
                                     "SMTP Cleartext Login"]
    assert names("remote execution") == ["Log4j Remote Code Execution",
                                         "MySQL Remote Code Execution"]
    assert names('" OR * NEAR(') == []
    assert names("[/]") == []


def test_match_expression_quotes_every_word() -> None:
    assert match_expression('log4j "x" AND') == '"log4j"* """x"""* "AND"*'
    assert match_expression("[/] ***") is None
    assert match_expression("") is None


def test_reimport_refreshes_search(tmp_path: Path) -> None:
    db = open_db(tmp_path / "fts.db")
    host = Host("10.9.0.1", "app.example.test", [Item(7001, "Old Name", 3, 80, 7.0,
                                                      output="first output")])
    import_file(db, write_report(tmp_path / "one.nessus", [host]))
    host.items[0].name = "New Name"
    host.items[0].output = "second output"
    import_file(db, write_report(tmp_path / "two.nessus", [host], start=1767225600 + 86400))
    pager = FindingPager(db)

    assert [row.name for row in pager.first(ListQuery(search="second"), 5)] == ["New Name"]
    assert pager.first(ListQuery(search="first"), 5) == []
    assert pager.first(ListQuery(search="old"), 5) == []
    assert db.execute("SELECT count(*) FROM findings_fts").fetchone() == (1,)
