"""The report page: one path per used leg, every text escaped, one file that fetches nothing, the
nodes it leaves out named, the charts, bottlenecks and Summary rows."""

from __future__ import annotations

import re
from dataclasses import fields, replace

from map_cases import GHOST, NORTH, ORIGIN_NAME, SOUTH, legs_of, parse, tiny_report_data

from model.report.maps.page import render_html


def test_one_leg_path_per_used_leg_and_corridor():
    data = tiny_report_data(with_ghost=False)
    legs = legs_of(parse(render_html(data, "corridor-model:report")))
    assert sorted((a["data-leg"], a["data-corridor"]) for a in legs) == sorted(
        (x.leg, x.corridor) for x in data.legs)


def test_text_from_the_data_is_escaped():
    raw = render_html(tiny_report_data(with_ghost=False), "corridor-model:report")
    # The raw strings never reach the page as markup...
    for s in ("<field>", "<case>", "<b>", "<&>", "<a>", '"rail"', '"oil"'):
        assert s not in raw, s
    # ...and read back as the same text once parsed.
    e = parse(raw)
    text = "".join(e.text)
    assert 'Tiny <case> & "test"' in text and "190 t & more <b>" in text
    assert 'One more tonne <a> & "b" saves 3 USD' in text
    assert NORTH in text and SOUTH in text
    assert {a["data-corridor"] for a in legs_of(e)} == {NORTH, SOUTH}
    assert any(ORIGIN_NAME in a.get("data-tip", "") for a in legs_of(e))


def test_the_page_is_one_file_that_fetches_nothing():
    raw = render_html(tiny_report_data(), "corridor-model:report")
    e = parse(raw)
    refs = [v for _, a in e.tags for k, v in a.items() if k in ("src", "href", "xlink:href", "action") and v]
    assert refs == ["data:,"]  # the empty favicon only: no CDN, font, script or image fetched
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", raw, re.I)
    assert "@import" not in raw and "url(" not in raw and "fetch(" not in raw and "XMLHttpRequest" not in raw
    assert sum(t == "script" for t, _ in e.tags) == 1 and sum(t == "style" for t, _ in e.tags) == 1
    assert ('meta', {"name": "generator", "content": "corridor-model:report"}) in e.tags


def test_a_node_without_coordinates_is_named_in_the_notes_and_its_legs_left_out():
    data = tiny_report_data()
    e = parse(render_html(data, "corridor-model:solve"))
    assert "Not drawn, no coordinates: X (Nowhere hub)." in "".join(e.text)
    assert GHOST not in {a["data-corridor"] for a in legs_of(e)}  # both its legs touch X
    assert len(legs_of(e)) == len(data.legs) - 2


def test_the_brief_heads_the_page():
    data = tiny_report_data(with_ghost=False)
    e = parse(render_html(data, "corridor-model:report"))
    text = "".join(e.text)
    brief = data.brief  # model.results.brief.brief_of of the sheets
    assert brief is not None
    assert brief.headline[1].startswith("Resource cost 4,560.0 million USD/yr (transport 4,000.0, handling 560.0")
    for line in brief.headline + brief.bottlenecks:
        assert line in text
    assert next((t, a) for t, a in e.tags if t == "section") == ("section", {"class": "brief"})
    assert "Made from input file: tiny <case>.xlsx." in text  # escaped in the file, read back as written


def test_charts_bottlenecks_and_summary_rows():
    e = parse(render_html(tiny_report_data(with_ghost=False), "corridor-model:report"))
    text = " ".join(e.text)
    bars = [a["data-corridor"] for t, a in e.tags if t == "g" and a.get("class") == "bar"]
    # Tonnes by corridor (NORTH, SOUTH), then by corridor and commodity (the same two).
    assert bars == [NORTH, SOUTH, NORTH, SOUTH]
    parts = [a for t, a in e.tags if t == "rect" and a.get("fill") and a.get("height") == "18"]
    assert len(parts) >= 2 + 3  # a bar per corridor; wheat and coal on NORTH, wheat on SOUTH
    assert f"{NORTH}, coal: 0.000040 Mt/yr" in text  # 40 t: two significant digits, not 0.00
    rows = [a for t, a in e.tags if t == "tr"]
    assert len(rows) == 2 + 1 + 8  # bottlenecks: header and one row; Summary: header and eight rows
    assert "4,560,000,000" in text and "USD/yr" in text
    assert re.search(r"Full capacity \(binding\)\s*Port P / second name to Market: West: 0\.000080 of 0\.000080 Mt/yr",
                     text)


