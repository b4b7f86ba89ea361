"""The respondent's language: picking it from the link and the browser, and catalogs that are complete and compiled
(an install uses the committed .mo files, so a stale one would show old or English words)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from ldcore import i18n
from ldcore.services import responses

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in i18n.CATALOG_LANGUAGES if code != i18n.SOURCE_LANGUAGE]


def catalog(code: str, kind: str = "po"):
    path = i18n.LOCALES_DIR / code / "LC_MESSAGES" / f"{i18n.DOMAIN}.{kind}"
    with path.open("rb") as f:
        return read_po(f, locale=code) if kind == "po" else read_mo(f)


def entries(messages) -> dict:
    def flat(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {flat(m.id): flat(m.string) for m in messages if m.id}


def marked_texts() -> set[str]:
    """Every text marked with _() or N_() in the files babel.cfg names, as `pybabel extract` finds them."""
    config = i18n.LOCALES_DIR / "babel.cfg"
    method_map = [
        (line.strip()[len("[python: ") : -1], "python")
        for line in config.read_text().splitlines()
        if line.startswith("[python: ")
    ]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    found = extract_from_dir(str(ROOT), method_map=method_map, keywords=keywords)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"link": "de", "accept_language": "fr-FR,fr;q=0.9", "browser_locale": "es-ES"}, "de"),
        ({"link": "de-CH"}, "de"),
        ({"link": "it", "accept_language": "fr-FR,fr;q=0.9"}, "fr"),
        ({"accept_language": "it-IT,it;q=0.9,de;q=0.8,en;q=0.5"}, "de"),
        ({"accept_language": "en;q=0.2, de-AT;q=0.7"}, "de"),
        ({"accept_language": "de;q=0, *;q=0.5"}, "en"),
        ({"browser_locale": "fr-CA"}, "fr"),
        ({"accept_language": "it", "browser_locale": "es-MX"}, "en"),
        ({}, "en"),
    ],
)
def test_the_language_comes_from_the_link_then_the_browser_then_the_survey_default(kwargs, expected):
    assert i18n.pick_language(["en", "de", "fr"], default="en", **kwargs) == expected


def test_an_accept_language_header_is_read_by_weight_then_order():
    assert i18n.accepted_languages("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7") == ["de", "en"]
    assert i18n.accepted_languages("fr;q=0.5, es") == ["es", "fr"]
    assert i18n.accepted_languages("x" * 2000) == []
    assert i18n.accepted_languages(None) == []


def test_languages_are_named_in_themselves():
    assert [i18n.language_name(c) for c in ("en", "de", "fr", "es")] == ["English", "Deutsch", "Français", "Español"]
    assert i18n.language_name("it") == "Italiano"
    assert i18n.language_name("zz") == "ZZ"


def test_the_page_words_come_from_the_catalog_of_the_language():
    assert i18n.translations("de").gettext("Send my answers") == "Meine Antworten senden"
    assert i18n.translations("es").gettext(responses.ALREADY_ANSWERED) == "Ya ha respondido. ¡Gracias!"
    assert i18n.translations("it").gettext("Send my answers") == "Send my answers"
    french = i18n.translations("fr")
    assert french.ngettext("About {n} minute", "About {n} minutes", 0) == "Environ {n} minute"  # French: 0 is one
    assert i18n.translations("de").ngettext("About {n} minute", "About {n} minutes", 0) == "Etwa {n} Minuten"


def test_the_template_holds_every_marked_text():
    with (i18n.LOCALES_DIR / f"{i18n.DOMAIN}.pot").open("rb") as f:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    assert template == marked_texts(), "run the pybabel extract/update commands in ldcore/i18n.py"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_marked_text_is_translated_and_compiled(code):
    po = catalog(code)
    texts = marked_texts()
    missing = [m.id for m in po if m.id and (not all(m.string if isinstance(m.string, tuple) else [m.string]))]
    assert missing == []
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in po if m.id} == texts
    assert not [m.id for m in po if m.id and "fuzzy" in m.flags]
    mo = catalog(code, "mo")
    assert entries(mo) == entries(po), "run pybabel compile"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders_of_the_english_text(code):
    for message in catalog(code):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = {p for text in ids for p in ("{n}", "{done}", "{total}") if p in text}
        for text in strings:
            assert {p for p in wanted if p in text} == wanted, (code, message.id, text)


def test_no_catalog_file_is_left_out_of_the_package():
    data = (ROOT / "pyproject.toml").read_text()
    assert '"locales/*/LC_MESSAGES/*.mo"' in data
