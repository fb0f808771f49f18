"""Build oclab's bundled default cartel network: a synthetic stand-in, not data.

The cartel model of Prieto-Curiel, Campedelli & Hope (2023, Science 381:1312) reads a network
of 150 Mexican criminal groups from three CSV files. Their files carry no licence, so oclab
ships its own network in the same format, built here from two ingredients:

1. **Curated facts.** About thirty named groups with their home states, and the rivalries and
   alliances between them that public sources describe (the Science paper's 2022 ranking of
   the largest groups; CRS report R41576; DEA National Drug Threat Assessments; InSight Crime
   profiles). Which pairs are linked comes from those descriptions; the *weights* (number of
   reported events) are our own choice: relative intensities set so that the strength ranking
   starts with the five largest groups of 2022 in the published order, multiplied by
   :data:`CURATED_WEIGHT_SCALE` (see *Calibration* below).
2. **A seeded random generator** for the remaining local cells: home states drawn from
   :data:`STATE_WEIGHTS`, then a fixed number of extra rivalry and alliance pairs, each from a
   cell chosen by preferential attachment to a named group operating in its state or to another
   cell of the same state, with weight ``1 + Poisson(mean)``.

**Calibration.** :data:`CURATED_WEIGHT_SCALE`, :data:`ALLY_EXTRA_MEAN`, :data:`P_NAMED_TARGET`
and :data:`NATIONAL_REACH` were chosen (by a grid search over those knobs, with :data:`SEED` fixed)
so that the cartel model (:mod:`oclab.models.cartels`, published default parameters, deterministic
mode, ``allocation="expected"``, start of 2012 to start of 2022) reproduces the aggregates
published by Prieto-Curiel et al. (2023): about 175,000 members, about 125 conflict deaths a
week, and CJNG, Sinaloa, La Nueva Familia Michoacana, Cártel del Noreste and Unión Tepito as the
five largest groups. Nothing else was fitted; values and results are in ``PROVENANCE.md``.

Only ``Generator.random`` (uniform doubles) is drawn from NumPy; categorical and Poisson draws
are made from those by inversion, so the output does not depend on how a NumPy release
implements ``choice`` or ``poisson``. Same seed, same bytes. See ``cartels_default/PROVENANCE.md``.

Run ``python -m oclab.data.build_default_network [OUTDIR]`` (default: ``cartels_default/``
next to this file).
"""

from __future__ import annotations

import argparse
import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

#: Seed of ``numpy.random.default_rng``. An arbitrary fixed constant; changing it changes the
#: generated cells and edges (not the curated ones).
SEED: Final = 20230922
#: Number of groups, as in the 2020 network of Prieto-Curiel et al.
N_GROUPS: Final = 150
#: File name prefix; the loader finds the files by their suffixes (``*Nodes.csv`` etc.).
PREFIX: Final = "OCLAB2020"
#: Generated (undirected) pairs added to the curated ones in each layer.
N_GENERATED_RIVALRIES: Final = 69
N_GENERATED_ALLIANCES: Final = 74
#: Multiplier applied to every curated weight (rounded half up, at least 1). The curated tables
#: below give relative intensities; 0.4 puts them on the scale of the generated edges while
#: keeping the named rivalries the heaviest edges. Calibrated, together with the three knobs
#: marked "calibrated" below, so that the cartel model with the published default parameters
#: (deterministic, ``allocation="expected"``, 115,000 members at the start of 2012) gives, at the
#: start of 2022, the published aggregates: ~175,000 members (accepted 165,000-185,000), ~125
#: conflict deaths a week (accepted 110-140) and the published top five in order. Chosen from a
#: grid search over (scale, ALLY_EXTRA_MEAN, P_NAMED_TARGET, NATIONAL_REACH) with SEED fixed, in
#: the middle of the region where all targets hold (scale 0.35-0.5, ALLY_EXTRA_MEAN 1.0-1.8).
#: Results and caveats: ``cartels_default/PROVENANCE.md`` ("Calibration").
CURATED_WEIGHT_SCALE: Final = 0.4
#: Probability that a generated edge goes to a named group rather than to a cell of the same
#: state. Calibrated (was 0.55), together with NATIONAL_REACH. These two mainly decide *which*
#: generated edges are drawn: at the old values Cártel del Noreste, which has no curated ally,
#: got no generated ally either, and in the model a group without allies shrinks. Under the
#: chosen values the published top five holds; under nearby ones (0.68, 0.72) it does not.
P_NAMED_TARGET: Final = 0.70
#: Attachment weight of a national cartel (CJNG, Sinaloa) in a state where it is not listed.
#: Calibrated (was 0.15); see P_NAMED_TARGET. The top five holds for 0.03-0.06.
NATIONAL_REACH: Final = 0.05
#: Generated weights are ``1 + Poisson(mean)``. ``ALLY_EXTRA_MEAN`` is calibrated (was 0.6): in the
#: model, alliances divide a group's conflict rate by ``1 + total alliance weight``, so this mean
#: sets how fast the cartel population grows.
RIVAL_EXTRA_MEAN: Final = 1.0
ALLY_EXTRA_MEAN: Final = 1.2
#: Safety cap on draws per layer (a draw that hits an existing pair is discarded).
MAX_ATTEMPTS: Final = 10_000
#: Default output folder.
DEFAULT_OUTDIR: Final = Path(__file__).resolve().parent / "cartels_default"

