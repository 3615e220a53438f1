"""The HTML report toolkit: one Jinja2 environment for every report lead_sim writes.

Every report (compare, validation, calibration, sweep) is one self-contained file: figures are
base64 PNG inside the page, and the manifest travels in it twice, readable in a ``<details>``
block and as JSON in ``<script type="application/json" id="lead-sim-manifest">``, so the page
can be mailed on its own.

The templates escape everything they print (autoescape is on). Python code computes numbers
and words and hands them over as plain text, :class:`Table` and :class:`Embedded`; the
templates lay them out:

- ``lead_sim/reports/templates/page.html.j2``: the page (title, the style sheet
  ``style.css``, the manifest block); every report extends it.
- ``lead_sim/reports/templates/macros.html.j2``: tables, embedded figures and notes.
- a report's own template, in the ``templates/`` folder of the package that writes it
  (``render(..., package=__package__)`` finds it there, and the shared ones here).

The only markup that is not escaped is built here, deliberately: the manifest's JSON inside its
script element (``<``, ``>`` and ``&`` written as JSON escapes, so no ``</script>`` can end
it early) and the non-breaking spaces of :func:`nowrap`.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape
from matplotlib.figure import Figure

Writer = Callable[[Path], None]

#: The package whose templates folder holds the page, the style sheet and the macros.
TOOLKIT = "lead_sim.reports"


# ---- what templates are given -------------------------------------------------------------------
@dataclass(frozen=True)
class Span:
    """A table row with one cell across the columns: a heading that groups the rows below it,
    or (with ``label``) a note beside the row's first cell."""

    text: str
    label: str | None = None
    heading: bool = False


@dataclass(frozen=True)
class Table:
    """A table's header, rows (lists of cells, or :class:`Span`) and each column's kind:
    ``"num"`` (right-aligned; a cell wraps only before an interval's bracket), ``"date"``
    (never wraps) or ``""`` (text, wraps)."""

    header: list[str]
    rows: list[list[Any] | Span]
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Embedded:
    """A PNG figure inside the page: its alt text, caption and data URI."""

    alt: str
    caption: str
    src: str


def table(header: Sequence[str], rows: Sequence[Sequence[Any] | Span], numeric_from: int = 1,
          classes: dict[int, str] | None = None) -> Table:
    """A table whose columns from ``numeric_from`` on are numbers; ``classes`` sets a
    column's kind instead (e.g. ``{1: "date"}``, or ``""`` for text)."""
    kinds = tuple((classes or {}).get(i, "num" if i >= numeric_from else "")
                  for i in range(len(header)))
    return Table(list(header), [r if isinstance(r, Span) else list(r) for r in rows], kinds)


def frame_table(frame: pd.DataFrame, fmt: Callable[[float], str]) -> Table:
    """A data frame as a table: float columns printed with ``fmt``, NaN as n/a; numeric
    columns right-aligned, every other column as text."""
    floats = [pd.api.types.is_float_dtype(frame[c]) for c in frame.columns]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]

    def cell(value: Any, is_float: bool) -> str:
        if pd.isna(value):
            return "n/a"
        return fmt(float(value)) if is_float else str(value)

    rows = [[cell(v, f) for v, f in zip(row, floats, strict=True)]
            for row in frame.itertuples(index=False, name=None)]
    return Table([str(c) for c in frame.columns], rows,
                 tuple("num" if n else "" for n in numeric))


def embed(png: bytes, title: str, file: str | None = None) -> Embedded:
    """A figure to embed: ``title`` is its alt text and caption; ``file`` (its copy beside
    the page, e.g. ``figures/headline.png``) is named in the caption too."""
    data = base64.b64encode(png).decode("ascii")
    return Embedded(title, f"{title} ({file})" if file else title,
                    f"data:image/png;base64,{data}")


def png_bytes(fig: Figure, manifest: dict[str, Any], kind: str = "compare") -> bytes:
    """The figure as PNG, with the manifest in its metadata (``lead_sim_manifest``)."""
    buffer = io.BytesIO()
    meta = {"Software": "lead_sim", "Description": f"lead-sim {kind} figure",
            "lead_sim_manifest": json.dumps(manifest, default=str, ensure_ascii=True)}
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata=meta)
    return buffer.getvalue()


# ---- filters ------------------------------------------------------------------------------------
def nowrap(text: Any) -> Markup:
    """Escaped text whose only line break can come before an interval's bracket."""
    return escape(str(text)).replace(" ", "\u00a0").replace("\u00a0(", " (")


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as indented JSON, to read (escaped like any text)."""
    return json.dumps(manifest, indent=1, default=str)


def script_json(manifest: dict[str, Any]) -> Markup:
    """The manifest as JSON for a ``<script type="application/json">`` element.

    Script content is not HTML-escaped by the browser, so the characters that could end or
    confuse the element (``<``, ``>``, ``&``) are written as JSON escapes instead: the text
    still parses to the same manifest, and ``</script>`` cannot occur in it.
    """
    text = json.dumps(manifest, indent=1, default=str, ensure_ascii=True)
    for char, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, code)
    return Markup(text)  # safe: no '<' is left in it


# ---- the environment ----------------------------------------------------------------------------
@cache
def environment(package: str = TOOLKIT) -> Environment:
    """The Jinja2 environment for a report of ``package``: its templates first, then the
    toolkit's. Autoescape is on; an undefined name is an error, not an empty string."""
    own = [PackageLoader(package, "templates")] if package != TOOLKIT else []
    env = Environment(loader=ChoiceLoader([*own, PackageLoader(TOOLKIT, "templates")]),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                      lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(nowrap=nowrap, manifest_text=manifest_text, script_json=script_json)
    env.tests["span"] = lambda row: isinstance(row, Span)
    return env


def render(template: str, package: str = TOOLKIT, **context: Any) -> str:
    """The page ``template`` (in ``package``'s templates folder) filled with ``context``."""
    return environment(package).get_template(template).render(**context)
