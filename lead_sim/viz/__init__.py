"""The web visualizer's model-side parts: levers, the paired session model, measures, figures.

Nothing here imports Solara or Mesa's visualization package, so these parts can be tested and
benchmarked without a browser; the page itself is :mod:`lead_sim.viz.app`.
"""
