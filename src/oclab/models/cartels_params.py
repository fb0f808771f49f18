"""Parameters of the cartel model's suppression strategies, with their evidence.

Every default switches its mechanism off or leaves it inert, so the cartel model with default
parameters is Prieto-Curiel et al. (2023) unchanged.
"""

from __future__ import annotations

from oclab.core.params import Parameter

_LEVER = "policy lever (strategy), Wilson Center (2009) report I.A.1 scattershot vs strategic"
_SHOCKS = (
    "Prieto-Curiel et al. (2025) arXiv:2508.06509, supporting model 'Cartel shocks and "
    "fragmentation Model.R': conflict scaled for 26 weeks after a kingpin shock"
)

SUPPRESSION_PARAMS: tuple[Parameter, ...] = (
    Parameter(
        "focus",
        "share",
        0.0,
        0.0,
        1.0,
        source=f"{_LEVER}; 0 = scattershot, as in Prieto-Curiel et al. (2023)",
        description="share of eta concentrated on the top focus_groups groups by the target option",
        maximum=1.0,
    ),
    Parameter(
        "focus_groups",
        "groups",
        1.0,
        1.0,
        10.0,
        source=f"{_LEVER}; the 2009 most-wanted list named 37 leaders (Calderón et al. 2015)",
        description="number of groups that share the concentrated effort (rounded)",
        minimum=1.0,
    ),
    Parameter(
        "containment",
        "share",
        0.0,
        0.0,
        1.0,
        source=(
            f"{_LEVER}; assumption: cost of expansion raised by arresting members active outside "
            "the home state (proxy: share of relations with groups based in other states)"
        ),
        description="share of eta spent on members active outside their home state",
        maximum=1.0,
    ),
    Parameter(
        "kingpin_per_year",
        "strikes/year",
        0.0,
        0.0,
        10.0,
        source=(
            "policy lever; 20 of the 37 most-wanted leaders captured or killed between March 2009 "
            "and January 2011, about 10 a year (Calderón et al. 2015, J. Conflict Resolut. "
            "59(8), abstract)"
        ),
        description="kingpin strikes a year, at regular intervals, on the top group by target",
    ),
    Parameter(
        "successors",
        "groups",
        2.0,
        2.0,
        4.0,
        source=(
            "assumption; Guerrero-Gutiérrez (2011): about 6 major organizations in 2006 became "
            "about 16 by 2010-2011 after leader removals"
        ),
        description="groups a struck group splits into (rounded)",
        minimum=1.0,
    ),
    Parameter(
        "sibling_rivalry",
        "events",
        1.0,
        0.0,
        10.0,
        source="assumption: rivalry weight R between successors of one group (one reported event)",
        description="rivalry weight between successor groups of the same struck group",
    ),
    Parameter(
        "surge",
        "factor - 1",
        0.35,
        0.25,
        0.8,
        source=(
            f"{_SHOCKS}; calibrated so violence involving the struck group rises 36.5% over the "
            "26 weeks after a strike (Calderón et al. 2015 abstract; Lindo & Padilla-Romo 2018: "
            "+30% for 6 months where the organization operates, working-paper figure, checked "
            "in tests/validation/test_kingpin_calibration.py)"
        ),
        description="rise of the conflict intensity of struck and successor groups after a strike",
    ),
    Parameter(
        "surge_weeks",
        "weeks",
        26.0,
        12.0,
        52.0,
        source=(
            f"{_SHOCKS}; six months in Calderón et al. (2015); at least 12 months where the "
            "capture happens in Lindo & Padilla-Romo (2018, working paper)"
        ),
        description="how long the conflict surge lasts after a strike",
    ),
    Parameter(
        "absorption_rate",
        "1/week",
        0.0,
        0.0,
        0.05,
        source=(
            "assumption (consolidation): weak groups lose members to their largest rival, after "
            "Guerrero-Gutiérrez (2011) and the report's I.A.1 'consolidation of one group that "
            "absorbs or destroys the weaker ones'; 0 = off, as in Prieto-Curiel et al. (2023)"
        ),
        description="weekly share of a weak group's members absorbed by its largest rival",
    ),
    Parameter(
        "absorb_ratio",
        "ratio",
        0.1,
        0.01,
        0.5,
        source="assumption: a group is 'weak' below this fraction of its largest rival's members",
        description="size ratio below which a group can be absorbed by its largest rival",
        maximum=1.0,
    ),
)
