"""Studies bundled with the package (``demo`` is the default study)."""
