"""`ldalign tick` against a local SMTP server with a controlled clock: waves open and close on their dates,
invitations go once, reminders follow the wave's days, failed mails are recorded and sent again, two ticks at once
send nothing twice; and the templates' placeholders are filled, unknown ones refused."""

from __future__ import annotations

import datetime as dt
import email
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ldcore.cli import main
from ldcore.commands.surveys import NO_BASE_URL
from ldcore.db import read_session, unit_of_work
from ldcore.errors import Invalid
from ldcore.models import Invitation, MailSend, WaveMailing, utcnow
from ldcore.reporting import delivery
from ldcore.services import mailing, responses, surveys
from ldcore.settings import SmtpSettings
from tests.support.surveys import BASE, build, invite, make_wave, token_of

ROOT = Path(__file__).resolve().parents[2]
OPENS = dt.date(2027, 3, 1)
CLOSES = dt.date(2027, 3, 15)
RATING = {"proficiency": {"neg": 3, "coach": 4, "excel": 2}}
EVERYBODY = ["alpha0@example.org", "alpha1@example.org", "alpha2@example.org", "beta0@example.org",
             "beta1@example.org"]  # fmt: skip


def at(days: float, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(OPENS, dt.time(hour)) + dt.timedelta(days=days)


class Server:
    """A local SMTP server that keeps every message and refuses the addresses in `refuse`."""

    def __init__(self) -> None:
        self.received: list[email.message.Message] = []
        self.refuse: set[str] = set()

    def to(self, subject_start: str = "") -> Counter:
        return Counter(m["To"] for m in self.received if m["Subject"].startswith(subject_start))


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    server = Server()

    class Keep(Message):
        async def handle_RCPT(self, _server, _session, envelope, address, _options):
            if address in server.refuse:
                return "550 no such mailbox here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        def handle_message(self, message):
            server.received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpSettings(host="127.0.0.1", port=port, sender="ld@example.org"), server
    controller.stop()


def scheduled_wave(engine, *, days=(3, 7), anonymity="confidential", opens=OPENS, closes=CLOSES, **texts) -> None:
    build(engine, {"alpha": 3, "beta": 2})
    make_wave(engine, opens=opens, closes=closes, anonymity=anonymity, title="Skills check")
    with unit_of_work(engine) as session:
        mailing.save_templates(session, wave_key="base", texts=texts, reminder_days=list(days), scheduled=True)


def tick(engine, smtp, when: dt.datetime) -> mailing.TickReport:
    return mailing.tick(engine, smtp=smtp, base_url=BASE, now=when)


def body(message) -> str:
    return message.get_payload(decode=True).decode()


def link_in(message) -> str:
    return re.search(r"https://ld\.example/respond\?t=\S+", body(message)).group(0)


def test_a_wave_opens_invites_once_reminds_on_its_days_and_closes(engine, smtp_server):
    smtp, server = smtp_server
    scheduled_wave(engine)

    early = tick(engine, smtp, at(-1))
    assert (early.opened, early.lines(), server.received) == ([], ["nothing was due"], [])
    with read_session(engine) as session:
        assert session.scalar(select(func.count(Invitation.id))) == 0

    opening = tick(engine, smtp, at(0))
    assert opening.lines() == ["wave base opened", "mailed 5 invitations and 0 reminders"]
    assert sorted(server.to("Skills check: we would value")) == EVERYBODY
    assert tick(engine, smtp, at(0, 10)).lines() == ["nothing was due"]
    assert len(server.received) == 5

    answered = next(m for m in server.received if m["To"] == "alpha0@example.org")
    with unit_of_work(engine) as session:
        responses.submit_response(session, token=token_of(link_in(answered)), answers=RATING, now=at(1))

    assert tick(engine, smtp, at(2, 23)).reminders == 0
    assert tick(engine, smtp, at(3)).lines() == ["mailed 0 invitations and 4 reminders"]
    assert tick(engine, smtp, at(3, 12)).reminders == 0
    assert tick(engine, smtp, at(6)).reminders == 0
    assert tick(engine, smtp, at(7)).reminders == 4
    assert tick(engine, smtp, at(10)).reminders == 0  # only two reminder days
    closing = tick(engine, smtp, at(15))
    assert closing.lines() == ["wave base closed"]
    assert tick(engine, smtp, at(16)).lines() == ["nothing was due"]

    reminded = server.to("Reminder: Skills check")
    assert reminded == {address: 2 for address in EVERYBODY if address != "alpha0@example.org"}
    reminder = next(m for m in server.received if m["Subject"].startswith("Reminder"))
    assert link_in(reminder) == link_in(next(m for m in server.received if m["To"] == reminder["To"]))
    with read_session(engine) as session:
        status = {s.email: s for s in mailing.send_status(session, wave_key="base")}
        mailing_row = session.scalar(select(WaveMailing))
    assert status["alpha0@example.org"].invitation == "sent 1 Mar 2027 09:00 UTC"
    assert (status["alpha0@example.org"].reminders, status["beta1@example.org"].reminders) == (0, 2)
    assert (mailing_row.opened_at, mailing_row.closed_at) == (at(0), at(15))


def test_the_templates_placeholders_are_filled_for_each_person(engine, smtp_server):
    smtp, server = smtp_server
    scheduled_wave(
        engine,
        anonymity="anonymous",
        invite_subject="{title} for {name}",
        invite_body="Dear {name}, answer here: {link} before {closes}. {anonymity} {{not a placeholder}}",
    )
    tick(engine, smtp, at(0))

    message = next(m for m in server.received if m["To"] == "beta1@example.org")
    assert message["Subject"] == "Skills check for Beta Person 1"
    text = body(message)
    assert text.startswith("Dear Beta Person 1, answer here: https://ld.example/respond?t=")
    assert "before 15 March 2027. This survey is anonymous: your answers are stored without your name" in text
    assert "at least 5 people. {not a placeholder}" in text
    with read_session(engine) as session:
        invitation, reminder = mailing.preview(session, wave_key="base", base_url=BASE)
    assert invitation.subject == "Skills check for Alpha Person 0" and invitation.to == "alpha0@example.org"
    assert "https://ld.example/respond?t=PERSONAL-LINK before 15 March 2027" in invitation.body
    assert reminder.subject == "Reminder: Skills check"


@pytest.mark.parametrize(
    ("texts", "problem"),
    [
        ({"invite_body": "Hello {nam}, {link} {closing}"}, "unknown placeholders {nam}, {closing}"),
        ({"remind_subject": "Reminder {name.__class__}"}, "unknown placeholders {name.__class__}"),
        ({"invite_body": "Hello {name, {link}"}, "single { or }"),
        ({"remind_body": "Hello {name}, please answer."}, "must contain {link}"),
        ({"remind_body": "Hello {name}, please answer: {{link}}"}, "must contain {link}"),
        ({"invite_subject": "Line one\nline two"}, "must be one line"),
    ],
)
def test_a_bad_template_is_refused_naming_the_problem_and_nothing_is_stored(engine, texts, problem):
    build(engine, {"alpha": 1})
    make_wave(engine)
    with unit_of_work(engine) as session, pytest.raises(Invalid, match=re.escape(problem)) as refused:
        mailing.save_templates(session, wave_key="base", texts=texts)
    assert [field for field, _ in refused.value.problems] == list(texts)
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(WaveMailing)) == 0


