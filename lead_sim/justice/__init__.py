"""The legal pathway, one module per stage: charging, booking, custody, court and supervision.

Charging sits below case management (a held charge is filed when an intake lapses); custody
sits above it (custody interrupts intake, services and caseloads).
"""
