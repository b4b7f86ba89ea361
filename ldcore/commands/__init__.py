"""Subcommands of `ldalign`, one module per area; each has `register(subparsers)`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TypeAlias

from ldcore.errors import Invalid
from ldcore.io.tables import MAX_BYTES

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # what `register(sub)` receives


def read_input(path: Path) -> bytes:
    """The bytes of a file to import; one clear line when it is missing, a folder, unreadable or too large."""
    try:
        if path.is_dir():
            raise Invalid(f"{path}: is a folder; give the file inside it")
        if path.stat().st_size > MAX_BYTES:
            raise Invalid(f"{path}: larger than {MAX_BYTES // 1_000_000} MB; split it into smaller files")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise Invalid(f"{path}: no such file") from exc
    except OSError as exc:
        raise Invalid(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def write_output(content: str | bytes, out: Path | None) -> None:
    """Write a command's result (text, or a file's bytes) to `--out` (saying so) or to standard output."""
    if out is None and isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    elif out is None:
        sys.stdout.write(str(content))
    else:
        if isinstance(content, bytes):
            out.write_bytes(content)
        else:
            out.write_text(content, encoding="utf-8")
        print(f"wrote {out}")