#: Assumed relative number of armed groups per state (home state of generated cells). Weighted
#: towards the states that public reporting describes as the most fragmented; an assumption.
STATE_WEIGHTS: Final[dict[str, float]] = {
    "Guerrero": 14,
    "Michoacán": 12,
    "Ciudad de México": 10,
    "Estado de México": 10,
    "Guanajuato": 9,
    "Tamaulipas": 7,
    "Jalisco": 6,
    "Veracruz": 6,
    "Chihuahua": 5,
    "Morelos": 5,
    "Baja California": 4,
    "Sonora": 4,
    "Zacatecas": 4,
    "Oaxaca": 3,
    "Puebla": 3,
    "Nuevo León": 3,
    "Sinaloa": 3,
    "Quintana Roo": 3,
    "Chiapas": 2,
    "Tabasco": 2,
    "Coahuila": 2,
    "San Luis Potosí": 2,
    "Colima": 2,
    "Durango": 1,
    "Hidalgo": 1,
    "Querétaro": 1,
    "Nayarit": 1,
    "Tlaxcala": 1,
    "Yucatán": 1,
    "Campeche": 1,
    "Aguascalientes": 1,
    "Baja California Sur": 1,
}


@dataclass(frozen=True)
class NamedGroup:
    """A group known from public sources: key, full name, short name, states (home first)."""

    key: str
    group: str
    short: str
    states: tuple[str, ...]
    national: bool = False


@dataclass(frozen=True)
class Node:
    """One row of the nodes file."""

    node: str
    group: str
    state: str
    short: str


