"""Bundled demo sites on loopback, in the styles of the real sources, for a newcomer with no network.

:func:`start_demo_sites` serves seven sites, each on its own loopback port:

==============  ===================================================================================
``chinhphu``    government e-newspaper (VCCorp-style CMS): RSS + Google News sitemap, ``-102<ts>.htm``
``bokhcn``      ministry portal: topic RSS, ``-197<ts>.htm``
``laodong``     labour paper: listing pages with pagination only, teaser boxes inside articles
``phapluat``    law paper with a weather widget: robots.txt → sitemap index, RSS
``truyenhinh``  provincial TV: RSS; republishes the government's directive story "(Nguồn: ...)"
``congtinh``    provincial portal whose article bodies are written by JavaScript (``render_js``)
``vanban``      the Government's document system (vanban.chinhphu.vn's GridView): an official listing
                (``kind: official_listing``) with document pages and PDF/DOCX attachments
==============  ===================================================================================

It writes a sources file pointing at them (``DemoSites.sources_file``), and ``publish(site, story)``
adds a page at runtime (feeds, sitemaps and listings follow), which the alert-latency benchmark uses;
``publish_document(doc)`` adds a document to the official listing.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import yaml

from newswatch.demo.official import DemoDocument, gridview_listing, serve_documents
from newswatch.demo.server import SiteServer
from newswatch.demo.stories import STORIES, DemoStory, official_documents
from newswatch.text.normalize import fold

VN = timezone(timedelta(hours=7))

SITE_INFO: dict[str, dict[str, Any]] = {
    "chinhphu": {"title": "Báo điện tử Chính phủ (demo)", "dateline": "(Chinhphu.vn) - ", "tier": "official"},
    "bokhcn": {"title": "Cổng thông tin Bộ Khoa học và Công nghệ (demo)", "dateline": "", "tier": "ministry"},
    "laodong": {"title": "Lao động Thủ đô (demo)", "dateline": "(LĐTĐ) ", "tier": "press"},
    "phapluat": {"title": "Báo Pháp luật (demo)", "dateline": "(PLVN) - ", "tier": "press"},
    "truyenhinh": {"title": "Đài Phát thanh và Truyền hình tỉnh (demo)", "dateline": "(TTV) - ", "tier": "press"},
    "congtinh": {"title": "Cổng thông tin điện tử tỉnh (demo)", "dateline": "", "tier": "ministry"},
}
OFFICIAL_SITES: dict[str, dict[str, Any]] = {
    "vanban": {"title": "Hệ thống văn bản Chính phủ (demo)", "tier": "official",
               "listing": "/he-thong-van-ban"},
}
LISTING_PAGE_SIZE = 4


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")[:80]


@dataclass
class _Published:
    story: DemoStory
    path: str
    url: str


@dataclass
class DemoSites:
    """The running demo sites: where they are, the sources file that points at them, and ``publish``."""

    servers: dict[str, SiteServer]
    sources_file: Path
    directory: Path
    published: dict[str, list[_Published]] = field(default_factory=dict)
    documents: list[DemoDocument] = field(default_factory=list)  # the official listing, newest first
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _counter: int = 0
    _published_at: dict[str, datetime] = field(default_factory=dict, repr=False)  # story id -> publication time

    @property
    def base_urls(self) -> dict[str, str]:
        return {name: server.base_url for name, server in self.servers.items()}

    @property
    def base_url(self) -> str:
        """The government e-newspaper's address (the first demo site)."""
        return self.servers["chinhphu"].base_url

    @property
    def source_names(self) -> list[str]:
        return [f"demo-{name}" for name in self.servers]

    def publish(self, site: str, article: DemoStory | dict[str, Any]) -> str:
        """Add a new article page to ``site`` now (feeds, sitemaps and listings updated); returns its URL.

        ``article`` is a :class:`DemoStory` or a dict with ``title``, ``paragraphs`` and optionally ``lead``,
        ``section``, ``author``, ``published`` (datetime; default now).
        """
        if site not in self.servers:
            raise KeyError(f"no demo site {site!r}; use one of {', '.join(self.servers)}")
        if isinstance(article, dict):
            data = dict(article)
            published = data.pop("published", None)
            paragraphs = list(data.pop("paragraphs", []) or [data.get("lead", "")])
            story = DemoStory(site=site, title=data.pop("title"), lead=data.pop("lead", paragraphs[0]),
                              paragraphs=paragraphs, hours_ago=0.0, **{k: v for k, v in data.items()
                                                                       if k in ("section", "author", "tags")})
            story.published = published
        else:
            story = article
        when = story.published or datetime.now(VN)
        with self._lock:
            return self._add(site, story, when).url

    def publish_document(self, doc: DemoDocument) -> str:
        """Add a document to the top of the official listing (its page and files too); returns the listing URL."""
        server = self.servers["vanban"]
        with self._lock:
            self.documents.insert(0, doc)
            serve_documents(server, [doc])
            server.add(OFFICIAL_SITES["vanban"]["listing"], gridview_listing(self.documents))
        return server.url(OFFICIAL_SITES["vanban"]["listing"])

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    # --- building pages ------------------------------------------------------------------------------

    def _add(self, site: str, story: DemoStory, when: datetime) -> _Published:
        # a syndicated copy repeats the original's text, dates included (an issue date differs only when the
        # copy appears after midnight; as two dates, the two would read as two directives and not cluster)
        issued = self._published_at.get(story.syndicated_from or "", when)
        story = DemoStory(**{**story.__dict__, "site": site}).render_text(when.astimezone(VN), issued.astimezone(VN))
        if story.story_id:
            self._published_at[story.story_id] = when
        self._counter += 1
        path = _article_path(site, story, self._counter)
        server = self.servers[site]
        item = _Published(story, path, server.url(path))
        self.published.setdefault(site, []).insert(0, item)
        self.published[site].sort(key=lambda p: p.story.published or when, reverse=True)
        server.add(path, _render_article(site, story, item.url, self._related(site, item)), modified=when)
        _build_indexes(site, server, self.published[site])
        return item

    def _related(self, site: str, item: _Published) -> list[_Published]:
        return [p for p in self.published.get(site, []) if p is not item][:3]


