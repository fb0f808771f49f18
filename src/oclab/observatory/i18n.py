"""English and Spanish for the observatory's pages: the gettext catalogue
``locale/es/LC_MESSAGES/observatory.po``, loaded with the trace registry's machinery
(:func:`oclab.traces.i18n.load_translations`). :func:`missing_translations` lets a test fail on
any marked string without a Spanish translation.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from oclab.traces.i18n import LANGUAGES, N_, load_translations, missing_in

__all__ = ["LANGUAGES", "N_", "missing_translations", "translations"]
DOMAIN = "observatory"
HERE = Path(__file__).parent
PO_FILE = HERE / "locale" / "es" / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang`` (English is the source language)."""
    return load_translations(PO_FILE, lang, DOMAIN)


def missing_translations(extra: tuple[str, ...] = ()) -> list[str]:
    """Marked strings (and ``extra`` ones) with no Spanish translation."""
    return missing_in(PO_FILE, HERE, DOMAIN, extra)
