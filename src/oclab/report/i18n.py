"""English and Spanish for the report and the dashboard, through gettext catalogues.

Every user-facing string in :mod:`oclab.report` and :mod:`oclab.web` is written in English and
marked for translation: ``_("...")`` in Python (``N_("...")`` where a constant is only marked and
translated later), ``{% trans %}`` and ``_()`` in the jinja2 templates. The Spanish catalogue is
the gettext source file ``locale/es/LC_MESSAGES/oclab.po``.

Why the ``.po`` file is loaded at run time instead of compiling ``.mo`` files at build time: the
package is built by hatchling without custom build hooks, and a compiled binary in the repository
would drift from its source. Babel parses the ``.po`` file (``babel.messages.pofile``), compiles
it in memory (``babel.messages.mofile``) and serves it as standard
:class:`gettext.GNUTranslations` (via :class:`babel.support.Translations`), once per process.

:func:`extract_catalog` collects the marked strings from the sources (Babel's Python extractor
and jinja2's ``babel_extract``), so a test can fail on any string without a Spanish translation;
``python -m oclab.report.i18n`` merges new strings into the ``.po`` file for a translator.

Numbers keep the conventions of Mexico (``es-MX``: ``1,234.5``), the same as English.
"""

from __future__ import annotations

import gettext
import io
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import jinja2
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from oclab.errors import InputError

LANGUAGES: tuple[str, ...] = ("en", "es")
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Español"}
DOMAIN = "oclab"
LOCALE_DIR = Path(__file__).parent / "locale"
#: The package folders whose sources carry user-facing strings.
SOURCE_DIRS: tuple[Path, ...] = (Path(__file__).parent, Path(__file__).parent.parent / "web")
_METHOD_MAP = [
    ("**/static/**", "ignore"),
    ("**.py", "python"),
    ("**.j2", "jinja2.ext:babel_extract"),
]
_JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true", "newstyle_gettext": "true"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it here."""
    return message


def po_path(lang: str) -> Path:
    """The gettext source catalogue of ``lang``."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def check_language(lang: object, source: str = "--lang") -> str:
    """``lang`` when it is a supported language code, else an :class:`InputError`."""
    if lang not in LANGUAGES:
        raise InputError(source, "lang", f"one of {', '.join(LANGUAGES)}", lang)
    return str(lang)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang`` (English is the source language: no catalogue)."""
    check_language(lang)
    if lang == "en":
        return gettext.NullTranslations()
    with po_path(lang).open("rb") as file:
        catalog = read_po(file, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext_for(lang: str) -> Callable[[str], str]:
    """The ``gettext`` function of ``lang``."""
    return translations(lang).gettext


def extract_catalog() -> Catalog:
    """Every marked string in the report's and the dashboard's sources, as a template catalogue."""
    template = Catalog(domain=DOMAIN, project="oclab", fuzzy=False)
    for folder in SOURCE_DIRS:
        if not folder.is_dir():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            folder,
            method_map=_METHOD_MAP,
            options_map={"**.j2": _JINJA_OPTIONS},
            comment_tags=("Translators:",),
        ):
            template.add(
                message,
                None,
                [(str(folder.name + "/" + filename), lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def missing_translations(lang: str) -> list[str]:
    """Source strings with no (or only a fuzzy) translation in the ``lang`` catalogue."""
    with po_path(lang).open("rb") as file:
        catalog = read_po(file, locale=lang, domain=DOMAIN)
    missing = []
    for message in extract_catalog():
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if found is None or found.fuzzy or not _complete(found.string):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def _complete(string: str | tuple[str, ...] | None) -> bool:
    if isinstance(string, tuple):
        return all(string)
    return bool(string)


def update_po(lang: str) -> Path:
    """Merge new source strings into ``lang``'s catalogue (untranslated), keeping translations."""
    path = po_path(lang)
    with path.open("rb") as file:
        catalog = read_po(file, locale=lang, domain=DOMAIN)
    catalog.update(extract_catalog(), no_fuzzy_matching=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, no_location=True, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())
    return path


if __name__ == "__main__":
    for code in LANGUAGES[1:]:
        print(f"updated {update_po(code)}; untranslated: {len(missing_translations(code))}")
    sys.exit(0)


@cache
def template_environment(package: str, lang: str) -> jinja2.Environment:
    """Jinja2 environment for ``package``'s ``templates/`` in ``lang``: autoescaping, strict
    undefined values and gettext installed. One per package and language, so concurrent
    renders (the dashboard) never share translation state."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env
