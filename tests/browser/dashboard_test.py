"""The dashboards driven in a real browser (headless Chromium through WebDriver), against the real binaries.

Started by tests/browser/run.sh, which installs Chromium, its driver and selenium first. The servers run on
free ports; the gateway tries a callback only twice, so a refused one is dead-lettered quickly. Checks:
a sale started by the scripted client appears in the list without a reload; its diagram shows the steps that
happened; a message opens from its arrow; Replay on a dead-lettered callback delivers it; the pages request
nothing from any other host; HTML and script in every free-text field are shown as text and never run; the
pages fit a 412-pixel-wide screen. With --screenshots DIR it saves dashboard.png and sale.png there.

Prints one line per check and "N passed, N failed"; exits non-zero when a check failed.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
WAIT = 20  # seconds any one thing may take to appear


def binary(name):
    directory = Path(os.environ.get("CONNPAY_BIN_DIR", ROOT / "target" / "debug"))
    path = directory / name
    if not path.exists():
        sys.exit(f"{path} is missing: run `cargo build --workspace --bins` first")
    return str(path)


def start(args, log):
    """Starts a server and returns it with its base URL, read from its first stdout line."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        sys.exit(f"{args[0]} did not start: {line!r}")
    return process, line.removeprefix("listening on ")


def servers(work, log):
    party, party_url = start([binary("party-server"), "--listen", "127.0.0.1:0"], log)
    config = work / "gateway.toml"
    config.write_text(
        f"""
[timings]
check_timeout_ms = 2000
unknown_timeout_ms = 2000
callback_retry = {{ attempts = 2, first_delay_ms = 50, max_delay_ms = 100 }}
notification_retry = {{ attempts = 3, first_delay_ms = 50, max_delay_ms = 100 }}

[[endpoint]]
id = "1234"
control_key = "3F2A1B4C-5D6E-4F70-8192-A3B4C5D6E7F8"
party_url = "{party_url}"
"""
    )
    gateway, gateway_url = start(
        [binary("connpay-gateway"), "--listen", "127.0.0.1:0", "--config", str(config)], log
    )
    return [party, gateway], gateway_url, party_url


def play(scenario, gateway_url, party_url):
    result = subprocess.run(
        [binary("mobile-client"), "run", scenario if "/" in scenario else str(SCENARIOS / scenario),
         "--gateway", gateway_url, "--party", party_url],
        capture_output=True, text=True, cwd=ROOT,
    )
    return result.stdout


def browser(work):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={work / 'profile'}", "--window-size=1280,1000"]:
        options.add_argument(flag)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


class Checks:
    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, name, test):
        try:
            test()
            self.passed += 1
            print(f"PASS  {name}", flush=True)
        except Exception as error:  # a failed check is reported, the others still run
            self.failed += 1
            print(f"FAIL  {name}: {type(error).__name__}: {error}", flush=True)


def wait_for(driver, condition, what):
    # A live refresh may swap an element between finding and using it: look again.
    waiting = WebDriverWait(driver, WAIT, ignored_exceptions=[StaleElementReferenceException])
    return waiting.until(lambda d: condition(d), message=f"waiting for {what}")


def click(driver, xpath, what):
    """Clicks the element at `xpath`, found afresh if a live refresh replaced it."""
    wait_for(driver, lambda d: d.find_element(By.XPATH, xpath).click() or True, what)


def live(driver):
    wait_for(driver, lambda d: d.find_element(By.ID, "live-status").text == "live", "the live stream")


def same_origin_only(driver):
    origin = driver.execute_script("return location.origin")
    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".concat(performance.getEntriesByType('navigation').map(e => e.name))"
    )
    others = [name for name in names if not name.startswith(origin)]
    assert not others, f"requests to other hosts: {others}"
    assert names, "no request was seen at all"


def run(screenshots):
    checks = Checks()
    with tempfile.TemporaryDirectory() as scratch, open(Path(scratch) / "servers.log", "w") as log:
        work = Path(scratch)
        processes, gateway_url, party_url = servers(work, log)
        driver = browser(work)
        try:
            scenario(driver, checks, gateway_url, party_url, screenshots)
        finally:
            driver.quit()
            for process in processes:
                process.terminate()
                process.wait(timeout=10)
    print(f"{checks.passed} passed, {checks.failed} failed", flush=True)
    return checks.failed == 0


