"""The web UI as a user sees it, in a browser: Debian's Chromium driven by Selenium (both given by path:
Selenium's manager would try the network), a short failover scenario on the end-to-end lab. The form
comes filled with the scenario's load and shows none of the harness's options; started from it, the
fault shows in the Faults tab and on the timeline page; stopped by hand, the panel says healing and
verifying, then the verdict, and links the report; run.json records the load as it ran.

Screenshots of each step go to the test's tmp directory (printed: `pytest -s` shows where).
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

import runfiles as rf
from lab.config import LabConfig
from tests.test_webui import E2E_LAB, ROOT, _free_port, _get, _until

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")  # scripts/install-system-deps.sh
SCENARIO = "tests/scenarios/quick-failover.yaml"  # 10 users at 10/s for 20 s, the master killed at 6 s
USERS = 6  # typed into the form instead of the scenario's 10: the record must say 6


def browser() -> webdriver.Chrome:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Chromium and its driver are missing: bash scripts/install-system-deps.sh (as root) installs them")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage",
                "--disable-component-update", "--no-first-run", "--window-size=1400,1000"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)


class Steps:
    """A screenshot per step, numbered, in the test's directory."""

    def __init__(self, driver, out: Path) -> None:
        self.driver, self.out, self.n = driver, out, 0
        out.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> Path:
        self.n += 1
        path = self.out / f"{self.n:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def until(what: str, probe, timeout_s: float = 60):
    return _until(what, probe, timeout_s, errors=(WebDriverException,), interval_s=0.2)


def field(driver, name: str):
    return driver.find_element(By.CSS_SELECTOR, f"input[name='{name}']")


def retype(element, text: str) -> None:
    """Replace a field's value as a user does (clear() leaves React's inputs as they were)."""
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    if text:
        element.send_keys(text)


