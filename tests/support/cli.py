"""The `ldalign` command run as an operator runs it: a separate process on a database URL."""

from __future__ import annotations

import subprocess
import sys


def ldalign(db_url, *args, input=None):
    return subprocess.run(
        [sys.executable, "-m", "ldcore.cli", "--database", db_url, *args],
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
    )
