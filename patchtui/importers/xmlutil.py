"""Streaming, hardened XML reading shared by the XML importers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser
from defusedxml.ElementTree import iterparse as defused_iterparse

from patchtui.errors import ReportError
from patchtui.importers.common import open_report


class ExternalDtdForbidden(DTDForbidden):
    """The document names an external DTD, which a scanner export never needs."""


class _HardenedParser(DefusedXMLParser):
    """Reject entity declarations, external entities and external DTDs.

    An inline DOCTYPE without entities is allowed, because some real exports carry one.
    """

    def __init__(self) -> None:
        super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)
        self.parser.StartDoctypeDeclHandler = self._start_doctype

    def _start_doctype(
        self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool
    ) -> None:
        if sysid or pubid:
            raise ExternalDtdForbidden(name, sysid, pubid)

    def position(self) -> tuple[int, int]:
        return self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*)[\s>/]")


def root_name(head: bytes) -> str | None:
    """Return the name of the first element in ``head``, skipping the prolog."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        return None
    position = 0
    while True:
        start = text.find(b"<", position)
        if start < 0:
            return None
        if text.startswith(b"<?", start) or text.startswith(b"<!", start):
            end = text.find(b">", start)
            if end < 0:
                return None
            if text.startswith(b"<!DOCTYPE", start) and b"[" in text[start:end]:
                end = text.find(b"]>", start)
                if end < 0:
                    return None
            if text.startswith(b"<!--", start):
                end = text.find(b"-->", start)
                if end < 0:
                    return None
            position = end + 1
            continue
        match = _ROOT.match(text, start)
        return match.group(1).decode("ascii", "replace") if match else None


def iter_xml(path: Path, events: tuple[str, ...] = ("start", "end")) -> Iterator[tuple[str, Element]]:
    """Stream (event, element) pairs from ``path``, translating every failure to ``ReportError``.

    The caller clears elements it has finished with so memory stays flat.
    """
    parser = _HardenedParser()
    try:
        with open_report(path) as handle:
            yield from defused_iterparse(handle, events=events, parser=parser)
    except ParseError as err:
        line, column = err.position
        reason = str(err).split(":")[0]
        raise ReportError(path, f"invalid XML ({reason}); the file may be truncated or not XML",
                          line, column + 1) from err
    except ExternalDtdForbidden as err:
        line, column = parser.position()
        raise ReportError(path, f"rejected: the XML names an external DTD ({err.sysid or err.pubid}); "
                          "scanner exports never need one", line, column) from err
    except DefusedXmlException as err:
        line, column = parser.position()
        raise ReportError(path, f"rejected: the XML declares entities or external references "
                          f"({type(err).__name__}), which scanner exports never contain",
                          line, column) from err
    except UnicodeDecodeError as err:
        raise ReportError(path, f"invalid text encoding: {err.reason}") from err
    except LookupError as err:
        # The XML declaration names an encoding Python does not know, such as "TTF-8".
        raise ReportError(path, f"the XML declaration names an unknown encoding ({err}); "
                          "save the report as UTF-8", 1) from err
    except OSError as err:
        raise ReportError(path, f"cannot read the file: {err.strerror}") from err


def local_name(tag: str) -> str:
    """Return a tag without its ``{namespace}`` part."""
    return tag.rsplit("}", 1)[-1]


def child_text(element: Element, name: str) -> str | None:
    """Return the stripped text of the first child called ``name``, or None when empty."""
    child = element.find(name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None