#: Named groups, most prominent first. ``states`` lists the home state first, then other
#: states where public descriptions place the group (used only to attach generated cells).
NAMED_GROUPS: Final[tuple[NamedGroup, ...]] = (
    NamedGroup(
        "CJNG",
        "Cártel Jalisco Nueva Generación",
        "CJNG",
        (
            "Jalisco",
            "Michoacán",
            "Guanajuato",
            "Colima",
            "Zacatecas",
            "Veracruz",
            "Estado de México",
            "Quintana Roo",
        ),
        national=True,
    ),
    NamedGroup(
        "CDS",
        "Cártel de Sinaloa",
        "Sinaloa",
        ("Sinaloa", "Sonora", "Chihuahua", "Durango", "Baja California", "Zacatecas", "Chiapas"),
        national=True,
    ),
    NamedGroup(
        "LNFM",
        "La Nueva Familia Michoacana",
        "LNFM",
        ("Guerrero", "Estado de México", "Michoacán", "Morelos"),
    ),
    NamedGroup("CDN", "Cártel del Noreste", "Noreste", ("Tamaulipas", "Nuevo León", "Coahuila")),
    NamedGroup("UT", "Unión Tepito", "Unión Tepito", ("Ciudad de México", "Estado de México")),
    NamedGroup("CDG", "Cártel del Golfo", "Golfo", ("Tamaulipas", "Nuevo León")),
    NamedGroup(
        "CSRL", "Cártel de Santa Rosa de Lima", "Santa Rosa de Lima", ("Guanajuato", "Querétaro")
    ),
    NamedGroup("VIAGRAS", "Los Viagras", "Viagras", ("Michoacán",)),
    NamedGroup("CU", "Cárteles Unidos", "Cárteles Unidos", ("Michoacán",)),
    NamedGroup("CT", "Los Caballeros Templarios", "Templarios", ("Michoacán",)),
    NamedGroup("LINEA", "Cártel de Juárez / La Línea", "La Línea", ("Chihuahua",)),
    NamedGroup("GN", "Gente Nueva", "Gente Nueva", ("Chihuahua", "Sonora")),
    NamedGroup("CHAPITOS", "Los Chapitos", "Chapitos", ("Sinaloa", "Sonora")),
    NamedGroup("GU", "Guerreros Unidos", "Guerreros Unidos", ("Guerrero", "Morelos")),
    NamedGroup("ROJOS", "Los Rojos", "Rojos", ("Guerrero", "Morelos")),
    NamedGroup("ARDILLOS", "Los Ardillos", "Ardillos", ("Guerrero",)),
    NamedGroup("TLACOS", "Los Tlacos", "Tlacos", ("Guerrero",)),
    NamedGroup(
        "BLO",
        "Remanentes del Cártel de los Beltrán Leyva",
        "Beltrán Leyva",
        ("Sinaloa", "Guerrero", "Morelos"),
    ),
    NamedGroup("FAUT", "Fuerza Anti-Unión Tepito", "Anti-Unión", ("Ciudad de México",)),
    NamedGroup("TLAHUAC", "Cártel de Tláhuac", "Tláhuac", ("Ciudad de México",)),
    NamedGroup("ZVE", "Zetas Vieja Escuela", "Zetas VE", ("Coahuila", "Tamaulipas", "Veracruz")),
    NamedGroup("CPS", "Cártel del Pacífico Sur", "Pacífico Sur", ("Morelos",)),
    NamedGroup("SALAZAR", "Los Salazar", "Salazar", ("Sonora",)),
    NamedGroup("CABORCA", "Cártel de Caborca", "Caborca", ("Sonora",)),
    NamedGroup("BARREDORA", "La Barredora", "Barredora", ("Guerrero",)),
    NamedGroup("CIDA", "Cártel Independiente de Acapulco", "CIDA", ("Guerrero",)),
    NamedGroup("CUINIS", "Los Cuinis", "Cuinis", ("Jalisco",)),
    NamedGroup("CAF", "Cártel de Tijuana (Arellano Félix)", "Tijuana", ("Baja California",)),
    NamedGroup("METROS", "Los Metros", "Metros", ("Tamaulipas",)),
    NamedGroup("AZTECAS", "Los Aztecas (Barrio Azteca)", "Aztecas", ("Chihuahua",)),
    NamedGroup("MEXICLES", "Los Mexicles", "Mexicles", ("Chihuahua",)),
    NamedGroup("AA", "Artistas Asesinos", "Artistas Asesinos", ("Chihuahua",)),
)

#: Publicly described rivalries (pair from public sources; weight is our choice: a relative
#: intensity, multiplied by :data:`CURATED_WEIGHT_SCALE` when the files are written).
CURATED_RIVALRIES: Final[tuple[tuple[str, str, int], ...]] = (
    ("CJNG", "LNFM", 34),
    ("CJNG", "CDS", 30),
    ("CJNG", "CSRL", 18),
    ("CJNG", "CU", 13),
    ("CJNG", "VIAGRAS", 12),
    ("CJNG", "UT", 9),
    ("CJNG", "CT", 6),
    ("CJNG", "CDN", 4),
    ("CDS", "LINEA", 10),
    ("CDS", "CAF", 6),
    ("CDS", "BLO", 5),
    ("CDS", "CABORCA", 4),
    ("GN", "LINEA", 8),
    ("AZTECAS", "MEXICLES", 5),
    ("AZTECAS", "AA", 4),
    ("SALAZAR", "CABORCA", 5),
    ("LNFM", "CT", 8),
    ("LNFM", "GU", 8),
    ("CDN", "CDG", 22),
    ("CDN", "ZVE", 8),
    ("CDN", "METROS", 8),
    ("UT", "FAUT", 24),
    ("GU", "ROJOS", 12),
    ("ARDILLOS", "ROJOS", 10),
    ("ARDILLOS", "TLACOS", 6),
    ("BARREDORA", "CIDA", 6),
)

