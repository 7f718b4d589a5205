"""The labelled corpus of how outlets report documents, run through the real extraction and rule path.

Each case of ``tests/fixtures/directive_corpus/<pattern>.yaml`` (format: that folder's README) is
rendered as a news page in the layout of one of four kinds of real outlet — the Government
e-newspaper, a national daily, a ministry portal, a provincial paper — with its ``related``
headlines in the page's "Tin liên quan", "Đọc thêm", "Tin khác" and "Đọc nhiều" boxes. The page
goes through :func:`~newswatch.extract.extract_article` (pruning, the enrichment step) and then
the shipped ``cds-new-directives`` rule of ``config/rules.yaml``. Three verdicts per case are
compared with the labels:

``numbers``  every number of the article's own text was found (and none from a teaser box);
``issued``   the numbers reported as newly issued, by the same rule with every type, issuer and topic;
``alerts``   what the shipped digital-transformation rule fires on.

:func:`score` counts true/false positives and false negatives per pattern and overall.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from monitor.config import load_rules
from monitor.rules import RuleContext
from monitor.rules.new_directive import NewDirectiveRule
from newswatch.extract import extract_article
from newswatch.models import Article
from newswatch.settings import PROJECT_ROOT
from newswatch.text.docnumbers import DOC_TYPES, canonicalize_doc_number
from newswatch.text.normalize import normalize_text
from newswatch.text.topics import tag_topics

CORPUS_DIR = PROJECT_ROOT / "tests" / "fixtures" / "directive_corpus"
SECOND_DIR = PROJECT_ROOT / "tests" / "fixtures" / "directive_corpus_holdout"  # its README: no longer held out
THIRD_DIR = PROJECT_ROOT / "tests" / "fixtures" / "directive_corpus_holdout2"  # idem
CORPUS_DIRS = (CORPUS_DIR, SECOND_DIR, THIRD_DIR)
CDS_RULE = "cds-new-directives"


@dataclass
class Case:
    """One labelled article snippet."""

    id: str
    pattern: str
    outlet: str
    published: datetime
    title: str
    lead: str
    body: str
    related: list[str]
    numbers: set[str]
    issued: set[str]
    alerts: set[str]


@dataclass
class Verdict:
    """What newswatch made of one case."""

    case: Case
    numbers: set[str]
    issued: set[str]
    alerts: set[str]
    reasons: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def _canon(value: str, where: str) -> str:
    """A label in canonical form; one newswatch cannot read stays as printed (spaces dropped), so that it is
    counted as a number newswatch missed rather than hidden."""
    canonical = canonicalize_doc_number(str(value))
    return canonical if canonical is not None else re.sub(r"\s+", "", normalize_text(str(value)))


def load_corpus(*folders: Path) -> list[Case]:
    """Every case of every pattern file, labels in canonical form; a second folder's patterns are prefixed
    with its name (``directive_corpus_holdout/qa-explainer``)."""
    cases: list[Case] = []
    folders = folders or CORPUS_DIRS
    for folder in folders:
        cases += _load_folder(folder, prefix="" if folder == folders[0] else f"{folder.name}/")
    return cases


def _load_folder(folder: Path, prefix: str) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in data["cases"]:
            where = f"{path.name} {raw['id']}"
            published = raw["published"]
            if not isinstance(published, datetime):
                published = datetime.fromisoformat(str(published))
            cases.append(Case(
                id=raw["id"], pattern=prefix + data["pattern"], outlet=raw.get("outlet", ""), published=published,
                title=raw["title"], lead=raw.get("lead") or "", body=raw["body"], related=raw.get("related") or [],
                numbers={_canon(n, where) for n in raw.get("numbers") or []},
                issued={_canon(n, where) for n in raw.get("issued") or []},
                alerts={_canon(n, where) for n in raw.get("alerts") or []}))
    return cases


# -- pages ------------------------------------------------------------------------------------------

def _links(items: list[str], base: str) -> str:
    return "".join(f'<li><a href="/{base}-{i}.htm">{html.escape(t)}</a></li>' for i, t in enumerate(items))


def _paragraphs(body: str) -> str:
    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n\n") if p.strip())


def _halves(items: list[str]) -> tuple[list[str], list[str]]:
    middle = (len(items) + 1) // 2
    return items[:middle], items[middle:]


def render_page(case: Case) -> str:
    """The case as a page of one of four outlet layouts (chosen by the case id), teasers around it."""
    title, lead = html.escape(case.title), html.escape(case.lead)
    stamp = case.published.isoformat()
    shown = case.published.strftime("%d/%m/%Y %H:%M")
    inline, aside = _halves(case.related)
    paragraphs = [p for p in case.body.split("\n\n") if p.strip()]
    first, rest = _paragraphs("\n\n".join(paragraphs[:1])), _paragraphs("\n\n".join(paragraphs[1:]))
    head = (f'<head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{title}">'
            f'<meta property="og:description" content="{lead}">'
            f'<meta property="article:published_time" content="{stamp}"></head>')
    menu = ('<header><nav class="menu"><a href="/">Trang chủ</a> <a href="/thoi-su.htm">Thời sự</a> '
            '<a href="/chinh-sach.htm">Chính sách</a> <a href="/cong-nghe.htm">Công nghệ</a></nav>'
            '<div class="weather">Hà Nội 24°C - Có mây</div></header>')
    footer = '<footer>© Cơ quan chủ quản. Giấy phép số 123/GP-BTTTT. Ghi rõ nguồn khi phát hành lại.</footer>'
    layout = int(hashlib.md5(case.id.encode()).hexdigest(), 16) % 4
    if layout == 0:  # the Government e-newspaper
        body = (f'<div class="detail-cate"><a href="/chinh-sach.htm">Chính sách mới</a></div>'
                f'<h1 class="detail-title">{title}</h1><div class="detail-time">{shown}</div>'
                f'<h2 class="detail-sapo">{lead}</h2><div class="detail-content afcbc-body">{first}'
                + (f'<div class="detail__related"><div class="title">Tin liên quan</div><ul>{_links(inline, "tin")}'
                   f'</ul></div>' if inline else "")
                + f'{rest}<p class="author">PV</p></div>'
                + (f'<div class="box-tinkhac"><h3>Tin khác</h3><ul>{_links(aside, "khac")}</ul></div>' if aside else ""))
    elif layout == 1:  # a national daily
        body = (f'<div class="header-content"><span class="date">{shown} (GMT+7)</span></div>'
                f'<h1 class="title-detail">{title}</h1><p class="description">{lead}</p>'
                f'<article class="fck_detail">{first}{rest}<p class="Normal" style="text-align:right">'
                f'<strong>Hoài Thu</strong></p></article>'
                + (f'<div class="box-tinlienquanv2"><h4>Xem thêm</h4><ul>{_links(inline, "xem")}</ul></div>'
                   if inline else "")
                + (f'<aside class="sidebar"><div class="box-docnhieu"><h3>Đọc nhiều</h3><ol>{_links(aside, "doc")}'
                   f'</ol></div></aside>' if aside else ""))
    elif layout == 2:  # a ministry portal
        body = (f'<div class="breadcrumb">Trang chủ › Tin tức - Sự kiện</div>'
                f'<div class="news-detail"><h1 class="news-title">{title}</h1>'
                f'<div class="news-date">Ngày đăng: {shown}</div><div class="news-sapo"><strong>{lead}</strong></div>'
                f'<div class="news-content">{first}{rest}</div>'
                f'<div class="attach">Tệp đính kèm: <a href="/van-ban.pdf">Tải về</a></div></div>'
                + (f'<div class="other-news"><h3>Các tin bài khác</h3><ul>{_links(case.related, "tin-bai")}</ul></div>'
                   if case.related else ""))
    else:  # a provincial paper
        body = (f'<div class="article"><h1 class="article-title">{title}</h1>'
                f'<p class="article-meta">Cập nhật: {shown}</p><div class="article-sapo">{lead}</div>'
                f'<div class="article-body">{first}'
                + (f'<div class="box-related"><strong>Đọc thêm:</strong><ul>{_links(inline, "doc-them")}</ul></div>'
                   if inline else "")
                + f'{rest}</div><div class="share">Chia sẻ: Facebook Zalo</div>'
                  f'<div class="comment-box"><h4>Ý kiến bạn đọc</h4><textarea></textarea></div></div>'
                + (f'<div class="latest"><h3>Mới nhất</h3><ul>{_links(aside, "moi")}</ul></div>' if aside else ""))
    return f'<!DOCTYPE html><html lang="vi">{head}<body>{menu}<main>{body}</main>{footer}</body></html>'


# -- verdicts ---------------------------------------------------------------------------------------

def shipped_rules() -> tuple[NewDirectiveRule, NewDirectiveRule]:
    """The shipped digital-transformation rule, and the same rule for every type, issuer and topic."""
    ruleset = load_rules(PROJECT_ROOT / "config" / "rules.yaml")
    cds = ruleset.get(CDS_RULE)
    assert isinstance(cds, NewDirectiveRule), f"{CDS_RULE} is not a new_directive rule in config/rules.yaml"
    every = cds.model_copy(update={"name": "any-new-document", "doc_types": sorted(DOC_TYPES), "issuers": [],
                                   "topics": [], "exclude_topics": []})
    return cds, every


def judge(case: Case, cds: NewDirectiveRule, every: NewDirectiveRule) -> Verdict:
    """Extract the rendered case and run both rules on it."""
    url = f"https://{case.outlet or 'example.vn'}/{case.id}.htm"
    try:
        article: Article = extract_article(render_page(case), url, source=case.outlet or "corpus")
    except Exception as exc:
        return Verdict(case, set(), set(), set(), error=f"{type(exc).__name__}: {exc}")
    if article.published is None:
        article.published = case.published
    ctx = RuleContext(tag_topics=tag_topics)
    reasons: dict[str, str] = {}
    for finding in cds.explain(article, ctx):
        reasons[finding.doc_number or finding.key] = finding.details.get("reason", "")
    alerts = {f.doc_number for f in cds.evaluate(article, ctx) if f.doc_number}
    issued = {f.doc_number for f in every.explain(article, ctx) if f.doc_number and f.details.get("issued")}
    numbers = set(article.canonical_doc_numbers)
    return Verdict(case, numbers, issued, alerts, reasons)


@dataclass
class Counts:
    """True positives, false positives and false negatives of one verdict kind."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, got: set[str], want: set[str]) -> None:
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4)}


