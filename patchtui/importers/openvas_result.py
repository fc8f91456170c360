"""One Greenbone/OpenVAS ``<result>`` element turned into a ``FindingRecord``.

Covers the GMP result layout (``<refs><ref type= id=>``, ``<severities>``,
``<qod>``, ``<solution>``) and the older OMP layout of OpenVAS 6 and 7
(``<cve>``, ``<bid>``, ``<xref>``, ``<cert><cert_ref>``, with ``NOCVE``,
``NOBID`` and ``NOXREF`` standing for "none").
"""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree.ElementTree import Element

from patchtui.importers.common import (
    clean,
    find_cves,
    parse_cwe,
    parse_ip,
    parse_port,
    parse_score,
    score_vector,
    severity_from_score,
    severity_name,
)
from patchtui.importers.model import FindingRecord

# NVT tags are joined as ``key=value|key=value``. A value may itself contain "|",
# so only a "|" that starts another ``key=`` separates two tags.
_TAG_SEPARATOR = re.compile(r"\|(?=[A-Za-z_][\w-]*=)")

# Tag name and heading of each part of the description, in display order.
_DESCRIPTION_PARTS = (
    ("insight", "Insight"),
    ("affected", "Affected software/OS"),
    ("impact", "Impact"),
    ("vuldetect", "Detection method"),
)

_SEVERITY_TYPES = {"cvss_base_v2": 2, "cvss_base_v3": 3, "cvss_base_v4": 4}

# Quality-of-detection types of checks that read the target through a login
# (package lists, the Windows registry, file versions on disk).
_AUTHENTICATED_QOD_TYPES = frozenset(
    {"package", "package_unreliable", "registry", "executable_version",
     "executable_version_unreliable"}
)

_LOCAL_FAMILY_MARKERS = ("local security checks", "windows : microsoft bulletins")

_PLACEHOLDERS = frozenset({"NOCVE", "NOBID", "NOXREF", ""})

_CWE_URL = re.compile(r"cwe\.mitre\.org/data/definitions/(\d+)", re.IGNORECASE)

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ResultHost:
    """The host a result names: its address, or its text when that is no IP address."""

    def __init__(self, text: str | None, hostname: str | None) -> None:
        self.address = parse_ip(text)
        self.hostname = hostname
        if self.address is None:
            # An invalid address such as 192.168.1.1001 becomes the host's name.
            self.name = text or hostname
        else:
            self.name = hostname

    @property
    def key(self) -> str | None:
        """The asset key: the address, else the lower-cased name."""
        if self.address is not None:
            return self.address
        return self.name.lower() if self.name else None


def result_host(result: Element) -> ResultHost:
    """Return the host of a ``<result>``: ``<host>IP<hostname>name</hostname></host>``."""
    host = result.find("host")
    if host is None:
        return ResultHost(None, None)
    return ResultHost(clean(host.text), clean(host.findtext("hostname")))


def result_oid(result: Element) -> str:
    """Return the NVT OID of a result, or an empty string when it has none."""
    nvt = result.find("nvt")
    if nvt is None:
        return ""
    return (nvt.get("oid") or "").strip()


def result_label(result: Element) -> str:
    """Name a result for a warning: its NVT name, port and id."""
    name = single_line(result.findtext("nvt/name")) or single_line(result.findtext("name"))
    port = clean(result.findtext("port"))
    label = f"result {name!r}" if name else "a result"
    if port:
        label += f" on {port}"
    result_id = clean(result.get("id"))
    if result_id:
        label += f" (id {result_id})"
    return label


def parse_tags(text: str | None) -> dict[str, str]:
    """Split an NVT ``<tags>`` text into a dict. The first of a repeated key wins."""
    tags: dict[str, str] = {}
    for part in _TAG_SEPARATOR.split(text or ""):
        key, separator, value = part.partition("=")
        if separator and key.strip():
            tags.setdefault(key.strip(), tidy(value) or "")
    return tags


def tidy(text: str | None) -> str | None:
    """Strip every line of ``text``, which drops the indentation of pretty-printed XML."""
    if text is None:
        return None
    return clean("\n".join(line.strip() for line in text.splitlines()))


def single_line(text: str | None) -> str | None:
    """Collapse all whitespace runs, so a name wrapped over lines reads as one line."""
    if text is None:
        return None
    return clean(" ".join(text.split()))


def build_finding(result: Element, host: ResultHost, seen_at: datetime | None) -> FindingRecord:
    """Build the finding of one ``<result>`` whose OID and host were checked by the caller."""
    nvt = result.find("nvt")
    if nvt is None:
        nvt = Element("nvt")
    tags = parse_tags(nvt.findtext("tags"))
    port, protocol = parse_port(result.findtext("port"))
    family = clean(nvt.findtext("family"))
    cvss = _cvss(nvt, tags)
    references, cwes = _references(nvt)

    return FindingRecord(
        host_address=host.address,
        host_name=host.name,
        plugin_id=result_oid(result),
        name=single_line(nvt.findtext("name")) or single_line(result.findtext("name")) or "",
        port=port,
        protocol=protocol,
        scanner_severity=_scanner_severity(result),
        family=family,
        cvss2_score=cvss[2][0],
        cvss2_vector=cvss[2][1],
        cvss3_score=cvss[3][0],
        cvss3_vector=cvss[3][1],
        cvss4_score=cvss[4][0],
        cvss4_vector=cvss[4][1],
        cves=_cves(nvt),
        cwes=cwes,
        synopsis=clean(tags.get("summary")),
        description=_description(tags),
        solution=tidy(nvt.findtext("solution")) or clean(tags.get("solution")),
        references=references,
        plugin_type=_plugin_type(family, result.findtext("qod/type") or tags.get("qod_type")
                                 or tags.get("qodType")),
        published=_date(tags.get("creation_date")),
        plugin_output=clean(result.findtext("description")),
        qod=_qod(result.findtext("qod/value")),
        seen_at=seen_at,
    )


