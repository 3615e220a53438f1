"""Fitting to the evaluation: calibration (ABC rejection and ABC-SMC), the evaluation replay and
validation against the published figures.
"""
