"""The base case's report in a real browser: Debian's headless Chromium driven by its chromedriver.

Skipped when Chromium, chromedriver or selenium is missing, unless CORRIDOR_REQUIRE_BROWSER=1 (as
.ci/run sets it), when it fails instead. The binaries are named explicitly, so Selenium Manager
downloads nothing.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from map_cases import distinct_colours
from PIL import Image

from model.report.maps.data import map_data, report_data
from model.report.maps.files import write_report
from model.report.output import Outputs
from model.results.maps import map_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # a real Chromium: left out of the fast loop

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000")


def missing() -> list[str]:
    out = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        out.append("the selenium package")
    return out


@pytest.fixture
def browser(monkeypatch):
    lacking = missing()
    if lacking:
        reason = ("the browser test needs " + ", ".join(lacking)
                  + " (apt-get install -y chromium chromium-driver; pip install -e '.[dev]')")
        if os.environ.get("CORRIDOR_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; CORRIDOR_REQUIRE_BROWSER=1 makes this a failure")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # belt and braces: Selenium Manager stays offline
    with tempfile.TemporaryDirectory(prefix="corridor-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def test_the_base_case_report_in_a_real_browser(browser, base_run, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    started = time.perf_counter()
    tables = map_of(base_run.plan, base_run.results)
    data = report_data(map_data(tables), base_run.results.sheets())
    page = tmp_path / "base_case_result.html"
    with Outputs("report") as outputs:
        write_report(outputs, tables, base_run.results.sheets(), page)
    browser.get(page.resolve().as_uri())
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")

    # No error in the console (a script error, a failed load).
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []

    # One drawn path per used leg, as the report's own data lists them (87 on the base case with seasons: 82 and
    # the 5 legs of Karachi via Turkmenistan, which carries Pakistan's winter tonnes while Khunjerab is closed).
    legs = browser.find_elements(By.CSS_SELECTOR, "path.leg")
    assert len(legs) == len(data.legs) == 87
    buttons = browser.find_elements(By.CSS_SELECTOR, "button.corr")
    assert [b.get_attribute("data-corridor") for b in buttons] == [c.corridor for c in data.corridors]

    # The screenshot is a picture, not a blank page.
    shot = tmp_path / "shot.png"
    browser.save_screenshot(str(shot))
    with Image.open(shot) as im:
        assert im.size[0] >= 1000
    assert distinct_colours(shot) > 500

    # Point at the leg from Lianyungang to East Africa (long, across open sea): a tooltip appears,
    # the leg under the pointer's own text, with its tonnes and cost per tonne. The leg follows the
    # sea lanes, so the pointer goes to the middle of the line, not of its bounding box.
    tip = browser.find_element(By.ID, "tip")
    assert not tip.is_displayed()
    leg = browser.find_element(By.CSS_SELECTOR, 'path.leg[data-leg="LYG>MEA"]')
    dx, dy = browser.execute_script(
        "var el = arguments[0], p = el.getPointAtLength(el.getTotalLength() / 2).matrixTransform(el.getScreenCTM());"
        "var r = el.getBoundingClientRect(); return [p.x - (r.left + r.width / 2), p.y - (r.top + r.height / 2)];", leg)
    ActionChains(browser).move_to_element_with_offset(leg, round(dx), round(dy)).perform()
    WebDriverWait(browser, 5).until(lambda d: tip.is_displayed())
    hovered = browser.find_element(By.CSS_SELECTOR, "path.leg.hover")
    assert tip.text.splitlines() == hovered.get_attribute("data-tip").splitlines()
    entry = next(x for x in data.legs if x.leg == hovered.get_attribute("data-leg")
                 and x.corridor == hovered.get_attribute("data-corridor"))
    assert f"{entry.tonnes_t / 1e6:.2f} Mt/yr on this leg" in tip.text
    assert f"{entry.cost_usd_per_t:.2f} USD/t average route resource cost" in tip.text

    # Click a corridor in the legend: its legs are highlighted, the others dimmed; again: cleared.
    def classes() -> list[tuple[str, set[str]]]:
        return [(el.get_attribute("data-corridor"), set(el.get_attribute("class").split())) for el in legs]

    middle = next(b for b in buttons if b.get_attribute("data-corridor") == "Middle Corridor")
    middle.click()
    picked = [c for name, c in classes() if name == "Middle Corridor"]
    others = [c for name, c in classes() if name != "Middle Corridor"]
    assert len(picked) == sum(x.corridor == "Middle Corridor" for x in data.legs) > 0
    assert all("hl" in c for c in picked) and all("dim" in c for c in others)
    bands = browser.find_elements(By.CSS_SELECTOR, "path.leg-full")  # full legs' red bands, none on the Middle Corridor
    assert bands and all("dim" in el.get_attribute("class").split() for el in bands)
    middle.click()
    assert not any("dim" in c or "hl" in c for _, c in classes())
    print(f"browser test body: {time.perf_counter() - started:.2f} s")
