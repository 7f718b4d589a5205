"""Vietnamese document numbers (số, ký hiệu văn bản): find, validate, classify, canonicalise.

Three patterns run on the normalised text (NFC, Ð→Đ, dashes and slashes unified):

* state numbers ``{số}/[{năm}/]{TYPE}-{ISSUER}[-{UNIT}]`` (``1621/QĐ-TTg``, ``17/2017/NĐ-CP``) and
  công văn ``{số}/{ISSUER}-{UNIT}`` (``1560/VPCP-KGVX``), which have no type code;
* Party numbers ``{số}-{TYPE}/{ISSUER}`` (``36-NQ/TW``);
* the anchor words before a number ("Công văn số …", "Luật …") that decide ambiguous cases.

The patterns are deliberately loose; a table check decides what is accepted (dates, fractions,
"4G/LTE", photo credits, "5/TB" are rejected). Only the unambiguous repairs ND→NĐ, QD→QĐ, CD→CĐ
are applied (never HD/DA: HĐ and ĐA are different codes). Offsets refer to ``normalize_text(text)``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from newswatch.models import DocNumber
from newswatch.text.issuers import REGISTRY
from newswatch.text.normalize import normalize_text


class DocType(NamedTuple):
    """A document type: its Vietnamese name and its alert weight (3 always alert … 0 not a directive)."""

    name: str
    weight: int


DOC_TYPES: dict[str, DocType] = {
    "CT": DocType("Chỉ thị", 3),
    "CĐ": DocType("Công điện", 3),
    "NQ": DocType("Nghị quyết", 3),
    "QĐ": DocType("Quyết định", 3),
    "NĐ": DocType("Nghị định", 3),
    "KL": DocType("Kết luận", 3),
    "LUAT": DocType("Luật", 3),
    "NQQH": DocType("Nghị quyết của Quốc hội", 3),
    "PL": DocType("Pháp lệnh", 3),
    "QH": DocType("Văn bản của Quốc hội", 3),
    "TB": DocType("Thông báo", 2),  # 3 when issued by VPCP (kết luận, ý kiến chỉ đạo)
    "CV": DocType("Công văn", 2),  # 3 when issued by VPCP; 1 for Party công văn (-CV/TU)
    "KH": DocType("Kế hoạch", 2),
    "TT": DocType("Thông tư", 2),
    "TTLT": DocType("Thông tư liên tịch", 2),
    "NQLT": DocType("Nghị quyết liên tịch", 2),
    "CTr": DocType("Chương trình", 2),
    "ĐA": DocType("Đề án", 2),
    "HD": DocType("Hướng dẫn", 2),
    "QyĐ": DocType("Quy định", 2),
    "QC": DocType("Quy chế", 1),
    "PA": DocType("Phương án", 1),
    "TC": DocType("Thông cáo", 1),
    "DA": DocType("Dự án", 1),
    "L": DocType("Lệnh", 1),
    "BC": DocType("Báo cáo", 0),
    "TTr": DocType("Tờ trình", 0),
    "BB": DocType("Biên bản", 0),
    "HĐ": DocType("Hợp đồng", 0),
    "GM": DocType("Giấy mời", 0),
    "GGT": DocType("Giấy giới thiệu", 0),
    "GUQ": DocType("Giấy ủy quyền", 0),
    "NP": DocType("Giấy nghỉ phép", 0),
    "GN": DocType("Bản ghi nhớ", 0),
    "TTh": DocType("Bản thỏa thuận", 0),
    "PG": DocType("Phiếu gửi", 0),
    "PC": DocType("Phiếu chuyển", 0),
    "PB": DocType("Phiếu báo", 0),
    "SY": DocType("Bản sao y", 0),
    "SL": DocType("Bản sao lục", 0),
    "TS": DocType("Bản trích sao", 0),
}

# Type codes that may open a state symbol (CV only in the non-compliant "CV-UBND" form).
_STATE_TYPES = {code for code in DOC_TYPES if code not in ("LUAT", "NQQH", "PL", "QH")}

ISSUERS: dict[str, str] = {code: issuer.name for code, issuer in REGISTRY.items()}
_ISSUER_BY_UPPER = {code.upper(): code for code in ISSUERS}
_STATE_ISSUERS = {"TTG", "CP", "VPCP", "CTN", "UBND", "HĐND", "NHNN", "TTCP", "KTNN"}
_MINISTRY_RE = re.compile(r"^B(?!CSĐ)[A-ZĐ]{1,8}$")  # BTC, BKHCN, BGDĐT…; BCSĐ… is a Party body
_STEERING_RE = re.compile(r"^BCĐ[A-ZĐ0-9]*$")
_DEPARTMENT_RE = re.compile(r"^S[A-ZĐ]{2,8}$")  # a province's Sở: SGDĐT, STTTT, SKHCN, STC
_ASSEMBLY_RE = re.compile(r"^(UBTV)?QH(\d{2})$")

# Case as printed: the lower-case letters in TTg, QyĐ, CTr, TTr, TTh are part of the codes.
_CASE_FIX = {"TTG": "TTg", "QYĐ": "QyĐ", "CTR": "CTr", "TTR": "TTr", "TTH": "TTh"}
# The only safe Đ repairs; HD/DA are real codes distinct from HĐ/ĐA.
_TYPE_REPAIR = {"ND": "NĐ", "QD": "QĐ", "CD": "CĐ", "QYD": "QyĐ"}

_G = r"[A-ZĐa-zđ][A-ZĐa-zđ0-9&]{0,19}"
_SEP = r"\s{0,2}-\s{0,2}"
STATE_RE = re.compile(
    rf"""(?<![\w/.,-])
    (?P<num>\d{{1,2}}\.\d{{3}}(?!\d)|\d{{1,5}})\s{{0,2}}(?P<slash>[/_])\s{{0,2}}
    (?:(?P<year>(?:19|20)\d{{2}})\s{{0,2}}[/_-]\s{{0,2}})?
    (?P<sym>{_G}(?:{_SEP}{_G}){{0,3}})
    (?![\wĐđ])""",
    re.I | re.X,
)
PARTY_RE = re.compile(
    r"""(?<![\w/.,-])(?P<num>\d{1,5})\s{0,2}-\s{0,2}
    (?P<type>NQ|CT|KL|QĐ|QD|QC|HD|TB|KH|CTr|BC|TTr|CV|ĐA|TT|BB|GM|HĐ|QyĐ|PA)\s{0,2}/\s{0,2}
    (?P<iss>[A-ZĐa-zđ][A-ZĐa-zđ0-9]{0,14}(?:-[A-ZĐa-zđ0-9]{1,10})?)(?![\wĐđ])""",
    re.I | re.X,
)
_ANCHOR_WORDS = (r"Nghị định|Quyết định|Chỉ thị|Thông báo(?: kết luận)?|Nghị quyết|Công điện|Kế hoạch|"
                 r"Thông tư(?: liên tịch)?|Công văn|Văn bản|Luật|Pháp lệnh|Kết luận|Hướng dẫn|Chương trình|"
                 r"Đề án|Lệnh|Tờ trình|Báo cáo")
ANCHOR_RE = re.compile(rf"(?:{_ANCHOR_WORDS})\s+(?:số\s*[:.]?\s*)?$", re.I)
_QH_KIND_RE = re.compile(r"(Luật|Bộ luật|Nghị quyết|Pháp lệnh)", re.I)
_GROUP_RE = re.compile(r"[A-ZĐa-zđ][A-ZĐa-zđ0-9&]*")
_DATE_NUMERIC = re.compile(r"^[\s,]*(?:(?:của|do|được)\s[^\d.;()]{0,60}?)?(?:ký\s+|ban hành\s+)?ngày\s*"
                           r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})", re.I)
_DATE_WORDS = re.compile(r"^[\s,]*(?:(?:của|do|được)\s[^\d.;()]{0,60}?)?(?:ký\s+|ban hành\s+)?ngày\s+"
                         r"(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)


def _canon_group(group: str) -> str:
    upper = group.upper()
    return _CASE_FIX.get(upper, upper)


def _is_issuer(code: str) -> bool:
    upper = code.upper()
    return (upper in _ISSUER_BY_UPPER or bool(_MINISTRY_RE.match(upper)) or bool(_STEERING_RE.match(upper))
            or bool(_DEPARTMENT_RE.match(upper))
            or bool(_ASSEMBLY_RE.match(upper)) or upper.startswith("BCSĐ") or upper.startswith("UBND")
            or upper.startswith("HĐND"))


def _type_code(group: str) -> str | None:
    code = _canon_group(group)
    code = _TYPE_REPAIR.get(code.upper(), code)
    return code if code in DOC_TYPES and code in _STATE_TYPES else None


def _issue_date(text: str, end: int) -> date | None:
    tail = text[end:end + 120]
    for pattern in (_DATE_NUMERIC, _DATE_WORDS):
        match = pattern.match(tail)
        if match:
            day, month, year = (int(g) for g in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def _weight(doc_type: str, issuer: str | None, family: str) -> int:
    if doc_type in ("TB", "CV"):
        if family == "party" and doc_type == "CV":
            return 1
        return 3 if issuer == "VPCP" else 2
    return DOC_TYPES[doc_type].weight


def _qh_kind(text: str, start: int) -> str:
    before = text[max(0, start - 80):start]
    kinds = _QH_KIND_RE.findall(before)
    if not kinds:
        return "QH"
    last = kinds[-1].lower()
    if last.endswith("luật"):
        return "LUAT"
    if last == "pháp lệnh":
        return "PL"
    return "NQQH"


def _keep_groups(sym: str) -> list[tuple[str, int]]:
    """Symbol groups with their end offsets inside ``sym``; stop at a group that is not a code.

    A group after the first two must look like a code (upper case or a known issuer), so that a
    hyphen followed by an ordinary word ("NĐ-CP - Thu") does not swallow it.
    """
    groups = [(m.group(0), m.end()) for m in _GROUP_RE.finditer(sym)]
    kept: list[tuple[str, int]] = []
    for index, (group, end) in enumerate(groups):
        looks_code = group.isupper() or _is_issuer(group) or _type_code(group) is not None
        if index >= 1 and not looks_code:
            break
        kept.append((group, end))
    return kept


def _state_match(text: str, match: re.Match[str]) -> DocNumber | None:
    num = int(match.group("num").replace(".", ""))  # "2.605/QĐ-TTg": a thousands dot some outlets print
    year = int(match.group("year")) if match.group("year") else None
    kept = _keep_groups(match.group("sym"))
    if not kept:
        return None
    end = match.start("sym") + kept[-1][1]
    raw_groups = [g for g, _ in kept]
    groups = [_canon_group(g) for g in raw_groups]
    anchored = bool(ANCHOR_RE.search(text[max(0, match.start() - 40):match.start()]))
    first = groups[0]
    type_code = _type_code(raw_groups[0])
    issuer: str | None
    unit: str | None = None
    assembly = _ASSEMBLY_RE.match(first.upper())
    if assembly and len(groups) == 1:
        doc_type = _qh_kind(text, match.start())
        issuer = first.upper()
        family = "assembly"
        canonical_sym = issuer
    elif type_code is not None:
        if len(groups) < 2:
            return None  # "5/TB": a type without an issuer
        doc_type = type_code
        if doc_type in ("TTLT", "NQLT"):
            issuer = "-".join(groups[1:])
        else:
            issuer = groups[1]
            unit = "-".join(groups[2:]) or None
        if raw_groups[1].islower() and not _is_issuer(raw_groups[1]) and year is None:
            return None
        family = "normative" if year else "state"
        canonical_sym = "-".join([doc_type, *groups[1:]])
    else:
        # Công văn: issuer + unit, no type code.
        if not _is_issuer(first) or all(g.islower() for g in raw_groups):
            return None  # "12/2024/abc", product codes such as "17380/QLX-ĐK"
        if len(groups) < 2 and not anchored and year is None:
            return None
        doc_type = "CV"
        issuer = first
        unit = "-".join(groups[1:]) or None
        family = "normative" if year else "state"
        canonical_sym = "-".join(groups)
    issuer = _ISSUER_BY_UPPER.get(issuer.upper(), issuer) if issuer else issuer
    canonical = f"{num:02d}/" + (f"{year}/" if year else "") + canonical_sym
    return DocNumber(
        canonical=canonical, raw=text[match.start():end], doc_type=doc_type,
        type_name=DOC_TYPES[doc_type].name, issuer=issuer, unit=unit, year=year,
        issue_date=_issue_date(text, end), family=family,
        directive_weight=_weight(doc_type, issuer, family), start=match.start(), end=end,
    )


def _party_match(text: str, match: re.Match[str]) -> DocNumber | None:
    num = int(match.group("num"))
    doc_type = _canon_group(match.group("type"))
    doc_type = _TYPE_REPAIR.get(doc_type.upper(), doc_type)
    iss_parts = [_canon_group(p) for p in match.group("iss").split("-")]
    issuer = iss_parts[0]
    unit = "-".join(iss_parts[1:]) or None
    if match.group("iss").islower() and not _is_issuer(issuer):
        return None
    end = match.end()
    if issuer.upper() in _STATE_ISSUERS or (issuer in _ISSUER_BY_UPPER.values() and _MINISTRY_RE.match(issuer)):
        # "03-NQ/CP": a state number written Party-style; repair it.
        issuer = _ISSUER_BY_UPPER.get(issuer.upper(), issuer)
        canonical = f"{num:02d}/{doc_type}-{issuer}" + (f"-{unit}" if unit else "")
        family = "state"
    else:
        canonical = f"{num:02d}-{doc_type}/{issuer}" + (f"-{unit}" if unit else "")
        family = "party"
    return DocNumber(
        canonical=canonical, raw=text[match.start():end], doc_type=doc_type,
        type_name=DOC_TYPES[doc_type].name, issuer=issuer, unit=unit, year=None,
        issue_date=_issue_date(text, end), family=family,
        directive_weight=_weight(doc_type, issuer, family), start=match.start(), end=end,
    )


def find_doc_numbers(text: str) -> list[DocNumber]:
    """Every document number in ``text`` (each occurrence, in order of appearance).

    Offsets (``start``/``end``) refer to ``normalize_text(text)``, which is ``text`` itself for
    article text coming out of the extractor.
    """
    text = normalize_text(text)
    found: list[DocNumber] = []
    taken: list[tuple[int, int]] = []
    for pattern, handler in ((PARTY_RE, _party_match), (STATE_RE, _state_match)):
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            number = handler(text, match)
            if number is not None:
                found.append(number)
                taken.append((number.start, number.end))
    found.sort(key=lambda n: n.start)
    return found


def unique_doc_numbers(numbers: list[DocNumber]) -> list[DocNumber]:
    """One entry per key (canonical + issue year), first occurrence kept, issue date filled from later ones."""
    by_canonical: dict[str, DocNumber] = {}
    for number in numbers:
        kept = by_canonical.get(number.canonical)
        if kept is None:
            by_canonical[number.canonical] = number
        elif kept.issue_date is None and number.issue_date is not None:
            kept.issue_date = number.issue_date
    return list(by_canonical.values())


def canonicalize_doc_number(value: str) -> str | None:
    """The canonical form of one document number typed by a user ("17/2017/nđ-cp" → "17/2017/NĐ-CP")."""
    text = normalize_text(value or "").strip().rstrip(".;,")
    text = re.sub(r"^(?:số|so)\s*[:.]?\s*", "", text, flags=re.I)
    if not text:
        return None
    prefix = "Công văn số "  # a number typed alone is read as anchored ("5/UBND")
    for candidate in (text, text.upper()):
        numbers = find_doc_numbers(prefix + candidate)
        if numbers and numbers[0].start == len(prefix):
            return numbers[0].canonical
    return None
