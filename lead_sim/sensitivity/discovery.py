"""Scenario discovery: which parameter regions make an outcome cross a threshold.

A classification tree (scikit-learn's CART, the method Lempert et al. and the EMA Workbench
offer beside PRIM) is fitted to the LHS rows, labelled by whether the outcome crossed the
threshold. Each leaf where crossing is the majority, and more common than in the sample as
a whole (the base rate), is a box: a conjunction of parameter ranges, reported with its
*density* (share of runs in the box that cross) and *coverage* (share of all crossing runs
that fall in the box). A leaf no denser than the base rate is not a finding: picking rows at
random would do as well. scikit-learn is an optional dependency
(the ``discovery`` extra: ``.venv/bin/pip install -e '.[discovery]'`` in a
checkout); the spec check asks for it before any run starts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lead_sim.sensitivity.spec import Rule

MAX_DEPTH = 3
#: Below this many rows the tree's leaves can be as small as 5 rows (5% of the sample, at
#: least 5), where a single row moves a box's density by 20 percentage points.
SMALL_SAMPLE = 100
#: An answer (yes or no) given by this many rows or fewer cannot support a box.
FEW_ROWS = 2
NO_BOX = "(no box: nowhere denser than the whole sample)"



def discover(rule: Rule, x: pd.DataFrame, y: np.ndarray, seed: int = 0,
             whole_numbers: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Boxes of parameter space where ``rule`` holds, best first.

    ``x`` holds the values the runs used; columns in ``whole_numbers`` take whole numbers, so
    their box edges are given as whole numbers too (a cut at 37.5 reads "<= 37").
    """
    from sklearn.tree import DecisionTreeClassifier

    hit = (y < rule.threshold) if rule.below else (y > rule.threshold)
    columns = ["question", "box", "rows", "density", "coverage", "base_rate", "sample_rows"]
    base = float(hit.mean()) if len(hit) else float("nan")
    whole = {"question": rule.describe(), "rows": len(hit), "density": base,
             "coverage": 1.0 if base else 0.0, "base_rate": base, "sample_rows": len(hit)}
    if hit.all() or not hit.any():
        everywhere = "every" if hit.all() else "no"
        return pd.DataFrame([{**whole, "box": f"({everywhere} sample row)"}], columns=columns)
    tree = DecisionTreeClassifier(max_depth=MAX_DEPTH, min_samples_leaf=min_leaf(len(y)),
                                  random_state=seed).fit(x.to_numpy(float), hit)
    leaves = tree.apply(x.to_numpy(float))
    boxes = []
    for leaf, path in _paths(tree, list(x.columns)).items():
        inside = leaves == leaf
        density = float(hit[inside].mean())
        if density <= max(0.5, base):  # not mostly yes, or no better than a random pick
            continue
        boxes.append({"question": rule.describe(), "box": _text(path, whole_numbers),
                      "rows": int(inside.sum()),
                      "density": density, "coverage": float(hit[inside].sum() / hit.sum()),
                      "base_rate": base, "sample_rows": len(hit)})
    if not boxes:
        return pd.DataFrame([{**whole, "box": NO_BOX}], columns=columns)
    frame = pd.DataFrame(boxes, columns=columns)
    return frame.sort_values(["coverage", "density"], ascending=False, ignore_index=True)


def min_leaf(rows: int) -> int:
    """The fewest rows a box may hold: 5% of the sample, and at least 5."""
    return max(5, rows // 20)


def small_sample_note(rows: int, hits: int) -> str:
    """Why a question's boxes rest on too few rows to be trusted ("" if they do not)."""
    notes = []
    if rows < SMALL_SAMPLE:
        leaf = min_leaf(rows)
        notes.append(f"only {rows:,} rows were sampled, so a box can hold as few as {leaf} "
                     f"rows and one row moves its density by {100 / leaf:.0f} percentage "
                     "points")
    rarer = min(hits, rows - hits)
    if 0 < rarer <= FEW_ROWS:
        answer = "yes" if hits == rarer else "no"
        notes.append(f"the answer is {answer} in only {rarer} of {rows:,} rows, so any box "
                     "turns on a row or two")
    return "; ".join(notes)


def _paths(tree, names: list[str]) -> dict[int, dict[str, list[float]]]:
    """Each leaf's box: for each parameter the tightest [low, high] on the way down."""
    t = tree.tree_
    out: dict[int, dict[str, list[float]]] = {}

    def walk(node: int, box: dict[str, list[float]]) -> None:
        if t.children_left[node] == -1:
            out[node] = box
            return
        name, cut = names[t.feature[node]], float(t.threshold[node])
        low, high = box.get(name, [-np.inf, np.inf])
        walk(t.children_left[node], {**box, name: [low, min(high, cut)]})
        walk(t.children_right[node], {**box, name: [max(low, cut), high]})

    walk(0, {})
    return out


def _text(box: dict[str, list[float]], whole_numbers: frozenset[str] = frozenset()) -> str:
    parts = []
    for name, (low, high) in sorted(box.items()):
        if name in whole_numbers:  # name > 37.5 is name >= 38; name <= 37.5 is name <= 37
            parts.append(_whole_range(name, low, high))
        elif np.isfinite(low) and np.isfinite(high):
            parts.append(f"{low:.4g} < {name} <= {high:.4g}")
        elif np.isfinite(high):
            parts.append(f"{name} <= {high:.4g}")
        else:
            parts.append(f"{name} > {low:.4g}")
    return " and ".join(parts) if parts else "(whole space)"


def _whole_range(name: str, low: float, high: float) -> str:
    """A box edge of a whole-number parameter, in whole numbers."""
    first = int(np.floor(low)) + 1 if np.isfinite(low) else None
    last = int(np.floor(high)) if np.isfinite(high) else None
    if first is not None and last is not None:
        return f"{first} <= {name} <= {last}"
    return f"{name} <= {last}" if last is not None else f"{name} >= {first}"
