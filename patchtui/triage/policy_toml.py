"""The policy as a TOML file, so a shop can keep it under version control.

Reading uses the standard library's ``tomllib``. The policy needs only strings,
numbers, a date and one list of strings, so this module writes TOML itself
rather than adding a dependency. The tests read every written file back.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from patchtui.clock import Clock, current_actor, system_clock
from patchtui.errors import InputError
from patchtui.triage.policy import (
    Policy,
    PolicyChange,
    load_policy,
    policy_document,
    policy_from_document,
    save_policy,
)

HEADER = """\
# patchtui patch policy. Load it with: patchtui policy import FILE
# Times are whole hours or days: "48h", "2d". "none" means no due date.
# A finding is due its response time after it was first seen (or reopened).
"""

_COMMENTS = {
    "response": "# Base response time per severity.",
    "tiers": "# Per tier: the base time x factor, at least minimum; a [tiers.<tier>.response]\n"
             "# table sets a tier's own time for some severities instead.",
    "exceptions": "# The longest an exception may run, and how early it shows as expiring.",
    "review": "# When this policy is next due for review, and the interval in months.",
    "tasks": "# Steps a new patch task's checklist starts with.",
}


def toml_string(text: str) -> str:
    """Return ``text`` as a TOML basic string."""
    out = []
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\u{ord(char):04X}"))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[\n" + "".join(f"    {_value(item)},\n" for item in value) + "]"
    return toml_string(str(value))


def _table(name: str, data: dict[str, Any], lines: list[str]) -> None:
    lines.append(f"[{name}]")
    nested = {}
    for key, value in data.items():
        if isinstance(value, dict):
            nested[key] = value
        elif key == "next_review":
            lines.append(f"{key} = {value}")  # a TOML date, written bare
        else:
            lines.append(f"{key} = {_value(value)}")
    lines.append("")
    for key, value in nested.items():
        _table(f"{name}.{key}", value, lines)


def policy_to_toml(policy: Policy) -> str:
    """Return the whole policy as TOML text, every setting spelled out."""
    lines = [HEADER]
    for section, data in policy_document(policy).items():
        lines.append(_COMMENTS[section])
        if section == "tiers":
            for tier, rule in data.items():
                _table(f"tiers.{tier}", rule, lines)
        else:
            _table(section, data, lines)
    return "\n".join(lines).rstrip("\n") + "\n"


def read_policy_file(path: Path, *, today: date, next_review: date | None = None) -> Policy:
    """Read and check a policy TOML file.

    Raises ``InputError`` naming the file, and the key and value when a setting
    is invalid, or the line and column when the TOML itself is.
    """
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as err:
        raise InputError(f"{path}: file not found") from err
    except OSError as err:
        raise InputError(f"{path}: cannot read the file: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte {err.start}): save it as UTF-8") from err
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: invalid TOML: {err}") from err
    return policy_from_document(document, source=str(path), today=today,
                                next_review=next_review)


def import_policy_file(db: Database, path: Path, *, clock: Clock = system_clock,
                       actor: str | None = None) -> PolicyChange:
    """Replace the stored policy with a TOML file's, recomputing due dates; one transaction.

    Settings the file leaves out take the built-in defaults; a missing
    ``review.next_review`` keeps the stored date.
    """
    now = clock()
    current = load_policy(db)
    policy = read_policy_file(path, today=now.date(), next_review=current.next_review)
    return save_policy(db, policy, note=f"imported from {path.name}", clock=clock,
                       actor=actor or current_actor())
