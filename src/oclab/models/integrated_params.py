"""Parameters of the integrated model's couplings and levers, each with its evidence.

Three kinds: the report's **levers** (defaults = the status quo of 2009 continued, so the
integrated model with default values reproduces its component models), **couplings** between the
components (mostly assumptions, marked so, with wide ranges) and **unit costs** of the levers (for
comparisons at equal budget). The cartel and demand parameters are those of
:mod:`oclab.models.cartels` and :mod:`oclab.models.demand`, unchanged.
"""

from __future__ import annotations

from oclab.core.params import Parameter

_ASSUME = "assumption (no published estimate); wide range"
_REPORT = "Wilson Center (2009) report"


def _share(name: str, default: float, low: float, high: float, source: str, what: str) -> Parameter:
    return Parameter(name, "share", default, low, high, source=source, description=what, maximum=1)


LEVER_PARAMS: tuple[Parameter, ...] = (
    Parameter(
        "suppression_intensity",
        "x status quo",
        1.0,
        0.5,
        3.0,
        source=f"{_REPORT} I.A.1; 1 = the arrest rate of 2012-2022 (eta of the cartel model)",
        description="arrests and removals, relative to the status quo",
    ),
    Parameter(
        "military_troops",
        "thousand troops",
        45.0,
        0.0,
        100.0,
        source=f"{_REPORT} II.B; about 45,000 troops in policing roles in 2009 (check)",
        description="troops deployed in policing roles",
    ),
    Parameter(
        "interdiction",
        "crackdown intensity",
        0.0,
        0.0,
        8.0,
        source=(
            "routes model (oclab.models.routes, Dell 2015): crackdown on the Mexican corridor, as "
            "if its state capacity rose by this much; 0 = status quo"
        ),
        description="interdiction on the Mexican corridor (routes crackdown intensity)",
    ),
    Parameter(
        "aml_threshold",
        "USD",
        10_000.0,
        200.0,
        10_000.0,
        source="31 CFR 1010.311 (US currency transaction reports above $10,000); TARGETS.md §6",
        description="reporting threshold for cash transactions",
        minimum=1.0,
        maximum=1e6,
    ),
    Parameter(
        "aml_analyst_capacity",
        "reports/day",
        5_000.0,
        1_000.0,
        200_000.0,
        source=(
            f"{_REPORT} I.A.3 ('useless without the capacity to digest them'); status quo: "
            "assumption, far below the ~57,000 CTRs filed a day (20.8M in FY2023)"
        ),
        description="transaction reports analysts can digest a day",
    ),
    _share(
        "bulk_cash_inspection",
        0.2,
        0.0,
        1.0,
        f"{_REPORT} I.A.3 (bulk cash, consolidation points); status quo: {_ASSUME}",
        "effort on bulk-cash inspection (1 = the most the budget line allows)",
    ),
    _share(
        "bulk_cash_inland_share",
        0.2,
        0.0,
        1.0,
        f"{_REPORT} I.A.3: inspections inland at consolidation points, not only at the border",
        "share of bulk-cash inspection effort spent inland at consolidation points",
    ),
    _share(
        "guns_import_standard",
        0.0,
        0.0,
        1.0,
        f"{_REPORT} I.A.4: enforce the 'sporting purposes' import standard; 0 = not enforced",
        "enforcement of the import standard",
    ),
    _share(
        "guns_dealer_inspection",
        0.07,
        0.0,
        0.5,
        "ATF inspects a small share of federal firearms licensees a year (about 5-10%; check)",
        "share of gun dealers inspected a year",
    ),
    _share(
        "guns_trace_sharing",
        0.3,
        0.0,
        1.0,
        f"{_REPORT} I.A.4 (eTrace sharing with Mexico); status quo: {_ASSUME}",
        "extent of firearm-trace sharing between the US and Mexico",
    ),
    _share(
        "anticorruption",
        0.0,
        0.0,
        1.0,
        f"{_REPORT} I.B.1 (endemic corruption, Palermo); 0 = status quo effort",
        "anti-corruption effort beyond the status quo",
    ),
    _share(
        "police_professionalization",
        0.3,
        0.0,
        1.0,
        (
            f"{_REPORT} I.B.2: training varies from months to weeks between states; target "
            "standard (1 = a full national standard with pay); status quo = the initial level"
        ),
        "police training standard and pay the strategy funds",
    ),
    _share(
        "judicial_reform",
        0.0,
        0.0,
        1.0,
        f"{_REPORT} I.B.3 (accusatorial reform, eight-year transition); 0 = status quo",
        "commitment to closing the conviction gap through judicial reform",
    ),
    _share(
        "truce",
        0.0,
        0.0,
        1.0,
        f"{_REPORT} principal findings ('truces or accommodation ... dramatic decrease')",
        "state-cartel accommodation (0 = none, 1 = a full truce)",
    ),
)

