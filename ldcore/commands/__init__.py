"""Subcommands of `ldalign`, one module per area; each has `register(subparsers)`."""

from __future__ import annotations

import sys
from pathlib import Path


def write_output(content: str | bytes, out: Path | None) -> None:
    """Write a command's result (text, or a file's bytes) to `--out` (saying so) or to standard output."""
    if out is None and isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    elif out is None:
        sys.stdout.write(content)
    else:
        if isinstance(content, bytes):
            out.write_bytes(content)
        else:
            out.write_text(content, encoding="utf-8")
        print(f"wrote {out}")