@pytest.mark.parametrize(
    ("days", "problem"), [([3, 7, 10, 14], "at most 3 reminders"), ([7, 3], "go up"), ([0], "between 1 and 90")]
)
def test_reminder_days_out_of_order_or_too_many_are_refused(engine, days, problem):
    build(engine, {"alpha": 1})
    make_wave(engine)
    with unit_of_work(engine) as session, pytest.raises(Invalid, match=problem):
        mailing.save_templates(session, wave_key="base", texts={}, reminder_days=days)


def test_a_refused_mail_is_recorded_with_its_reason_and_sent_on_a_later_tick(engine, smtp_server):
    smtp, server = smtp_server
    scheduled_wave(engine)
    server.refuse = {"alpha1@example.org"}

    first = tick(engine, smtp, at(0))
    assert first.invitations == 4
    assert first.failed == [("alpha1@example.org", "the mail server refused the address")]
    tick(engine, smtp, at(0, 10))
    with read_session(engine) as session:
        status = {s.email: s.invitation for s in mailing.send_status(session, wave_key="base")}
    assert status["alpha1@example.org"] == (
        "failed: the mail server refused the address (2 tries, tried again on the next run)"
    )

    server.refuse = set()
    assert tick(engine, smtp, at(0, 11)).invitations == 1
    assert server.to() == {address: 1 for address in EVERYBODY}
    with read_session(engine) as session:
        status = {s.email: s.invitation for s in mailing.send_status(session, wave_key="base")}
    assert status["alpha1@example.org"] == "sent 1 Mar 2027 11:00 UTC"


