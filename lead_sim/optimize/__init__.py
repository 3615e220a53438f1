"""Searching policies: which budget, split and coverage best trade jail, re-arrest and cost.

``lead-sim optimize CONFIG --out DIR``: config (:mod:`.config`), decisions to scenario
(:mod:`.policy`), evaluation by forking a shared history (:mod:`.evaluate`), the resumable
store (:mod:`.store`), the NSGA-II/III search (:mod:`.search`), the front and its noise
(:mod:`.front`), the trade-offs in words (:mod:`.tradeoffs`) and the report (:mod:`.report`).
"""