#: Publicly described alliances (pair from public sources; weight is our choice: a relative
#: intensity, multiplied by :data:`CURATED_WEIGHT_SCALE` when the files are written).
CURATED_ALLIANCES: Final[tuple[tuple[str, str, int], ...]] = (
    ("CJNG", "CUINIS", 8),
    ("CJNG", "FAUT", 5),
    ("CJNG", "LINEA", 4),
    ("CJNG", "CAF", 6),
    ("CJNG", "BLO", 4),
    ("CDS", "GN", 12),
    ("CDS", "CHAPITOS", 10),
    ("CDS", "SALAZAR", 6),
    ("CDS", "AA", 4),
    ("CDS", "MEXICLES", 4),
    ("GN", "AA", 3),
    ("LINEA", "AZTECAS", 5),
    ("CU", "VIAGRAS", 8),
    ("CU", "CT", 4),
    ("CDG", "METROS", 6),
    ("BLO", "CPS", 3),
)

Pairs = dict[tuple[int, int], int]


def _categorical(rng: np.random.Generator, weights: np.ndarray) -> int:
    """One index drawn with probability proportional to ``weights``, by inversion."""
    cumulative = np.cumsum(weights, dtype=float)
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))


def _poisson(rng: np.random.Generator, mean: float) -> int:
    """One Poisson(``mean``) draw by inversion of the cumulative distribution."""
    k = np.arange(64)
    log_pmf = k * math.log(mean) - mean - np.array([math.lgamma(i + 1.0) for i in k])
    cumulative = np.cumsum(np.exp(log_pmf))
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))


def build_nodes(rng: np.random.Generator) -> list[Node]:
    """Named groups first (``G001``...), then generated local cells up to :data:`N_GROUPS`."""
    named = [
        Node(f"G{i + 1:03d}", g.group, g.states[0], g.short) for i, g in enumerate(NAMED_GROUPS)
    ]
    numbers = range(len(named) + 1, N_GROUPS + 1)
    states = list(STATE_WEIGHTS)
    cumulative = np.cumsum(list(STATE_WEIGHTS.values()), dtype=float)
    draws = np.searchsorted(cumulative, rng.random(len(numbers)) * cumulative[-1], side="right")
    cells = [
        Node(f"G{k:03d}", f"Célula local {k:03d} ({states[d]})", states[d], f"Celula {k:03d}")
        for k, d in zip(numbers, draws, strict=True)
    ]
    return named + cells


def scaled_weight(weight: int, scale: float = CURATED_WEIGHT_SCALE) -> int:
    """A curated relative intensity times ``scale``, rounded half up, at least 1."""
    return max(1, math.floor(weight * scale + 0.5))


def curated_pairs(
    edges: Sequence[tuple[str, str, int]], scale: float = CURATED_WEIGHT_SCALE
) -> Pairs:
    """Map curated key pairs to node-index pairs ``(i, j)`` with ``i < j``, weights scaled."""
    index = {g.key: i for i, g in enumerate(NAMED_GROUPS)}
    pairs: Pairs = {}
    for a, b, weight in edges:
        i, j = sorted((index[a], index[b]))
        if (i, j) in pairs or i == j:
            raise ValueError(f"duplicate or self pair in curated edges: {a}-{b}")
        pairs[(i, j)] = scaled_weight(weight, scale)
    return pairs


def _reach(state: str) -> np.ndarray:
    """Attachment factor of each named group for a cell of ``state``."""
    return np.array(
        [1.0 if state in g.states else NATIONAL_REACH if g.national else 0.0 for g in NAMED_GROUPS]
    )


def _attachment_weights(
    state_of: np.ndarray, source: int, strength: np.ndarray, degree: np.ndarray, to_named: bool
) -> np.ndarray:
    """Weights of each node as the target of a generated edge from cell ``source``."""
    n_named = len(NAMED_GROUPS)
    weights = np.zeros(len(state_of))
    if to_named:
        weights[:n_named] = _reach(str(state_of[source])) * (strength[:n_named] + 1.0)
    else:
        same = state_of[n_named:] == state_of[source]
        weights[n_named:] = np.where(same, degree[n_named:] + 1.0, 0.0)
    weights[source] = 0.0
    return weights


