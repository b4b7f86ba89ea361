import time

import pytest

from ldcore.db import read_session, unit_of_work
from ldcore.errors import Conflict, Invalid
from ldcore.models import Account
from ldcore.services import accounts


def _create(engine, email="lead@example.org", role="admin", password="correct-horse-battery"):
    with unit_of_work(engine) as session:
        return accounts.create_account(session, email=email, role=role, password=password)


def test_a_password_is_stored_as_an_argon2id_hash_and_checked(engine):
    created = _create(engine)
    with read_session(engine) as session:
        stored = session.get(Account, created.id).password_hash
    assert stored.startswith("$argon2id$") and "correct-horse" not in stored
    with unit_of_work(engine) as session:
        assert (
            accounts.authenticate(session, email="LEAD@example.org", password="correct-horse-battery").id == created.id
        )
        assert accounts.authenticate(session, email="lead@example.org", password="wrong") is None
        assert accounts.authenticate(session, email="nobody@example.org", password="x") is None


def test_bad_account_input_names_the_field_and_duplicates_are_refused(engine):
    with pytest.raises(Invalid) as err, unit_of_work(engine) as session:
        accounts.create_account(session, email="not-an-email", role="owner", password="short")
    assert {path for path, _ in err.value.problems} == {"email", "role", "password"}
    _create(engine)
    with pytest.raises(Conflict), unit_of_work(engine) as session:
        accounts.create_account(session, email="lead@example.org", role="viewer", password="another-password")


def test_a_session_token_is_refused_when_forged_expired_or_signed_out(engine):
    created = _create(engine)
    with unit_of_work(engine) as session:
        token = accounts.issue_session_token(session, account_id=created.id)
        expired = accounts.issue_session_token(session, account_id=created.id, seconds=-1)
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token).email == "lead@example.org"
        assert accounts.account_for_token(session, token=expired) is None
        forged = token.replace(token.split(".")[0], str(created.id + 1), 1)
        assert accounts.account_for_token(session, token=forged) is None
        assert accounts.account_for_token(session, token="garbage") is None
    with unit_of_work(engine) as session:
        accounts.sign_out_everywhere(session, account_id=created.id)
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token) is None


def test_deactivating_an_account_ends_its_sessions_but_the_last_admin_stays(engine):
    admin = _create(engine)
    editor = _create(engine, email="editor@example.org", role="editor")
    with unit_of_work(engine) as session:
        token = accounts.issue_session_token(session, account_id=editor.id)
        accounts.update_account(session, email="editor@example.org", active=False, actor="test")
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token) is None
    with pytest.raises(Conflict, match="no active admin"), unit_of_work(engine) as session:
        accounts.update_account(session, email=admin.email, role="viewer", actor="test")
    with read_session(engine) as session:
        assert session.get(Account, admin.id).role == "admin"


def test_tokens_expire_on_their_own(engine, monkeypatch):
    created = _create(engine)
    with unit_of_work(engine) as session:
        token = accounts.issue_session_token(session, account_id=created.id, seconds=60)
    monkeypatch.setattr(time, "time", lambda: 10**11)
    with read_session(engine) as session:
        assert accounts.account_for_token(session, token=token) is None
