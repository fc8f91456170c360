"""The policy as TOML: export, import, round trip, and clear errors that change nothing."""

from __future__ import annotations

import json
import tomllib
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from patchtui.cli import main
from patchtui.errors import InputError
from patchtui.store.policy import read_policy_document
from patchtui.triage.policy import load_policy
from patchtui.triage.policy_toml import import_policy_file, policy_to_toml, toml_string
from tests.policy.conftest import events, finding
from tests.reports import Host, Item, day


def test_round_trip_keeps_every_setting(db, tmp_path, clock):
    policy = load_policy(db)
    path = tmp_path / "policy.toml"
    path.write_text(policy_to_toml(policy), encoding="utf-8")

    change = import_policy_file(db, path, clock=clock)

    assert change.changes == []
    assert load_policy(db) == policy


def test_round_trip_of_edited_file(db, tmp_path, clock):
    text = policy_to_toml(load_policy(db))
    text = text.replace('high = "2d"', 'high = "36h"').replace("factor = 2.0", "factor = 3.0")
    text = text.replace("next_review = ", "next_review = 2027-01-15\n# was ")
    text += '\n[tiers.public.response]\ncritical = "12h"\n'
    text = text.replace('    "Reboot if needed",\n',
                        '    "Reboot if needed",\n    "Say \\"done\\" in the \\\\ channel",\n')
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")

    import_policy_file(db, path, clock=clock)
    policy = load_policy(db)
    exported = tmp_path / "again.toml"
    exported.write_text(policy_to_toml(policy), encoding="utf-8")
    import_policy_file(db, exported, clock=clock)

    assert load_policy(db) == policy
    assert policy.response["high"] == timedelta(hours=36)
    assert policy.tiers["dev"].factor == 3.0
    assert policy.tiers["public"].response == {"critical": timedelta(hours=12)}
    assert policy.next_review == date(2027, 1, 15)
    assert 'Say "done" in the \\ channel' in policy.task_template
    assert policy.response_time("high", "dev") == timedelta(hours=108)


def test_import_recomputes_and_records(db, tmp_path, scan, clock):
    scan([Host("10.0.0.1", [Item("1001", severity=2)])], day(1))
    path = tmp_path / "policy.toml"
    path.write_text('[response]\nmedium = "7d"\n', encoding="utf-8")

    change = import_policy_file(db, path, clock=clock, actor="alice")

    assert change.changes == ["response.medium: 14d -> 7d"]
    assert change.due_dates_changed == 1
    assert finding(db, "1001")["due_at"] == "2026-11-08T02:00:00Z"
    recorded = events(db, "policy", "update")[-1]
    assert recorded["actor"] == "alice"
    assert recorded["note"].endswith("Due dates changed for 1 finding. imported from policy.toml")
    assert json.loads(recorded["new"])["response"]["medium"] == "7d"


def test_missing_keys_take_defaults_and_keep_review_date(db, tmp_path, clock):
    first = tmp_path / "first.toml"
    first.write_text('[response]\nlow = "60d"\n[review]\nnext_review = 2027-02-01\n',
                     encoding="utf-8")
    import_policy_file(db, first, clock=clock)
    second = tmp_path / "second.toml"
    second.write_text('[exceptions]\nmax_duration = "30d"\n', encoding="utf-8")

    import_policy_file(db, second, clock=clock)
    policy = load_policy(db)

    assert policy.response["low"] == timedelta(days=30)
    assert policy.exception_max == timedelta(days=30)
    assert policy.next_review == date(2027, 2, 1)


