"""The page half of `ldalign bench`: the capability gaps page run in AppTest, cold (caches cleared) and warm."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from streamlit import logger
from streamlit.testing.v1 import AppTest

PAGE = Path(__file__).resolve().parents[2] / "pages" / "heatmap.py"


def _run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"the heatmap page failed: {at.exception[0].value}")
    return elapsed


def page_timings(db_url: str, *, token: str, repeat: int) -> dict[str, float]:
    """Medians: cold = a new session's first run after clearing every cache; warm = a rerun of that session."""
    logger.set_log_level("error")  # not the "no runtime" warnings of a bare process
    from ldcore.ui import cache
    from ldcore.ui.guard import TOKEN_KEY

    previous = os.environ.get("LDALIGN_DATABASE_URL")
    os.environ["LDALIGN_DATABASE_URL"] = db_url

    def fresh() -> AppTest:
        at = AppTest.from_file(str(PAGE), default_timeout=900)
        at.session_state[TOKEN_KEY] = token
        return at

    try:
        _run(fresh())  # imports and the engine, once per process
        cold, warm = [], []
        for _ in range(repeat):
            cache.clear()
            at = fresh()
            cold.append(_run(at))
            warm.extend(_run(at) for _ in range(repeat))
        return {"page_cold_s": statistics.median(cold), "page_warm_s": statistics.median(warm)}
    finally:
        if previous is None:
            os.environ.pop("LDALIGN_DATABASE_URL", None)
        else:
            os.environ["LDALIGN_DATABASE_URL"] = previous
