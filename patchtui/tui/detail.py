"""One finding in full: the check, its scores, the latest output, every sighting and every change."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from patchtui.store.events import events_for
from patchtui.store.findings import get_finding, observations
from patchtui.store.scans import scan_names
from patchtui.triage.explain import finding_reasons
from patchtui.tui.app_access import UsesApp
from patchtui.tui.dialogs import StatusDialog
from patchtui.tui.exceptions import covering_lines
from patchtui.tui.plain import STATUS_LABELS, one_line, plain, severity_name


def _section(title: str) -> Static:
    return Static(Content.assemble((title, "bold underline")), classes="section")


def _text(content: Content, classes: str = "") -> Static:
    return Static(content, classes=classes or "text")


def _score(record: dict[str, Any], version: int) -> Content:
    score, vector = record.get(f"cvss{version}_score"), record.get(f"cvss{version}_vector")
    shown = "-" if score is None else f"{score:.1f}"
    return Content.assemble((f"CVSS v{version}: ", "bold"), shown, "  ", one_line(vector))


def _event_line(event: dict[str, Any], scan_names: dict[int, str]) -> Content:
    if event["action"] == "status":
        change = (f"status {STATUS_LABELS.get(event['old'] or '', event['old'] or '-')}"
                  f" \u2192 {STATUS_LABELS.get(event['new'] or '', event['new'] or '-')}")
    else:
        change = f"{event['action']} {event['old'] or '-'} \u2192 {event['new'] or '-'}"
    parts: list[str | tuple[str, str]] = [(f"{event['at']}  ", "dim"), one_line(event["actor"]),
                                          "  ", one_line(change)]
    if event["scan_id"] is not None:
        name = scan_names.get(event["scan_id"])
        parts += [f"\n    scan {event['scan_id']}", f" '{one_line(name)}'" if name else ""]
    if event["note"]:
        parts += ["\n    note: ", one_line(event["note"])]
    return Content.assemble(*parts)


class Fields(Widget):
    """Labelled values on as many lines as the width needs, never parting a label from its value."""

    DEFAULT_CSS = "Fields { height: auto; }"

    def __init__(self, *fields: tuple[str, str]) -> None:
        super().__init__(classes="text")
        self.fields = fields

    def _lines(self, width: int) -> Content:
        lines: list[Content] = []
        for label, value in self.fields:
            field = Content.assemble((f"{label} ", "bold"), value)
            if lines and lines[-1].cell_length + 3 + field.cell_length <= width:
                lines[-1] = Content.assemble(lines[-1], "   ", field)
            else:
                lines.append(field)
        return Content("\n").join(lines)

    def render(self) -> Content:
        return self._lines(self.content_size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._lines(width).get_height(self.styles, width)


def _host_names(record: dict[str, Any]) -> list[str]:
    """Return the host, FQDN and NetBIOS names, each once; scanners often report the same name
    as host name and FQDN, in any letter case."""
    names: dict[str, str] = {}
    for key in ("hostname", "fqdn", "netbios"):
        if record[key]:
            names.setdefault(record[key].lower(), one_line(record[key]))
    return list(names.values())


class FindingDetailScreen(UsesApp, Screen):
    """Everything known about one finding, scrollable with the keyboard."""

    CSS_PATH = "detail.tcss"

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("o", "set_status", "Set status"),
        Binding("R", "review", "Review overdue", key_display="R"),
        Binding("up,k", "scroll(-1)", "Scroll up", show=False),
        Binding("down,j", "scroll(1)", "Scroll down", show=False),
        Binding("pageup", "scroll_page(-1)", "Page up", show=False),
        Binding("pagedown,space", "scroll_page(1)", "Page down", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    def __init__(self, finding_id: int) -> None:
        super().__init__()
        self.finding_id = finding_id

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="body")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        """Read the finding again and rebuild the page."""
        body = self.query_one("#body", VerticalScroll)
        body.remove_children()
        record = get_finding(self.patchtui.db, self.finding_id)
        if record is None:
            body.mount(_text(Content(f"Finding {self.finding_id} no longer exists.")))
            return
        body.mount_all(self._widgets(record))
        body.focus()

    def _widgets(self, record: dict[str, Any]) -> list[Widget]:
        db = self.patchtui.db
        sightings = observations(db, self.finding_id)
        widgets = self._summary(record)
        widgets += [_text(line) for line in covering_lines(db, self.finding_id)]
        widgets.append(_section("Due date and priority"))
        reasons = finding_reasons(db, self.finding_id, self.patchtui.clock())
        widgets += [_text(plain(line), "reason") for line in reasons]
        widgets += self._vulnerability(record)
        widgets.append(_section("Latest plugin output"))
        latest = sightings[0]["plugin_output"] if sightings else None
        widgets.append(_text(plain(latest or "(no output)"), "output"))
        widgets.append(_section(f"Seen by {len(sightings)} scan{'s' if len(sightings) != 1 else ''}"))
        for sighting in sightings:
            widgets.append(_text(self._sighting_line(sighting)))
        events = events_for(db, "finding", self.finding_id)
        widgets.append(_section(f"History ({len(events)} change{'s' if len(events) != 1 else ''})"))
        names = scan_names(db, (event["scan_id"] for event in events if event["scan_id"] is not None))
        widgets += [_text(_event_line(event, names)) for event in events]
        return widgets

    def _summary(self, record: dict[str, Any]) -> list[Widget]:
        host_names = ", ".join(_host_names(record))
        port = f"{record['port']}/{record['protocol']}" if record["port"] else f"host level ({record['protocol']})"
        status = STATUS_LABELS.get(record["status"], record["status"])
        severity = severity_name(record["severity"])
        if record["severity_override"] is not None:
            severity += f" (set by the admin; scanner says {record['scanner_severity'] or '-'})"
        due = [("Due", record["due_at"] or "-")] if "due_at" in record else []
        return [
            _text(Content.assemble((one_line(record["name"]), "bold")), "title"),
            Fields(("Finding", str(record["id"])),
                   ("Status", f"{status} since {record['status_at']}"), ("Severity", severity)),
            Fields(("Host", one_line(record["asset_key"]) + (f" ({host_names})" if host_names else "")),
                   ("Port", port), ("Service", one_line(record["service"]) or "-")),
            Fields(("Scanner", f"{one_line(record['scanner'])} {one_line(record['plugin_id'])}"),
                   ("Family", one_line(record["family"]) or "-"),
                   ("QoD", "-" if record["qod"] is None else str(record["qod"]))),
            Fields(("First seen", record["first_seen"]), ("Last seen", record["last_seen"]),
                   ("Reopened", str(record["reopened_count"])), *due),
        ]

    def _vulnerability(self, record: dict[str, Any]) -> list[Static]:
        cves = ", ".join(one_line(cve) for cve in record["cve_list"]) or "-"
        cwes = ", ".join(one_line(cwe) for cwe in record["cwes"]) or "-"
        exploit = {None: "unknown", 0: "no", 1: "yes"}.get(record["exploit_available"], "unknown")
        widgets = [
            _section("Scores"),
            _text(_score(record, 4)), _text(_score(record, 3)), _text(_score(record, 2)),
            _text(Content.assemble(("CVEs: ", "bold"), cves)),
            _text(Content.assemble(("CWEs: ", "bold"), cwes, ("   Exploit available: ", "bold"),
                                   exploit, ("   Published: ", "bold"), record["published"] or "-",
                                   ("   Patch: ", "bold"), record["patch_published"] or "-")),
            _section("Synopsis"), _text(plain(record["synopsis"] or "-")),
            _section("Description"), _text(plain(record["description"] or "-")),
            _section("Solution"), _text(plain(record["solution"] or "-")),
            _section("References"),
        ]
        refs = record["refs"] or []
        widgets += [_text(plain(str(ref))) for ref in refs] or [_text(Content("-"))]
        return widgets

    @staticmethod
    def _sighting_line(sighting: dict[str, Any]) -> Content:
        name = one_line(sighting["scan_name"]) or "(unnamed scan)"
        qod = "" if sighting["qod"] is None else f"  QoD {sighting['qod']}"
        return Content.assemble((f"{sighting['seen_at']}  ", "dim"), f"scan {sighting['scan_id']} ",
                                name, "  ", (one_line(sighting["file_name"]), "dim"), qod)

    def _body(self) -> VerticalScroll:
        return self.query_one("#body", VerticalScroll)

    def action_scroll(self, lines: int) -> None:
        """Scroll by lines."""
        self._body().scroll_relative(y=lines, animate=False)

    def action_scroll_page(self, direction: int) -> None:
        """Scroll by a screen."""
        body = self._body()
        body.scroll_relative(y=direction * max(1, body.size.height - 1), animate=False)

    def action_scroll_home(self) -> None:
        """Scroll to the top."""
        self._body().scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        """Scroll to the bottom."""
        self._body().scroll_end(animate=False)

    def action_back(self) -> None:
        """Return to the list."""
        self.app.pop_screen()

    def action_review(self) -> None:
        """Record an overdue review of this finding."""
        from patchtui.tui.overdue import start_review

        record = get_finding(self.patchtui.db, self.finding_id)
        if record is not None:
            start_review(self.patchtui, [self.finding_id], record["name"], lambda _: self.show())

    def action_set_status(self) -> None:
        """Change this finding's status."""
        record = get_finding(self.patchtui.db, self.finding_id)
        if record is None:
            return

        def done(changed: int | None) -> None:
            if changed is not None:
                self.show()

        self.app.push_screen(StatusDialog([self.finding_id], subject=record["name"]), done)
