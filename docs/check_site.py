"""Check the built documentation site in a real browser: headless Chromium, no other tools.

Usage::

    mkdocs build --strict --site-dir site
    python docs/check_site.py site --screenshots build/site-screenshots

It serves the site over http on a free local port (Material's search works only over
http: opened from ``file://`` it stays on "Initializing search"), opens every page in
headless Chromium at a 1280 px wide window and checks, from inside the page:

* the page renders: it has a title and text, it raised no JavaScript error, and every
  file it asked the server for exists;
* every figure (``figures/*.svg``) loaded, and the labels of each one with text
  elements (the graphs) are drawn at least `MIN_LABEL_PX` pixels high at the size the
  page shows it: the SVG's font size times the scale the page applies, from the width
  the browser drew it at. It also reports whether each links to its own SVG (zoomable);
  a zoomable figure with smaller labels still fails;
* the search works: on the home page and on a nested page (whose path to the index
  differs), typing a word (the ``?q=`` address Material fills the search box from) lists
  results, so search/search_index.json was served and the search worker started.

It then takes screenshots of the pages in `KEY_PAGES` into the
``--screenshots`` folder. The browser is found as ``chromium`` (Debian's package: ``apt-get
install chromium``), ``chromium-browser``, ``google-chrome`` or ``--browser PATH``.

Exit status: 0 when every check passed, 1 listing each failure, 2 when no browser is
installed. .ci/run runs it on the site it builds; tests/test_docs_site.py runs `check` on
the pages with figures.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Sequence

MIN_LABEL_PX = 11.0  # the smallest label a figure may show, unless it is zoomable
WINDOW = (1280, 900)  # the reference: a 1280 px wide browser window
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SEARCH_PAGES = ("", "tutorial/drawing-graphs/")  # the home page and a nested one
SEARCH_WORD = "Goldstein"
# Screenshots, each of the whole page: the first pages a newcomer opens, and the figures.
KEY_PAGES = ("", "getting-started/", "tutorial/drawing-graphs/", "tutorial/higher-order/",
             "how-to/render-graphs/", "tutorial/gradient-descent/")
MAX_SHOT_HEIGHT = 16000
PAGE_TIMEOUT_S = 30.0

_PROBE_PATH = "/__fgrad_probe__.js"
_REPORT_PATH = "/__fgrad_report__"

# Injected at the top of every page the check server sends: it records JavaScript errors
# from the start, and once the page has loaded (and, when asked, the search has answered)
# reports what it sees to the server, which answers with the next page to open.
_PROBE_JS = r"""
(() => {
  const errors = [];
  addEventListener("error", e => errors.push(String(e.message || e.type) + " " + (e.filename || "")));
  addEventListener("unhandledrejection", e => errors.push("unhandled rejection: " + String(e.reason)));
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  async function search(word) {
    // Material fills the search box from ?q=; wait for the worker's answer.
    for (let t = 0; t < 150; t++) {
      const meta = document.querySelector(".md-search-result__meta");
      const items = document.querySelectorAll(".md-search-result__item").length;
      if (items > 0) return {meta: meta ? meta.textContent : null, results: items};
      await sleep(100);
    }
    const meta = document.querySelector(".md-search-result__meta");
    return {meta: meta ? meta.textContent : null, results: 0};
  }
  async function labelPx(img, width) {
    // The SVG's smallest font size (times Graphviz's scale of the drawing) at the drawn
    // width; null for a picture without text elements (matplotlib draws text as paths).
    const svg = new DOMParser().parseFromString(await (await fetch(img.src)).text(), "image/svg+xml")
      .documentElement;
    const sizes = [...svg.querySelectorAll("text")].map(t => Number(t.getAttribute("font-size") || 14));
    if (!sizes.length) return null;
    const drawing = svg.querySelector("g");
    const scale = /scale\(([\d.]+)/.exec(drawing ? drawing.getAttribute("transform") || "" : "");
    const viewBox = svg.getAttribute("viewBox").trim().split(/[\s,]+/).map(Number);
    return Math.min(...sizes) * (scale ? Number(scale[1]) : 1) * width / viewBox[2];
  }
  async function report() {
    await sleep(50);  // let Material's own load handlers run first
    const images = [...document.querySelectorAll("img")]
      .filter(img => /\/figures\/[^/]+\.svg$/.test(new URL(img.src).pathname));
    const figures = await Promise.all(images.map(async img => {
      const r = img.getBoundingClientRect();
      const link = img.closest("a");
      const box = img.parentElement;
      return {
        src: new URL(img.src).pathname, width: r.width, height: r.height,
        labelPx: await labelPx(img, r.width),
        loaded: img.complete && img.naturalWidth > 0,
        zoomable: !!link && new URL(link.href).pathname === new URL(img.src).pathname,
        scrolls: box.scrollWidth > box.clientWidth + 1,
        boxHeight: box.getBoundingClientRect().height,
      };
    }));
    const params = new URLSearchParams(location.search);
    const article = document.querySelector(".md-content article, .md-content");
    const body = {
      page: location.pathname + location.search,
      title: document.title,
      h1: (document.querySelector("h1") || {}).textContent || null,
      text: article ? article.innerText.length : 0,
      scrollHeight: document.documentElement.scrollHeight,
      figures,
      search: params.has("q") ? await search(params.get("q")) : null,
      errors,
    };
    const answer = await fetch("__REPORT__", {method: "POST", body: JSON.stringify(body)});
    const {next} = await answer.json();
    if (next) location.href = next;
  }
  addEventListener("load", () => { report().catch(e => errors.push(String(e))); });
})();
""".replace("__REPORT__", _REPORT_PATH)


# ---------------------------------------------------------------- the server
class _Server(http.server.ThreadingHTTPServer):
    """Serves the site, injecting the probe into every page and collecting its reports."""

    daemon_threads = True

    def __init__(self, site: Path) -> None:
        handler = functools.partial(_Handler, directory=str(site))
        super().__init__(("127.0.0.1", 0), handler)
        self.site = site
        self.queue: list[str] = []  # addresses still to open, in order
        self.reports: dict[str, dict[str, Any]] = {}
        self.missing: list[tuple[str, str]] = []  # (requested path, referring page)
        self.lock = threading.Lock()
        self.reported = threading.Condition(self.lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # quiet; failures are collected instead

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404:
            with self.server.lock:
                self.server.missing.append((self.path, self.headers.get("Referer", "")))
        super().send_error(code, message, explain)

    def do_GET(self) -> None:
        if self.path == _PROBE_PATH:
            return self._send(_PROBE_JS.encode(), "text/javascript")
        local = Path(self.translate_path(self.path))
        if local.is_dir() and self.path.split("?")[0].endswith("/"):
            local = local / "index.html"
        if local.suffix == ".html" and local.is_file():
            html = local.read_text(encoding="utf-8")
            html = html.replace("<head>", f'<head><script src="{_PROBE_PATH}"></script>', 1)
            return self._send(html.encode(), "text/html; charset=utf-8")
        return super().do_GET()

    def do_POST(self) -> None:
        if self.path != _REPORT_PATH:
            return self.send_error(404)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.reports[body["page"]] = body
            nxt = "/" + self.server.queue.pop(0) if self.server.queue else None
            self.server.reported.notify_all()
        self._send(json.dumps({"next": nxt}).encode(), "application/json")

    def _send(self, data: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


# ---------------------------------------------------------------- the browser
def find_browser(explicit: str | None = None) -> str | None:
    """The Chromium (or Chrome) executable: `explicit`, $FGRAD_CHROMIUM, or the first on PATH."""
    for name in (explicit, os.environ.get("FGRAD_CHROMIUM"), *BROWSERS):
        if name and (path := shutil.which(name)):
            return path
    return None


def _browser_args(browser: str, profile: str, window: tuple[int, int]) -> list[str]:
    args = [browser, "--headless", "--disable-gpu", "--mute-audio",
            "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}",
            f"--window-size={window[0]},{window[1]}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return args


def _visit(server: _Server, browser: str, addresses: list[str], window: tuple[int, int]) -> None:
    """Open `addresses` one after another in one browser; a page that never reports is
    recorded as failed and the browser restarted at the next one."""
    pending = list(addresses)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:  # (Chromium's helpers may still write)
        while pending:
            with server.lock:
                server.queue[:] = pending[1:]
            proc = subprocess.Popen([*_browser_args(browser, profile, window), server.url + pending[0]],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                while pending:
                    with server.lock:
                        server.reported.wait_for(lambda: _key(pending[0]) in server.reports,
                                                 timeout=PAGE_TIMEOUT_S)
                        if _key(pending[0]) not in server.reports:
                            server.reports[_key(pending[0])] = {"timeout": True}
                            pending.pop(0)
                            break
                    pending.pop(0)
            finally:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def _key(address: str) -> str:
    return "/" + address


def screenshot(browser: str, url: str, path: Path, window: tuple[int, int] = (WINDOW[0], 2000),
               wait_ms: int = 3000) -> None:
    """A screenshot of `url` to `path` (PNG), after `wait_ms` of (virtual) time.

    Headless Chromium's ``--screenshot`` shows the top of the page, and a blank one when
    the page is scrolled (to a ``#section``), so a whole page is shot in a window as tall
    as the page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:  # (Chromium's helpers may still write)
        subprocess.run([*_browser_args(browser, profile, window), f"--screenshot={path}",
                        f"--virtual-time-budget={wait_ms}", url],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=True)


# ---------------------------------------------------------------- the checks
def site_pages(site: Path) -> list[str]:
    """Addresses of the site's pages relative to its root (``""`` is the home page)."""
    nested = (index.parent.relative_to(site).as_posix() + "/" for index in site.rglob("index.html"))
    return [""] + sorted(page for page in nested if page != "./")


def check(site: str | os.PathLike[str], pages: Iterable[str] | None = None, *, browser: str | None = None,
          search: Sequence[str] = SEARCH_PAGES, window: tuple[int, int] = WINDOW
          ) -> tuple[list[str], list[dict], dict[str, int]]:
    """Open `pages` (default: all) of the built `site` in headless Chromium.

    Returns the failures (empty when all is well), one record per figure drawn (page,
    figure, drawn width, label height in pixels, zoomable, scrolls), and each page's
    height in a window tall enough to show it whole (its figures' boxes, limited to the
    window's height, then show all of each figure).
    """
    site = Path(site)
    browser = find_browser(browser)
    if browser is None:
        raise FileNotFoundError(f"no Chromium found (tried {', '.join(BROWSERS)}; Debian: apt-get install chromium)")
    pages = list(site_pages(site) if pages is None else pages)
    addresses = pages + [f"{p}?q={SEARCH_WORD}" for p in search]
    server = _Server(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _visit(server, browser, addresses, window)
    finally:
        server.shutdown()
        server.server_close()

    failures: list[str] = []
    measured: list[dict] = []
    heights: dict[str, int] = {}
    for address in addresses:
        report = server.reports.get(_key(address), {"timeout": True})
        where = _key(address)
        if report.get("timeout"):
            failures.append(f"{where}: did not finish loading within {PAGE_TIMEOUT_S:.0f} s")
            continue
        if not report["h1"] or report["text"] < 20:
            failures.append(f"{where}: rendered no title or no text")
        failures += [f"{where}: JavaScript error: {e}" for e in report["errors"]]
        heights[address] = int(report["scrollHeight"] + sum(f["height"] - f["boxHeight"] for f in report["figures"]))
        if "?q=" in address:
            if report["search"]["results"] < 1:
                failures.append(f"{where}: the search for {SEARCH_WORD!r} listed nothing "
                                f"(it says {report['search']['meta']!r})")
            continue
        for fig in report["figures"]:
            name = fig["src"].rsplit("/", 1)[1]
            px = fig["labelPx"]
            measured.append({"page": where, "figure": name, "width": round(fig["width"], 1),
                             "label_px": None if px is None else round(px, 1), "zoomable": fig["zoomable"],
                             "scrolls": fig["scrolls"]})
            if not fig["loaded"]:
                failures.append(f"{where}: figure {name} did not load")
            elif px is not None and px < MIN_LABEL_PX:
                # Stricter than "readable or zoomable": a figure one must click to read is
                # what docs/figures.py's min-width exists to prevent.
                failures.append(f"{where}: figure {name}'s labels are {px:.1f} px high as drawn "
                                f"({fig['width']:.0f} px wide), under {MIN_LABEL_PX:g} px")
    failures += [f"{referrer or '?'} asked for {path}, which the site does not have" for path, referrer in server.missing]
    return failures, measured, heights


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build --site-dir)")
    parser.add_argument("--screenshots", type=Path, help="folder for screenshots of the key pages")
    parser.add_argument("--browser", help="Chromium executable (default: found on PATH)")
    parser.add_argument("--pages", nargs="*", help="pages to check, relative to the site (default: all)")
    args = parser.parse_args(argv)
    browser = find_browser(args.browser)
    if browser is None:
        print(f"check_site: no Chromium found (tried {', '.join(BROWSERS)}); "
              "Debian/Ubuntu: apt-get install chromium", file=sys.stderr)
        return 2
    start = time.monotonic()
    failures, measured, heights = check(args.site, args.pages, browser=browser)
    pages = len(args.pages) if args.pages is not None else len(site_pages(args.site))
    for m in measured:
        labels = "no text elements" if m["label_px"] is None else f"labels {m['label_px']:5.1f} px"
        print(f"{m['page']:<32} {m['figure']:<26} {m['width']:7.1f} px wide, {labels}"
              f"{', zoomable' if m['zoomable'] else ''}{', scrolls' if m['scrolls'] else ''}")
    if args.screenshots:
        with _served(args.site) as url:
            for page in KEY_PAGES:
                height = min(heights.get(page, 2000), MAX_SHOT_HEIGHT)
                screenshot(browser, url + page, args.screenshots / _shot_name(page), (WINDOW[0], height))
        print(f"screenshots in {args.screenshots}")
    print(f"check_site: {pages} pages, {len(measured)} figures, search on {len(SEARCH_PAGES)} pages, "
          f"{time.monotonic() - start:.0f} s: " + (f"{len(failures)} failures" if failures else "all good"))
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


def _shot_name(page: str) -> str:
    """tutorial/higher-order/ -> tutorial-higher-order.png"""
    return (page.strip("/").replace("/", "-") or "home") + ".png"


class _served:
    """The site served over http for the length of a `with` block (its URL)."""

    def __init__(self, site: Path) -> None:
        self.server = _Server(site)

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.server.url

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    sys.exit(main())
