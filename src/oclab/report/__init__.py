"""Self-contained HTML reports of finished studies (tables, embedded figures, methods).

:func:`render_report` turns a study's stored results and summary into one HTML document with no
external resources; :mod:`oclab.report.figures` draws its figures as PNG bytes.
"""

from oclab.report.figures import png_data_uri
from oclab.report.html import render_report

__all__ = ["png_data_uri", "render_report"]