def _scanner_severity(result: Element) -> str:
    # Log and False Positive map to info. An empty or unknown threat falls back to the score.
    threat = clean(result.findtext("threat"))
    named = severity_name(threat) if threat else None
    if named is not None:
        return named
    score = parse_score(result.findtext("severity"))
    return severity_from_score(score) if score is not None else "info"


def _vector_version(vector: str) -> int:
    if vector.startswith("CVSS:4"):
        return 4
    if vector.startswith("CVSS:3"):
        return 3
    return 2


def _cvss(nvt: Element, tags: dict[str, str]) -> dict[int, tuple[float | None, str | None]]:
    """Return {version: (base score, vector)} for CVSS v2, v3 and v4.

    ``<cvss_base>`` belongs to the version of the ``cvss_base_vector`` tag, because GVM
    22 writes a v3 score there for NVTs with a v3 vector, while GMP 9 reports contain v2
    scores. Without the tag the score is taken as v2. ``<severities>``, in newer
    reports, names its version in each entry.
    """
    scores: dict[int, float | None] = {2: None, 3: None, 4: None}
    vectors: dict[int, str | None] = {2: None, 3: None, 4: None}

    base = parse_score(nvt.findtext("cvss_base"))
    vector = clean(tags.get("cvss_base_vector"))
    version = _vector_version(vector) if vector else 2
    scores[version], vectors[version] = base, vector

    for severity in nvt.iterfind("severities/severity"):
        kind = _SEVERITY_TYPES.get(severity.get("type") or "")
        if kind is None:
            continue
        score = parse_score(severity.findtext("score"))
        if score is not None:
            scores[kind] = score
        vectors[kind] = clean(severity.findtext("value")) or vectors[kind]

    for kind, kind_vector in vectors.items():
        if scores[kind] is None and kind_vector:
            scores[kind] = score_vector(kind, kind_vector)
    return {kind: (scores[kind], vectors[kind]) for kind in scores}


def _cves(nvt: Element) -> list[str]:
    cves: list[str] = []
    for ref in nvt.iterfind("refs/ref"):
        if (ref.get("type") or "").lower() == "cve":
            cves.extend(find_cves(ref.get("id")))
    # OMP and early GMP list CVEs as comma-separated text, NOCVE meaning none.
    for element in nvt.iterfind("cve"):
        cves.extend(find_cves(element.text))
    return list(dict.fromkeys(cves))


def _references(nvt: Element) -> tuple[list[str], list[str]]:
    """Return the non-CVE references and the CWE ids of an NVT."""
    references: list[str] = []
    cwes: list[str] = []
    for ref in nvt.iterfind("refs/ref"):
        kind = (ref.get("type") or "").strip().lower()
        ref_id = clean(ref.get("id"))
        if ref_id is None or kind == "cve":
            continue
        if kind == "cwe":
            cwes.append(parse_cwe(ref_id) or ref_id)
        elif kind == "bid":
            references.append(f"BID:{ref_id}")
        elif kind in ("url", "cert-bund", "dfn-cert", "cert"):
            references.append(ref_id)
        else:
            references.append(f"{kind.upper()}:{ref_id}" if kind else ref_id)
    references.extend(_omp_references(nvt))

    for reference in references:
        match = _CWE_URL.search(reference)
        if match:
            cwes.append(f"CWE-{int(match.group(1))}")
    return list(dict.fromkeys(references)), list(dict.fromkeys(cwes))


def _omp_references(nvt: Element) -> list[str]:
    """Return the references of the OMP layout: ``<bid>``, ``<xref>`` and ``<cert_ref>``."""
    references: list[str] = []
    for element in nvt.iterfind("bid"):
        references.extend(f"BID:{bid}" for bid in _split_list(element.text))
    for element in nvt.iterfind("xref"):
        references.extend(item.removeprefix("URL:") for item in _split_list(element.text))
    for cert in nvt.iterfind("cert/cert_ref"):
        cert_id = clean(cert.get("id"))
        if cert_id:
            references.append(cert_id)
    return references


def _split_list(text: str | None) -> list[str]:
    items = (item.strip() for item in (text or "").split(","))
    return [item for item in items if item.upper() not in _PLACEHOLDERS]


def _description(tags: dict[str, str]) -> str | None:
    parts = [f"{heading}:\n{tags[key]}" for key, heading in _DESCRIPTION_PARTS if tags.get(key)]
    return "\n\n".join(parts) or None


def _plugin_type(family: str | None, qod_type: str | None) -> str:
    """Return ``local`` for checks that need a login on the target, else ``remote``."""
    family_text = (family or "").lower()
    if any(marker in family_text for marker in _LOCAL_FAMILY_MARKERS):
        return "local"
    if (qod_type or "").strip().lower() in _AUTHENTICATED_QOD_TYPES:
        return "local"
    return "remote"


def _qod(text: str | None) -> int | None:
    text = clean(text)
    if text is None or not text.isdigit():
        return None
    value = int(text)
    return value if 0 <= value <= 100 else None


def _date(text: str | None) -> str | None:
    match = _DATE.match(text.strip()) if text else None
    return match.group() if match else None
