"""End to end in a real headless Chromium (Debian's package, driven by Playwright).

The dashboard runs under uvicorn on a free loopback port in a background thread; the browser
launches a small run from the form, follows its progress, opens the results, checks that Vega drew
the charts and that the downloads are the stored files, switches language, and saves a
screenshot under pytest's temporary folder.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason="Debian's chromium is not installed at /usr/bin/chromium "
    "(.ci/run installs it with apt-get install chromium)",
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The dashboard over an empty results root, served on a free loopback port."""
    import uvicorn

    from oclab.web.app import create_app

    root = tmp_path / "out"
    port = _free_port()
    config = uvicorn.Config(create_app(root), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", root
    uv.should_exit = True
    thread.join(15)


def test_launch_run_chart_download_and_language(server: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, root = server
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(
                accept_downloads=True, viewport={"width": 1200, "height": 900}
            )
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))

            page.goto(f"{base}/run?lang=en")
            page.fill("input[name=name]", "e2e")
            page.fill("input[name=recruitment]", "0.5")
            page.fill("input[name=incapacitation]", "2")
            page.fill("input[name=runs]", "2")
            page.fill("input[name=seed]", "3")
            page.click("button[type=submit]")
            expect(page.locator("#job-progress")).to_be_visible()

            # Progress is followed in the page; the run is bounded by this wait.
            page.wait_for_selector("#job-open", state="visible", timeout=120_000)
            progress = page.locator("#job-progress")
            assert progress.get_attribute("value") == progress.get_attribute("max")
            page.click("#job-open")

            page.wait_for_selector("#chart[data-rendered=true] svg", timeout=30_000)
            page.wait_for_selector("#compare-chart[data-rendered=true] svg", timeout=30_000)
            assert page.locator("#chart svg path").count() >= 3  # bands, lines, restart rule
            assert page.locator("#compare-chart svg path").count() >= 1
            expect(page.locator("#compare-table tbody tr")).to_have_count(2)

            with page.expect_download() as download_info:
                page.click("a[href$='/files/results.parquet']")
            saved = tmp_path / "downloaded.parquet"
            download_info.value.save_as(saved)
            assert saved.read_bytes() == (root / "e2e" / "results.parquet").read_bytes()
            assert pl.read_parquet(saved).height > 0

            with page.expect_download() as download_info:
                page.click("#download-selection")
            rows = pl.read_csv(download_info.value.path())
            assert set(rows["outcome"]) == {"members"} and rows.height > 0

            page.click("a[hreflang=es]")
            expect(page.locator("h2").first).to_have_text("Explorar")
            page.wait_for_selector("#chart[data-rendered=true] svg", timeout=30_000)

            screenshot = tmp_path / "dashboard.png"
            page.screenshot(path=str(screenshot), full_page=True)
            print(f"\nscreenshot of the dashboard: {screenshot}")
            assert screenshot.stat().st_size > 10_000

            # The Spanish report prints to PDF through the browser (its print stylesheet).
            page.goto(f"{base}/studies/e2e/report.html?lang=es")
            expect(page.locator("#methods h2")).to_have_text("Métodos")
            pdf = tmp_path / "informe.pdf"
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4")
            print(f"report printed to PDF: {pdf}")
            assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000
        finally:
            browser.close()
    assert errors == []
    # Everything came from this server: the vega builds are bundled, nothing is fetched elsewhere.
    assert requests and all(url.startswith(base) for url in requests), requests