INVALID = [
    ('[response]\nhigh = "2x"\n', ["response.high", '"2x"', "invalid time", '"48h" or "2d"']),
    ("[response]\nhigh = 2\n", ["response.high", "= 2:", 'quoted time such as "48h"']),
    ('[response]\nhigh = "0h"\n', ["response.high", '"0h"', "at least 1h"]),
    ('[response]\nurgent = "1d"\n', ["unknown key 'response.urgent'", "critical, high"]),
    ('[respones]\nhigh = "1d"\n', ["unknown key 'respones'", "response, tiers"]),
    ("[tiers.public]\nfactor = 0\n", ["tiers.public.factor", "= 0:", "above 0"]),
    ('[tiers.public]\nfactor = "half"\n', ["tiers.public.factor", '"half"', "number"]),
    ('[tiers.public]\nminimum = "1 week"\n', ["tiers.public.minimum", '"1 week"']),
    ('[tiers.staging]\nfactor = 1.0\n', ["unknown key 'tiers.staging'", "public, internal, dev"]),
    ('[tiers.dev.response]\nhigh = "fast"\n', ["tiers.dev.response.high", '"fast"']),
    ('[exceptions]\nmax_duration = "0d"\n', ["exceptions.max_duration", '"0d"', "at least 1d"]),
    ('[exceptions]\nexpiring_notice = "100d"\n',
     ["exceptions.expiring_notice", '"100d"', "longer than exceptions.max_duration (90d)"]),
    ("[review]\ninterval_months = 0\n", ["review.interval_months", "= 0:", "1 to 24"]),
    ('[review]\nnext_review = "soon"\n', ["review.next_review", '"soon"', "date such as"]),
    ("[review]\nnext_review = 2027-01-01T10:00:00\n", ["review.next_review", "without a time"]),
    ("[tasks]\nchecklist = []\n", ["tasks.checklist", "non-empty list"]),
    ('[tasks]\nchecklist = ["Test", " "]\n', ["tasks.checklist[2]", '" "', "non-empty"]),
    ('[response]\nhigh = "2d\n', ["invalid TOML", "line 2"]),
    ("response = 3\n", ["response = 3", "must be a table"]),
]


@pytest.mark.parametrize(("text", "expected"), INVALID)
def test_invalid_file_names_key_and_changes_nothing(db, tmp_path, clock, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    document = read_policy_document(db)
    event_count = db.execute("SELECT count(*) FROM events").fetchone()[0]

    with pytest.raises(InputError) as caught:
        import_policy_file(db, path, clock=clock)

    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for part in expected:
        assert part in message
    assert read_policy_document(db) == document
    assert db.execute("SELECT count(*) FROM events").fetchone()[0] == event_count


def test_missing_file_is_named(db, tmp_path, clock):
    with pytest.raises(InputError, match="nope.toml: file not found"):
        import_policy_file(db, tmp_path / "nope.toml", clock=clock)


@pytest.mark.parametrize("text", ['plain', 'quote " and \\ back', "tab\tand\nnewline", "bell \x07",
                                  "unicode: café ✓ 🙂"])
def test_toml_string_reads_back(text):
    assert tomllib.loads(f"value = {toml_string(text)}")["value"] == text


def test_cli_export_import_show(db, tmp_path):
    runner = CliRunner()
    db_file = tmp_path / "record.db"
    path = tmp_path / "policy.toml"

    exported = runner.invoke(main, ["--db", str(db_file), "policy", "export", str(path)])
    path.write_text(path.read_text(encoding="utf-8").replace('low = "30d"', 'low = "21d"'),
                    encoding="utf-8")
    imported = runner.invoke(main, ["--db", str(db_file), "policy", "import", str(path)])
    shown = runner.invoke(main, ["--db", str(db_file), "policy", "show"])

    assert exported.exit_code == 0
    assert imported.exit_code == 0
    assert "response.low: 30d -> 21d" in imported.output
    assert "  low           10.5d" not in shown.output
    assert "  low           252h      21d       42d" in shown.output
    assert "Exceptions: at most 90d; shown as expiring 14d before they expire" in shown.output


def test_cli_import_error_exits_1(db, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[response]\nlow = "soon"\n', encoding="utf-8")

    result = CliRunner().invoke(main, ["--db", str(tmp_path / "record.db"), "policy", "import",
                                       str(path)])

    assert result.exit_code == 1
    assert f'error: {path}: response.low = "soon": invalid time' in result.output