def _article_path(site: str, story: DemoStory, counter: int) -> str:
    when = story.published or datetime.now(VN)
    stamp = when.astimezone(VN).strftime("%y%m%d%H%M%S") + f"{counter % 1000:03d}"
    slug = slugify(story.title)
    if site == "chinhphu":
        return f"/{slug}-102{stamp}.htm"
    if site == "bokhcn":
        return f"/{slug}-197{stamp}.htm"
    if site == "laodong":
        return f"/{slugify(story.section)}/{slug}-{170000 + counter}.html"
    if site == "phapluat":
        return f"/{slug}-post{480000 + counter}.html"
    if site == "truyenhinh":
        return f"/{slug}-110{stamp}.htm"
    return f"/tin-tuc/{slug}-{2000 + counter}.html"


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def _head(site: str, story: DemoStory, url: str) -> str:
    published = (story.published or datetime.now(VN)).astimezone(VN)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": story.title,
          "datePublished": published.isoformat(), "author": {"@type": "Person", "name": story.author or ""},
          "publisher": {"@type": "Organization", "name": SITE_INFO[site]["title"]}}
    return f"""<head><meta charset="utf-8"><title>{_e(story.title)} | {_e(SITE_INFO[site]['title'])}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:type" content="article"><meta property="og:title" content="{_e(story.title)}">
<meta property="og:url" content="{_e(url)}"><meta name="description" content="{_e(story.lead)}">
<meta property="article:published_time" content="{published.isoformat()}">
<meta property="article:section" content="{_e(story.section)}">
<link rel="canonical" href="{_e(url)}?utm_source=demo&amp;utm_medium=canonical">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script></head>"""


def _menu(site: str) -> str:
    return f"""<header class="header"><div class="logo"><a href="/">{_e(SITE_INFO[site]['title'])}</a></div>
<nav class="menu"><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a> <a href="/tag/chuyen-doi-so">Chuyển đổi số</a>
<a href="/lien-he">Liên hệ</a> <a href="/gioi-thieu-ve-co-quan-chu-quan-cua-bao">Giới thiệu</a></nav></header>"""


def _footer(site: str) -> str:
    return f"""<footer class="footer"><p>{_e(SITE_INFO[site]['title'])} - Giấy phép số 123/GP-BTTTT.</p>
<p>Địa chỉ: 16 Lê Hồng Phong, Ba Đình, Hà Nội. Điện thoại: 024 0000 0000.</p>
<p>Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></footer>"""


def _related_html(related: list[_Published], heading: str, css: str) -> str:
    if not related:
        return ""
    links = "".join(f'<li><a href="{_e(p.path)}">{_e(p.story.title)}</a></li>' for p in related)
    return f'<div class="{css}"><h3>{heading}</h3><ul>{links}</ul></div>'


