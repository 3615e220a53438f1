"""One module per ``lead-sim`` verb; each exposes ``register(subparsers)``."""
