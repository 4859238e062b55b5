"""HTML to readable text with the stdlib parser: title, headings, paragraphs, lists, links.

Scripts, styles, navigation, forms and other page furniture are dropped; block elements become
line breaks, headings become ``#`` lines, list items ``- `` lines, and ``<pre>`` keeps its
whitespace. Links are collected (absolute URLs, first ones first) so a model can follow them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

__all__ = ["Link", "Page", "html_to_text"]

#: Elements dropped with everything inside them.
_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "nav",
        "footer",
        "aside",
        "form",
        "button",
        "select",
        "textarea",
        "dialog",
        "head",
    }
)
#: Void elements: never closed, so never pushed on the skip stack.
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_BLOCK = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "blockquote",
        "figure",
        "figcaption",
        "table",
        "tr",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "address",
        "details",
        "summary",
        "hr",
        "br",
        "body",
        "html",
    }
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")
_MAX_LINKS = 100


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    url: str


@dataclass(slots=True)
class Page:
    title: str = ""
    text: str = ""
    links: list[Link] = field(default_factory=list)


class _Extractor(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.in_title = False
        self.skip: list[str] = []  # open skipped elements
        self.pre = 0
        self.link_href: str | None = None
        self.link_text: list[str] = []
        self.links: list[Link] = []
        self.seen_links: set[str] = set()

    # -- structure -------------------------------------------------------------------------

    def _break(self, blank: bool = False) -> None:
        self.parts.append("\n\n" if blank else "\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and not self.parts:
            href = dict(attrs).get("href")
            if href:
                self.base_url = urljoin(self.base_url, href.strip())
        if tag == "title":
            self.in_title = not self.title_parts  # the first <title> only (not an SVG's)
            return
        if self.skip:
            if tag in _SKIP and tag not in _VOID:
                self.skip.append(tag)
            return
        if tag in _SKIP and tag not in _VOID:
            self.skip.append(tag)  # <head> too: the title is read through in_title
            return
        if tag in _HEADINGS:
            self._break(blank=True)
            self.parts.append("#" * _HEADINGS[tag] + " ")
        elif tag == "li":
            self._break()
            self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" | ")
        elif tag == "pre":
            self._break(blank=True)
            self.pre += 1
        elif tag == "p":
            self._break(blank=True)
        elif tag in _BLOCK:
            self._break()
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.parts.append(f" [image: {alt}] ")
        if tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            self.link_href = href or None
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            return
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            elif tag in self.skip:  # unbalanced markup: close up to the matching element
                del self.skip[self.skip.index(tag) :]
            return
        if tag in _HEADINGS or tag == "p":
            self._break(blank=True)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._break(blank=True)
        elif tag in _BLOCK or tag == "li":
            self._break()
        if tag == "a" and self.link_href is not None:
            self._add_link(self.link_href, " ".join("".join(self.link_text).split()))
            self.link_href = None

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.skip:
            return
        if self.link_href is not None:
            self.link_text.append(data)
        if self.pre:
            self.parts.append(data)
        else:
            self.parts.append(_SPACE.sub(" ", data.replace("\n", " ")))

    def _add_link(self, href: str, text: str) -> None:
        if len(self.links) >= _MAX_LINKS or href.startswith("#"):
            return
        url = urljoin(self.base_url, href)
        if urlsplit(url).scheme not in ("http", "https") or url in self.seen_links:
            return
        self.seen_links.add(url)
        self.links.append(Link(text=text[:200], url=url))


def _tidy(raw: str) -> str:
    # outside <pre> runs of spaces are already collapsed, so 4 leading spaces mean code
    lines = [line.rstrip() if line.startswith("    ") else line.strip() for line in raw.split("\n")]
    out: list[str] = []
    blank = False
    for line in lines:
        if not line.strip():
            blank = bool(out)
            continue
        if blank:
            out.append("")
            blank = False
        out.append(line)
    return "\n".join(out)


def html_to_text(html: str, base_url: str) -> Page:
    """Reduce *html* to its title, readable text and links (resolved against *base_url*)."""
    parser = _Extractor(base_url)
    parser.feed(html)
    parser.close()
    title = " ".join("".join(parser.title_parts).split())
    return Page(title=title, text=_tidy("".join(parser.parts)), links=parser.links)
