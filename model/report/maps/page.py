"""The report as one self-contained HTML page: inline CSS, JS and SVG; nothing fetched, every text
from the data escaped. The map is the PNG's (model.report.maps.layout): same projection, base layer,
widths, offsets and labels."""

from __future__ import annotations

import html
import re

from model.input.schema import Blank
from model.report.maps.assets import PAGE_CSS, PAGE_JS
from model.report.maps.layout import (
    LABEL_SIZE,
    NODE_LEGEND,
    OTHER_NODE_LEGEND,
    dot_radius,
    lay_out,
    line_width,
    width_key_text,
    width_samples,
)
from model.report.maps.palette import BORDER, FULL_COLOUR, LAND, SEA, corridor_colour, series_colours

NODE_KEYS = (*((kind, text) for kind, (_, text) in NODE_LEGEND.items()), ("other", OTHER_NODE_LEGEND[1]))
HEX = re.compile(r"#[0-9a-fA-F]{6}")


def esc(value) -> str:
    """Text from the data, safe in element content and in quoted attributes."""
    return html.escape(str(value), quote=True)


def attrs(**values) -> str:
    """' name="value"' for each value not None, every value escaped; data_x -> data-x, class_ -> class."""
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in values.items() if v is not None)


def render_html(report: dict, generator: str) -> str:
    """The report page for report (model.report.maps.data.report_data); generator goes into the page's
    <meta name="generator">, the mark model.report.output recognises.

    Each used (leg, corridor) is one <path class="leg" data-corridor=... data-leg=...>; nodes without
    coordinates are left out and named in the page's notes."""
    p = lay_out(report)
    colours = {c["corridor"]: _colour(c) for c in report["corridors"]}
    title = esc(report.get("title", ""))
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="{esc(generator)}">',
        '<link rel="icon" href="data:,">',  # no favicon request
        f"<title>{title}</title><style>{PAGE_CSS}</style></head><body><main>",
        f'<header><h1>{title}</h1><p class="sub">{esc(report.get("subtitle", ""))}</p></header>',
        _brief(report.get("brief")),
        '<section class="mapwrap"><div class="map" id="map">',
        _map_svg(p, colours),
        '<div class="tip" id="tip" role="tooltip" hidden></div></div>',
        _legend(report, p, colours),
        "</section>",
        _bars(report["corridors"], colours),
        _stacked(report.get("by_commodity", []), report["corridors"]),
        _bottlenecks(report.get("bottlenecks", [])),
        _summary(report.get("summary", [])),
        _notes(p, report.get("brief")),
        f"</main><script>{PAGE_JS}</script></body></html>\n",
    ])


def _colour(corridor: dict) -> str:
    c = corridor.get("colour") or ""
    return c if HEX.fullmatch(c) else corridor_colour(corridor["corridor"])