COUPLING_PARAMS: tuple[Parameter, ...] = (
    Parameter(
        "revenue_recruitment_elasticity",
        "elasticity",
        0.5,
        0.0,
        1.0,
        source=(
            f"{_ASSUME}; sign from Castillo, Mejía & Restrepo (2020) REStat 102(2): revenue "
            "shocks from cocaine shortages change violence and recruitment"
        ),
        description="recruitment responds to net revenue with this elasticity",
    ),
    Parameter(
        "europe_revenue_ratio",
        "ratio",
        0.1,
        0.0,
        0.3,
        source=f"{_ASSUME}; Mexican organizations' European revenue relative to their US revenue",
        description="European revenue of Mexican organizations per dollar of US revenue, 2012",
    ),
    Parameter(
        "europe_growth",
        "1/yr",
        0.02,
        0.0,
        0.05,
        source=f"{_ASSUME}; UNODC World Drug Reports: a growing European cocaine market (check)",
        description="growth of the European market",
    ),
    _share(
        "route_cost_share",
        0.2,
        0.1,
        0.4,
        f"{_ASSUME}; transport and corridor costs as a share of gross revenue at the status quo",
        "routes' cost of doing business at the status quo, share of gross revenue",
    ),
    _share(
        "bribe_share",
        0.1,
        0.05,
        0.2,
        f"{_ASSUME}; bribes as a share of gross revenue at the status quo",
        "bribes paid at the status quo, share of gross revenue",
    ),
    # laundering (I.A.3)
    _share(
        "laundering_base_fee",
        0.12,
        0.05,
        0.2,
        f"{_ASSUME}; money brokers' commission on proceeds (often quoted at 10-20%, check)",
        "share of proceeds lost to laundering with no enforcement",
    ),
    _share(
        "bulk_cash_share",
        0.5,
        0.4,
        0.6,
        f"{_REPORT} I.A.3: about half of illegal US-Mexico transfers are bulk cash",
        "share of proceeds moved as bulk cash",
    ),
    Parameter(
        "reports_at_10k",
        "reports/day",
        57_000.0,
        45_000.0,
        70_000.0,
        source="FinCEN FY2023: 20.8M currency transaction reports a year (TARGETS.md §6)",
        description="reports filed a day at a $10,000 threshold",
    ),
    Parameter(
        "report_tail_exponent",
        "exponent",
        1.0,
        0.7,
        1.5,
        source=f"{_ASSUME}: Pareto tail of transaction sizes, reports ∝ threshold^-a",
        description="how fast reports multiply as the threshold falls",
    ),
    _share(
        "aml_loss_if_digested",
        0.3,
        0.1,
        0.6,
        f"{_ASSUME}; share of an illicit electronic flow lost once a report on it is read",
        "share of digested illicit electronic proceeds frozen or forfeited",
    ),
    _share(
        "illicit_reported_share",
        0.3,
        0.1,
        0.6,
        f"{_ASSUME}; share of electronic illicit proceeds crossing the $10,000 threshold",
        "share of illicit electronic proceeds that trigger a report at $10,000",
    ),
    _share(
        "structuring_cost",
        0.02,
        0.005,
        0.05,
        f"{_ASSUME}; extra cost of splitting deposits below a $10,000 threshold",
        "structuring cost share at $10,000 (scales with 10,000/threshold)",
    ),
    _share(
        "bulk_cash_seizure",
        0.1,
        0.02,
        0.2,
        f"{_ASSUME}; share of bulk cash seized at full border-inspection effort",
        "bulk cash seized at full effort at the border",
    ),
    Parameter(
        "inland_inspection_gain",
        "ratio",
        2.0,
        1.0,
        4.0,
        source=f"{_REPORT} I.A.3 (consolidation points inland); magnitude: {_ASSUME}",
        description="seizures per unit effort inland relative to the border",
    ),
    Parameter(
        "cost_per_report",
        "USD",
        25.0,
        10.0,
        60.0,
        source=f"{_ASSUME}; compliance time per filed report (banks and customers)",
        description="burden on legitimate customers and banks per filed report",
    ),
    # guns (I.A.4)
    _share(
        "import_standard_cut",
        0.15,
        0.05,
        0.3,
        f"{_ASSUME}; share of the gun flow stopped by enforcing the import standard",
        "gun supply cut by full enforcement of the import standard",
    ),
    Parameter(
        "dealer_inspection_cut",
        "share per share",
        1.0,
        0.3,
        2.0,
        source=f"{_ASSUME}; supply cut per unit share of dealers inspected beyond the status quo",
        description="gun supply cut per share of dealers inspected",
    ),
    _share(
        "trace_sharing_cut",
        0.1,
        0.0,
        0.25,
        f"{_ASSUME}; trafficking rings broken through shared traces",
        "gun supply cut by full trace sharing beyond the status quo",
    ),
    _share(
        "awb_homicide_effect",
        0.3,
        0.1,
        0.6,
        (
            "Dube, Dube & García-Ponce (2013) APSR 107(3): homicides rose in municipios near "
            "non-California border states after the 2004 assault-weapons-ban expiry, at least "
            "158 more deaths a year (working paper, TARGETS.md §4); the relative size used here "
            "is an assumption (check)"
        ),
        "relative rise of homicides after a gun-supply shock the size of the ban expiry",
    ),
    _share(
        "awb_supply_shock",
        0.3,
        0.15,
        0.5,
        f"{_ASSUME}; rise in the gun flow to Mexico when the ban expired",
        "gun supply shock of the 2004 ban expiry",
    ),
    # institutions (I.B)
    _share(
        "corruption_initial",
        0.3,
        0.1,
        0.5,
        f"{_REPORT} I.B.1 (police 'penetrated at all levels'); magnitude: {_ASSUME}",
        "share of enforcement lost to bribes in 2012",
    ),
    Parameter(
        "corruption_revenue_elasticity",
        "elasticity",
        0.3,
        0.0,
        0.8,
        source=f"{_ASSUME}: more revenue buys more protection",
        description="corruption responds to gross revenue with this elasticity",
    ),
    _share(
        "anticorruption_effect",
        0.5,
        0.2,
        0.8,
        f"{_ASSUME}; Palermo's recovery of the administration (report I.B.1)",
        "relative fall of corruption at full anti-corruption effort",
    ),
    Parameter(
        "corruption_years",
        "years",
        3.0,
        1.0,
        6.0,
        source=_ASSUME,
        description="adjustment time of corruption",
        minimum=0.1,
    ),
    _share(
        "professionalization_initial",
        0.3,
        0.2,
        0.5,
        f"{_REPORT} I.B.2 (weeks of training in some states); scale: {_ASSUME}",
        "police professionalization in 2012 (1 = a full national standard)",
    ),
    Parameter(
        "professionalization_years",
        "years",
        6.0,
        3.0,
        10.0,
        source=f"{_REPORT} I.B.2: a 'generational' task; {_ASSUME}",
        description="time constant of professionalization (training, turnover)",
        minimum=0.1,
    ),
    Parameter(
        "professionalization_arrest_effect",
        "ratio",
        0.5,
        0.2,
        1.0,
        source=_ASSUME,
        description="rise of arrest effectiveness per unit of professionalization",
    ),
    Parameter(
        "capture_drag",
        "ratio",
        0.5,
        0.0,
        1.5,
        source=(
            f"{_ASSUME}; the sequencing debate (report II.A): Palermo's reforms were possible "
            "only after the Mafia was weakened"
        ),
        description="slow-down of institution building per unit of cartel size above 2012",
    ),
    _share(
        "conviction_now",
        0.25,
        0.1,
        0.5,
        (
            "conviction probability of a processed organized-crime suspect; observatory feed "
            "(oclab observatory feed) national value; default: assumption"
        ),
        "probability that an arrest ends in a conviction, today",
    ),
    _share(
        "conviction_reformed",
        0.45,
        0.2,
        0.8,
        (
            "conviction probability after the reform: the best-performing states in the "
            "observatory feed (upper quartile); default: assumption"
        ),
        "probability that an arrest ends in a conviction once the reform is complete",
    ),
    Parameter(
        "reform_years",
        "years",
        8.0,
        4.0,
        12.0,
        source=f"{_REPORT} I.B.3: the 2008 reform's eight-year transition",
        description="years to complete the judicial reform",
        minimum=0.1,
    ),
    _share(
        "legitimacy_initial",
        0.4,
        0.2,
        0.6,
        f"{_ASSUME}; trust in police and justice (victimisation surveys)",
        "legitimacy of the state in 2012 (0-1)",
    ),
    Parameter(
        "legitimacy_years",
        "years",
        4.0,
        2.0,
        8.0,
        source=_ASSUME,
        description="adjustment time of legitimacy",
        minimum=0.1,
    ),
    Parameter(
        "cooperation_effect",
        "ratio",
        0.5,
        0.0,
        1.0,
        source=f"{_REPORT} I.B (Palermo: citizen partnership); magnitude: {_ASSUME}",
        description="rise of arrest effectiveness per unit of legitimacy (citizen cooperation)",
    ),
    Parameter(
        "legitimacy_recruitment_effect",
        "ratio",
        0.5,
        0.0,
        1.0,
        source=_ASSUME,
        description="fall of recruitment per unit of legitimacy",
    ),
    Parameter(
        "max_arrest_hazard",
        "1/week",
        0.01,
        0.005,
        0.02,
        source=(
            f"{_ASSUME}: the state cannot arrest more than this share of members a week (about "
            "14 times the 2012-2022 rate of 110 of ~160,000); binds only near extinction"
        ),
        description="largest weekly share of members the state can remove",
    ),
    # military (II.B)
    Parameter(
        "military_arrests",
        "members/week per thousand",
        0.5,
        0.1,
        1.0,
        source=f"{_ASSUME}; troops beyond the 2009 deployment",
        description="extra incapacitations a week per thousand troops beyond the status quo",
    ),
    Parameter(
        "clash_deaths",
        "deaths/yr",
        1_000.0,
        500.0,
        2_000.0,
        source="deaths in confrontations with federal forces (CIDE lethal-force monitor, check)",
        description="deaths in clashes between the state and cartels at the status quo",
    ),
    Parameter(
        "military_legitimacy_cost",
        "per doubling",
        0.1,
        0.02,
        0.2,
        source=f"{_REPORT} II.B (accountability, abuses); magnitude: {_ASSUME}",
        description="fall of target legitimacy per relative increase of troops",
    ),
    # truce (findings)
    _share(
        "truce_violence_cut",
        0.5,
        0.3,
        0.7,
        "El Salvador's 2012 gang truce: homicides fell by about half at first (check)",
        "fall of conflict lethality at the start of a full truce",
    ),
    Parameter(
        "truce_years",
        "years",
        2.0,
        1.0,
        4.0,
        source=f"{_ASSUME}; truces decay ('for a time')",
        description="e-folding time of a truce's effect on violence",
        minimum=0.1,
    ),
    Parameter(
        "truce_consolidation",
        "1/week",
        0.005,
        0.001,
        0.02,
        source=f"{_ASSUME}; accommodation favours the dominant groups (absorption of weak rivals)",
        description="absorption rate of weak groups under a full truce",
    ),
    Parameter(
        "truce_corruption",
        "ratio",
        0.5,
        0.2,
        1.0,
        source=_ASSUME,
        description="relative rise of target corruption under a full truce",
    ),
)

