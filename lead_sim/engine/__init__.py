"""The compiled core's plumbing: numba set-up, the model's state as arrays, random streams,
the event log, the daily record and the cost ledger. Nothing here knows about LEAD's agents.
"""
