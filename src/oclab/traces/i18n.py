"""English and Spanish for the trace pages, through the gettext catalogue
``locale/es/LC_MESSAGES/traces.po`` (loaded and compiled in memory by Babel, as
:mod:`oclab.report.i18n` does for the report, but a catalogue of its own so the two can be
translated and shipped independently).

Strings are marked ``_()`` / ``N_()`` in Python and ``{% trans %}`` / ``_()`` in the templates;
validation messages (:mod:`oclab.traces.validate`) are catalogue entries too, so a Spanish form
explains a bad field in Spanish. :func:`missing_translations` lets a test fail on any string
without a translation.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES: tuple[str, ...] = ("en", "es")
DOMAIN = "traces"
HERE = Path(__file__).parent
PO_FILE = HERE / "locale" / "es" / "LC_MESSAGES" / f"{DOMAIN}.po"


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it here."""
    return message


def load_translations(po_file: Path, lang: str, domain: str) -> gettext.NullTranslations:
    """The translations of ``lang`` from a catalogue (English is the source language).

    Shared with the other bilingual pages (:mod:`oclab.observatory.i18n`), each with a
    catalogue of its own.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    if lang == "en":
        return gettext.NullTranslations()
    with po_file.open("rb") as file:
        catalog = read_po(file, locale=lang, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def extract_catalog(folder: Path, domain: str) -> Catalog:
    """Every marked string in the sources (``*.py``) and templates (``*.j2``) of ``folder``."""
    template = Catalog(domain=domain)
    for filename, lineno, message, _comments, context in extract_from_dir(
        folder,
        method_map=[("**.py", "python"), ("**.j2", "jinja2.ext:babel_extract")],
        options_map={"**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}},
    ):
        template.add(message, None, [(filename, lineno)], context=context)
    return template


def missing_in(po_file: Path, folder: Path, domain: str, extra: tuple[str, ...] = ()) -> list[str]:
    """Marked strings of ``folder`` (and ``extra`` ones) with no Spanish translation."""
    with po_file.open("rb") as file:
        catalog = read_po(file, locale="es", domain=domain)
    ids = [m.id for m in extract_catalog(folder, domain) if m.id] + list(extra)
    missing = []
    for message_id in ids:
        key = message_id if isinstance(message_id, str) else message_id[0]
        found = catalog.get(message_id)
        if found is None or found.fuzzy or not found.string:
            missing.append(key)
    return missing


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang`` (English is the source language)."""
    return load_translations(PO_FILE, lang, DOMAIN)


def extract() -> Catalog:
    """Every marked string in the traces sources and templates."""
    return extract_catalog(HERE, DOMAIN)


def missing_translations(extra: tuple[str, ...] = ()) -> list[str]:
    """Marked strings (and ``extra`` ones) with no Spanish translation."""
    return missing_in(PO_FILE, HERE, DOMAIN, extra)
