"""Every user-facing string of the report and the dashboard has a Spanish translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from oclab.cli import main
from oclab.core.results import load_results
from oclab.errors import InputError
from oclab.report.html import render_report
from oclab.report.i18n import (
    LANGUAGES,
    check_language,
    extract_catalog,
    missing_translations,
    po_path,
    translations,
)

PLACEHOLDER = re.compile(r"\{[a-z_]+(?:![rs])?\}|%\([a-z_]+\)s")


def test_extraction_finds_the_sources() -> None:
    ids = {m.id for m in extract_catalog() if m.id}
    # Strings from Python (report and dashboard) and from both template folders.
    for expected in ("{low} to {high}", "Full summary", "Launch a run", "members (people)"):
        assert expected in ids
    assert len(ids) > 150


def test_no_missing_spanish_translation() -> None:
    assert missing_translations("es") == []


def test_placeholders_survive_translation() -> None:
    with po_path("es").open("rb") as file:
        catalog = read_po(file, locale="es")
    for message in catalog:
        if not message.id:
            continue
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
            PLACEHOLDER.findall(message.string)
        ), message.id
        assert message.id.count("%%") == message.string.count("%%"), message.id


def test_a_missing_translation_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import oclab.report.i18n as i18n

    catalog_text = po_path("es").read_text(encoding="utf-8")
    broken = catalog_text.replace('msgstr "Resumen completo"', 'msgstr ""')
    assert broken != catalog_text
    target = tmp_path / "es" / "LC_MESSAGES" / "oclab.po"
    target.parent.mkdir(parents=True)
    target.write_text(broken, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    assert i18n.missing_translations("es") == ["Full summary"]


def test_languages_and_bad_language() -> None:
    assert LANGUAGES == ("en", "es")
    assert translations("es").gettext("Full summary") == "Resumen completo"
    assert translations("en").gettext("Full summary") == "Full summary"
    with pytest.raises(InputError, match="lang"):
        check_language("fr")


def test_spanish_report_uses_only_catalogued_strings(
    study_dir: Path, strict_spanish: list[str]
) -> None:
    results, summary, meta = load_results(study_dir)
    html = render_report(results, summary, meta, lang="es", dpi=40)
    assert strict_spanish == []
    assert '<html lang="es">' in html
    for spanish in ("Resumen completo", "Métodos", "Reproducibilidad", "Cómo leer este informe"):
        assert spanish in html
    for english in ("Full summary", "How to read this report", "Rerun this study with"):
        assert english not in html


def test_report_cli_language(
    study_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "informe.html"
    assert main(["report", str(study_dir), "--lang", "es", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Resumen completo" in html
    assert f"oclab report {study_dir} --lang es --out {out}" in html
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(study_dir), "--lang", "fr"])
    assert exit_info.value.code == 2 and "--lang" in capsys.readouterr().err
