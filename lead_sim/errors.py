"""The one exception type users see.

Anything raised as :class:`LeadSimError` is a problem with the user's input (a scenario name, a TOML
file, a parameter value). The CLI prints its message as one paragraph and exits with status 2; any
other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class LeadSimError(ValueError):
    """Bad input: the message says what was wrong, what is allowed and where."""


def close_matches(name: str, choices: Iterable[str], n: int = 3, prefix: str = "") -> str:
    """Return ' Did you mean: a, b?' for the choices closest to ``name``, or ''.

    ``prefix`` is put back on each suggestion when ``name`` was matched without it (an
    outcome ``diff_cost_totl`` is looked up as ``cost_totl`` but must be suggested as
    ``diff_cost_total``)."""
    matches = difflib.get_close_matches(name, list(choices), n=n, cutoff=0.6)
    return f" Did you mean: {', '.join(prefix + m for m in matches)}?" if matches else ""