def test_print_rules_only_change_what_print_needs():
    # The print block restyles a few boxes; a screen rule pasted into it (as once happened with the
    # brief's rules, which also reset the printed legend's padding and border) does nothing there,
    # or undoes a print rule above it.
    page = render_html(tiny_report_data(with_ghost=False), "corridor-model:report")
    css = page.split("<style>")[1].split("</style>")[0]
    screen, _, printed = css.partition("@media print{")
    rule = re.compile(r"[^{}]+\{[^{}]*\}")
    screen_rules = {r.strip() for r in rule.findall(screen)}
    print_rules = [r.strip() for r in rule.findall(printed)]
    assert print_rules and not [r for r in print_rules if r in screen_rules]
    legend = [r for r in print_rules if re.match(r"(?:[^{]*,)?\.legend(?:,[^{]*)?\{", r) and "padding" in r]
    assert legend == [".legend{columns:3;column-gap:18px;margin-top:6px;font-size:8pt;padding:6px 8px}"]


HOSTILE = "</script><script>alert(1)</script></style><b onclick='x'>\"{{ 7 * 7 }}\""


def test_markup_in_any_text_of_the_data_stays_text():
    # Every text the page writes from the data (title, names, corridors, commodities, brief, Summary,
    # bottlenecks, full capacities, unplaced nodes) made to close the script or style, open a tag or
    # an attribute, or look like template syntax: the page keeps one script and one style, no <b>,
    # and each text reads back as written. Fails if autoescape is turned off or a value marked safe.
    data = tiny_report_data()
    h = HOSTILE
    rename = {NORTH: h + " north"}
    assert data.brief is not None
    data = replace(
        data, title=h, subtitle=h, unplaced=(h,),
        corridors=tuple(replace(c, corridor=rename.get(c.corridor, c.corridor)) for c in data.corridors),
        legs=tuple(replace(leg, corridor=rename.get(leg.corridor, leg.corridor)) for leg in data.legs),
        by_commodity=tuple(replace(r, corridor=rename.get(r.corridor, r.corridor), commodity=h + " " + r.commodity)
                           for r in data.by_commodity),
        nodes=tuple(replace(n, name=h + " " + n.name) for n in data.nodes),
        full=tuple(replace(f, name=h, cargo_class=h) for f in data.full),
        summary=tuple(replace(r, **{f.name: h for f in fields(r)}) for r in data.summary),
        bottlenecks=tuple(replace(r, **{f.name: h for f in fields(r)}) for r in data.bottlenecks),
        brief=replace(data.brief, headline=(h,), bottlenecks=(h,), focus=h, provenance=((h, h),)))
    raw = render_html(data, h)
    assert raw.count("<script") == 1 and raw.count("</script>") == 1 and raw.count("<style") == 1
    assert not re.search(r"<b[\s>]", raw) and "onclick='" not in raw
    e = parse(raw)
    assert not [t for t, _ in e.tags if t == "b"]
    text = "".join(e.text)
    assert text.count(h) >= 20, text.count(h)  # read back as written, everywhere
    assert {a["data-corridor"] for a in legs_of(e)} == {h + " north", SOUTH}
    assert ("meta", {"name": "generator", "content": h}) in e.tags
    assert f"Not drawn, no coordinates: {h}." in text


def test_the_templates_ship_as_package_data():
    # The page is rendered from files in model/report/maps/templates; a wheel holds only what
    # pyproject's package-data names, so each template must match one of its patterns.
    import fnmatch
    import tomllib

    from conftest import ROOT

    from model.report.maps.page import environment

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "model.report.maps"]
    templates = environment().list_templates()
    assert "report.html.j2" in templates
    for name in templates:
        assert any(fnmatch.fnmatch(f"templates/{name}", p) for p in patterns), name


def test_a_small_tonnage_reads_with_two_significant_digits_not_as_none():
    # 1,900 t through a node and on a leg is 0.0019 Mt, which two decimals would show as 0.00 (nothing) on the page
    import html

    from map_cases import tiny_map_data, tiny_sheets

    from model.report.maps.data import report_data

    m = tiny_map_data(with_ghost=False)
    node, leg = next(n for n in m.nodes if n.tonnes_t > 0), m.legs[0]
    m = replace(m, nodes=tuple(replace(n, tonnes_t=1900.0) if n is node else n for n in m.nodes),
                legs=(replace(leg, tonnes_t=1900.0), *m.legs[1:]))
    raw = html.unescape(render_html(report_data(m, tiny_sheets(with_ghost=False)), "corridor-model:report"))
    assert f"{node.name}: 0.0019 Mt/yr" in raw
    assert "0.0019 Mt/yr on this leg" in raw
