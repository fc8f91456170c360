"""The host line of the finding detail: each host name once."""

from __future__ import annotations

from patchtui.tui.detail import _host_names


def test_same_name_shown_once():
    record = {"hostname": "web01.shop.example", "fqdn": "WEB01.shop.example", "netbios": "WEB01"}

    assert _host_names(record) == ["web01.shop.example", "WEB01"]


def test_missing_names_skipped():
    record = {"hostname": None, "fqdn": "db01.shop.example", "netbios": ""}

    assert _host_names(record) == ["db01.shop.example"]
