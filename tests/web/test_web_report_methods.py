"""The report's methods: generated from the study, the parameter sources and the ODD document."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from oclab.core.results import load_results
from oclab.report.html import render_report
from oclab.report.markdown import to_html
from oclab.report.methods import generated_paragraphs, odd_html, odd_path, references

ODD = """# ODD: test model

Intro with `code`, **bold**, *italics* and a [link](https://example.org/x).

## 1. Purpose
- first item
  continued
- second <script>alert(1)</script>

1. one
2. two

<!-- params:begin -->
| name | unit |
|---|---|
| `rho` | 1/week |
<!-- params:end -->

| a | b |
|---|---|
| 1 | <b>2</b> |
"""


def test_markdown_subset_is_rendered_and_escaped() -> None:
    html = str(to_html(ODD, heading_offset=2))
    assert "<h3>ODD: test model</h3>" in html and "<h4>1. Purpose</h4>" in html
    assert "<code>code</code>" in html and "<strong>bold</strong>" in html
    assert "<em>italics</em>" in html
    assert "link (https://example.org/x)" in html and "href" not in html
    assert "<li>first item continued</li>" in html
    assert "<ol><li>one</li><li>two</li>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<td>&lt;b&gt;2&lt;/b&gt;</td>" in html


def test_odd_document_found_translated_first(tmp_path: Path) -> None:
    (tmp_path / "toy.md").write_text(ODD, encoding="utf-8")
    assert odd_path("toy", "es", tmp_path) == tmp_path / "toy.md"
    english = odd_html("toy", "es", tmp_path)
    assert english is not None and not english["translated"]
    assert "rho" not in str(english["html"])  # the generated parameter table is left out
    (tmp_path / "toy.es.md").write_text("# Modelo de prueba\n", encoding="utf-8")
    spanish = odd_html("toy", "es", tmp_path)
    assert spanish is not None and spanish["translated"] and "Modelo de prueba" in spanish["html"]
    assert odd_path("../toy", "en", tmp_path) is None
    assert odd_html("absent", "en", tmp_path) is None


def test_report_methods_and_reproducibility(study_dir: Path) -> None:
    results, summary, meta = load_results(study_dir)
    html = render_report(results, summary, meta, dpi=40, report_command="oclab report X")
    methods = html.split('<section id="methods">', 1)[1].split("</section>", 1)[0]
    # Generated from study.json: ensemble, seed, chunks and the prior actually used.
    assert "ensemble of 4 runs (stochastic mode)" in methods
    assert "seed 11" in methods and "rho ~ triangular(" in methods
    # Parameter sources, each listed once with the parameters that cite it.
    cited = references(meta)
    assert cited and all(r["source"] in unescape(html) for r in cited)
    # The repository's ODD document of the model, when present.
    if odd_path("cartels", "en") is not None:
        assert "Model description (ODD protocol)" in methods and "Purpose and patterns" in methods
    repro = html.split('<section id="reproducibility">', 1)[1]
    assert "oclab demo --runs 4 --seed 11" in repro and "oclab report X" in repro
    for package in ("numpy", "polars", "python", "oclab"):
        assert f"<dt>{package}</dt>" in repro
    # Print-ready: a print stylesheet with page size and no breaks inside figures.
    style = re.search(r"@media print \{(.*?)\n  \}", html, re.DOTALL)
    assert style and "@page" in style.group(1) and "break-inside: avoid" in style.group(1)
    assert "ensemble of" in " ".join(generated_paragraphs(meta, str))


def test_claims_table_where_present(study_dir: Path) -> None:
    results, summary, meta = load_results(study_dir)
    meta = dict(meta) | {
        "claims": [{"claim": "halving recruitment lowers deaths", "verdict": "holds"}]
    }
    html = render_report(results, summary, meta, dpi=30)
    claims = html.split('<section id="claims">', 1)[1].split("</section>", 1)[0]
    assert "halving recruitment lowers deaths" in claims and "holds" in claims
    assert '<section id="claims">' not in render_report(results, summary, {}, dpi=30)
