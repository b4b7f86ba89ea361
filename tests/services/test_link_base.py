"""Links use the address people actually use: from the request when no base URL is configured; the CLI, with no
request, refuses to write links without one and says how to set it."""

from __future__ import annotations

import pytest

from ldcore.cli import main
from ldcore.services import surveys
from tests.support.surveys import build, make_wave


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("http://10.0.0.5:8600/surveys", "http://10.0.0.5:8600"),
        ("https://hr.example/ld/surveys/", "https://hr.example/ld"),
        ("https://hr.example/", "https://hr.example"),
        (None, None),
    ],
)
def test_the_base_comes_from_the_address_the_browser_shows(url, base):
    assert surveys.base_from_request(url, "surveys") == base


def test_the_cli_refuses_to_write_links_without_a_base_url_in_one_line(engine, db_url, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("LDALIGN_BASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no secrets.toml here
    build(engine, {"alpha": 2})
    make_wave(engine)

    assert main(["--database", db_url, "invite", "--wave", "base", "--out", str(tmp_path / "links.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "pass --base-url https://your-ldalign-host, or set LDALIGN_BASE_URL" in err
    assert not (tmp_path / "links.csv").exists()
    monkeypatch.setenv("LDALIGN_BASE_URL", "https://ld.example/")
    assert main(["--database", db_url, "invite", "--wave", "base", "--out", str(tmp_path / "links.csv")]) == 0
    assert "https://ld.example/respond?t=" in (tmp_path / "links.csv").read_text(encoding="utf-8-sig")
