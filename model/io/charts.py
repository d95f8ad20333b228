"""PNG charts for sweeps, stress tests and comparisons, next to their workbooks (matplotlib, no
screen), written through the command's Outputs (model.io.output) and marked as its own."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from model.io.output import Outputs, mark  # noqa: E402


def _save(fig, outputs: Outputs, path: Path) -> Path:
    fig.tight_layout()
    try:
        fig.savefig(outputs.claim(path), dpi=110, format="png", metadata={"Software": mark(outputs.kind)})
    finally:
        plt.close(fig)
    return path


def tick_text(value: float) -> str:
    """A parameter value as a tick label: '56,000,000', '0.5', '-82.04' (never '5.6e+07')."""
    if abs(value) >= 1e4:
        return f"{value:,.0f}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def sweep_pngs(outputs: Outputs, points: pd.DataFrame, params: list[str], stem: Path) -> list[Path]:
    """One parameter: objective and corridor shares against it. Two: a heat map of the objective."""
    ok = points[points["status"] == "Optimal"]
    out = []
    if len(params) == 1:
        x = params[0]
        fig, ax = plt.subplots(figsize=(8, 4.5))
        ax.plot(ok[x], ok["objective_usd"] / 1e6, marker="o", ms=3)
        ax.set_xlabel(x)
        ax.set_ylabel("total cost (million USD/yr)")
        ax.set_title("Total cost")
        ax.grid(alpha=0.3)
        out.append(_save(fig, outputs, stem.with_name(stem.name + "_objective.png")))
        shares = [c for c in ok.columns if c.endswith(" share") and not c.startswith("via ") and ok[c].max() > 0.005]
        fig, ax = plt.subplots(figsize=(9, 5))
        for c in shares:
            ax.plot(ok[x], ok[c] * 100, label=c.removesuffix(" share"))
        ax.set_xlabel(x)
        ax.set_ylabel("share of shipped tonnes (%)")
        ax.set_title("Corridor shares")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1, 0.5))
        out.append(_save(fig, outputs, stem.with_name(stem.name + "_shares.png")))
    elif len(params) == 2:
        grid = ok.pivot_table(index=params[0], columns=params[1], values="objective_usd") / 1e6
        fig, ax = plt.subplots(figsize=(8, 5))
        im = ax.imshow(grid.values, origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(grid.columns)), [tick_text(v) for v in grid.columns], rotation=45)
        ax.set_yticks(range(len(grid.index)), [tick_text(v) for v in grid.index])
        ax.set_xlabel(params[1])
        ax.set_ylabel(params[0])
        ax.set_title("Total cost (million USD/yr)")
        fig.colorbar(im, ax=ax)
        out.append(_save(fig, outputs, stem.with_name(stem.name + "_heatmap.png")))
    for name in ("_objective.png", "_shares.png", "_heatmap.png"):  # an earlier sweep's charts go (one set)
        if stem.with_name(stem.name + name) not in out:
            outputs.retire(stem.with_name(stem.name + name))
    return out


def exact_png(outputs: Outputs, breakpoints: pd.DataFrame, param: str, stem: Path) -> Path:
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(breakpoints["value"], breakpoints["objective_usd"] / 1e6, marker="o", ms=4)
    ax.set_xlabel(param)
    ax.set_ylabel("total cost (million USD/yr)")
    ax.set_title("Total cost, exact (dots: breakpoints)")
    ax.grid(alpha=0.3)
    return _save(fig, outputs, stem.with_name(stem.name + ".png"))


def stress_png(outputs: Outputs, table: pd.DataFrame, stem: Path, top: int = 15) -> Path:
    t = table.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(t) + 1.5))
    ax.barh(t["closed"], t["cost_increase_usd"] / 1e6)
    ax.set_xlabel("cost increase, stranded tonnes at the penalty (million USD/yr)")
    ax.set_title("N-1: what each closure costs")
    ax.grid(alpha=0.3, axis="x")
    return _save(fig, outputs, stem.with_name(stem.name + ".png"))


def compare_png(outputs: Outputs, table: pd.DataFrame, stem: Path) -> Path:
    """Tonnes by corridor in each scenario, side by side."""
    names = [c for c in table.columns[2:] if not c.endswith(" - base")]
    rows = table[table["metric"].str.startswith("corridor:")]
    labels = [m.removeprefix("corridor: ") for m in rows["metric"]]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(labels) * max(1, len(names)) / 3 + 2))
    height = 0.8 / max(1, len(names))
    for k, n in enumerate(names):
        ax.barh([i + k * height for i in range(len(labels))], rows[n].fillna(0) / 1e6, height, label=n)
    ax.set_yticks([i + 0.4 - height / 2 for i in range(len(labels))], labels)
    ax.invert_yaxis()
    ax.set_xlabel("Mt/yr")
    ax.set_title("Tonnes by corridor in each scenario")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="x")
    return _save(fig, outputs, stem.with_name(stem.name + ".png"))


def frontier_png(outputs: Outputs, table: pd.DataFrame, target: str, stem: Path) -> Path:
    ok = table[table["status"] == "Optimal"]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    y = next(c for c in ok.columns if c.startswith("target_t"))
    ax.plot(ok["extra_cost_of_least_cost"] * 100, ok[y] / 1e6, marker="o", ms=4)
    ax.set_xlabel("extra cost accepted (% of the least cost)")
    ax.set_ylabel(f"Mt of {target}")
    ax.set_title(f"{target}: tonnes against the extra cost")
    ax.grid(alpha=0.3)
    return _save(fig, outputs, stem.with_name(stem.name + ".png"))
