"""Shared fixtures of the report-language and dashboard tests: one small stored study."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from pathlib import Path

import pytest

from oclab.api import bundled_study, execute

SMALL_RUNS = 4


@pytest.fixture(scope="session")
def results_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results root holding ``demo4``: the demo study with 4 runs, written by the real engine."""
    root = tmp_path_factory.mktemp("results")
    study = bundled_study("demo").with_overrides(runs=SMALL_RUNS, seed=11)
    execute(study, root / "demo4", engine="serial", command="oclab demo --runs 4 --seed 11")
    return root


@pytest.fixture(scope="session")
def study_dir(results_root: Path) -> Path:
    return results_root / "demo4"


class StrictTranslations(gettext.NullTranslations):
    """Wraps real translations and records every message the catalogue does not hold."""

    def __init__(self, base: gettext.NullTranslations, misses: list[str]) -> None:
        super().__init__()
        self.base = base
        self.misses = misses

    def gettext(self, message: str) -> str:
        if message not in getattr(self.base, "_catalog", {}):
            self.misses.append(message)
        return self.base.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if (singular, 0) not in getattr(self.base, "_catalog", {}):
            self.misses.append(singular)
        return self.base.ngettext(singular, plural, n)


@pytest.fixture
def strict_spanish(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Spanish translations that record misses, installed in the report and the dashboard."""
    import oclab.report.html as report_html
    import oclab.report.i18n as report_i18n
    import oclab.web.app as web_app
    from oclab.report.i18n import translations

    misses: list[str] = []

    def strict(lang: str) -> gettext.NullTranslations:
        base = translations(lang)
        return StrictTranslations(base, misses) if lang == "es" else base

    for module in (report_html, web_app, report_i18n):
        monkeypatch.setattr(module, "translations", strict)
    report_i18n.template_environment.cache_clear()
    yield misses
    report_i18n.template_environment.cache_clear()
