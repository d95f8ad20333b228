"""PNG charts for sweeps, stress tests and comparisons, next to their workbooks (matplotlib, no
screen), written through the command's Outputs (model.report.output) and marked as its own."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from model.report.console import closed_labels, watched_columns  # noqa: E402
from model.report.maps.palette import corridor_colour, corridor_colours, series_colours  # noqa: E402
from model.report.output import Outputs, mark  # noqa: E402
from model.results.brief import range_unit  # noqa: E402

MOST_TICKS = 8  # tick labels on a heat map's axis, at most: more overlap


def _save(fig, outputs: Outputs, path: Path) -> Path:
    fig.tight_layout()
    try:
        fig.savefig(outputs.claim(path), dpi=110, format="png", metadata={"Software": mark(outputs.kind)})
    finally:
        plt.close(fig)
    return path


def tick_texts(values, most: int = MOST_TICKS) -> tuple[list[int], list[str]]:
    """Tick labels for a grid's values: at most `most` of them (every k-th, from the first), each
    with the fewest decimals (up to 6) at which the labels shown differ and none is off by more than
    a tenth of the gap between two ticks: -250, -210.3077, ... -> '-250', '-210', ...
    (positions, texts)."""
    values = [float(v) for v in values]
    step = max(1, -(-len(values) // most))
    at = list(range(0, len(values), step))
    shown = [values[i] for i in at]
    gap = min((abs(b - a) for a, b in zip(shown, shown[1:], strict=False) if b != a),
              default=abs(shown[0]) if shown else 1.0) or 1.0
    for decimals in range(7):
        texts = [f"{v:,.{decimals}f}" for v in shown]
        if len(set(texts)) == len(set(shown)) and all(abs(v - round(v, decimals)) <= gap / 10 for v in shown):
            break
    return at, [t.rstrip("0").rstrip(".") if "." in t else t for t in texts]


def sweep_pngs(outputs: Outputs, points: pd.DataFrame, params: list[str], stem: Path) -> list[Path]:
    """One parameter: resource cost and corridor shares against it. Two: a heat map of the resource cost."""
    ok = points[points["status"] == "Optimal"]
    out = []
    if len(params) == 1:
        x = params[0]
        fig, ax = plt.subplots(figsize=(8, 4.5))
        ax.plot(ok[x], ok["resource_cost_usd"] / 1e6, marker="o", ms=3)
        ax.set_xlabel(x)
        ax.set_ylabel("resource cost (million USD/yr)")
        ax.set_title("Resource cost")
        ax.grid(alpha=0.3)
        out.append(_save(fig, outputs, stem.with_name(stem.name + "_objective.png")))
        shares = [c for c in ok.columns if c.endswith(" share") and not c.startswith("via ") and ok[c].max() > 0.005]
        colours = corridor_colours([c.removesuffix(" share") for c in shares])  # the map's, none repeated
        fig, ax = plt.subplots(figsize=(9, 5))
        for c in shares:
            ax.plot(ok[x], ok[c] * 100, label=c.removesuffix(" share"), color=colours[c.removesuffix(" share")])
        ax.set_xlabel(x)
        ax.set_ylabel("share of shipped tonnes (%)")
        ax.set_title("Corridor shares")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1, 0.5))
        out.append(_save(fig, outputs, stem.with_name(stem.name + "_shares.png")))
        watched = watched_columns(ok)
        if watched:  # the tonnes through what is swept (and the focus), which the shares split by corridor
            fig, ax = plt.subplots(figsize=(8, 4.5))
            for c in watched:
                ax.plot(ok[x], ok[c] / 1e6, marker="o", ms=3, label=c.removesuffix("_t"))
            ax.set_xlabel(x)
            ax.set_ylabel("Mt/yr")
            ax.set_title("Tonnes through what is swept")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
            out.append(_save(fig, outputs, stem.with_name(stem.name + "_tonnes.png")))
    elif len(params) == 2:
        grid = ok.pivot_table(index=params[0], columns=params[1], values="resource_cost_usd") / 1e6
        fig, ax = plt.subplots(figsize=(8, 5))
        im = ax.imshow(grid.values, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(*tick_texts(grid.columns), rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(*tick_texts(grid.index))
        ax.set_xlabel(params[1])
        ax.set_ylabel(params[0])
        ax.set_title("Resource cost (million USD/yr)")
        fig.colorbar(im, ax=ax)
        out.append(_save(fig, outputs, stem.with_name(stem.name + "_heatmap.png")))
    # an earlier sweep's charts go (one set)
    for name in ("_objective.png", "_shares.png", "_tonnes.png", "_heatmap.png"):
        if stem.with_name(stem.name + name) not in out:
            outputs.retire(stem.with_name(stem.name + name))
    return out


def exact_png(outputs: Outputs, breakpoints: pd.DataFrame, param: str, stem: Path,
              segments: pd.DataFrame | None = None) -> Path:
    """The total cost through its breakpoints; below it, the tonnes through what is swept (and the
    focus) on each segment between them, when the segments give them."""
    watched = watched_columns(segments) \
        if segments is not None and len(segments) else []
    fig, axes = plt.subplots(2 if watched else 1, 1, figsize=(8, 7.5 if watched else 4.5), sharex=True, squeeze=False)
    ax = axes[0][0]
    ax.plot(breakpoints["value"], breakpoints["objective_usd"] / 1e6, marker="o", ms=4)
    ax.set_ylabel("objective (million USD/yr)")
    ax.set_title("Objective (resource cost, premiums, penalty), exact (dots: breakpoints)")
    ax.grid(alpha=0.3)
    if watched:
        low = axes[1][0]
        for c in watched:  # constant on each segment: a step from each breakpoint to the next
            low.stairs(segments[c] / 1e6, [*segments["from"], segments["to"].iloc[-1]], baseline=None,  # type: ignore[index]  # watched: given
                       label=c.removesuffix("_t"))
        low.set_ylabel("Mt/yr")
        low.set_title("Tonnes between breakpoints")
        low.grid(alpha=0.3)
        low.legend(fontsize=8)
    axes[-1][0].set_xlabel(param)
    return _save(fig, outputs, stem.with_name(stem.name + ".png"))


def tornado_png(outputs: Outputs, table: pd.DataFrame, quantity: str, stem: Path, top: int = 15) -> Path:
    """What drives one quantity (model.analysis.uncertainty.drivers' table), the largest driver on top, by the
    measure drivers.main_driver names it by: Sobol' total indices with the first-order ones inside them, each with
    its confidence interval, or Spearman's rank correlation of each input, either side of zero. The title and the
    axis say which, and the quantity in words with its unit (brief.range_unit)."""
    mine = table[table["quantity"] == quantity]
    sobol = "total" in mine.columns
    shown = mine["total"] if sobol else mine["rank_correlation"]
    size = shown.abs()
    t = mine.assign(_size=size)[size.notna()].sort_values("_size", ascending=False, kind="stable").head(top)
    t = t.iloc[::-1]  # the largest at the top
    fig, ax = plt.subplots(figsize=(9, 0.4 * max(len(t), 3) + 2))
    at = list(range(len(t)))
    alone, together = series_colours(2)
    label, _, unit, _ = range_unit(quantity)
    what = f"{label} ({unit})" if unit else label
    if sobol:
        ax.barh(at, t["total"], 0.7, xerr=t["total_conf"].fillna(0.0), color=together, alpha=0.45,
                label="total: alone and with the others")
        ax.barh(at, t["first_order"], 0.35, xerr=t["first_order_conf"].fillna(0.0), color=alone,
                label="first order: alone")
        ax.set_xlabel(f"share of the variance of {what}")
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))  # beside, never on a bar
        measure = str(mine["measure"].iloc[0]) if len(mine) else ""
    else:
        ax.barh(at, t["rank_correlation"], 0.7, color=[together if v < 0 else alone for v in t["rank_correlation"]])
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(-1, 1)
        ax.set_xlabel(f"Spearman rank correlation of the input with {what} (−1 to +1)")
        draws = int(mine["draws"].iloc[0]) if len(mine) and "draws" in mine.columns else 0
        measure = f"Spearman rank correlation ({draws:,} draws)"
    ax.set_yticks(at, [textwrap.shorten(str(n), 60) for n in t["input"]])
    ax.grid(alpha=0.3, axis="x")
    ax.set_title(textwrap.fill(f"What drives {what}: {measure}", 90), fontsize=10)
    if not len(t):  # a quantity that does not vary: said, not left blank
        notes = mine["note"].dropna().astype(str) if "note" in mine.columns else pd.Series(dtype=str)
        ax.text(0.5, 0.5, textwrap.fill(notes.iloc[0] if len(notes) and notes.iloc[0] else "no driver", 60),
                ha="center", va="center", transform=ax.transAxes)
    return _save(fig, outputs, stem.with_name(stem.name + ".png"))


def stress_png(outputs: Outputs, table: pd.DataFrame, stem: Path, top: int = 15) -> Path:
    solved = table[table["status"] == "Optimal"] if "status" in table.columns else table  # the others cost no figure
    t = solved.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(t) + 1.5))
    ax.barh(closed_labels(t), t["cost_increase_usd"] / 1e6)
    ax.set_xlabel("resource cost increase (million USD/yr); stranded tonnes are not priced")
    ax.set_title("N-1: what each closure costs in resource cost")
    ax.grid(alpha=0.3, axis="x")
    return _save(fig, outputs, stem.with_name(stem.name + ".png"))


def compare_png(outputs: Outputs, table: pd.DataFrame, stem: Path) -> Path:
    """Tonnes by corridor in each scenario, side by side."""
    names = [c for c in table.columns[2:] if not c.endswith(" - base")]
    rows = table[table["metric"].str.startswith("corridor:")]
    idle = (rows[names].fillna(0).abs() < 0.5).all(axis=1)  # no case carries a tonne on it: named below, not drawn
    unused = [m.removeprefix("corridor: ") for m in rows[idle]["metric"]]
    rows = rows[~idle]
    labels = [m.removeprefix("corridor: ") for m in rows["metric"]]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(labels) * max(1, len(names)) / 3 + 2 + 0.2 * bool(unused)))
    height = 0.8 / max(1, len(names))
    for k, (n, colour) in enumerate(zip(names, series_colours(len(names)), strict=True)):
        ax.barh([i + k * height for i in range(len(labels))], rows[n].fillna(0) / 1e6, height, label=n, color=colour)
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(labels))], labels)
    ax.invert_yaxis()
    ax.set_xlabel("Mt/yr")
    ax.set_title("Tonnes by corridor in each scenario")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), title="scenario")  # beside, never on a bar
    ax.grid(alpha=0.3, axis="x")
    if unused:  # Pakistan carrying nothing is an answer: said, not left out
        ax.set_xlabel("Mt/yr\n" + textwrap.fill("Carrying nothing in any case: " + ", ".join(unused) + ".", 120),
                      fontsize=8)
    return _save(fig, outputs, stem.with_name(stem.name + ".png"))


def frontier_png(outputs: Outputs, table: pd.DataFrame, target: str, stem: Path) -> Path:
    ok = table[table["status"] == "Optimal"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    y = next(c for c in ok.columns if c.startswith("target_t"))
    corridor = target.removeprefix("corridor ")  # a corridor target ("corridor Middle Corridor") in its map colour
    colour = corridor_colour(corridor)  # any other target: the palette's first free colour
    ax.plot(ok["extra_cost_of_least_cost"] * 100, ok[y] / 1e6, marker="o", ms=4, color=colour)
    ax.set_xlabel("extra resource cost (% of the least cost's resource cost)")
    ax.set_ylabel(f"Mt of {target}")
    ax.set_title(f"{target}: tonnes against the extra resource cost")
    ax.grid(alpha=0.3)
    return _save(fig, outputs, stem.with_name(stem.name + ".png"))
