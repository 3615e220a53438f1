"""The fit report of a calibration: targets against what the accepted candidates predict.

Also the marginal posterior of each parameter against its prior range, so a reader sees which
parameters the targets pinned down and which they left as wide as the prior. Built with the
report toolkit (:mod:`lead_sim.reports.html`); ``templates/calibration.html.j2`` lays it out.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from lead_sim.calibration import systematic_resample
from lead_sim.fitting.config import STATISTICS, method
from lead_sim.fitting.fit import Posterior
from lead_sim.outcomes.tables import plural
from lead_sim.reports.html import Table, embed, png_bytes, render, table
from lead_sim.reports.words import num


def _weighted(post: Posterior, column: str) -> np.ndarray:
    """The accepted sets' values of ``column``, resampled by weight (an equal-weight sample)."""
    acc = post.accepted
    index = systematic_resample(acc["weight"].to_numpy(float), 20 * len(acc))
    return acc[column].to_numpy(float)[index]


def _prior_predictive(post: Posterior):
    return post.candidates[post.candidates["generation"] == 0]


def _interval(values) -> str:
    values = np.asarray(values, float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return "n/a"
    low, mid, high = np.quantile(values, [0.025, 0.5, 0.975])
    return f"{num(mid)} ({num(low)} to {num(high)})"


def targets_table(post: Posterior) -> Table:
    rows = [[t.name, STATISTICS[t.name], t.source, num(t.value), num(t.scale),
             _interval(_weighted(post, t.name)), _interval(_prior_predictive(post)[t.name])]
            for t in post.config.targets]
    return table(["Target", "Meaning", "Evidence", "Value", "Scale", "Accepted: median (95%)",
                  "Generation 0 (prior predictive)"], rows, 3)


def params_table(post: Posterior) -> Table:
    point = post.point()
    rows = [[p.name, f"{p.prior} {num(p.low)} to {num(p.high)}", num(point[p.name]),
             _interval(_weighted(post, p.name))] for p in post.config.priors]
    return table(["Parameter", "Prior", "Calibrated (median)", "Accepted: median (95%)"], rows)


def marginals_figure(post: Posterior) -> Figure:
    priors = post.config.priors
    fig = Figure(figsize=(8, 1.8 * len(priors) + 0.4))
    axes = np.atleast_1d(fig.subplots(len(priors), 1))
    for ax, p in zip(axes, priors, strict=True):
        log = p.prior == "loguniform"
        bins = (np.geomspace(p.low, p.high, 16) if log else np.linspace(p.low, p.high, 16))
        ax.hist(post.candidates[p.name], bins=bins, color="#cccccc", label="all candidates")
        acc = post.accepted
        ax.hist(acc[p.name], bins=bins, weights=acc["weight"] * len(acc), color="#1f77b4",
                label="accepted (weighted)")
        ax.axvline(post.point()[p.name], color="black", lw=1.5, label="median")
        if log:
            ax.set_xscale("log")
        ax.set_title(p.name, fontsize=9, loc="left")
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def targets_figure(post: Posterior) -> Figure:
    targets = post.config.targets
    fig = Figure(figsize=(8, 1.4 * len(targets) + 0.4))
    axes = np.atleast_1d(fig.subplots(len(targets), 1))
    for ax, t in zip(axes, targets, strict=True):
        ax.plot(post.candidates[t.name], np.zeros(len(post.candidates)), "o", color="#cccccc",
                ms=4, label="all candidates")
        ax.plot(post.accepted[t.name], np.zeros(len(post.accepted)), "o", color="#1f77b4",
                ms=5, label="accepted")
        ax.axvline(t.value, color="#d62728", lw=2, label="target")
        ax.axvspan(t.value - t.scale, t.value + t.scale, color="#d62728", alpha=0.1,
                   label="target +/- scale")
        ax.set_yticks([])
        ax.set_title(f"{t.name}: {STATISTICS[t.name]}; target from {t.source}", fontsize=7,
                     loc="left")
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig


def fit_report_html(post: Posterior, manifest: dict) -> str:
    """The fit report as one self-contained HTML page (laid out by
    templates/calibration.html.j2)."""
    c = post.config
    best = post.accepted["distance"]
    figures = [embed(png_bytes(targets_figure(post), manifest, "calibrate"),
                     "Targets and the candidates' mean statistics"),
               embed(png_bytes(marginals_figure(post), manifest, "calibrate"),
                     "Posterior marginals against the prior range")]
    smc = ("" if c.generations == 1 else
           f", then {c.generations - 1} more generation(s) of {c.candidates} drawn around the "
           "previous accepted sets")
    summary = (f"{method(c)}: {c.candidates} candidates from a Latin hypercube over the "
               f"priors (seed {c.seed}){smc}; {len(post.candidates)} candidates in all, "
               f"{plural(c.reps, 'replicate')} each with common seeds, scenario {c.scenario} at "
               f"{c.population:,} people. The last generation accepted its closest "
               f"{len(post.accepted)} ({100 * c.accept:.0f}%); distances "
               f"{num(best.min())} to {num(best.max())} (root mean square of "
               "(statistic - target) / scale). Commit "
               f"{manifest.get('git_commit', '')}.")
    medians = {t.name: float(np.nanmedian(_weighted(post, t.name))) for t in c.targets}
    missed = [t.name for t in c.targets
              if math.isnan(medians[t.name]) or abs(medians[t.name] - t.value) > t.scale]
    return render("calibration.html.j2", __package__, manifest=manifest, summary=summary,
                  targets=targets_table(post), missed=missed, params=params_table(post),
                  figures=figures)
