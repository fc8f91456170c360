"""The sort key that orders hosts by address: IPv4 numerically, then IPv6, then names."""

from __future__ import annotations

import ipaddress
import sqlite3


def host_sort_key(host: str | None) -> str:
    """Return a text key whose plain text order is the numeric order of the host's address.

    IPv4 addresses become zero-padded octets after ``4:`` (``4:010.000.000.002``),
    IPv6 addresses their full form after ``6:``, and anything else the
    lower-cased name after ``n:``, so every address sorts before every name.
    """
    text = (host or "").strip()
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return "n:" + text.casefold()
    if address.version == 4:
        return "4:" + ".".join(f"{int(octet):03d}" for octet in str(address).split("."))
    return "6:" + address.exploded


def fill_host_sort(conn: sqlite3.Connection) -> None:
    """Write ``host_sort`` for the findings that lack it, one statement per distinct host."""
    hosts = conn.execute("SELECT DISTINCT host FROM findings WHERE host_sort = ''").fetchall()
    conn.executemany("UPDATE findings SET host_sort = ? WHERE host = ?",
                     [(host_sort_key(host), host) for (host,) in hosts])
