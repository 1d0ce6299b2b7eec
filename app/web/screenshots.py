"""Take the README's screenshots of the web page with Playwright and Debian's Chromium.

    .venv/bin/python -m app.web.screenshots            # starts its own server on a free port
    .venv/bin/python -m app.web.screenshots --url http://127.0.0.1:8000

Writes docs/web-ask.png, docs/web-overview.png, docs/web-timeline.png, docs/web-map.png,
docs/web-query.png, docs/web-see.png and docs/web-narrow.png. A
maintainer's tool, not part of the server: it needs the `test` extra (playwright).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from app.settings import REPO_ROOT

DOCS = REPO_ROOT / "docs"
CHROMIUM = "/usr/bin/chromium"
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


@contextmanager
def serving(url: str | None) -> Iterator[str]:
    """The given server, or one of our own on a free loopback port for the time of the shots."""
    if url:
        yield url.rstrip("/")
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def take(base: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright  # the test extra

    out.mkdir(exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})

        page.goto(base + "/#ask/partners-covering?subject=sharks")
        page.wait_for_selector("#ask-table tbody tr")
        # Sorted by the number of links, most first (the header found by its title: the columns'
        # order changes with the query), and the answer at the top: the rows are the picture.
        links = page.locator("#ask-table thead th button", has_text="Links")
        links.click()
        links.click()
        page.wait_for_selector("#ask-table thead th[aria-sort=descending]")
        page.evaluate("document.getElementById('ask-results').scrollIntoView()")
        written.append(out / "web-ask.png")
        page.screenshot(path=written[-1])

        page.goto(base + "/")
        page.wait_for_selector("#overview[data-ready=true]")
        written.append(out / "web-overview.png")
        page.locator("#overview").screenshot(path=written[-1])

        page.goto(base + "/#ask/timeline?from=2012&to=2014&_grade=stated")
        page.wait_for_selector("#ask-picture[data-drawn=true]")
        written.append(out / "web-timeline.png")
        page.locator(".answer-body").screenshot(path=written[-1])

        page.goto(base + "/#ask/activities-in-place?place=Africa&_view=map")
        page.wait_for_selector("#ask-picture[data-drawn=true]")
        written.append(out / "web-map.png")
        page.locator(".answer-body").screenshot(path=written[-1])

        page.goto(base + "/#query")
        page.wait_for_selector(".yasqe .CodeMirror")
        page.select_option("#example-query", label="Who works on sharks (down the species hierarchy)")
        page.click(".yasqe_queryButton")
        page.wait_for_selector(".yasr table tbody tr")
        page.evaluate("document.getElementById('query').scrollIntoView()")
        written.append(out / "web-query.png")
        page.screenshot(path=written[-1])

        page.goto(base + "/#see")  # the default view: around the node with the most links
        # Polled, not page.wait_for_function: that evaluates a string, which our CSP forbids.
        for _ in range(300):
            if page.evaluate("!!(window.cmskgNetwork && window.cmskgNetwork.nodes().length > 0)"):
                break
            page.wait_for_timeout(50)
        page.evaluate("document.getElementById('net-status').scrollIntoView()")
        written.append(out / "web-see.png")
        page.screenshot(path=written[-1])

        narrow = browser.new_page(viewport={"width": 375, "height": 800}, is_mobile=True)
        narrow.goto(base + "/#ask/partners-covering?subject=sharks")
        narrow.wait_for_selector("#ask-table tbody tr")
        written.append(out / "web-narrow.png")
        narrow.screenshot(path=written[-1])
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (default: start one)")
    parser.add_argument("--out", type=Path, default=DOCS)
    args = parser.parse_args()
    with serving(args.url) as base:
        for path in take(base, args.out):
            print(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)


if __name__ == "__main__":
    main()
