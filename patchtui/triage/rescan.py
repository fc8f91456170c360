"""The re-scan rules: which sightings reopen a finding and which absences fix it.

A finding seen in a scan whose time is later than its last status change is
reopened when it was ``patched`` or ``fixed``. A finding not seen in a scan is
``fixed`` by it only when the scan could have seen it: the scan covered its
asset and reported at least one result for it, came from the same scanner,
ran its check (when the report lists the checks it ran) and, for a local
check, logged in to the host; and a report filtered by severity (no result
below some severity) decides nothing about findings below it. A scan older than
the finding's last sighting decides nothing. The store applies these rules
inside the import transaction; this module names them once.
"""

from __future__ import annotations

REOPENABLE = ("patched", "fixed")
"""Statuses a new sighting turns back into ``open``."""

FIXABLE = ("open", "in_progress", "patched", "accepted")
"""Statuses a verified absence turns into ``fixed``. False positives stay as the admin set them."""

LOCAL_PLUGIN_TYPES = ("local",)
"""Plugin types whose checks need a working login on the host."""

UNDATED = "undated"
"""The report gives no scan time (a Nessus CSV export), so its place among scans is a guess."""
INCOMPLETE = "incomplete"
"""The report shows a stopped or interrupted scan, or is a delta report."""
NO_RESULTS = "no-results"
"""The host is in the report but has no result at all, not even an informational one:
a scan that reached it would have reported something, so its absence proves nothing."""
FILTERED = "filtered"
"""The finding's scanner severity is below every result in the report. Full scans
always carry informational results, so such a report was probably exported
with a severity filter and proves nothing about the lower severities."""
CHECK_NOT_RUN = "check-not-run"
NO_LOGIN = "no-login"
FIXED = "fixed"

REASONS = {
    UNDATED: "the report gives no scan time, so it cannot prove a fix; import the scanner's "
             "XML export to verify fixes",
    INCOMPLETE: "the report shows an unfinished scan or only changes (delta)",
    NO_RESULTS: "the host has no results at all in this report, so the scan may not have reached it",
    FILTERED: "the report has no results below the finding's severity, so it may be a filtered export",
    CHECK_NOT_RUN: "the scan did not run this check",
    NO_LOGIN: "local check, and the report does not show a working login on this host",
}
"""The reason a finding the scan did not report is not verifiable, in the import summary's words."""
