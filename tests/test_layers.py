"""The layers stay apart: headless packages never load Textual."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_headless_modules_do_not_import_textual():
    code = (
        "import sys\n"
        "import patchtui.cli, patchtui.store.ingest, patchtui.store.findings, patchtui.triage.importing\n"
        "import patchtui.importers\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] in ('textual', 'rich'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)

    assert result.stdout.strip() == "[]"


def test_only_tui_package_imports_textual():
    offenders = []
    for path in (REPO / "patchtui").rglob("*.py"):
        if "tui" in path.relative_to(REPO / "patchtui").parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        if "import textual" in text or "from textual" in text:
            offenders.append(str(path.relative_to(REPO)))

    assert offenders == []


def test_sql_stays_in_store():
    offenders = []
    for path in (REPO / "patchtui").rglob("*.py"):
        parts = path.relative_to(REPO / "patchtui").parts
        if parts[0] == "store":
            continue
        text = path.read_text(encoding="utf-8")
        if ".execute(" in text or "executemany(" in text:
            offenders.append(str(path.relative_to(REPO)))

    assert offenders == []
