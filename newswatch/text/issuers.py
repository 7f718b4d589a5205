"""The issuer registry: who issues Vietnamese documents, by the code printed in their numbers.

A document number names its issuer after the type code (``07/CT-TTg``: the Prime Minister) or
after the slash of a Party number (``57-NQ/TW``: the Central Committee, the Politburo, the
Secretariat). Each code here has its Vietnamese name (shown in the UI and in alerts) and a
*group*; rules and filters can name a group instead of listing codes:

``government``
    Chính phủ, Thủ tướng (also when a Deputy Prime Minister signs "KT. Thủ tướng"), VPCP, Chủ tịch nước.
``ministries``
    every ministry and ministerial agency, with the codes of ministries merged in 2025 (their
    numbers still circulate).
``assembly``
    Quốc hội (``QH15``, ``QH16``), its Standing Committee and bodies.
``party``
    the Central Committee and its organs (Bộ Chính trị and Ban Bí thư sign ``…/TW``).
``steering``
    central steering committees (``BCĐTW``: Ban Chỉ đạo Trung ương về phát triển khoa học, công
    nghệ, đổi mới sáng tạo và chuyển đổi số, and the others).
``central``
    all of the above.
``state_bodies``
    courts, the prosecution, the State Audit and agencies below a ministry: not in ``central``,
    which is what a Government press office calls central.
``local``
    provinces, cities, communes and their Party committees: never central.

To add an issuer, add one line to :data:`REGISTRY` (code as printed, name, group). A code not in
the registry gets the group from its shape (``UBND…``, ``…TW``, ``QH15``) or ``other``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from newswatch.text.normalize import fold


class Issuer(NamedTuple):
    """One issuing body: the code as printed in numbers, its Vietnamese name and its group."""

    code: str
    name: str
    group: str


GROUPS: dict[str, str] = {
    "government": "Chính phủ, Thủ tướng Chính phủ",
    "ministries": "Bộ, cơ quan ngang bộ",
    "assembly": "Quốc hội",
    "party": "Trung ương Đảng",
    "steering": "Ban Chỉ đạo Trung ương",
    "central": "Cơ quan Trung ương",
    "state_bodies": "Tòa án, Viện kiểm sát, Kiểm toán Nhà nước và cơ quan thuộc Chính phủ",
    "local": "Địa phương",
    "other": "Khác",
}
CENTRAL_GROUPS = frozenset({"government", "ministries", "assembly", "party", "steering"})

_ENTRIES: tuple[tuple[str, str, str], ...] = (
    # Government
    ("CP", "Chính phủ", "government"),
    ("TTg", "Thủ tướng Chính phủ", "government"),
    ("VPCP", "Văn phòng Chính phủ", "government"),
    ("CTN", "Chủ tịch nước", "government"),
    ("VPCTN", "Văn phòng Chủ tịch nước", "government"),
    # Ministries and ministerial agencies since the 2025 reorganisation
    ("BQP", "Bộ Quốc phòng", "ministries"),
    ("BCA", "Bộ Công an", "ministries"),
    ("BNG", "Bộ Ngoại giao", "ministries"),
    ("BNV", "Bộ Nội vụ", "ministries"),
    ("BTP", "Bộ Tư pháp", "ministries"),
    ("BTC", "Bộ Tài chính", "ministries"),
    ("BCT", "Bộ Công Thương", "ministries"),
    ("BNNMT", "Bộ Nông nghiệp và Môi trường", "ministries"),
    ("BXD", "Bộ Xây dựng", "ministries"),
    ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch", "ministries"),
    ("BKHCN", "Bộ Khoa học và Công nghệ", "ministries"),
    ("BGDĐT", "Bộ Giáo dục và Đào tạo", "ministries"),
    ("BYT", "Bộ Y tế", "ministries"),
    ("BDTTG", "Bộ Dân tộc và Tôn giáo", "ministries"),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam", "ministries"),
    ("TTCP", "Thanh tra Chính phủ", "ministries"),
    # Ministries merged in 2025: their numbers are still cited and reported
    ("BTTTT", "Bộ Thông tin và Truyền thông", "ministries"),
    ("BKHĐT", "Bộ Kế hoạch và Đầu tư", "ministries"),
    ("BGTVT", "Bộ Giao thông vận tải", "ministries"),
    ("BTNMT", "Bộ Tài nguyên và Môi trường", "ministries"),
    ("BNNPTNT", "Bộ Nông nghiệp và Phát triển nông thôn", "ministries"),
    ("BLĐTBXH", "Bộ Lao động - Thương binh và Xã hội", "ministries"),
    ("UBDT", "Ủy ban Dân tộc", "ministries"),
    # Other central state bodies: courts, prosecution, audit and agencies below a ministry
    ("KTNN", "Kiểm toán Nhà nước", "state_bodies"),
    ("TANDTC", "Tòa án nhân dân tối cao", "state_bodies"),
    ("VKSNDTC", "Viện kiểm sát nhân dân tối cao", "state_bodies"),
    ("BHXH", "Bảo hiểm xã hội Việt Nam", "state_bodies"),
    # National Assembly
    ("QH", "Quốc hội", "assembly"),
    ("UBTVQH", "Ủy ban Thường vụ Quốc hội", "assembly"),
    ("VPQH", "Văn phòng Quốc hội", "assembly"),
    ("HĐDT", "Hội đồng Dân tộc", "assembly"),
    # Central Party organs (Bộ Chính trị and Ban Bí thư number their documents …/TW)
    ("TW", "Trung ương Đảng (Bộ Chính trị, Ban Bí thư)", "party"),
    ("VPTW", "Văn phòng Trung ương Đảng", "party"),
    ("BTCTW", "Ban Tổ chức Trung ương", "party"),
    ("BTGDVTW", "Ban Tuyên giáo và Dân vận Trung ương", "party"),
    ("BTGTW", "Ban Tuyên giáo Trung ương", "party"),
    ("BDVTW", "Ban Dân vận Trung ương", "party"),
    ("BNCTW", "Ban Nội chính Trung ương", "party"),
    ("BKTTW", "Ban Kinh tế Trung ương", "party"),
    ("BĐNTW", "Ban Đối ngoại Trung ương", "party"),
    ("UBKTTW", "Ủy ban Kiểm tra Trung ương", "party"),
    ("ĐUCP", "Đảng ủy Chính phủ", "party"),
    ("ĐUQH", "Đảng ủy Quốc hội", "party"),
    ("ĐUCCQĐTW", "Đảng ủy các cơ quan Đảng Trung ương", "party"),
    ("BCSĐCP", "Ban cán sự đảng Chính phủ", "party"),
    ("QUTW", "Quân ủy Trung ương", "party"),
    ("ĐUCATW", "Đảng ủy Công an Trung ương", "party"),
    # Central steering committees
    ("BCĐTW", "Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
     "steering"),
    ("BCĐ57", "Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
     "steering"),
    ("BCĐCP", "Ban Chỉ đạo của Chính phủ", "steering"),
    ("BCĐTKNQ18", "Ban Chỉ đạo Trung ương tổng kết Nghị quyết 18-NQ/TW", "steering"),
    ("CQTTBCĐ", "Cơ quan thường trực Ban Chỉ đạo Trung ương", "steering"),
    # Local bodies (never central)
    ("UBND", "Ủy ban nhân dân", "local"),
    ("HĐND", "Hội đồng nhân dân", "local"),
    ("TU", "Tỉnh ủy / Thành ủy", "local"),
    ("HU", "Huyện ủy", "local"),
    ("QU", "Quận ủy", "local"),
    ("ĐU", "Đảng ủy", "local"),
    ("BCĐ", "Ban Chỉ đạo (địa phương)", "local"),
)

REGISTRY: dict[str, Issuer] = {code: Issuer(code, name, group) for code, name, group in _ENTRIES}
_BY_KEY: dict[str, Issuer] = {fold(code): issuer for code, issuer in REGISTRY.items()}
_ASSEMBLY = re.compile(r"^(ubtv)?qh\d{2}$")
_DEPARTMENT = re.compile(r"^s[a-z]{2,8}$")  # a province's Sở (SGDĐT, STTTT, SKHCN): checked after the registry


def issuer_key(code: str) -> str:
    """The comparison key of an issuer code: folded (``BGDĐT`` = ``bgddt``, ``TTg`` = ``ttg``)."""
    return fold(code or "").strip().replace(" ", "")


@lru_cache(maxsize=4096)
def lookup(code: str) -> Issuer:
    """The registry entry for ``code``; an unknown code gets a group from its shape, its code as name."""
    key = issuer_key(code)
    known = _BY_KEY.get(key)
    if known is not None:
        return known
    assembly = _ASSEMBLY.match(key)
    if assembly:
        base = REGISTRY["UBTVQH" if assembly.group(1) else "QH"]
        return Issuer(code, f"{base.name} khóa {key[-2:]}", "assembly")
    if "bcd" in key and (key.endswith(("tw", "cp")) or key.startswith("cqtt")):
        return Issuer(code, "Ban Chỉ đạo Trung ương", "steering")
    if key.endswith("tw") and len(key) > 2:
        return Issuer(code, code, "party")
    if key.startswith(("ubnd", "hdnd")) or key in ("tu", "hu", "qu", "du") or _DEPARTMENT.match(key):
        return Issuer(code, code, "local")
    return Issuer(code, code, "other")


# Bodies whose every document is about a topic: the central steering committees for science, technology,
# innovation and digital transformation (their standing agencies too).
ISSUER_TOPICS: dict[str, tuple[str, ...]] = {
    "bcdtw": ("chuyen-doi-so", "khoa-hoc-cong-nghe"), "bcd57": ("chuyen-doi-so", "khoa-hoc-cong-nghe"),
    "bcdcp": ("chuyen-doi-so", "khoa-hoc-cong-nghe"), "cqttbcd": ("chuyen-doi-so", "khoa-hoc-cong-nghe"),
}


def issuer_topics(code: str | None) -> tuple[str, ...]:
    """The topics every document of this issuer is on (none for most issuers)."""
    return ISSUER_TOPICS.get(issuer_key(code or ""), ())


def issuer_name(code: str | None) -> str:
    """The Vietnamese name of an issuer code ("" for none)."""
    return lookup(code).name if code else ""


def issuer_group(code: str | None) -> str:
    return lookup(code).group if code else "other"


def is_central(code: str | None) -> bool:
    return issuer_group(code) in CENTRAL_GROUPS


def expand_selector(entry: str) -> tuple[str, str]:
    """A rule's issuer entry as (kind, value): ``("group", "central")``, ``("prefix", "qh")`` or ``("code", "ttg")``.

    Raises ``ValueError`` for an entry that is neither a group, a registry code, a code of a known
    shape (``QH15``) nor a prefix pattern ending in ``*``.
    """
    text = (entry or "").strip()
    if not text:
        raise ValueError("an empty issuer")
    if text in GROUPS:
        return "group", text
    if text.endswith("*") and len(text) > 1:
        return "prefix", issuer_key(text[:-1])
    if lookup(text).group == "other":
        raise ValueError(f"unknown issuer {text!r}: use a code of the registry (TTg, CP, VPCP, BKHCN, TW, "
                         f"BCĐTW, QH15 ...), a group ({', '.join(GROUPS)}) or a prefix such as 'QH*'")
    return "code", issuer_key(text)


def selector_matches(selector: tuple[str, str], code: str | None) -> bool:
    """Whether an issuer code meets one expanded rule/search entry."""
    kind, value = selector
    if kind == "group":
        group = issuer_group(code)
        return group in CENTRAL_GROUPS if value == "central" else group == value
    key = issuer_key(code or "")
    return key.startswith(value) if kind == "prefix" else key == value