def _map_svg(p, colours: dict) -> str:
    f = p.frame
    out = [f'<svg class="mapsvg" viewBox="0 0 {f.width:.0f} {f.height:.0f}" role="img" '
           'aria-label="Map of the used legs, coloured by corridor">',
           f'<rect width="{f.width:.0f}" height="{f.height:.0f}" fill="{SEA}"/>',
           f'<g fill="{LAND}" stroke="{BORDER}" stroke-width="0.6" fill-rule="evenodd">']
    for name, rings in p.countries:
        d = "".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in ring.tolist()) + "Z" for ring in rings)
        out.append(f'<path d="{d}"><title>{esc(name)}</title></path>')
    out.append('</g><g class="legs" fill="none">')
    names = {n["id"]: n["name"] for n, _, _ in p.nodes}
    for s in p.segments:  # full legs: a dashed red band under their lines
        if s.leg["full"]:
            band = attrs(class_="leg-full", d=_line(s), stroke=FULL_COLOUR, stroke_width=f"{s.width + 4:.1f}",
                         data_corridor=s.leg["corridor"])
            out.append(f'<path{band} stroke-dasharray="6 4"/>')
    for i, s in enumerate(p.segments):
        leg = s.leg
        line = attrs(class_="leg", id=f"leg{i}", d=_line(s), stroke=colours.get(leg["corridor"], s.colour),
                     stroke_width=f"{s.width:.1f}", data_corridor=leg["corridor"], data_leg=leg["leg"],
                     data_tip=_tip(leg, names))
        out.append(f"<path{line}/>")
    for i, s in enumerate(p.segments):  # wider invisible strokes on top, so thin lines are easy to point at
        hit = attrs(class_="hit", d=_line(s), stroke_width=f"{max(s.width, 9):.1f}", data_corridor=s.leg["corridor"],
                    data_ref=f"leg{i}")
        out.append(f"<path{hit}/>")
    out.append('</g><g class="nodes">')
    for n, x, y in p.nodes:
        out.append(_node(n, x, y))
    out.append(f'</g><g class="labels" font-size="{LABEL_SIZE:.0f}">')
    for lab in p.labels:
        if lab.leader:
            out.append(f'<path class="leader" d="M{lab.leader[0]:.1f},{lab.leader[1]:.1f}L{lab.x:.1f},{lab.y:.1f}" '
                       'stroke="#444" stroke-width="0.8"/>')
        dy = {"top": 0.8, "bottom": -0.25}.get(lab.baseline, 0.35) * LABEL_SIZE
        at = attrs(x=f"{lab.x:.1f}", y=f"{lab.y + dy:.1f}", text_anchor=lab.align,
                   class_="muted" if lab.muted else None)
        out.append(f"<text{at}>{esc(lab.text)}</text>")
    out.append("</g></svg>")
    return "".join(out)


def _node(n: dict, x: float, y: float) -> str:
    """A node's dot (circle; square for a market, diamond for a port), its name on hover, a red ring when full."""
    r = dot_radius(n["kind"])
    fill = NODE_LEGEND.get(n["kind"], OTHER_NODE_LEGEND)[0]
    paint = f' fill="{fill}" stroke="{"#222" if fill == "#ffffff" else "#fff"}" stroke-width="1"/>'
    if n["kind"] == "market":
        shape = f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}"'
    elif n["kind"] == "port":
        shape = f'<path d="M{x:.1f},{y - r:.1f}L{x + r:.1f},{y:.1f}L{x:.1f},{y + r:.1f}L{x - r:.1f},{y:.1f}Z"'
    else:
        shape = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"'
    title = f"<title>{esc(n['name'])}: {n['tonnes_t'] / 1e6:.2f} Mt/yr{esc(_util_text(n))}</title>"
    ring = (f'<circle class="full-ring" cx="{x:.1f}" cy="{y:.1f}" r="{r + 4:.1f}" fill="none" stroke="{FULL_COLOUR}" '
            'stroke-width="2.5"/>') if n["full"] else ""
    return f'<g class="node{" idle" if n["tonnes_t"] <= 0 else ""}">{shape}{paint}{title}</g>{ring}'


def _line(s) -> str:
    """A segment's points as an SVG path: the PNG's line (a sea leg along its lane)."""
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in s.points.tolist())


def _util_text(entry: dict) -> str:
    if entry.get("utilisation") is None:
        return ""
    return f"; capacity {entry['utilisation']:.0%} used" + (" (full)" if entry["full"] else "")


def _tip(leg: dict, names: dict) -> str:
    util = ("no capacity limit on this leg" if leg["utilisation"] is None
            else f"{leg['utilisation']:.0%} of the leg's capacity used" + (" - FULL" if leg["full"] else ""))
    return "\n".join([leg["corridor"],
                      f"{names.get(leg['from'], leg['from'])} \u2192 {names.get(leg['to'], leg['to'])}",
                      f"{leg['tonnes_t'] / 1e6:.2f} Mt/yr on this leg",
                      f"{leg['cost_usd_per_t']:.2f} USD/t average route resource cost",
                      util])


