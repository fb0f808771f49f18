"""The oclab web dashboard (``oclab serve``): stored studies, interactive charts, runs.

:func:`oclab.web.app.create_app` builds the FastAPI application; :mod:`oclab.web.store` reads
results folders, :mod:`oclab.web.jobs` validates the lever form and runs studies in the
background, :mod:`oclab.web.charts` builds the Vega-Lite specifications.
"""