def generate_pairs(
    rng: np.random.Generator, nodes: Sequence[Node], rivals: Pairs, allies: Pairs
) -> tuple[Pairs, Pairs]:
    """Add generated pairs to copies of the curated rivalry and alliance pairs.

    For each new edge a cell is picked with probability proportional to ``degree + 1``
    (preferential attachment); its partner is, with probability :data:`P_NAMED_TARGET`, a named
    group operating in its state (proportional to ``strength + 1``), otherwise another cell of the
    same state (proportional to ``degree + 1``). A pair is never both rivals and allies.
    """
    rivals, allies = dict(rivals), dict(allies)
    n = len(nodes)
    state_of = np.array([node.state for node in nodes])
    strength, degree = np.zeros(n), np.zeros(n)
    for (i, j), w in (rivals | allies).items():
        strength[[i, j]] += w
        degree[[i, j]] += 1
    first_cell = len(NAMED_GROUPS)
    plan = (
        (rivals, N_GENERATED_RIVALRIES, RIVAL_EXTRA_MEAN),
        (allies, N_GENERATED_ALLIANCES, ALLY_EXTRA_MEAN),
    )
    for layer, count, mean in plan:
        added = 0
        for _ in range(MAX_ATTEMPTS):
            if added == count:
                break
            source = first_cell + _categorical(rng, degree[first_cell:] + 1.0)
            to_named = bool(rng.random() < P_NAMED_TARGET)
            weights = _attachment_weights(state_of, source, strength, degree, to_named)
            if weights.sum() == 0:
                weights = _attachment_weights(state_of, source, strength, degree, True)
            target = _categorical(rng, weights)
            pair = (min(source, target), max(source, target))
            weight = 1 + _poisson(rng, mean)
            if pair in rivals or pair in allies:
                continue
            layer[pair] = weight
            strength[[source, target]] += weight
            degree[[source, target]] += 1
            added += 1
        else:
            raise RuntimeError(f"could not place {count} generated pairs in {MAX_ATTEMPTS} tries")
    return rivals, allies


def write_nodes(path: Path, nodes: Sequence[Node]) -> None:
    """Write the nodes file (UTF-8 without BOM, ``\\n`` line endings)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("Node", "Group", "State", "ShortName"))
        writer.writerows((n.node, n.group, n.state, n.short) for n in nodes)


def write_edges(path: Path, nodes: Sequence[Node], pairs: Pairs, prefix: str) -> None:
    """Write an edge file: both directions of every pair, same weight, ids ``prefix0001``..."""
    rows = []
    for i, j in sorted(pairs):
        rows += [(nodes[i], nodes[j], pairs[(i, j)]), (nodes[j], nodes[i], pairs[(i, j)])]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("Edge", "Node", "Group", "RNode", "RGroup", "weight"))
        writer.writerows(
            (f"{prefix}{k:04d}", a.node, a.group, b.node, b.group, w)
            for k, (a, b, w) in enumerate(rows, start=1)
        )


def build(outdir: Path = DEFAULT_OUTDIR, seed: int = SEED) -> list[Path]:
    """Generate the network and write the three CSV files into ``outdir``; return their paths."""
    rng = np.random.default_rng(seed)
    nodes = build_nodes(rng)
    rivals, allies = curated_pairs(CURATED_RIVALRIES), curated_pairs(CURATED_ALLIANCES)
    if rivals.keys() & allies.keys():
        raise ValueError("a curated pair is listed both as rivals and as allies")
    rivals, allies = generate_pairs(rng, nodes, rivals, allies)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = [outdir / f"{PREFIX}_{name}.csv" for name in ("Nodes", "Rivals", "Alliances")]
    write_nodes(paths[0], nodes)
    write_edges(paths[1], nodes, rivals, "R")
    write_edges(paths[2], nodes, allies, "A")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``python -m oclab.data.build_default_network [OUTDIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m oclab.data.build_default_network",
        description="Write oclab's synthetic default cartel network (three CSV files).",
    )
    parser.add_argument(
        "outdir", nargs="?", type=Path, default=DEFAULT_OUTDIR, help="output folder"
    )
    args = parser.parse_args(argv)
    for path in build(args.outdir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