def _render_article(site: str, story: DemoStory, url: str, related: list[_Published]) -> str:
    published = (story.published or datetime.now(VN)).astimezone(VN)
    shown = published.strftime("%d/%m/%Y %H:%M")
    dateline = SITE_INFO[site]["dateline"]
    paras = "\n".join(f"<p>{_e(p)}</p>" for p in story.paragraphs)
    author = f'<div class="detail-author">{_e(story.author)}</div>' if story.author else ""
    if site in ("chinhphu", "bokhcn"):
        body = f"""<div class="detail-cate"><a href="/thoi-su">{_e(story.section)}</a></div>
<h1 class="detail-title">{_e(story.title)}</h1>
<div class="detail-time">{shown}</div><!-- {published.isoformat()} -->
<h2 class="detail-sapo">{_e(dateline)}{_e(story.lead)}</h2>
<div class="detail-content afcbc-body">{paras}
<figure><img src="/anh/{slugify(story.title)}.jpg" alt=""><figcaption>Ảnh minh họa</figcaption></figure>
<div class="VCSortableInPreviewMode">{_related_html(related, "Tin liên quan", "detail-relate")}</div></div>{author}"""
    elif site == "laodong":
        teaser = _related_html(related[:2], "Có thể bạn quan tâm", "box-teaser")
        more = _related_html(related, "Tin khác", "box-other")
        first, rest = story.paragraphs[0], story.paragraphs[1:]
        body = f"""<div class="breadcrumb"><a href="/thoi-su">{_e(story.section)}</a></div>
<h1 class="article-title">{_e(story.title)}</h1>
<div class="article-meta"><span class="author">{_e(story.author)}</span> <span class="date">{shown}</span></div>
<div class="article-content"><p class="sapo"><strong>{_e(dateline)}</strong>{_e(story.lead)}</p>
<p>{_e(first)}</p>{teaser}{"".join(f"<p>{_e(p)}</p>" for p in rest)}</div>{more}
<div class="mobile-link"><a href="/">Phiên bản di động</a></div>"""
    elif site == "phapluat":
        weather = ("<div class=\"weather-widget\">Hà Nội 21 °C TP Hồ Chí Minh 29 °C Hải Phòng 21 °C Đà Nẵng 23 °C "
                   "<ul><li>Hà Nội 21°C</li><li>TP Hồ Chí Minh 29°C</li></ul></div>")
        body = f"""{weather}<div class="article__cate">{_e(story.section)}</div>
<h1 class="article__title">{_e(story.title)}</h1>
<div class="article__meta"><time datetime="{published.isoformat()}">{shown}</time> <span>{_e(story.author)}</span>
<span class="font-size">aa</span></div>
<div class="article__summary cms-desc">{_e(dateline)}{_e(story.lead)}</div>
<div class="cms-body">{paras}</div><div class="article__tag"><a href="/tag/chuyen-doi-so">chuyển đổi số</a></div>
{_related_html(related, "Bài liên quan", "article__related")}"""
    elif site == "truyenhinh":
        body = f"""<h1 class="title-detail">{_e(story.title)}</h1><div class="date-detail">{shown}</div>
<div class="sapo-detail">{_e(dateline)}{_e(story.lead)}</div><div class="content-detail">{paras}</div>
{_related_html(related, "Đọc thêm", "read-more")}
<form class="comment-form"><h4>Bình luận</h4><textarea name="c"></textarea><button>Gửi</button></form>"""
    else:  # congtinh: the body is written by JavaScript after the page loaded
        data = json.dumps(story.paragraphs, ensure_ascii=False).replace("</", "<\\/")
        body = f"""<h1 class="news-title">{_e(story.title)}</h1><div class="news-date">{shown}</div>
<div class="news-lead">{_e(story.lead)}</div><div id="news-body" class="news-body">Đang tải nội dung...</div>
<script>
const newsParagraphs = {data};
document.addEventListener("DOMContentLoaded", function () {{
  const box = document.getElementById("news-body");
  box.innerHTML = "";
  for (const text of newsParagraphs) {{ const p = document.createElement("p"); p.textContent = text; box.appendChild(p); }}
}});
</script>"""
    return f"""<!DOCTYPE html><html lang="vi">{_head(site, story, url)}
<body>{_menu(site)}<main class="main"><article class="detail">{body}</article></main>{_footer(site)}</body></html>"""


