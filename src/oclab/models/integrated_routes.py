"""How the Mexican corridor responds to interdiction, from the routes model (Dell 2015).

The integrated model does not solve a network equilibrium every week: the routes model's answer
depends only on the crackdown intensity on the Mexican corridor (at the parameters' defaults), so
it is solved once per intensity and shipped as a table (``data/integrated/routes_response.csv``,
rebuilt with ``python -m oclab.models.integrated_routes``; a test checks the table against the
routes model). Columns: intensity ``k``, tonnes a year through Mexico, tonnes delivered to the US
and to Europe, and the traffickers' total transport-and-risk cost (million USD a year).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

INTENSITIES: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0, 8.0)
COLUMNS: tuple[str, ...] = ("intensity", "mexico_tonnes", "us_tonnes", "europe_tonnes", "cost_musd")
_FILE = "routes_response.csv"


@dataclass(frozen=True)
class RoutesResponse:
    """The corridor's response to interdiction intensity, interpolated linearly."""

    intensity: np.ndarray
    mexico_tonnes: np.ndarray
    us_tonnes: np.ndarray
    europe_tonnes: np.ndarray
    cost_musd: np.ndarray

    def _at(self, values: np.ndarray, k: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(k, dtype=float), self.intensity, values)

    def mexico_volume_ratio(self, k: np.ndarray) -> np.ndarray:
        """Tonnes through Mexico relative to no extra interdiction."""
        return self._at(self.mexico_tonnes, k) / self.mexico_tonnes[0]

    def mexico_share_of_us(self, k: np.ndarray) -> np.ndarray:
        """Share of the US market's cocaine that passed through Mexico."""
        return self._at(self.mexico_tonnes, k) / self._at(self.us_tonnes, k)

    def cost_ratio(self, k: np.ndarray) -> np.ndarray:
        """Traffickers' route costs relative to no extra interdiction."""
        return self._at(self.cost_musd, k) / self.cost_musd[0]


def solve_response(intensities: tuple[float, ...] = INTENSITIES) -> RoutesResponse:
    """Solve the world routes model (defaults, congested equilibrium) per intensity."""
    from oclab.models import routes
    from oclab.models.routes_network import load_network

    network = load_network("world")
    params = {p.name: np.array([p.default]) for p in routes.PARAMS}
    rows = []
    us, eu = (list(network.markets).index(network.index(m)) for m in ("USA", "EUR"))
    for k in intensities:
        result = routes.solve(network, params, routes.Crackdown("mexico", groups={"Mexico": k}))
        rows.append(
            (
                k,
                float(result.group_flow("Mexico")[0]),
                float(result.delivered[0, us]),
                float(result.delivered[0, eu]),
                float(result.total_cost[0]),
            )
        )
    return RoutesResponse(*map(np.array, zip(*rows, strict=True)))


def write_response(response: RoutesResponse, path: Path) -> None:
    """Write the table (the shipped file is written by this function)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in zip(*(getattr(response, c) for c in COLUMNS), strict=True):
            writer.writerow([f"{v:.6g}" for v in row])


def load_response() -> RoutesResponse:
    """The shipped table."""
    text = resources.files("oclab.data").joinpath("integrated", _FILE).read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    return RoutesResponse(*(np.array([float(r[c]) for r in rows]) for c in COLUMNS))


if __name__ == "__main__":
    target = Path(str(resources.files("oclab.data").joinpath("integrated", _FILE)))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_response(solve_response(), target)
    print(f"wrote {target}")
