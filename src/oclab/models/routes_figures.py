"""Figures for route scenarios: a flow map before and after a crackdown, and the diversion curve.

Coordinates are the networks' real longitudes and latitudes, drawn in an equirectangular
projection with the x axis scaled by cos(mean latitude) so shapes are not stretched. Line width
is proportional to mean flow; nodes that newly carry traffic after the crackdown are marked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from oclab.core.results import Writer
    from oclab.models.routes_scenario import ScenarioOutput


def _draw_flows(ax, network, flow: np.ndarray, scale: float, colour: str) -> None:
    from matplotlib.collections import LineCollection

    segments, widths = [], []
    for e in np.flatnonzero(flow > 1e-6 * max(scale, 1e-12)):
        u, v = network.tail[e], network.head[e]
        segments.append([(network.lon[u], network.lat[u]), (network.lon[v], network.lat[v])])
        widths.append(0.4 + 7.0 * flow[e] / scale)
    ax.add_collection(LineCollection(segments, linewidths=widths, colors=colour, alpha=0.7))


def plot_map(output: ScenarioOutput, after: str | None, path: Path) -> None:
    """Two panels (baseline, ``after``) of mean edge flows on the network's coordinates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    network = output.network
    names = ["baseline"] + ([after] if after else [])
    flows = {n: output.results[n].edge_flow.mean(axis=0) for n in names}
    scale = max(float(f.max()) for f in flows.values()) or 1.0
    fig, axes = plt.subplots(1, len(names), figsize=(7 * len(names), 6), squeeze=False)
    base_active = output.results["baseline"].active().mean(axis=0) >= 0.5
    all_edges = np.ones(network.n_edges)
    for ax, name in zip(axes[0], names, strict=True):
        _draw_flows(ax, network, all_edges, 1e9, "0.85")
        _draw_flows(
            ax, network, flows[name], scale, "tab:blue" if name == "baseline" else "tab:red"
        )
        ax.scatter(network.lon, network.lat, s=8, c="0.3", zorder=3)
        markets = network.markets
        ax.scatter(network.lon[markets], network.lat[markets], s=60, marker="s", c="k", zorder=4)
        if name != "baseline":
            new = (output.results[name].active().mean(axis=0) >= 0.5) & ~base_active
            ax.scatter(
                network.lon[new],
                network.lat[new],
                s=90,
                facecolors="none",
                edgecolors="tab:orange",
                linewidths=2,
                zorder=5,
                label="newly carries traffic",
            )
            if new.any():
                ax.legend(loc="lower left", fontsize=8)
            for i in np.flatnonzero(new):
                ax.annotate(network.ids[i], (network.lon[i], network.lat[i]), fontsize=7)
        ax.set_aspect(1.0 / np.cos(np.radians(float(np.mean(network.lat)))))
        ax.autoscale_view()
        ax.set_xlabel("longitude (°)")
        ax.set_ylabel("latitude (°)")
        ax.set_title(f"{network.name}: {name} (mean flow, t/year; max {scale:,.0f})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def plot_curve(output: ScenarioOutput, path: Path) -> None:
    """Diverted share (mean and 5–95% band) and market deliveries against intensity."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = output.curve
    assert curve is not None
    k = curve["intensity"].to_numpy()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.fill_between(k, curve["diverted_share_p05"], curve["diverted_share_p95"], alpha=0.25)
    left.plot(k, curve["diverted_share_mean"], marker="o")
    left.set_xlabel("crackdown intensity k (× risk cost of full state capacity)")
    left.set_ylabel("share of target volume diverted")
    left.set_ylim(0, 1.02)
    left.set_title("Diversion curve")
    for column in curve.columns:
        if column.startswith(("delivered_", "flow_")):
            right.plot(k, curve[column], label=column.replace("_", " ", 1))
    right.set_xlabel("crackdown intensity k")
    right.set_ylabel("tonnes/year (mean over runs)")
    right.legend(fontsize=7, ncol=2)
    right.set_title("Where the volume goes")
    fig.tight_layout()
    fig.savefig(path, dpi=120, format="png")
    plt.close(fig)


def map_writer(output: ScenarioOutput, after: str | None) -> Writer:
    return lambda path: plot_map(output, after, path)


def curve_writer(output: ScenarioOutput) -> Writer:
    return lambda path: plot_curve(output, path)