def _build_indexes(site: str, server: SiteServer, items: list[_Published]) -> None:
    """Feeds, sitemaps, listings, robots.txt and the home page of ``site`` from its published items."""
    base = server.base_url
    now = datetime.now(UTC)
    latest = items[:30]
    rss_items = "".join(
        f"<item><title>{_e(p.story.title)}</title><link>{_e(p.url)}?utm_source=rss</link><guid>{_e(p.url)}</guid>"
        f"<description>{_e(p.story.lead)}</description>"
        f"<pubDate>{format_datetime((p.story.published or now).astimezone(UTC), usegmt=True)}</pubDate></item>"
        for p in latest)
    rss = (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{_e(SITE_INFO[site]["title"])}'
           f"</title><link>{base}/</link><description>Tin mới</description><language>vi</language>{rss_items}"
           "</channel></rss>")
    robots = "User-agent: *\nDisallow: /tim-kiem\nDisallow: /admin/\n"
    if site == "chinhphu":
        server.add("/rss/home.rss", rss, "application/rss+xml; charset=utf-8")
        news = "".join(
            f"<url><loc>{_e(p.url)}</loc><news:news><news:publication><news:name>Báo Chính phủ</news:name>"
            f"<news:language>vi</news:language></news:publication><news:publication_date>"
            f"{(p.story.published or now).isoformat()}</news:publication_date><news:title>{_e(p.story.title)}"
            "</news:title></news:news></url>" for p in latest)
        server.add("/sitemaps/google-news.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                   f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{news}</urlset>', "application/xml")
    elif site == "bokhcn":
        server.add("/rss/tin-tuc-su-kien/chuyen-doi-so.rss", rss, "application/rss+xml; charset=utf-8")
    elif site in ("truyenhinh", "congtinh"):
        server.add("/rss/tin-tuc.rss", rss, "application/rss+xml; charset=utf-8")
    elif site == "phapluat":
        server.add("/rss/home.rss", rss, "application/rss+xml; charset=utf-8")
        months: dict[str, list[_Published]] = {}
        for p in items:
            months.setdefault((p.story.published or now).strftime("%Y-%m"), []).append(p)
        children = ""
        for month, month_items in sorted(months.items(), reverse=True):
            urls = "".join(f"<url><loc>{_e(p.url)}</loc><lastmod>{(p.story.published or now).isoformat()}</lastmod></url>"
                           for p in month_items)
            server.add(f"/sitemaps/articles-{month}.xml", '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                       f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>', "application/xml")
            newest = max((p.story.published or now) for p in month_items)
            children += f"<sitemap><loc>{base}/sitemaps/articles-{month}.xml</loc><lastmod>{newest.isoformat()}</lastmod></sitemap>"
        server.add("/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns='
                   f'"http://www.sitemaps.org/schemas/sitemap/0.9">{children}</sitemapindex>', "application/xml")
        robots += f"\nSitemap: {base}/sitemap.xml\n"
    server.add("/robots.txt", robots, "text/plain; charset=utf-8")
    # listing pages with pagination (every site has them; only the labour paper is crawled through them)
    pages = [items[i:i + LISTING_PAGE_SIZE] for i in range(0, max(len(items), 1), LISTING_PAGE_SIZE)] or [[]]
    for number, page in enumerate(pages, start=1):
        entries = "".join(
            f'<div class="list_news"><div class="list_news_title"><h2><a href="{_e(p.path)}">{_e(p.story.title)}</a>'
            f'</h2></div><p class="sapo">{_e(p.story.lead)}</p></div>' for p in page)
        paging = " ".join(f'<a href="{"/thoi-su" if n == 1 else f"/thoi-su/trang-{n}"}">{n}</a>'
                          for n in range(1, len(pages) + 1))
        path = "/thoi-su" if number == 1 else f"/thoi-su/trang-{number}"
        server.add(path, f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Thời sự - trang {number}
</title></head><body>{_menu(site)}<main><div class="col_category"><h1>Thời sự</h1>{entries}</div>
<div class="__MB_ARTICLE_PAGING">{paging}</div></main>{_footer(site)}</body></html>""")
    home_links = "".join(f'<li><a href="{_e(p.path)}">{_e(p.story.title)}</a></li>' for p in items[:10])
    server.add("/", f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{_e(SITE_INFO[site]['title'])}
</title></head><body>{_menu(site)}<main><h1>Tin mới nhất</h1><ul>{home_links}</ul></main>{_footer(site)}</body></html>""")


def _static_pages(site: str, server: SiteServer) -> None:
    server.add("/lien-he", f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Liên hệ</title></head>
<body>{_menu(site)}<main><h1>Liên hệ tòa soạn</h1><p>Email: toasoan@demo.vn</p><p>Điện thoại: 024 0000 0000</p>
</main>{_footer(site)}</body></html>""")
    server.add("/gioi-thieu-ve-co-quan-chu-quan-cua-bao", f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Giới thiệu</title></head><body>{_menu(site)}<main><h1>Giới thiệu</h1>
<p>{_e(SITE_INFO[site]['title'])} là cơ quan ngôn luận, hoạt động theo Giấy phép số 123/GP-BTTTT.</p>
<p>Tổng biên tập: Nguyễn Văn A. Phó Tổng biên tập: Trần Thị B.</p></main>{_footer(site)}</body></html>""")
    server.add("/tag/chuyen-doi-so", f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Chuyển đổi số
</title></head><body>{_menu(site)}<main><h1>Chủ đề: Chuyển đổi số</h1></main>{_footer(site)}</body></html>""")


def _sources(sites: DemoSites) -> list[dict[str, Any]]:
    b = sites.base_urls
    return [
        {"name": "demo-chinhphu", "title": SITE_INFO["chinhphu"]["title"], "tier": "official",
         "feeds": [f"{b['chinhphu']}/rss/home.rss"], "sitemaps": [f"{b['chinhphu']}/sitemaps/google-news.xml"],
         "article_pattern": r"-102\d{15}\.htm$",
         "profile": {"title": "h1.detail-title", "lead": "h2.detail-sapo", "body": "div.detail-content.afcbc-body",
                     "date": "div.detail-time", "date_format": "%d/%m/%Y %H:%M", "author": "div.detail-author",
                     "drop": ["div.VCSortableInPreviewMode", "figure", "figcaption", "div.detail-relate"]}},
        {"name": "demo-bokhcn", "title": SITE_INFO["bokhcn"]["title"], "tier": "ministry",
         "feeds": [f"{b['bokhcn']}/rss/tin-tuc-su-kien/chuyen-doi-so.rss"], "article_pattern": r"-197\d{15}\.htm$"},
        {"name": "demo-laodong", "title": SITE_INFO["laodong"]["title"], "tier": "press",
         "listings": [f"{b['laodong']}/thoi-su"], "listing_depth": 3},
        {"name": "demo-phapluat", "title": SITE_INFO["phapluat"]["title"], "tier": "press",
         "feeds": [f"{b['phapluat']}/rss/home.rss"], "sitemaps": [f"{b['phapluat']}/robots.txt"],
         "profile": {"lead": ".article__summary", "body": ".cms-body", "date": ".article__meta time",
                     "drop": [".article__tag"]}},
        {"name": "demo-truyenhinh", "title": SITE_INFO["truyenhinh"]["title"], "tier": "press",
         "feeds": [f"{b['truyenhinh']}/rss/tin-tuc.rss"], "article_pattern": r"-110\d{15}\.htm$"},
        {"name": "demo-congtinh", "title": SITE_INFO["congtinh"]["title"], "tier": "ministry", "render_js": True,
         "feeds": [f"{b['congtinh']}/rss/tin-tuc.rss"], "article_pattern": r"/tin-tuc/.+-\d+\.html$"},
        {"name": "demo-vanban", "title": OFFICIAL_SITES["vanban"]["title"], "tier": "official",
         "kind": "official_listing", "listings": [b["vanban"] + OFFICIAL_SITES["vanban"]["listing"]],
         "official": {"layout": "vanban_chinhphu"}},
    ]


def start_demo_sites(directory: str | Path | None = None, *, host: str = "127.0.0.1",
                     now: datetime | None = None) -> DemoSites:
    """Start the seven demo sites on loopback (free ports) and write their sources file into ``directory``."""
    now = (now or datetime.now(VN)).astimezone(VN)
    folder = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="newswatch-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    servers = {name: SiteServer(host=host).start() for name in [*SITE_INFO, *OFFICIAL_SITES]}
    sites = DemoSites(servers=servers, sources_file=folder / "demo-sources.yaml", directory=folder)
    for name, server in servers.items():
        if name in SITE_INFO:
            _static_pages(name, server)
            _build_indexes(name, server, [])
    for doc in reversed(official_documents(now)):  # oldest first: each goes to the top of the listing
        sites.publish_document(doc)
    for story in sorted(STORIES, key=lambda s: -s.hours_ago):  # oldest first, like a real site
        sites._add(story.site, story, now - timedelta(hours=story.hours_ago))
    sites.sources_file.write_text(
        "# Generated by newswatch demo: sources pointing at the bundled loopback demo sites.\n"
        + yaml.safe_dump({"sources": _sources(sites)}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return sites
