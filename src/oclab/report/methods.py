"""The report's methods, generated from what made the numbers: the study, the model's parameters
with their sources, and the model's ODD document (``docs/odd/MODEL.md``) where present.

Nothing here is written by hand per study: the paragraphs are assembled from the study metadata
stored with the results (``study.json``), so they cannot drift from the run they describe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from oclab.report.i18n import N_
from oclab.report.markdown import to_html

#: ``docs/odd`` of a source checkout (src layout: ``src/oclab/report`` -> repository root).
ODD_DIR = Path(__file__).resolve().parents[3] / "docs" / "odd"
_GENERATED_PARAMS = re.compile(r"<!-- params:begin -->.*?<!-- params:end -->", re.DOTALL)
MODE_NAMES: dict[str, str] = {"stochastic": N_("stochastic"), "deterministic": N_("deterministic")}
PRIOR_NAMES: dict[str, str] = {
    "uniform": N_("uniform"),
    "triangular": N_("triangular"),
    "loguniform": N_("log-uniform"),
    "truncnormal": N_("truncated normal"),
}

Gettext = Callable[[str], str]


def odd_path(model: str, lang: str, odd_dir: Path | None = None) -> Path | None:
    """The ODD document of ``model``: ``MODEL.LANG.md`` if translated, else ``MODEL.md``."""
    folder = ODD_DIR if odd_dir is None else odd_dir
    if not model or not re.fullmatch(r"[A-Za-z0-9_-]+", model):
        return None
    for name in (f"{model}.{lang}.md", f"{model}.md"):
        if (folder / name).is_file():
            return folder / name
    return None


def odd_html(model: str, lang: str, odd_dir: Path | None = None) -> dict[str, Any] | None:
    """The ODD document rendered for the report: ``{"html", "file", "translated"}`` or ``None``.

    The generated parameter table inside the document is left out (the report has its own, from
    the same parameter set); headings are shifted below the report's section headings.
    """
    path = odd_path(model, lang, odd_dir)
    if path is None:
        return None
    text = _GENERATED_PARAMS.sub("", path.read_text(encoding="utf-8"))
    return {
        "html": to_html(text, heading_offset=2),
        "file": f"docs/odd/{path.name}",
        "translated": lang == "en" or path.name == f"{model}.{lang}.md",
    }


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{value:.4g}"


def prior_text(name: str, prior: Mapping[str, Any], gettext: Gettext) -> str:
    """``rho ~ triangular(0.00245, 0.002527, 0.0026)`` with the prior's name translated."""
    kind = str(prior.get("kind", ""))
    label = gettext(PRIOR_NAMES[kind]) if kind in PRIOR_NAMES else kind
    args = [prior.get(k) for k in ("low", "mode", "mean", "sd", "high")]
    shown = ", ".join(_number(a) for a in args if a is not None)
    return f"{name} ~ {label}({shown})"


def generated_paragraphs(meta: Mapping[str, Any], gettext: Gettext) -> list[str]:
    """Paragraphs describing how the ensemble was made, from the stored study metadata."""
    _ = gettext
    study = meta.get("study") if isinstance(meta.get("study"), Mapping) else {}
    if not study:
        return []
    paragraphs = [
        _(
            "The {model} model was run as an ensemble of {runs} runs ({mode} mode) from {start} "
            "to the restart year {restart}, and from there for {horizon} years under each "
            "scenario. All scenarios start from the same state of each run at the restart year."
        ).format(
            model=study.get("model", "?"),
            runs=study.get("runs", "?"),
            mode=gettext(MODE_NAMES[mode]) if (mode := study.get("mode")) in MODE_NAMES else mode,
            start=_number(study.get("start_year", "?")),
            restart=_number(study.get("restart_year", "?")),
            horizon=_number(study.get("horizon_years", "?")),
        )
    ]
    priors = study.get("priors") if isinstance(study.get("priors"), Mapping) else {}
    if priors:
        drawn = "; ".join(
            prior_text(n, p, gettext) for n, p in priors.items() if isinstance(p, Mapping)
        )
        paragraphs.append(
            _(
                "Uncertain parameters, drawn once per run and shared by all scenarios: {priors}."
            ).format(priors=drawn)
        )
    fixed = study.get("params") if isinstance(study.get("params"), Mapping) else {}
    if fixed:
        paragraphs.append(
            _("Values fixed by the study: {values}.").format(
                values="; ".join(f"{k} = {_number(v)}" for k, v in fixed.items())
            )
        )
    paragraphs.append(
        _(
            "Every random draw descends from the seed {seed} through NumPy's SeedSequence, in "
            "chunks of {chunk} runs; scenarios share initial states and random numbers (common "
            "random numbers), so their differences are paired run by run. Other parameters keep "
            "the defaults listed below, each with its source."
        ).format(seed=study.get("seed", "?"), chunk=study.get("chunk_runs", "?"))
    )
    return paragraphs


def references(meta: Mapping[str, Any]) -> list[dict[str, str]]:
    """Each distinct parameter source with the parameters that cite it, in order of appearance."""
    cited: dict[str, list[str]] = {}
    for p in meta.get("parameters") or []:
        if isinstance(p, Mapping) and p.get("source"):
            cited.setdefault(str(p["source"]), []).append(str(p.get("name", "")))
    return [{"source": s, "parameters": ", ".join(names)} for s, names in cited.items()]
