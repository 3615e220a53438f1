"""The HTML report toolkit: one place for the style sheet, escaping, tables and embedded figures.

Every report lead_sim writes (compare, validation, calibration, sweep) is one self-contained file:
figures are base64 PNG inside the page, so it can be mailed on its own.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

Writer = Callable[[Path], None]


CSS = """
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
.wide{overflow-x:auto;margin:1em 0}
table{border-collapse:collapse;table-layout:auto;font-size:0.9em}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top;
overflow-wrap:break-word;word-break:normal}
th{background:#f0f0f0} td.num{text-align:right;overflow-wrap:normal}
td.date{white-space:nowrap;overflow-wrap:normal}
tr>td:first-child,tr>th:first-child{position:sticky;left:0;background:#fff;min-width:10em}
tr>th:first-child{background:#f0f0f0}
.units{background:#f6f6f6;padding:6px 10px;border-left:3px solid #999}
img{max-width:100%} .note{color:#666;font-size:0.9em} h2{border-bottom:1px solid #ddd}
"""


# ---- sections -----------------------------------------------------------------------------------
def esc(text: Any) -> str:
    return html.escape(str(text))


def nowrap(text: Any) -> str:
    """Escaped text whose only line break can come before an interval's bracket."""
    return esc(text).replace(" ", "\u00a0").replace("\u00a0(", " (")


def html_table(header: list[str], rows: list[list[Any]], numeric_from: int = 1,
           classes: dict[int, str] | None = None) -> str:
    """A table in a horizontally scrollable box (first column stays in view). Columns from
    ``numeric_from`` on are right-aligned numbers; ``classes`` sets a column's class instead
    (e.g. ``{1: "date"}``, or ``""`` for text)."""
    def cell(i: int, c: Any) -> str:
        kind = (classes or {}).get(i, "num" if i >= numeric_from else "")
        if kind == "num":  # '1,234 (1,100 to 1,400)' may wrap before its bracket only
            return f"<td class='num'>{nowrap(c)}</td>"
        return f"<td class='{kind}'>{esc(c)}</td>" if kind else f"<td>{esc(c)}</td>"

    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    return (f"<div class='wide'><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
            "</table></div>")


def embed_figure(name: str, title: str, png: bytes, written: bool = True) -> str:
    """An embedded figure; ``written``: the caption names its copy in figures/ too."""
    data = base64.b64encode(png).decode("ascii")
    where = f" (figures/{name}.png)" if written else ""
    return (f"<figure><img alt='{esc(title)}' src='data:image/png;base64,{data}'>"
            f"<figcaption>{esc(title)}{where}</figcaption></figure>")


def png_bytes(fig: Figure, manifest: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    meta = {"Software": "lead_sim", "Description": "lead-sim compare figure",
            "lead_sim_manifest": json.dumps(manifest, default=str, ensure_ascii=True)}
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata=meta)
    return buffer.getvalue()
