"""The site works served under a sub-path (http://host/plans/) by a plain
static web server: pages, CSS, JavaScript, search and every link stay under
/plans/ and load. The server here is a tiny handler that maps /plans/ to the
built site and answers 404 to anything else, as an intranet server with
`location /plans/ { alias …; }` would."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import NOW, ROOT, SEARCH_RESULT, search, serve_dir

PREFIX = "/plans/"
# The Content-Security-Policy the README's nginx configuration sends: the
# browser itself refuses anything from outside the site.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'")
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "data"


class SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `directory` at PREFIX only; everything else is 404, answered
    with the site's own 404.html like `error_page 404 /plans/404.html`."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        p = urlsplit(path).path
        if not p.startswith(PREFIX):
            return str(Path(self.directory) / "\0outside")  # never exists
        return super().translate_path("/" + path[len(PREFIX):])

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def serve_under_prefix(directory: Path, port: int = 0):
    return serve_dir(directory, SubPathHandler, port)


@pytest.fixture(scope="module")
def host(built_site):
    """http://127.0.0.1:<port> serving the real build under /plans/."""
    server = serve_under_prefix(built_site)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def dataset(built_site):
    return json.loads((built_site / "data" / "plans.json").read_text(encoding="utf-8"))




def record(page) -> list[tuple[str, int]]:
    """Every response the page receives: (url, status); a policy violation
    (a console message 'Refused to …') fails the test."""
    seen: list[tuple[str, int]] = []
    page.on("response", lambda r: seen.append((r.url, r.status)))
    page.on("console", lambda m: seen.append((f"CSP: {m.text}", 999)) if "Refused to" in m.text else None)
    return seen


def assert_all_under_prefix(seen, host):
    bad = [f"{status} {url}" for url, status in seen
           if url.startswith("CSP: ") or (url.startswith(host) and (not urlsplit(url).path.startswith(PREFIX) or status >= 400))]
    assert not bad, "outside /plans/ or failed:\n" + "\n".join(bad)


def test_pages_css_and_js_work_under_a_sub_path(page, host, dataset):
    seen = record(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    plan = dataset["plans"][0]
    for url in ["", plan["url"]]:
        response = page.goto(f"{host}{PREFIX}{url}", wait_until="load")
        assert response.ok, url
        page.wait_for_load_state("networkidle")
        # the theme's stylesheet is applied: the header is sticky, not static
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
        # the site's own stylesheet and script were loaded
        assert any(u.endswith("assets/stylesheets/site.css") for u, _ in seen)
        assert any(u.endswith("assets/javascripts/site.js") for u, _ in seen)
    assert plan["title"][:8] in page.inner_text("body")
    # the theme's JavaScript runs: search (its index and worker fetched from
    # under the sub-path) answers, a Chinese word or at least an ASCII one
    word = plan["actions"][0]["tasks"][0]["title"][:4]
    assert search(page, word) or search(page, "json"), "the search does not answer under /plans/"
    # and a result leads to a page under the sub-path
    page.locator(f"{SEARCH_RESULT} a").first.click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path.startswith(PREFIX), page.url
    assert not errors, errors
    assert_all_under_prefix(seen, host)


def test_every_link_stays_under_the_sub_path(page, host, built_site, dataset):
    """Every link and asset on the home page, the plans index, a plan page
    and (when built) a department page and the timeline resolves under
    /plans/ and loads."""
    plan = dataset["plans"][0]
    pages = ["", "plans/", plan["url"]]
    for extra in [dataset["departments"][0]["url"] if dataset["departments"] else None, "timeline/"]:
        if extra and (built_site / extra / "index.html").exists():
            pages.append(extra)
    targets: set[str] = set()
    for url in pages:
        page.goto(f"{host}{PREFIX}{url}", wait_until="load")
        targets |= set(page.evaluate(
            """() => [...document.querySelectorAll('a[href], link[href], script[src], img[src]')]
                   .map(e => e.href || e.src)"""
        ))
    local = {t.split("#")[0] for t in targets if t.startswith(host)}
    outside_prefix = sorted(t for t in local if not urlsplit(t).path.startswith(PREFIX))
    assert not outside_prefix, "links that leave /plans/:\n" + "\n".join(outside_prefix)
    failed = []
    for t in sorted(local):
        r = page.request.get(t)
        if r.status != 200:
            failed.append(f"{r.status} {t}")
    assert not failed, "\n".join(failed)
    assert len(local) > 10


def test_404_page_works_under_a_sub_path(page, tmp_path):
    """Built with SITE_URL set to the published address, the 404 page (served
    for any missing address, like nginx's error_page) loads its CSS and links
    back into /plans/."""
    server = serve_under_prefix(tmp_path / "site")
    try:
        host = f"http://127.0.0.1:{server.server_address[1]}"
        data = tmp_path / "data"
        shutil.copytree(FIXTURE, data)
        result = run_build_with(tmp_path / "site", data, {"SITE_URL": f"{host}{PREFIX}"})
        assert result.returncode == 0, result.stderr
        seen = record(page)
        response = page.goto(f"{host}{PREFIX}no/such/page/", wait_until="load")
        assert response.status == 404
        page.wait_for_load_state("networkidle")
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
        home = page.evaluate("document.querySelector('a.md-header__button.md-logo, a.md-logo').href")
        assert urlsplit(home).path.startswith(PREFIX), home
        assets = [(u, s) for u, s in seen if not u.endswith("/no/such/page/")]
        assert_all_under_prefix(assets, host)
    finally:
        server.shutdown()


def run_build_with(site: Path, data: Path, env: dict):
    return subprocess.run(
        [sys.executable, "-m", "scripts", "--data", str(data), "build", "--site-dir", str(site)],
        cwd=ROOT, env={**os.environ, "NOW": NOW, "NO_MKDOCS_2_WARNING": "1", **env},
        capture_output=True, text=True,
    )