def test_an_unreachable_mail_server_loses_nothing(engine, smtp_server):
    smtp, server = smtp_server
    scheduled_wave(engine)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    down = tick(engine, smtp.model_copy(update={"port": closed_port}), at(0))
    assert down.invitations == 0
    assert {reason for _, reason in down.failed} == {"the mail server could not be reached"}
    assert tick(engine, smtp, at(0, 10)).invitations == 5
    assert server.to() == {address: 1 for address in EVERYBODY}


def test_mail_claimed_by_a_tick_that_died_is_sent_by_a_later_one_after_the_lease(engine, smtp_server, monkeypatch):
    smtp, server = smtp_server
    scheduled_wave(engine)
    with monkeypatch.context() as dying:
        dying.setattr(mailing, "_send", lambda *args, **kwargs: None)  # claims, then stops before sending
        tick(engine, smtp, at(0))
    assert tick(engine, smtp, at(0, 9) + dt.timedelta(minutes=30)).invitations == 0  # still claimed
    with read_session(engine) as session:
        assert {s.invitation for s in mailing.send_status(session, wave_key="base")} == {"being sent"}
    assert tick(engine, smtp, at(0, 11)).invitations == 5
    assert server.to() == {address: 1 for address in EVERYBODY}


def test_two_ticks_at_once_mail_each_person_once(engine, smtp_server, monkeypatch):
    smtp, server = smtp_server
    scheduled_wave(engine)
    uninvited = mailing._uninvited

    def slowly(session, wave):  # widens the window between deciding and claiming, where a race would be
        found = uninvited(session, wave)
        time.sleep(1)
        return found

    monkeypatch.setattr(mailing, "_uninvited", slowly)
    assert tick(engine, SmtpSettings(), at(0)).opened == ["base"]  # opened already, so the ticks below only mail
    start = threading.Barrier(2)
    reports: list[mailing.TickReport] = []

    def run() -> None:
        start.wait()
        reports.append(tick(engine, smtp, at(0, 10)))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(r.invitations for r in reports) in ([0, 5], [1, 4], [2, 3])
    assert sum(r.invitations for r in reports) == 5
    assert server.to() == {address: 1 for address in EVERYBODY}
    with read_session(engine) as session:
        assert session.scalar(select(func.count(MailSend.id))) == 5


def test_without_smtp_tick_opens_the_wave_and_says_nothing_is_mailed(engine):
    scheduled_wave(engine)
    report = tick(engine, SmtpSettings(), at(0))
    assert report.opened == ["base"]
    assert report.lines()[1].startswith("SMTP is not configured, so nothing of wave base was mailed")
    assert tick(engine, SmtpSettings(), at(15)).lines() == ["wave base closed"]
    with read_session(engine) as session:
        assert session.scalar(select(func.count(MailSend.id))) == 0


def test_a_wave_not_scheduled_is_left_alone(engine, smtp_server):
    smtp, server = smtp_server
    scheduled_wave(engine)
    with unit_of_work(engine) as session:
        mailing.save_templates(session, wave_key="base", texts={}, scheduled=False)
    assert tick(engine, smtp, at(0)).lines() == ["nothing was due"]
    assert server.received == []


def test_a_due_report_pack_goes_once_across_two_ticks(engine, smtp_server):
    smtp, server = smtp_server
    build(engine, {"alpha": 1})
    with unit_of_work(engine) as session:
        delivery.set_schedule(session, plan_key="p1", every="monthly", to="lead@example.org", fmt="pptx")
    assert tick(engine, smtp, at(0)).reports == ["p1"]
    assert tick(engine, smtp, at(0, 10)).reports == []
    assert server.to() == {"lead@example.org": 1}


