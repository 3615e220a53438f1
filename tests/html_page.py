"""A report page read as its reader sees it: text, headings, sections, tables, figures, manifest.

Report tests check what a page says, not how it is marked up: the page is parsed with the
standard library's :mod:`html.parser` into a small tree, and tests ask for its words (entities
decoded, whitespace and non-breaking spaces collapsed to single spaces), the cells of its
tables, its embedded figures (decoded PNG) and its manifest (the JSON script element). A markup
change that keeps the words leaves the tests green; a missing section, a wrong number or an
unescaped name fails them.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
#: Elements whose text is set apart from its neighbours' (a paragraph, a cell, a list item).
BLOCKS = {"body", "caption", "details", "div", "figcaption", "figure", "h1", "h2", "h3", "h4",
          "li", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "th", "thead",
          "tr", "ul"}
HEADINGS = ("h1", "h2", "h3", "h4")
PNG = "data:image/png;base64,"


def words(text: str) -> str:
    """Text as read: non-breaking spaces and runs of whitespace become one space."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@dataclass
class Element:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        """A script, the style sheet or the manifest block: not part of the page's words."""
        return self.tag in ("script", "style") or (
            self.tag == "details" and "manifest" in self.attrs.get("class", "").split())

    def _raw(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif not child.hidden:
                parts.append(f" {child._raw()} " if child.tag in BLOCKS else child._raw())
        return "".join(parts)

    @property
    def text(self) -> str:
        """The words inside, without scripts, the style sheet or the manifest block."""
        return words(self._raw())

    def iter(self, *tags: str) -> Iterator[Element]:
        """Every element below this one, in document order (only ``tags`` if given)."""
        for child in self.children:
            if isinstance(child, Element):
                if not tags or child.tag in tags:
                    yield child
                yield from child.iter(*tags)

    def headings(self, level: int | None = None) -> list[str]:
        tags = (f"h{level}",) if level else HEADINGS
        return [h.text for h in self.iter(*tags)]

    def tables(self) -> list[Table]:
        return [Table.of(t) for t in self.iter("table")]

    def figures(self) -> list[Figure]:
        """Every figure: alt text, caption, and its PNG (which must be embedded)."""
        found = []
        for fig in self.iter("figure"):
            img = next(fig.iter("img"))
            src = img.attrs["src"]
            assert src.startswith(PNG), f"figure not embedded as PNG: {src[:40]}"
            caption = next(fig.iter("figcaption"), None)
            found.append(Figure(img.attrs.get("alt", ""), caption.text if caption else "",
                                base64.b64decode(src[len(PNG):])))
        return found

    def section(self, heading: str) -> Element:
        """What follows the heading whose text is ``heading``, up to the next heading of the
        same or a higher level (an AssertionError if there is no such heading)."""
        for parent in [self, *self.iter()]:
            kids = parent.children
            for i, child in enumerate(kids):
                if (isinstance(child, Element) and child.tag in HEADINGS
                        and child.text == heading):
                    out = Element("section")
                    for after in kids[i + 1:]:
                        if (isinstance(after, Element) and after.tag in HEADINGS
                                and after.tag <= child.tag):
                            break
                        out.children.append(after)
                    return out
        raise AssertionError(f"no heading {heading!r}; headings: {self.headings()}")


@dataclass
class Figure:
    alt: str
    caption: str
    png: bytes


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    classes: list[list[str]]  # each cell's class attribute ("" if none)

    @classmethod
    def of(cls, table: Element) -> Table:
        header: list[str] = []
        rows, classes = [], []
        for tr in table.iter("tr"):
            cells = [c for c in tr.children if isinstance(c, Element) and c.tag in ("td", "th")]
            texts = [c.text for c in cells]
            if not rows and not header and all(c.tag == "th" for c in cells):
                header = texts
                continue
            rows.append(texts)
            classes.append([c.attrs.get("class", "") for c in cells])
        return cls(header, rows, classes)

    def row(self, *first: str) -> list[str]:
        """The first row whose leading cells are ``first``."""
        for row in self.rows:
            if tuple(row[:len(first)]) == first:
                return row
        raise AssertionError(f"no row starting {first!r} in the table {self.header}")

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [row[i] for row in self.rows if len(row) == len(self.header)]

    def cells(self) -> list[str]:
        return [c for row in self.rows for c in row]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


class Page(Element):
    """A whole report page."""

    def __init__(self, html: str) -> None:
        builder = _Builder()
        builder.feed(html)
        builder.close()
        super().__init__("document", {}, builder.root.children)
        self.html = html

    @property
    def title(self) -> str:
        return next(self.iter("title")).text

    @property
    def manifest(self) -> dict:
        """The manifest from the page's JSON script element (there must be exactly one)."""
        scripts = [s for s in self.iter("script") if s.attrs.get("id") == "lead-sim-manifest"]
        assert len(scripts) == 1, f"{len(scripts)} manifest script elements"
        assert scripts[0].attrs.get("type") == "application/json"
        return json.loads("".join(c for c in scripts[0].children if isinstance(c, str)))

    @property
    def manifest_shown(self) -> dict:
        """The manifest as the reader sees it, in the page's <details> block."""
        details = [d for d in self.iter("details") if "manifest" in d.attrs.get("class", "")]
        assert len(details) == 1, f"{len(details)} manifest blocks"
        pre = next(details[0].iter("pre"))
        return json.loads("".join(c for c in pre.children if isinstance(c, str)))