COST_PARAMS: tuple[Parameter, ...] = (
    Parameter(
        "cost_suppression",
        "USD/yr",
        6e9,
        3e9,
        10e9,
        source=f"{_ASSUME}; Mexican federal security spending on arrests at the status quo (check)",
        description="spending at suppression intensity 1",
    ),
    Parameter(
        "cost_troops",
        "USD/yr per thousand",
        40e6,
        20e6,
        80e6,
        source=_ASSUME,
        description="yearly cost of a thousand troops in policing roles",
    ),
    Parameter(
        "cost_interdiction",
        "USD/yr per unit",
        300e6,
        100e6,
        600e6,
        source=_ASSUME,
        description="yearly cost per unit of interdiction intensity",
    ),
    Parameter(
        "cost_kingpin",
        "USD per strike",
        50e6,
        10e6,
        100e6,
        source=_ASSUME,
        description="cost of one leader removal (intelligence and operations)",
    ),
    Parameter(
        "cost_analyst",
        "USD/yr per report/day",
        5_000.0,
        3_000.0,
        10_000.0,
        source=f"{_ASSUME}: an analyst at ~$100,000 a year reads ~20 reports a day",
        description="yearly cost of digesting one more report a day",
    ),
    Parameter(
        "cost_bulk_cash",
        "USD/yr",
        500e6,
        200e6,
        1e9,
        source=_ASSUME,
        description="yearly cost of bulk-cash inspection at full effort",
    ),
    Parameter(
        "cost_dealer_inspection",
        "USD/yr per share",
        400e6,
        200e6,
        800e6,
        source=f"{_ASSUME}: ~130,000 licensees at ~$3,000 per inspection",
        description="yearly cost of inspecting all gun dealers",
    ),
    Parameter(
        "cost_gun_policy",
        "USD/yr",
        100e6,
        20e6,
        200e6,
        source=_ASSUME,
        description="yearly cost of full import-standard enforcement and full trace sharing, each",
    ),
    Parameter(
        "cost_anticorruption",
        "USD/yr",
        1e9,
        0.3e9,
        2e9,
        source=_ASSUME,
        description="yearly cost of full anti-corruption effort",
    ),
    Parameter(
        "cost_professionalization",
        "USD/yr",
        3e9,
        1e9,
        5e9,
        source=f"{_ASSUME}: ~400,000 police, training and pay",
        description="yearly cost of a full national police standard beyond the status quo",
    ),
    Parameter(
        "cost_judicial",
        "USD/yr",
        1.5e9,
        0.5e9,
        3e9,
        source=_ASSUME,
        description="yearly cost of the judicial reform at full commitment",
    ),
)

INTEGRATED_PARAMS: tuple[Parameter, ...] = LEVER_PARAMS + COUPLING_PARAMS + COST_PARAMS
