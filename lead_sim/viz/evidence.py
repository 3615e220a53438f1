"""The evidence file as an HTML page served by the visualizer, every row with an anchor, so a
parameter's source ("#25, #28", "O12") links to the rows it cites."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import markdown

from lead_sim.viz.texts import evidence_anchor

EVIDENCE_FILE = Path(__file__).resolve().parents[2] / "evidence" / "lead_evidence.md"
_ROW = re.compile(r"<tr>\s*<td>\s*(?:<strong>)?([A-Z]?\d+[a-z]?)(?:</strong>)?\s*</td>")


@functools.cache
def evidence_html(path: Path = EVIDENCE_FILE) -> str:
    """The evidence file rendered (tables kept), each table row whose first cell is a row id
    (``25``, ``O12``, ``C12a``) given the id ``ev-<id>`` for links to land on."""
    if not path.exists():
        return (f"<p>The evidence file is not part of this installation ({path} is "
                "missing). It is <code>evidence/lead_evidence.md</code> in the lead_sim "
                "source repository.</p>")
    html = markdown.markdown(path.read_text(encoding="utf-8"), extensions=["tables"])

    def anchor(match: re.Match) -> str:
        code = match.group(1)
        ident = evidence_anchor(code if code[0].isalpha() else "#" + code)
        return match.group(0).replace("<tr>", f'<tr id="{ident}">', 1)

    return _ROW.sub(anchor, html)
