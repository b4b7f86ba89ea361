"""The page half of `ldalign bench` (it needs Streamlit): every page run in AppTest as an admin, cold (caches
cleared, a new session) and warm (a rerun of that session); the Surveys page's interactions; the live scenario's
viewer; memory per open session.

The pages are found in the app's folder (the one with app.py and pages/): by default the current folder, else the
source checkout this package was loaded from, else the copy an installed package ships in `<prefix>/share/ldalign`.
"""

from __future__ import annotations

import gc
import os
import statistics
import sysconfig
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit import logger
from streamlit.testing.v1 import AppTest

from ldcore.devtools import bench
from ldcore.errors import Invalid

PUBLIC_PAGES = {"respond"}  # a respondent's form, timed as submissions instead
SESSIONS_FOR_MEMORY = 20
_SOURCE_OR_TARGET = Path(__file__).resolve().parents[2]  # the checkout, or the folder `pip install --target` filled


def installed_app_folders() -> list[Path]:
    """Where an installed package keeps the app's files (pyproject's data-files, `share/ldalign`): under the
    environment's prefix, or next to the package for `pip install --target`."""
    return [Path(sysconfig.get_path("data")) / "share" / "ldalign", _SOURCE_OR_TARGET / "share" / "ldalign"]


def app_folder(given: str | None = None) -> Path:
    candidates = [Path(given)] if given else [Path.cwd(), _SOURCE_OR_TARGET, *installed_app_folders()]
    for folder in candidates:
        if (folder / "app.py").is_file() and (folder / "pages").is_dir():
            return folder
    raise Invalid(
        "bench needs the app's folder (the one with app.py and pages/): run it there or pass --app-dir FOLDER."
    )


@contextmanager
def _database(db_url: str) -> Iterator[None]:
    logger.set_log_level("error")  # not the "no runtime" warnings of a bare process
    previous = os.environ.get("LDALIGN_DATABASE_URL")
    os.environ["LDALIGN_DATABASE_URL"] = db_url
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("LDALIGN_DATABASE_URL", None)
        else:
            os.environ["LDALIGN_DATABASE_URL"] = previous


def _session(folder: Path, page: str, token: str) -> AppTest:
    from ldcore.ui.guard import TOKEN_KEY

    at = AppTest.from_file(str(folder / "pages" / f"{page}.py"), default_timeout=900)
    at.session_state[TOKEN_KEY] = token
    return at


def _timed(run: Callable[[], AppTest]) -> float:
    start = time.perf_counter()
    at = run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"a page failed during the bench: {at.exception[0].value}")
    return elapsed


def page_timings(db_url: str, *, token: str, repeat: int, folder: Path) -> dict[str, object]:
    """Per page, medians of `repeat` cold and warm runs; the slowest of each; the Surveys interactions."""
    from ldcore.ui import cache

    pages = sorted(p.stem for p in (folder / "pages").glob("*.py") if p.stem not in PUBLIC_PAGES)
    timings: dict[str, dict[str, float]] = {}
    with _database(db_url):
        for page in pages:  # a process's imports and the engine, once (a server pays them at its first visitor)
            _session(folder, page, token).run()
        for page in pages:
            cold, warm = [], []
            for _ in range(repeat):
                cache.clear()
                at = _session(folder, page, token)
                cold.append(_timed(at.run))
                warm.append(_timed(at.run))
            timings[page] = {"cold_s": statistics.median(cold), "warm_s": statistics.median(warm)}
        interactions = surveys_interactions(folder, token)
    return {
        "pages": timings,
        "page_cold_max_s": max(t["cold_s"] for t in timings.values()),
        "page_warm_max_s": max(t["warm_s"] for t in timings.values()),
        "surveys_interactions": interactions,
        "surveys_interaction_max_s": max(interactions.values()),
    }


def surveys_interactions(folder: Path, token: str) -> dict[str, float]:
    """What an editor clicks on the Surveys page, each on a page opened warm: another wave to monitor, to import
    into, to export; each the first time for that wave (its results not cached yet)."""
    from ldcore.ui import cache

    cache.clear()
    at = _session(folder, "surveys", token)
    at.run()
    out = {}
    for name, key in (("monitor_wave", "invite_wave"), ("import_wave", "import_wave"), ("export_wave", "export_wave")):
        box = at.selectbox(key=key)
        other = next(option for option in box.options if option != box.value)
        out[name] = _timed(box.select(other).run)
    return out


def live_scenario(
    db_url: str, *, token: str, folder: Path, respondents: bench.Respondents, seconds: float, rate: float
) -> dict[str, float]:
    """Respondents submit `rate` responses a second into one wave while a viewer keeps the executive page open and
    polls like the page's live fragment. Reported: how soon after a response is stored the viewer's page shows
    it (worst case), what each refresh costs, and what one idle version check costs."""
    from ldcore.ui import cache

    stored: list[float] = []
    lock = threading.Lock()
    stop = threading.Event()

    def respond() -> None:
        due = time.perf_counter()
        while not stop.is_set():
            respondents.submit()
            with lock:
                stored.append(time.perf_counter())
            due += 1 / rate
            stop.wait(max(0.0, due - time.perf_counter()))

    with _database(db_url):
        at = _session(folder, "executive", token)
        at.run()
        shown_version, shown_until = cache.version(bench.PLAN_KEY), time.perf_counter()
        writer = threading.Thread(target=respond)
        began = time.perf_counter()
        writer.start()
        refreshes: list[float] = []
        delays: list[float] = []
        try:
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                time.sleep(cache.LIVE_POLL_SECONDS)
                checked_at = time.perf_counter()
                version = cache.version(bench.PLAN_KEY)
                if version == shown_version:
                    continue
                refreshes.append(_timed(at.run))
                shown = time.perf_counter()
                with lock:
                    delays += [shown - t for t in stored if shown_until <= t < checked_at]
                shown_version, shown_until = version, checked_at
        finally:
            stop.set()
            writer.join()
        streamed = time.perf_counter() - began
        check_cpu = _check_cpu_seconds()
    return {
        "live_responses_per_s": len(stored) / streamed,
        "live_refreshes": len(refreshes),
        "live_refresh_median_s": statistics.median(refreshes),
        "live_refresh_max_s": max(refreshes),
        "live_visible_within_max_s": max(delays),
        "idle_check_cpu_ms": check_cpu * 1000,
        "idle_tab_core_pct": 100 * check_cpu / cache.LIVE_POLL_SECONDS,
    }


def _check_cpu_seconds(runs: int = 50) -> float:
    from ldcore.ui import cache

    start = time.process_time()
    for _ in range(runs):
        cache.version(bench.PLAN_KEY)
    return (time.process_time() - start) / runs


def memory_per_session_mb(db_url: str, *, token: str, folder: Path) -> float:
    """Python memory a further open session of the executive page holds (its session state and last run), in MB:
    what `SESSIONS_FOR_MEMORY` sessions kept open at once still hold after a garbage collection, traced by
    `tracemalloc` (the resident size of a whole process moves in steps too coarse for one session)."""
    with _database(db_url):
        _session(folder, "executive", token).run()  # the shared caches, once
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            sessions = [_session(folder, "executive", token).run() for _ in range(SESSIONS_FOR_MEMORY)]
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    del sessions
    return max(0, grown) / SESSIONS_FOR_MEMORY / 2**20
