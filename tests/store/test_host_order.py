"""The host sort key: addresses in numeric order, IPv6 after IPv4, names last."""

from __future__ import annotations

from pathlib import Path

from patchtui.store import open_db
from patchtui.store.host_order import fill_host_sort, host_sort_key
from patchtui.triage.importing import import_file
from tests.tui.tui_reports import small_network, write_report


def test_key_values() -> None:
    assert host_sort_key("10.0.0.2") == "4:010.000.000.002"
    assert host_sort_key("2001:db8::1") == "6:2001:0db8:0000:0000:0000:0000:0000:0001"
    assert host_sort_key("NAS.Example.test") == "n:nas.example.test"


def test_key_orders_hosts() -> None:
    hosts = ["nas.example.test", "fe80::2", "10.0.0.100", "2001:db8::1", "10.0.0.2",
             "9.9.9.9", "10.0.0.10", "fe80::10"]
    assert sorted(hosts, key=host_sort_key) == [
        "9.9.9.9", "10.0.0.2", "10.0.0.10", "10.0.0.100", "2001:db8::1", "fe80::2", "fe80::10",
        "nas.example.test"]


def test_import_and_fill_write_keys(tmp_path: Path) -> None:
    db = open_db(tmp_path / "fill.db")
    import_file(db, write_report(tmp_path / "small.nessus", small_network()))
    stored = "SELECT DISTINCT host, host_sort FROM findings ORDER BY host"
    expected = [("10.0.0.1", "4:010.000.000.001"), ("10.0.0.2", "4:010.000.000.002"),
                ("10.0.0.3", "4:010.000.000.003")]
    assert db.execute(stored).fetchall() == expected

    db.conn.execute("UPDATE findings SET host_sort = ''")  # as the migration finds old rows
    fill_host_sort(db.conn)
    assert db.execute(stored).fetchall() == expected