def scenario(driver, checks, gateway_url, party_url, screenshots):
    state = {}

    def sale_appears_without_reload():
        driver.get(f"{gateway_url}/")
        live(driver)
        driver.execute_script("window.__sameDocument = 'yes'")
        play(str(ROOT / "scenarios" / "03-3ds-approved.toml"), gateway_url, party_url)
        wait_for(driver, lambda d: "APPROVED" in d.find_element(By.ID, "sales").text, "the approved sale")
        assert driver.execute_script("return window.__sameDocument") == "yes", "the page was reloaded"
        state["invoice"] = wait_for(
            driver, lambda d: d.find_element(By.CSS_SELECTOR, "#sales tr[data-invoice]").get_attribute("data-invoice"),
            "the sale's invoice id")

    def diagram_shows_the_steps():
        click(driver, f"//a[text()='{state['invoice']}']", "the sale's link")
        live(driver)
        steps = ["2 Request access token", "4 Initiate sale request", "6 Perform sale request",
                     "8 Check sale request", "13 Open browser on redirectUrl", "16 3DS status update",
                     "19 Sale card mapping notification request", "21 Sale status request",
                     "23 Callback with final status"]
        labels = wait_for(driver, lambda d: d.find_element(By.ID, "diagram").text, "the diagram")
        missing = [step for step in steps if step not in labels]
        assert not missing, f"{missing} not drawn in {labels!r}"
        if screenshots:
            driver.set_window_size(1000, 1900)
            driver.save_screenshot(str(screenshots / "sale.png"))
            driver.set_window_size(1280, 1000)

    def a_message_opens_from_its_arrow():
        arrow = "//*[local-name()='a'][.//*[local-name()='text'][contains(., '6 Perform sale request')]]"
        target = wait_for(driver, lambda d: d.execute_script(
            "return arguments[0].getAttribute('href')", d.find_element(By.XPATH, arrow)), "the arrow").split("#")[1]
        wait_for(driver, lambda d: d.execute_script(
            "arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true})); return true",
            d.find_element(By.XPATH, arrow)), "a click on the arrow")
        wait_for(driver, lambda d: d.find_element(By.ID, target).get_attribute("open") is not None, "the message to open")
        text = wait_for(driver, lambda d: d.find_element(By.ID, target).text, "the message's text")
        assert "411111******1111" in text and "4111111111111111" not in text, text
        assert "content-type" in text, "the headers are shown"

    def replay_delivers_a_dead_letter():
        driver.get(f"{gateway_url}/sandbox/")
        live(driver)
        play("dead-letter.toml", gateway_url, party_url)
        wait_for(driver, lambda d: "dead-lettered" in d.find_element(By.ID, "sales").text, "a dead-lettered callback")
        click(driver, "//tr[td[contains(., 'SN-BROWSER-DEAD')]]//a", "the dead-lettered sale's link")
        live(driver)
        click(driver, "//article[@data-state='dead-lettered']//button[@class='replay']", "Replay")
        live(driver)
        wait_for(driver, lambda d: d.find_elements(By.XPATH, "//article[h4[contains(., 'callback')]][@data-state='delivered']"),
                 "the replayed callback delivered")
        if screenshots:
            play(str(ROOT / "scenarios" / "07-declined-expired-card.toml"), gateway_url, party_url)
            driver.get(f"{gateway_url}/sandbox/")
            wait_for(driver, lambda d: "DECLINED" in d.find_element(By.ID, "sales").text, "the declined sale")
            driver.save_screenshot(str(screenshots / "dashboard.png"))

    def no_request_leaves_the_gateway():
        same_origin_only(driver)
        driver.get(f"{party_url}/sandbox/")
        same_origin_only(driver)

    def hostile_text_is_shown_and_never_run():
        play("hostile-text.toml", gateway_url, party_url)
        for page in [f"{gateway_url}/sandbox/", f"{party_url}/sandbox/"]:
            driver.get(page)
            live(driver)
            wait_for(driver, lambda d: "<img src=x onerror=window.__xss=1>" in d.find_element(By.TAG_NAME, "body").text,
                     f"the serial shown as text on {page}")
            driver.execute_script("document.querySelectorAll('details.message').forEach(d => d.open = true)")
            assert driver.execute_script("return window.__xss") is None, f"script ran on {page}"
            assert not driver.find_elements(By.CSS_SELECTOR, "main img, main b, main svg:not(.diagram)"), "markup was rendered"
        driver.get(f"{gateway_url}/sandbox/")
        click(driver, "//tr[td[contains(., 'onerror')]]//a", "the hostile sale's link")
        live(driver)
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "<script>window.__xss=2</script>@example.com" in body, "the e-mail shown as text"
        assert driver.execute_script("return window.__xss") is None, "script ran on the sale page"

    def pages_fit_a_phone():
        driver.set_window_size(412, 900)
        for page in [f"{gateway_url}/sandbox/", f"{party_url}/sandbox/"]:
            driver.get(page)
            width = driver.execute_script("return document.documentElement.scrollWidth")
            assert width <= 412, f"{page} is {width}px wide"
        driver.set_window_size(1280, 1000)

    checks.check("a sale started by the scripted client appears in the list without a reload", sale_appears_without_reload)
    checks.check("its diagram shows the steps that happened", diagram_shows_the_steps)
    checks.check("a message opens from its arrow, card masked, headers shown", a_message_opens_from_its_arrow)
    checks.check("Replay on a dead-lettered callback delivers it", replay_delivers_a_dead_letter)
    checks.check("the pages request nothing from any other host", no_request_leaves_the_gateway)
    checks.check("HTML and script in every free-text field are shown as text and never run", hostile_text_is_shown_and_never_run)
    checks.check("the dashboards fit a 412-pixel-wide screen", pages_fit_a_phone)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", type=Path, help="save dashboard.png and sale.png into this directory")
    arguments = parser.parse_args()
    if arguments.screenshots:
        arguments.screenshots.mkdir(parents=True, exist_ok=True)
    sys.exit(0 if run(arguments.screenshots) else 1)
