"""The model's actors: people at risk (vectorised), officers, case managers and services."""
