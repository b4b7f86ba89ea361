"""Subcommands of `ldalign`, one module per area; each has `register(subparsers)`."""
