"""Make untrusted report text safe to show on a terminal."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates can reorder what the admin reads.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ESC becomes U+241B
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def visible(text: str | None, *, single_line: bool = False) -> str:
    """Replace control characters and bidi overrides with visible symbols.

    Tabs and newlines stay unless ``single_line`` is set, when both become
    spaces so a table cell keeps to one line.
    """
    if not text:
        return ""
    if single_line:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    text = _CONTROL.sub(_visible, text)
    return _BIDI.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)



def plural(count: int, noun: str, plural_noun: str | None = None, *,
           grouped: bool = False) -> str:
    """Return ``1 finding`` or ``3 findings``; ``plural_noun`` replaces the added "s".

    ``grouped`` writes thousands separators (``1,204 findings``), as the TUI does.
    """
    number = f"{count:,}" if grouped else str(count)
    return f"{number} {noun}" if count == 1 else f"{number} {plural_noun or noun + 's'}"
