"""Respondents at once, through real Streamlit sessions: a replica of the app is started on the bench's database,
`count` people open their personal link over Streamlit's own websocket protocol (what a browser sends, without a
browser drawing the page on the same cores), answer every question, and all press "Send my answers" at the same
instant. Reported: the time from "Send" to the thank-you page (median, p95, worst), that every one was stored
exactly once, and the replica's resident memory per open respondent session."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import websockets
from sqlalchemy import Engine, func, select
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from ldcore.db import read_session, unit_of_work
from ldcore.models import Invitation, Person, Response, SurveyWave
from ldcore.services import surveys

THANKS = "Thank you!"
SEND = "Send my answers"
TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Replica:
    url: str
    process: subprocess.Popen[bytes]

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("the replica's memory cannot be read")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def replica(db_url: str, folder: Path) -> Iterator[Replica]:
    """`streamlit run app.py` on `db_url`, as a deployment runs it; stopped afterwards."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LDALIGN_DATABASE_URL": db_url, "LDALIGN_BASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true"],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the app did not start for the load measurement") from None
                time.sleep(0.3)
        yield Replica(url, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def invite_load_respondents(engine: Engine, *, wave_key: str, count: int, base_url: str) -> list[str]:
    """`count` new people in the wave's first audience team, each with a personal link (as `invite` gives)."""
    with unit_of_work(engine) as session:
        wave = surveys.get_wave(session, key=wave_key)
        team = surveys.audience_teams(session, wave)[0]
        first = (session.scalar(select(func.max(Person.id))) or 0) + 1
        people = [
            Person(
                id=first + n,
                email=f"load{first + n}@bench.example",
                name=f"Load respondent {first + n}",
                team_id=team.id,
            )
            for n in range(count)
        ]
        session.add_all(people)
        session.flush()
        links = []
        for person in people:
            token = surveys.personal_token(session, wave_id=wave.id, person_id=person.id)
            session.add(
                Invitation(wave_id=wave.id, person_id=person.id, team_id=team.id, token_hash=surveys.hash_token(token))
            )
            links.append(surveys.personal_link(base_url, token))
    return links


def stored_once(engine: Engine, *, wave_key: str, links: list[str]) -> bool:
    """Every one of these links' answers stored, once each."""
    hashes = [surveys.hash_token(parse_qs(urlparse(link).query)["t"][0]) for link in links]
    with read_session(engine) as session:
        wave_id = session.scalar(select(SurveyWave.id).where(SurveyWave.key == wave_key))
        people = select(Invitation.person_id).where(Invitation.token_hash.in_(hashes))
        found = session.execute(
            select(func.count(Response.id), func.count(func.distinct(Response.person_id))).where(
                Response.wave_id == wave_id, Response.person_id.in_(people)
            )
        ).one()
    return tuple(found) == (len(links), len(links))


class Respondent:
    """One browser session of the respondent's page, spoken over Streamlit's websocket protocol."""

    def __init__(self, link: str) -> None:
        parsed = urlparse(link)
        self.ws_url = f"ws://{parsed.netloc}/_stcore/stream"
        self.page, self.query = parsed.path.strip("/"), parsed.query
        self.widgets: dict[str, WidgetState] = {}
        self.radios: list[tuple[str, int]] = []  # (widget id, options)
        self.send_id: str | None = None
        self.texts: list[str] = []
        self.ws: websockets.ClientConnection | None = None

    async def _rerun(self, *trigger: str) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string, state.page_name = self.query, self.page
        state.widget_states.widgets.extend(self.widgets.values())
        for widget_id in trigger:
            state.widget_states.widgets.add(id=widget_id, trigger_value=True)
        assert self.ws is not None
        await self.ws.send(msg.SerializeToString())

    async def _until_finished(self, text: str | None = None) -> None:
        """Read the page as it is drawn, until the run ends (or `text` appears)."""
        assert self.ws is not None
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await asyncio.wait_for(self.ws.recv(), TIMEOUT_SECONDS))
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                return
            if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
                continue
            element = msg.delta.new_element
            what = element.WhichOneof("type")
            if what == "radio":
                self.radios.append((element.radio.id, len(element.radio.options)))
            elif what == "button" and element.button.label == SEND:
                self.send_id = element.button.id
            elif what in ("heading", "markdown"):
                body = getattr(element, what).body
                self.texts.append(body)
                if text is not None and text in body:
                    return

    async def open_and_answer(self) -> None:
        self.ws = await websockets.connect(self.ws_url, subprotocols=[websockets.Subprotocol("streamlit")])
        await self._rerun()
        await self._until_finished()
        if self.send_id is None:
            raise RuntimeError(f"the survey page did not open for the load measurement: {self.texts[:3]}")
        # every question with choices answered (the middle choice), as a person clicking through would leave it
        self.widgets = {wid: WidgetState(id=wid, int_value=min(2, options - 1)) for wid, options in self.radios}
        await self._rerun()
        await self._until_finished()

    async def send(self, start: asyncio.Event) -> float:
        await start.wait()
        began = time.perf_counter()
        assert self.send_id is not None
        await self._rerun(self.send_id)
        await self._until_finished(THANKS)
        if not any(THANKS in t for t in self.texts):
            raise RuntimeError(f"a load respondent got no thank-you page: {self.texts[-3:]}")
        return time.perf_counter() - began

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def _all_at_once(links: list[str], rss: Callable[[], float]) -> tuple[list[float], float]:
    first, *others = links
    warm_up = Respondent(first)  # the replica's first visitor pays its imports: not a session's memory
    await warm_up.open_and_answer()
    people = [Respondent(link) for link in others]
    before = rss()
    for batch in range(0, len(people), 10):  # opened ten at a time, as people arrive
        await asyncio.gather(*(p.open_and_answer() for p in people[batch : batch + 10]))
    per_session = (rss() - before) / len(people)
    start = asyncio.Event()
    sends = [asyncio.create_task(p.send(start)) for p in people]
    start.set()
    seconds = await asyncio.gather(*sends)
    await asyncio.gather(*(p.close() for p in [warm_up, *people]))
    return list(seconds), per_session


def respondents_at_once(engine: Engine, db_url: str, *, wave_key: str, count: int, folder: Path) -> dict[str, object]:
    with replica(db_url, folder) as app:
        links = invite_load_respondents(engine, wave_key=wave_key, count=count + 1, base_url=app.url)
        seconds, per_session = asyncio.run(_all_at_once(links, app.rss_mb))
    sent = links[1:]  # the first opened the page to warm the replica up, and never sent
    return {
        "respondents_at_once": count,
        "respondents_stored_once": stored_once(engine, wave_key=wave_key, links=sent),
        "submit_to_thanks_median_s": statistics.median(seconds),
        "submit_to_thanks_p95_s": statistics.quantiles(seconds, n=20, method="inclusive")[-1],
        "submit_to_thanks_max_s": max(seconds),
        "respondent_session_mb": per_session,
    }