def _legend(data: dict, p, colours: dict) -> str:
    drawn = {s.leg["corridor"] for s in p.segments}
    items = "".join(
        f"<li><button type=\"button\"{attrs(class_='corr', data_corridor=c['corridor'])}>"
        f"<span{attrs(class_='sw', style='background:' + colours[c['corridor']])}></span>"
        f'<span class="cn">{esc(c["corridor"])}</span><span class="mt">{c["tonnes_t"] / 1e6:.2f}</span></button></li>'
        for c in data["corridors"] if c["corridor"] in drawn or c["tonnes_t"] > 0)
    widths = "".join('<li><svg width="46" height="16" aria-hidden="true"><line x1="2" y1="8" x2="44" y2="8" '
                     f'stroke="#555" stroke-width="{line_width(t, p.max_t) * 0.9:.1f}"/></svg>{width_key_text(t)}</li>'
                     for t in width_samples(p.max_t))
    full = "".join(f'<li><span class="{"ring" if f["kind"] == "node" else "dash"}"></span>'
                   f'{esc(f["name"])}{"" if f["cargo_class"] in (Blank.ALL, "") else " (" + esc(f["cargo_class"]) + ")"}: '
                   f'{f["used_t"] / 1e6:.2f} of {f["capacity_t"] / 1e6:.2f} Mt/yr</li>' for f in data.get("full", []))
    kinds = "".join(f'<li><span class="nk {k}"></span>{text}</li>' for k, text in NODE_KEYS)
    return ('<aside class="legend"><h2>Corridors <small>Mt/yr</small></h2>'
            '<p class="hint">Click a corridor, here or on the map, to pick it out; click again to clear. '
            "Point at a line for its figures.</p>"
            f'<ul class="corrs">{items}</ul><h3>Line width: tonnes on the leg (square-root scale)</h3>'
            f'<ul class="widths">{widths}</ul><h3>Nodes</h3><ul class="kinds">{kinds}</ul>'
            f'<h3>Full capacity (binding)</h3><ul class="full">{full or "<li>none</li>"}</ul></aside>')


def _brief(brief: dict | None) -> str:
    """The Summary's one-page brief: the headline figures, the corridor or country of interest, and
    the three largest bottlenecks in words."""
    if not brief:
        return ""
    lines = "".join(f"<li>{esc(line)}</li>" for line in brief.get("headline", []))
    focus = f'<p class="focus">{esc(brief["focus"])}</p>' if brief.get("focus") else ""
    held = "".join(f"<li>{esc(line)}</li>" for line in brief.get("bottlenecks", []))
    return (f'<section class="brief"><h2>In brief</h2><ul class="headline">{lines}</ul>{focus}'
            + (f'<h3>What holds it back</h3><ol class="held">{held}</ol>' if held else "") + "</section>")


def _summary(rows: list[dict]) -> str:
    """The Summary sheet's table of figures (item, value, unit), folded."""
    if not rows:
        return ""
    body = "".join(f"<tr><td>{esc(r['item'])}</td><td class=\"num\">{esc(r['value'])}</td><td>{esc(r['unit'])}</td>"
                   "</tr>" for r in rows)
    return (f'<details class="summary"><summary>Every figure of the Summary sheet</summary><table><thead><tr>'
            f"<th>Item</th><th>Value</th><th>Unit</th></tr></thead><tbody>{body}</tbody></table></details>")


def _bars(corridors: list[dict], colours: dict) -> str:
    """Horizontal bars, one per corridor with tonnes, in the legend's order and colours."""
    rows = [c for c in corridors if c["tonnes_t"] > 0]
    if not rows:
        return ""
    top = max(c["tonnes_t"] for c in rows)
    label_w = 16 + 7.4 * max(len(c["corridor"]) for c in rows)  # 13 px text, about 7.4 px a character
    bar_w, row_h = 380, 24
    out = ['<section class="barsec"><h2>Tonnes by corridor</h2>'
           f'<svg class="bars" viewBox="0 0 {label_w + bar_w + 150:.0f} {row_h * len(rows) + 8}" role="img" '
           f'style="max-width:{label_w + bar_w + 150:.0f}px" aria-label="Tonnes by corridor">']  # 1 unit = 1 px at most
    for i, c in enumerate(rows):
        y = 4 + i * row_h
        w = max(bar_w * c["tonnes_t"] / top, 1.5)
        group = attrs(class_="bar", data_corridor=c["corridor"])
        bar = attrs(x=f"{label_w:.0f}", y=y + 3, width=f"{w:.1f}", height=row_h - 6, fill=colours[c["corridor"]])
        out.append(f'<g{group}><text x="{label_w - 8:.0f}" y="{y + 16}" text-anchor="end">{esc(c["corridor"])}</text>'
                   f'<rect{bar}/><text x="{label_w + w + 6:.1f}" y="{y + 16}">{c["tonnes_t"] / 1e6:.2f} Mt/yr '
                   f'({c["share"]:.1%})</text></g>')
    out.append("</svg></section>")
    return "".join(out)