def test_ldalign_tick_needs_a_base_url_then_mails_once(engine, smtp_server, tmp_path, monkeypatch, capsys):
    smtp, server = smtp_server
    build(engine, {"alpha": 3, "beta": 2})
    make_wave(engine, opens=OPENS, closes=CLOSES)
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.delenv("LDALIGN_BASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsender = "ld@example.org"\n'
    )

    assert main(["--database", url, "tick"]) == 2
    assert capsys.readouterr().err == f"error: {NO_BASE_URL}\n"
    assert main(["--database", url, "mail", "--wave", "base", "--on", "--reminders", "2,5"]) == 0
    assert capsys.readouterr().out == "wave base: mailed by `ldalign tick`; reminders 2, 5 days after the invitation\n"
    tick_args = ["--database", url, "tick", "--base-url", BASE, "--no-reports", "--now"]
    assert main([*tick_args, "2027-03-01T08:00"]) == 0
    assert capsys.readouterr().out == "wave base opened\nmailed 5 invitations and 0 reminders\n"
    assert main([*tick_args, "2027-03-01T08:05"]) == 0
    assert capsys.readouterr().out == "nothing was due\n"
    assert main([*tick_args, "2027-03-01T08:10", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert main([*tick_args, "2027-03-03T08:00"]) == 0
    assert capsys.readouterr().out == "mailed 0 invitations and 5 reminders\n"
    assert server.to() == {address: 2 for address in EVERYBODY}


def test_links_mailed_by_hand_use_the_waves_templates_and_tick_does_not_mail_them_again(engine, smtp_server):
    smtp, server = smtp_server
    scheduled_wave(engine, invite_subject="Your voice, {name}")
    links = invite(engine, "base")
    with read_session(engine) as session:
        sent, failed = mailing.send_links(session, smtp, wave_key="base", links=links)
    with unit_of_work(engine) as session:
        surveys.mark_sent(session, wave_key="base", emails=sent, at=at(0))
    assert (sorted(sent), failed) == (EVERYBODY, [])
    assert {m["Subject"] for m in server.received if m["To"] == "beta0@example.org"} == {"Your voice, Beta Person 0"}
    assert tick(engine, smtp, at(0, 10)).lines() == ["wave base opened"]
    assert tick(engine, smtp, at(3)).reminders == 5
    assert server.to() == {address: 2 for address in EVERYBODY}


def test_erasing_a_person_removes_the_record_of_their_mail(engine, smtp_server):
    from ldcore.services import privacy

    smtp, server = smtp_server
    scheduled_wave(engine)
    tick(engine, smtp, at(0))
    with unit_of_work(engine) as session:
        privacy.erase_person(session, email="beta1@example.org", answers="delete", actor="test")
    with read_session(engine) as session:
        assert session.scalar(select(func.count(MailSend.id))) == 4
        assert "beta1@example.org" not in {s.email for s in mailing.send_status(session, wave_key="base")}
    assert tick(engine, smtp, at(0, 10)).lines() == ["nothing was due"]


def test_two_ldalign_tick_processes_started_together_mail_each_person_once(engine, smtp_server, tmp_path):
    smtp, server = smtp_server
    scheduled_wave(engine)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        f'[smtp]\nhost = "127.0.0.1"\nport = {smtp.port}\nsender = "ld@example.org"\n'
    )
    url = engine.url.render_as_string(hide_password=False)
    command = [sys.executable, "-m", "ldcore.cli", "--database", url, "tick", "--base-url", BASE, "--now",
               "2027-03-01T09:00", "--no-reports"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert [run.returncode for run in runs] == [0, 0]
    mailed = sorted(int(re.search(r"mailed (\d+) invitations", out).group(1)) if "mailed" in out else 0
                    for out in outputs)  # fmt: skip
    assert sum(mailed) == 5
    assert server.to() == {address: 1 for address in EVERYBODY}


def test_links_handed_out_by_hand_are_left_to_that_hand_for_half_an_hour_then_mailed_if_not_sent(engine, smtp_server):
    smtp, server = smtp_server
    scheduled_wave(engine, opens=None, closes=None)
    handed = invite(engine, "base")  # the Surveys page is mailing these right now
    with unit_of_work(engine) as session:
        surveys.mark_sent(session, wave_key="base", emails=[link.email for link in handed[:3]])
    now = utcnow()
    assert tick(engine, smtp, now).invitations == 0
    assert tick(engine, smtp, now + dt.timedelta(minutes=31)).invitations == 2  # the two the page never sent
    assert server.to() == {address: 1 for address in EVERYBODY if address not in {link.email for link in handed[:3]}}
