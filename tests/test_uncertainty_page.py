"""The ranges on the page: the solve page's "How sure" block (solve --uncertainty N), drawn again the same by corridor
report from the workbook alone, and corridor uncertainty's own page beside its workbook (all or none, nothing
fetched), parsed as HTML; and both in a real browser (Debian's Chromium, as tests/test_map_browser.py drives it)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cases import write_case
from map_cases import parse
from test_map_browser import browser  # noqa: F401  (the fixture: Chromium, or skipped/failed as that test says)
from test_uncertainty_focus import ROAD, transit_and_own

from model.analysis.uncertainty.design import Method, make_design, read_inputs
from model.cli import main
from model.pipeline import load_one_year as load


def table(page: Path | str, where: str) -> pd.DataFrame:
    """The first table inside the element with id `where` of a page, as pandas reads HTML (lxml)."""
    raw = page.read_text(encoding="utf-8") if isinstance(page, Path) else page
    start = raw.index(f'id="{where}"')
    return pd.read_html(io.StringIO(raw[start:raw.index("</table>", start) + len("</table>")]))[0]


def draws_of(case, n: int) -> np.ndarray:
    data, _, _ = load(case)
    return make_design(read_inputs(data), n, Method.LHS, 0).X[ROAD].to_numpy()


def quantiles(v: np.ndarray) -> tuple[float, float, float]:
    p5, p50, p95 = np.quantile(v, (0.05, 0.5, 0.95))
    return p5, p50, p95


@pytest.fixture
def solved(tmp_path):
    """solve --uncertainty 40 --html of the hand-made case: 1 Mt A -> M by rail (10 USD/t) or through YY's port P
    (3 + x, x = P>M uniform on [2, 22]), and 0.1 Mt to Q in YY itself (A>P>Q, 4 USD/t)."""
    case = write_case(tmp_path, transit_and_own(1e6), {"focus": "country YY"})
    out = tmp_path / "r.xlsx"
    assert main(["solve", str(case), "--uncertainty", "40", "--html", "--no-map", "-o", str(out)]) == 0
    return case, out


def test_the_solve_page_shows_each_headline_with_its_range_beside_the_brief(solved):
    case, out = solved
    page = out.with_suffix(".html")
    x = draws_of(case, 40)
    how = table(page, "how-sure").set_index("Headline")
    # Resource cost: 1 Mt at min(10, 3 + x) and 0.1 Mt at 4 USD/t, in million USD/yr (1 decimal)
    cost = (1e6 * np.minimum(10, 3 + x) + 1e5 * 4) / 1e6
    p5, p50, p95 = quantiles(cost)
    assert how.loc["Resource cost", "Median"] == f"{p50:,.1f} million USD/yr"
    assert how.loc["Resource cost", "5–95%"] == f"{p5:,.1f} to {p95:,.1f}"
    assert how.loc["Resource cost", "Draws"] == 40
    # the driver as a reader reads it: the input with its leg's names beside it
    assert how.loc["Resource cost", "Moved most by"].startswith(ROAD + " (+")  # as the brief says it
    # Through YY to other markets: 1 Mt where 3 + x < 10 (x < 7)
    p5, p50, p95 = quantiles(np.where(x < 7, 1.0, 0.0))
    row = how.loc["Through country YY to other markets (focus)"]
    assert row["5–95%"] == f"{p5:.2f} to {p95:.2f}" == "0.00 to 1.00" and row["Median"] == f"{p50:.2f} Mt/yr"
    assert row["With cargo in"] == f"{np.mean(x < 7):.0%} of the draws"
    assert row["Moved most by"].startswith(ROAD + " (−")  # a dearer P>M leaves YY's port: negative
    own = how.loc["To country YY's own market (focus)"]
    assert own["Median"] == "0.10 Mt/yr" and own["With cargo in"] == "100% of the draws"
    text = " ".join(parse(page).text)
    assert "Varied: 40 Latin hypercube draws (seed 0) of the 1 input of the Uncertainty sheet" in text
    assert "not a confidence interval of a statistic" in text
    # the ranges stand in the block, not again in the headline list above it
    headline = re.search(r'<ul class="headline">(.*?)</ul>', page.read_text(encoding="utf-8"), re.S).group(1)
    assert "5–95%" not in headline and "Resource cost: median" not in headline


def test_corridor_report_draws_the_same_block_from_the_workbook(solved, tmp_path):
    # the Ranges sheet and the Summary's 'ranges drawn over' are all the block reads: the page made again from the
    # workbook alone says the same
    _, out = solved
    again = tmp_path / "again.html"
    assert main(["report", str(out), "-o", str(again)]) == 0
    assert table(again, "how-sure").equals(table(out.with_suffix(".html"), "how-sure"))
    ranges = pd.read_excel(out, sheet_name="Ranges", header=2, engine="openpyxl")
    assert list(ranges["headline"]) == ["Resource cost", "Through country YY to other markets (focus)",
                                        "To country YY's own market (focus)", "Cut for a new route at Port P"]


@pytest.fixture
def uncertain(tmp_path):
    case = write_case(tmp_path, transit_and_own(1e6), {"focus": "country YY"})
    out = tmp_path / "u.xlsx"
    assert main(["uncertainty", str(case), "--draws", "60", "--no-progress", "-o", str(out)]) == 0
    return case, out


def test_corridor_uncertainty_writes_its_figures_on_a_page_beside_the_workbook(uncertain):
    case, out = uncertain
    page = out.with_suffix(".html")
    raw = page.read_text(encoding="utf-8")
    e = parse(raw)
    assert ("meta", {"name": "generator", "content": "corridor-model:uncertainty"}) in e.tags
    # nothing fetched: every picture inlined, no script or link to elsewhere
    refs = [v for _, a in e.tags for k, v in a.items() if k in ("src", "href") and v]
    assert refs[0] == "data:," and refs[1:] and all(r.startswith("data:image/png;base64,") for r in refs[1:])
    assert len(refs[1:]) == 3  # the tornadoes of the resource cost, the transit tonnes and the gap (all vary)
    x = draws_of(case, 60)
    how = table(page, "how-sure").set_index("Headline")
    carried = how.loc["Through country YY to other markets (focus)", "With cargo in"]
    assert carried == f"{np.mean(x < 7):.0%} of the draws"
    # the gap: the port route's cost above the rail's, (3 + x) - 10 where it is unused
    _, gap50, _ = quantiles(np.maximum(3 + x - 10, 0.0))
    assert how.loc["Focus gap to break-even", "Median"] == f"{gap50:,.1f} USD/t"
    # the workbook's tables, row for row
    summary = pd.read_excel(out, sheet_name="Summary", header=2, engine="openpyxl")
    shown = table(page, "quantiles")
    assert list(shown["quantity"]) == list(summary["quantity"])
    used = table(page, "used")
    focus = used[used["kind"] == "focus"].set_index("name")
    assert focus.loc["through country YY to other markets", "probability (%)"] == f"{np.mean(x < 7):.1%}"
    assert focus.loc["to country YY's own market", "probability (%)"] == "100.0%"
    switching = table(page, "switching")
    # P>M alone: the port route starts where 3 + x = 10, x = 7, inside [2, 22]
    assert list(switching["input"]) == [ROAD] and float(switching["switching value"].iloc[0]) == pytest.approx(7)
    assert "Legs[P>M].cost_usd_per_t" in " ".join(parse(page).text)  # what was varied


def test_the_page_is_written_with_the_workbook_or_not_at_all(tmp_path, capsys):
    # A planner's own file where the page would go: refused before anything is drawn, and nothing is written.
    case = write_case(tmp_path, transit_and_own(1e6), {"focus": "country YY"})
    out = tmp_path / "u.xlsx"
    out.with_suffix(".html").write_text("<html>my notes</html>", encoding="utf-8")
    assert main(["uncertainty", str(case), "--draws", "20", "--no-progress", "-o", str(out)]) != 0
    assert "u.html" in capsys.readouterr().err
    assert not out.exists() and out.with_suffix(".html").read_text(encoding="utf-8") == "<html>my notes</html>"
    assert not list(tmp_path.glob("u_drivers_*.png"))


@pytest.mark.browser
@pytest.mark.slow
def test_both_pages_in_a_real_browser(browser, solved, uncertain):  # noqa: F811  (the fixture imported above)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    for page in (solved[1].with_suffix(".html"), uncertain[1].with_suffix(".html")):
        browser.get(page.resolve().as_uri())
        WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
        block = browser.find_element(By.ID, "how-sure")
        assert block.is_displayed() and block.size["width"] > 300
        rows = block.find_elements(By.CSS_SELECTOR, "tbody tr")
        assert rows and rows[0].find_elements(By.TAG_NAME, "td")[0].text == "Resource cost"
        # every chart decoded and drawn (an image that failed to load has no natural width)
        for img in browser.find_elements(By.CSS_SELECTOR, "img"):
            assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) > 100
    # the solve page: the block beside the headline, not under it
    browser.get(solved[1].with_suffix(".html").resolve().as_uri())
    headline = browser.find_element(By.CSS_SELECTOR, "ul.headline")
    block = browser.find_element(By.ID, "how-sure")
    assert block.location["x"] > headline.location["x"] + headline.size["width"] - 5
