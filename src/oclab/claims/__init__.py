"""The report's findings as experiments with computed verdicts.

:mod:`~oclab.claims.catalogue` states each principal finding and open question of the report as
conditions on the integrated model's outcomes (strategy, outcome, year); :mod:`~oclab.claims.engine`
runs every strategy they need over the same plausible worlds and computes, per claim, the share
of worlds in which it holds, the verdict (supported, not supported, depends) and, where it
depends, on which uncertain parameters. No verdict is written by hand.
"""
