"""The respondent's language: which one to use, and the page's own words in it.

A survey's texts come from its definition (`SurveyDefinition.in_language`); the words around them — buttons,
progress, problems, the thank-you, the privacy note — come from gettext catalogs in `ldcore/locales/<code>/
LC_MESSAGES/ldalign.po`, compiled to the `.mo` files next to them (both are committed, so an install needs no
build step). English is the source language; German, French and Spanish are translated.

Adding or changing a text marked with `_()` or `N_()`:

```bash
pybabel extract -F ldcore/locales/babel.cfg -k N_ -o ldcore/locales/ldalign.pot --no-location --omit-header .
pybabel update -i ldcore/locales/ldalign.pot -d ldcore/locales -D ldalign --no-fuzzy-matching --omit-header
# translate the new entries in each ldalign.po, then
pybabel compile -d ldcore/locales -D ldalign
```
`tests/unit/test_i18n.py` fails while a marked text is missing from a catalog or a `.mo` is older than its `.po`.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "ldalign"
SOURCE_LANGUAGE = "en"
CATALOG_LANGUAGES = ("en", "de", "fr", "es")

# Names of the languages in themselves, for the language switcher; other codes go through Babel when installed.
NATIVE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español"}


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Marks a text for the catalogs where it is defined; it is translated where it is shown."""
    return message


@lru_cache(maxsize=16)
def translations(code: str) -> gettext.NullTranslations:
    """The page's words in `code`; English (the texts themselves) for a language without a catalog."""
    if code not in CATALOG_LANGUAGES or code == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALES_DIR, languages=[code], fallback=True)


def language_name(code: str) -> str:
    """The language's name as its speakers write it ("Deutsch"), for a switcher."""
    if code in NATIVE_NAMES:
        return NATIVE_NAMES[code]
    try:
        from babel import Locale, UnknownLocaleError

        name = Locale.parse(code).get_display_name(code)
    except (ImportError, ValueError, UnknownLocaleError):
        return code.upper()
    return name[:1].upper() + name[1:] if name else code.upper()


def _primary(tag: str) -> str:
    return tag.strip().split("-")[0].split("_")[0].lower()


def accepted_languages(header: str | None) -> list[str]:
    """The primary language codes of an `Accept-Language` header, most wanted first (`q=0` means "not this")."""
    if not header or not isinstance(header, str) or len(header) > 1000:
        return []
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.partition(";")
        code = _primary(tag)
        if not re.fullmatch(r"[a-z]{2,3}", code):
            continue
        weight = 1.0
        if match := re.fullmatch(r"\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*", params):
            weight = float(match.group(1))
        if weight > 0:
            ranked.append((-weight, position, code))
    seen: list[str] = []
    for _, _, code in sorted(ranked):
        if code not in seen:
            seen.append(code)
    return seen


def pick_language(
    available: list[str],
    *,
    default: str,
    link: str | None = None,
    accept_language: str | None = None,
    browser_locale: str | None = None,
) -> str:
    """The language to show a survey in: the link's (`?lang=de`), else the first of the browser's languages the
    survey has (its `Accept-Language` header, then its `navigator.language`), else the survey's default."""
    if isinstance(link, str) and _primary(link) in available:
        return _primary(link)
    for code in accepted_languages(accept_language):
        if code in available:
            return code
    if isinstance(browser_locale, str) and _primary(browser_locale) in available:
        return _primary(browser_locale)
    return default