def _stacked(rows: list[dict], corridors: list[dict]) -> str:
    """Each corridor's tonnes as one bar in parts by commodity, with a key; a part's tonnes on hover."""
    order = [c["corridor"] for c in corridors if any(r["corridor"] == c["corridor"] for r in rows)]
    if not order:
        return ""
    totals = {k: sum(r["tonnes_t"] for r in rows if r["commodity"] == k) for k in {r["commodity"] for r in rows}}
    kinds = sorted(totals, key=lambda k: (-totals[k], k))
    shade = dict(zip(kinds, series_colours(len(kinds)), strict=True))  # no two commodities alike, however many
    top = max(sum(r["tonnes_t"] for r in rows if r["corridor"] == c) for c in order)
    label_w = 16 + 7.4 * max(len(c) for c in order)
    bar_w, row_h = 380, 24
    out = ['<section class="barsec"><h2>Tonnes by corridor and commodity</h2><ul class="key">'
           + "".join(f'<li><span class="sw" style="background:{shade[k]}"></span>{esc(k)}</li>' for k in kinds)
           + f'</ul><svg class="bars" viewBox="0 0 {label_w + bar_w + 20:.0f} {row_h * len(order) + 8}" role="img" '
           f'style="max-width:{label_w + bar_w + 20:.0f}px" aria-label="Tonnes by corridor and commodity">']
    for i, corridor in enumerate(order):
        y, x = 4 + i * row_h, label_w
        out.append(f'<g{attrs(class_="bar", data_corridor=corridor)}><text x="{label_w - 8:.0f}" y="{y + 16}" '
                   f'text-anchor="end">{esc(corridor)}</text>')
        for k in kinds:
            t = sum(r["tonnes_t"] for r in rows if r["corridor"] == corridor and r["commodity"] == k)
            if t <= 0:
                continue
            w = bar_w * t / top
            out.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{shade[k]}">'
                       f"<title>{esc(corridor)}, {esc(k)}: {t / 1e6:.2f} Mt/yr</title></rect>")
            x += w
        out.append("</g>")
    out.append("</svg></section>")
    return "".join(out)


def _bottlenecks(rows: list[dict]) -> str:
    if not rows:
        body = "<p>No capacity, policy or supply limit binds: none is a bottleneck.</p>"
    else:
        body = ("<table><thead><tr><th>#</th><th>Limit</th><th>On</th><th>In words</th></tr></thead><tbody>"
                + "".join(f"<tr><td>{esc(r['rank'])}</td><td>{esc(r['kind'])}</td><td>{esc(r['name'])}</td>"
                          f"<td>{esc(r['in_words'])}</td></tr>" for r in rows) + "</tbody></table>")
    return f'<section class="bottlenecks"><h2>Bottlenecks</h2>{body}</section>'


def _notes(p, brief: dict | None) -> str:
    provenance = "; ".join(f"{k}: {v}" for k, v in (brief or {}).get("provenance", []))
    notes = ([f"Made from {provenance}."] if provenance else []) + ["Sea legs follow the shipping lanes (searoute); land legs join their nodes straight: they show "
             "which legs carry cargo, not the track.",
             "Line tooltips give the tonne-weighted average resource cost (calibration premiums left out) of the "
             "whole routes using the leg.",
             "Base map: Natural Earth (public domain), via the world-atlas package."]
    if p.unplaced:
        notes.append("Not drawn, no coordinates: " + ", ".join(p.unplaced) + ".")
    return "<footer>" + "".join(f"<p>{esc(n)}</p>" for n in notes) + "</footer>"

