"""Long text fields (risk notes, rollback plans): a TextArea that can hand over to $EDITOR.

``ctrl+e`` in a ``LongText`` suspends the app and opens ``$VISUAL`` or
``$EDITOR`` on the field's text. Where the terminal cannot be handed over
(``App.suspend`` raises ``SuspendNotSupported``, as in headless tests and
some web terminals) or no editor is set, the admin keeps editing in place.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from textual.app import SuspendNotSupported
from textual.binding import Binding
from textual.widgets import TextArea


def editor_command() -> list[str] | None:
    """Return the admin's editor command from $VISUAL or $EDITOR, or None when neither is set."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            return shlex.split(value)
    return None


class LongText(TextArea):
    """A multi-line field; ``ctrl+e`` edits it in the external editor when the terminal allows."""

    BINDINGS = [Binding("ctrl+e", "external_editor", "Edit in $EDITOR")]

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                         compact=True)

    def action_external_editor(self) -> None:
        """Edit the text in $EDITOR, or say why it stays in place."""
        command = editor_command()
        if command is None:
            self.notify("Set $EDITOR to edit long text in your editor; editing here instead.",
                        markup=False)
            return
        edited = self._run_editor(command)
        if edited is not None:
            self.load_text(edited.rstrip("\n"))

    def _run_editor(self, command: list[str]) -> str | None:
        if shutil.which(command[0]) is None:
            self.notify(f"The editor {command[0]!r} was not found; editing here instead.",
                        severity="warning", markup=False)
            return None
        # mkstemp creates the file readable by its owner only: the text may describe a hole.
        descriptor, name = tempfile.mkstemp(prefix="patchtui-", suffix=".txt")
        path = Path(name)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(self.text)
            try:
                with self.app.suspend():
                    failure = _run(command, path)
            except SuspendNotSupported:
                self.notify("This terminal cannot run an editor; editing here instead.",
                            markup=False)
                return None
            if failure is not None:
                self.notify(f"The editor {command[0]} failed: {failure}", severity="error",
                            markup=False)
                return None
            return path.read_text(encoding="utf-8")
        finally:
            path.unlink(missing_ok=True)


def _run(command: list[str], path: Path) -> str | None:
    """Run the editor on ``path``; return why it failed, or None.

    Nothing may raise here: ``App.suspend`` (Textual 8.2) resumes the app only
    when its block ends without an exception.
    """
    try:
        subprocess.run([*command, str(path)], check=False)
    except OSError as err:
        return err.strerror or str(err)
    return None
