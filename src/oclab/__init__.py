"""oclab: an open policy laboratory for strategies against organized crime.

Validated, vectorised models of organized crime and the policies against it, run as seeded
ensembles and compared honestly against "today" and against the baseline projection.
"""

__version__ = "0.1.0"
