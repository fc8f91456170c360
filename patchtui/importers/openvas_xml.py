"""Greenbone/OpenVAS XML reports: GMP responses, GSA downloads and OpenVAS 6/7 files.

All layouts nest the same report element::

    get_reports_response        the GMP response (absent from a file downloaded from GSA)
      report                    outer report: name, task/name, report_format
        report                  inner report: gmp or omp/version, task/name, scan_start,
                                ports, results/result..., host..., scan_end

A bare report (the inner one alone) reads the same way. The host details
follow the results, so host records come after the last finding.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

from patchtui.errors import ReportError
from patchtui.importers.common import clean, parse_ip
from patchtui.importers.model import HostRecord, ParseWarning, Record, ScanInfo
from patchtui.importers.openvas_result import (
    ResultHost,
    build_finding,
    result_host,
    result_label,
    result_oid,
)
from patchtui.importers.xmlutil import iter_xml, root_name

FORMAT = "openvas-xml"
SCANNER = "openvas"

_ROOTS = ("get_reports_response", "report")

# Elements that only a Greenbone report has near its start. A <report> root
# without any of them comes from another tool.
_MARKERS = re.compile(rb"<(?:results|report_format|scan_run_status|omp|gmp|nvt)[\s/>]")

_LOGIN_DETAIL = re.compile(r"Auth-\w+-(Success|Failure)", re.IGNORECASE)


def sniff(head: bytes) -> bool:
    root = root_name(head)
    if root == "get_reports_response":
        return True
    return root == "report" and _MARKERS.search(head) is not None


def parse_time(text: str | None) -> datetime | None:
    """Parse a GMP time (ISO 8601, with or without zone) or an OMP ctime-style time, as UTC.

    A time without a zone is read as UTC.
    """
    text = clean(text)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = datetime.strptime(" ".join(text.split()), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class _Host:
    """Facts about one host, gathered from its results and its ``<host>`` element."""

    def __init__(self, address: str | None, name: str | None) -> None:
        self.address = address
        self.name = name
        self.fqdn: str | None = None
        self.os: str | None = None
        self.os_cpe: str | None = None
        self.mac: str | None = None
        self.logins: set[str] = set()
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None

    def add_hostname(self, hostname: str | None) -> None:
        if not hostname:
            return
        if self.address is None:
            # NOTE: the name is the invalid address text, which is the asset key, so the
            # scanner's host name is kept as the FQDN even when it has no dot.
            if hostname != self.name:
                self.fqdn = self.fqdn or hostname
            return
        self.name = self.name or hostname
        if "." in hostname and parse_ip(hostname) is None:
            self.fqdn = self.fqdn or hostname

    def read_details(self, host: Element) -> None:
        self.started_at = self.started_at or parse_time(host.findtext("start"))
        self.ended_at = self.ended_at or parse_time(host.findtext("end"))
        for detail in host.iterfind("detail"):
            self._read_detail(clean(detail.findtext("name")), clean(detail.findtext("value")))

    def _read_detail(self, name: str | None, value: str | None) -> None:
        if name == "hostname":
            self.add_hostname(value)
        elif name == "best_os_txt":
            self.os = self.os or value
        elif name == "best_os_cpe":
            self.os_cpe = self.os_cpe or value
        elif name == "MAC":
            self.mac = self.mac or value
        elif name:
            login = _LOGIN_DETAIL.fullmatch(name)
            if login:
                self.logins.add(login.group(1).lower())

    def record(self) -> HostRecord:
        credentialed = None
        if "success" in self.logins:
            credentialed = True
        elif "failure" in self.logins:
            credentialed = False
        return HostRecord(
            address=self.address,
            name=self.name,
            fqdn=self.fqdn,
            os=self.os or self.os_cpe,
            mac=self.mac,
            credentialed=credentialed,
            started_at=self.started_at,
            ended_at=self.ended_at,
        )


class _ReportReader:
    """Streaming reader of one report file that keeps only scan and per-host facts in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.scan = ScanInfo(scanner=SCANNER, format=FORMAT)
        self.announced = False
        self.task_name: str | None = None
        self.report_name: str | None = None
        self.run_status: str | None = None
        self.scan_end: datetime | None = None
        self.hosts: dict[str, _Host] = {}
        self.result_lists = 0

    def records(self) -> Iterator[Record]:
        stack: list[Element] = []
        for event, element in iter_xml(self.path):
            if event == "start":
                if not stack:
                    self._check_root(element)
                stack.append(element)
                if element.tag == "results":
                    yield from self._start_results()
                continue

            stack.pop()
            if stack:
                yield from self._end(element, stack)
        yield from self._finish()

    def _check_root(self, root: Element) -> None:
        if root.tag not in _ROOTS:
            raise ReportError(
                self.path,
                f"not a Greenbone/OpenVAS report: the root element is <{root.tag}>, "
                "expected <report> or <get_reports_response>",
            )
        status = (root.get("status") or "").strip()
        if root.tag == "get_reports_response" and status and not status.startswith("2"):
            raise ReportError(
                self.path,
                f"the GMP response reports a failure (status {status}: "
                f"{root.get('status_text') or 'no status text'}); request the report again",
            )

    def _end(self, element: Element, stack: list[Element]) -> Iterator[Record]:
        """Handle an element that just closed, whose ancestors are in ``stack``."""
        parent = stack[-1]
        if parent.tag == "results" and element.tag == "result":
            yield from self._result(element)
            parent.remove(element)
        elif parent.tag == "report" and all(ancestor.tag in _ROOTS for ancestor in stack):
            yield from self._report_child(element)
            parent.remove(element)
        elif parent.tag in ("ports", "get_reports_response"):
            parent.remove(element)

    def _report_child(self, element: Element) -> Iterator[Record]:
        tag = element.tag
        if tag == "task":
            self.task_name = self.task_name or clean(element.findtext("name"))
        elif tag in ("gmp", "omp"):
            self.scan.scanner_version = self.scan.scanner_version or clean(
                element.findtext("version")
            )
        elif tag == "name":
            self.report_name = self.report_name or clean(element.text)
        elif tag == "scan_start":
            self.scan.started_at = self.scan.started_at or parse_time(element.text)
        elif tag == "scan_end":
            self.scan_end = self.scan_end or parse_time(element.text)
        elif tag == "scan_run_status":
            self.run_status = clean(element.text)
        elif tag == "host":
            yield from self._host_details(element)

    def _announce(self) -> ScanInfo:
        self.announced = True
        self.scan.name = self.task_name or self.report_name
        return dataclasses.replace(self.scan)

    def _start_results(self) -> Iterator[Record]:
        self.result_lists += 1
        if self.result_lists == 2:
            yield ParseWarning(
                "the file contains more than one report: they are imported as one scan, "
                "named and timed by the first",
                skipped=0,
            )
        if not self.announced:
            yield self._announce()

    def _result(self, result: Element) -> Iterator[Record]:
        oid = result_oid(result)
        if oid in ("", "0"):
            yield ParseWarning(f"{result_label(result)}: no NVT OID (a placeholder); skipped")
            return
        delta = (result.findtext("delta") or "").strip().lower()
        if delta:
            self.scan.complete = False
        if delta.startswith("gone"):
            # A delta report lists results of the older report that this scan no longer found.
            yield ParseWarning(f"{result_label(result)}: gone in this delta report; skipped")
            return
        host = result_host(result)
        if host.key is None:
            yield ParseWarning(f"{result_label(result)}: names no host; skipped")
            return

        self._host(host).add_hostname(host.hostname)
        if not self.announced:
            yield self._announce()
        yield build_finding(result, host, self.scan.started_at)

    def _host(self, host: ResultHost) -> _Host:
        key = host.key or ""
        known = self.hosts.get(key)
        if known is None:
            known = self.hosts[key] = _Host(host.address, host.name)
        return known

    def _host_details(self, element: Element) -> Iterator[Record]:
        host = ResultHost(clean(element.findtext("ip")), None)
        if host.key is None:
            yield ParseWarning("a <host> element has no <ip>; its details are skipped")
            return
        self._host(host).read_details(element)

    def _finish(self) -> Iterator[Record]:
        if not self.announced:
            yield self._announce()
        if self.run_status and self.run_status.lower() != "done":
            self.scan.complete = False
            yield ParseWarning(
                f"the scan status is {self.run_status!r}, not 'Done': the report may be incomplete",
                skipped=0,
            )
        for host in self.hosts.values():
            yield host.record()

        starts = [host.started_at for host in self.hosts.values() if host.started_at]
        ends = [host.ended_at for host in self.hosts.values() if host.ended_at]
        yield dataclasses.replace(
            self.scan,
            started_at=self.scan.started_at or min(starts, default=None),
            ended_at=self.scan_end or max(ends, default=None),
        )


def parse(path: Path) -> Iterator[Record]:
    """Stream the records of a Greenbone/OpenVAS XML report."""
    return _ReportReader(path).records()
