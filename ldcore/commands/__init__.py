"""Subcommands of `ldalign`, one module per area; each has `register(subparsers)`."""

from __future__ import annotations

import sys
from pathlib import Path


def write_output(text: str, out: Path | None) -> None:
    """Write a command's result to `--out` (saying so) or to standard output."""
    if out:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    else:
        sys.stdout.write(text)