def test_a_user_runs_a_scenario_in_the_browser(tmp_path, monkeypatch, e2e_lab_down):
    results = tmp_path / "results"
    monkeypatch.setenv("FAIRBID_HA_RESULTS", str(results))
    port = _free_port()
    ui = f"http://127.0.0.1:{port}"
    log = (tmp_path / "locust.log").open("w")
    child = subprocess.Popen([sys.executable, "-m", "locust", "-f", "locustfile.py", "--scenario", SCENARIO,
                              "--lab", E2E_LAB, "--web-host", "127.0.0.1", "--web-port", str(port)],
                             cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    driver = None
    try:
        _until("the web UI", lambda: _get(f"{ui}/stats/requests"), 120)
        driver = browser()
        steps = Steps(driver, tmp_path / "screenshots")
        print(f"\nscreenshots: {steps.out}")

        # 1. the form, filled with the scenario's load; the harness's own options are not in it
        driver.get(ui + "/")
        until("the start form", lambda: field(driver, "userCount"))
        assert field(driver, "userCount").get_attribute("value") == "10"
        assert field(driver, "spawnRate").get_attribute("value") == "10"
        driver.find_element(By.XPATH, "//*[normalize-space(text())='Advanced options']").click()
        until("the run time field", lambda: field(driver, "runTime").is_displayed())
        assert field(driver, "runTime").get_attribute("value") == "20"
        assert not driver.find_elements(By.CSS_SELECTOR, "input[name='scenario'], input[name='lab']")
        until("the panel", lambda: "no run yet" in driver.find_element(By.ID, "fairbid-panel").text)
        retype(field(driver, "userCount"), str(USERS))
        retype(field(driver, "runTime"), "")  # no time limit: the run ends by the stop button only
        assert (field(driver, "userCount").get_attribute("value"), field(driver, "runTime").get_attribute("value")) \
            == (str(USERS), "")
        steps.shot("form")

        # 2. started: the fault in the Faults & failover tab
        driver.find_element(By.XPATH, "//button[@type='submit']").click()
        started = time.monotonic()
        until("the tabs", lambda: driver.find_element(By.XPATH, "//button[contains(., 'Faults & failover')]"))
        driver.find_element(By.XPATH, "//button[contains(., 'Faults & failover')]").click()
        until("the kill in the Faults tab", lambda: driver.find_elements(
            By.XPATH, "//td[contains(., 'applied: kill')]"), 60)
        until("the failover in the Faults tab", lambda: driver.find_elements(
            By.XPATH, "//td[normalize-space(.)='+switch-master']"), 30)
        steps.shot("faults-tab")

        # 3. the timeline page: the load, the fault's band and the Sentinel events, live
        driver.get(ui + "/fairbid/timeline")
        until("the fault's band", lambda: driver.find_elements(By.CSS_SELECTOR, "#timeline svg rect.band"))
        until("the switch on the timeline", lambda: any(
            e.text == "+switch-master" for e in driver.find_elements(By.CSS_SELECTOR, "#timeline svg text.event-label")))
        assert driver.find_elements(By.CSS_SELECTOR, "#timeline svg [data-panel='rps'] path.series")
        steps.shot("timeline")

        # 4. stopped by hand: healing and verifying, then the verdict
        driver.get(ui + "/")
        stop = until("the stop button", lambda: driver.find_element(By.XPATH, "//button[normalize-space(.)='Stop']"))
        stop.click()
        stopped_after = time.monotonic() - started
        phases, shot_phase = set(), None

        def verdict():
            phase = driver.find_element(By.CSS_SELECTOR, "#fairbid-panel .fb-phase").get_attribute("data-phase")
            phases.add(phase)
            nonlocal shot_phase
            if phase in ("healing", "verifying") and shot_phase is None:
                shot_phase = steps.shot(f"panel-{phase}")
            return driver.find_elements(By.ID, "fairbid-verdict-label")
        label = until("the verdict", verdict, 120)[0].text
        assert phases & {"healing", "verifying"}, phases
        assert label in ("PASS", "FAIL"), label
        panel = driver.find_element(By.ID, "fairbid-panel").text
        assert "failover_s" in panel and "lost_acked_writes" in panel and f"{USERS} users reached" in panel
        steps.shot("verdict")

        # 5. the report links: the project's report page and report.md
        report_link = driver.find_element(By.XPATH, "//div[@id='fairbid-panel']//a[normalize-space(.)='report.md']")
        md_url = report_link.get_attribute("href")
        driver.get(driver.find_element(By.XPATH, "//div[@id='fairbid-panel']//a[.='Project report']")
                   .get_attribute("href"))
        until("the report page", lambda: driver.find_elements(By.CSS_SELECTOR, "section.fairbid .verdict"))
        assert f"Verdict: {label}" in driver.find_element(By.CSS_SELECTOR, "section.fairbid .verdict").text
        assert "kill" in driver.find_element(By.CSS_SELECTOR, "table.faults").text
        steps.shot("report-page")
        driver.get(md_url)
        assert driver.find_element(By.TAG_NAME, "body").text.startswith("# ")
        steps.shot("report-md")
        # nothing failed in any page (but the favicon a plain-text page asks for, which Locust does not serve)
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]
        assert severe == []
    finally:
        if driver is not None:
            driver.quit()
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
        log.close()

    run = next(results.glob(f"*/{rf.RUN_JSON}")).parent
    meta = json.loads((run / rf.RUN_JSON).read_text())
    as_run = meta["load_as_run"]
    assert as_run["stopped_by"] == rf.WEB_UI and as_run["users"] == USERS
    assert as_run["asked"] == {"users": USERS, "spawn_rate": 10.0, "run_time_s": None, "source": "web_ui"}
    assert abs(as_run["duration_s"] - stopped_after) < 5  # from the test's start (its observers ready first)
    assert meta["config"]["load"]["users"] == 10  # the scenario's, kept as it was
    summary = json.loads((run / rf.SUMMARY).read_text())
    assert summary["load_as_run"] == as_run
    assert "**Load as run**: 6 users reached" in (run / rf.REPORT).read_text()
    assert not (LabConfig.load(ROOT / E2E_LAB).state_dir / "state.json").exists()