KINDS = ("alerts", "issued", "numbers")


def score(verdicts: list[Verdict]) -> dict[str, Any]:
    """Per kind: overall counts and per-pattern counts; plus the cases each pattern got wrong."""
    overall = {kind: Counts() for kind in KINDS}
    by_pattern: dict[str, dict[str, Counts]] = defaultdict(lambda: {kind: Counts() for kind in KINDS})
    cases: dict[str, int] = defaultdict(int)
    wrong: list[str] = []
    for verdict in verdicts:
        pattern = verdict.case.pattern
        cases[pattern] += 1
        for kind in KINDS:
            got, want = getattr(verdict, kind), getattr(verdict.case, kind)
            overall[kind].add(got, want)
            by_pattern[pattern][kind].add(got, want)
            if got != want:
                why = "; ".join(f"{n}: {verdict.reasons.get(n, '-')}" for n in sorted(got ^ want))
                wrong.append(f"{verdict.case.id} [{kind}] got {sorted(got)} want {sorted(want)}"
                             + (f" ({verdict.error})" if verdict.error else f" ({why})"))
    return {
        "cases": sum(cases.values()), "patterns": len(cases),
        "overall": {kind: overall[kind].as_dict() for kind in KINDS},
        "per_pattern": {p: {"cases": cases[p], **{k: c[k].as_dict() for k in KINDS}}
                        for p, c in sorted(by_pattern.items())},
        "wrong": wrong,
    }


def run_corpus(*folders: Path) -> dict[str, Any]:
    cds, every = shipped_rules()
    return score([judge(case, cds, every) for case in load_corpus(*folders)])
