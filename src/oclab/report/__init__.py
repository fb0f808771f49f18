"""Self-contained HTML reports of finished studies (tables, embedded figures, methods), in
English or Spanish.

:func:`render_report` turns a study's stored results and summary into one HTML document with no
external resources; :mod:`oclab.report.figures` draws its figures as PNG bytes;
:mod:`oclab.report.i18n` holds the gettext catalogues shared with the dashboard
(:mod:`oclab.web`); :mod:`oclab.report.methods` writes the methods from the stored study, the
parameter sources and the model's ODD document.
"""

from __future__ import annotations

from typing import Any

__all__ = ["png_data_uri", "render_report"]


def __getattr__(name: str) -> Any:
    # Lazy: importing the package (as every ``oclab`` command does, for ``oclab report``'s
    # parser) must not load matplotlib, which costs more than a second of start-up.
    if name == "render_report":
        from oclab.report.html import render_report

        return render_report
    if name == "png_data_uri":
        from oclab.report.figures import png_data_uri

        return png_data_uri
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
