"""The README's "Deploying on an intranet", done as written on a real nginx:
the site built with the README's SITE_URL, published with the README's own
mkdir/rsync block (only /srv/www moved to a temporary folder), served by
Debian's nginx.conf with the README's server block (only `listen 80` moved to
a loopback port). Then, over HTTP and in Chromium, what a reader gets.

Also: `make site` itself writes a site any web server user can read."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import run_build, search
from helpers_deploy import SERVER_ROOT, Nginx, readme_block

pytestmark = [pytest.mark.slow, pytest.mark.long(17)]  # builds and deploys a site of its own

PREFIX = "/plans/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def modes(tree: Path) -> tuple[set[int], set[int]]:
    """The permission bits of the folders (the root included) and files."""
    dirs, files = {stat.S_IMODE(tree.stat().st_mode)}, set()
    for dirpath, dirnames, filenames in os.walk(tree):
        dirs |= {stat.S_IMODE(os.stat(os.path.join(dirpath, d)).st_mode) for d in dirnames}
        files |= {stat.S_IMODE(os.stat(os.path.join(dirpath, f)).st_mode) for f in filenames}
    return dirs, files


def test_build_writes_a_site_a_web_server_can_read(built_site):
    """The built folder (made with mkdtemp, 0700) gets the modes of any other
    folder: 0755 folders and 0644 files under the usual umask 022."""
    umask = os.umask(0)
    os.umask(umask)
    dirs, files = modes(built_site)
    assert dirs == {0o777 & ~umask}, f"folder modes {sorted(map(oct, dirs))}"
    assert files == {0o666 & ~umask}, f"file modes {sorted(map(oct, files))}"


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """(base URL of the site on nginx, the deployed folder, plans.json)."""
    build = readme_block("sh", "make site")
    m = re.search(r"^SITE_URL=(\S+) make site$", build, re.M)
    assert m, "README: no `SITE_URL=… make site` line"
    work = tmp_path_factory.mktemp("deploy")
    result = run_build(work / "site", {"SITE_URL": m.group(1)})
    assert result.returncode == 0, result.stderr + result.stdout
    # Whatever the source modes, the README's command publishes a readable site.
    os.chmod(work / "site", 0o700)
    # A server root the web server's user can reach (pytest's folders are 0700).
    root = Path(tempfile.mkdtemp(prefix="plans-nginx-"))
    os.chmod(root, 0o755)
    try:
        deploy = readme_block("sh", "rsync -a")
        assert SERVER_ROOT in deploy
        r = subprocess.run(["bash", "-euo", "pipefail", "-c", deploy.replace(SERVER_ROOT, str(root / "www"))],
                           cwd=work, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"README's deploy block failed:\n{deploy}\n{r.stderr}"
        nginx = Nginx(readme_block("nginx", "server {"), root / "www", root / "nginx")
        messages = nginx.test_config()
        assert "[warn]" not in messages and "[emerg]" not in messages, messages
        nginx.start()
        try:
            dataset = json.loads((work / "site" / "data" / "plans.json").read_text(encoding="utf-8"))
            yield f"http://127.0.0.1:{nginx.port}{PREFIX}", root / "www" / "plans", dataset
            # nothing went wrong on the server's side (a missing file is the 404 test's)
            bad = [line for line in nginx.log().splitlines()
                   if re.search(r"\[(error|crit|alert|emerg)\]", line) and "(2: No such file or directory)" not in line]
            assert not bad, "\n".join(bad)
        finally:
            nginx.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def fetch(url: str, gzip_ok: bool = False):
    """(status, headers, body, decoded) of a GET, without following errors."""
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, headers, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, headers, body = e.code, e.headers, e.read()
    decoded = gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body
    return status, headers, body, decoded


def test_deployed_files_are_readable_whatever_the_source_modes(deployed):
    _, folder, _ = deployed
    dirs, files = modes(folder)
    assert dirs == {0o755} and files == {0o644}, (sorted(map(oct, dirs)), sorted(map(oct, files)))


def test_content_types_gzip_and_headers(deployed):
    base, _, dataset = deployed
    plan = dataset["plans"][0]
    csp = re.search(r'Content-Security-Policy "([^"]+)"', readme_block("nginx", "server {")).group(1)
    cases = {
        "": ("text/html; charset=utf-8", True),
        plan["url"]: ("text/html; charset=utf-8", True),
        "assets/stylesheets/site.css": ("text/css; charset=utf-8", True),
        "assets/javascripts/site.js": ("application/javascript; charset=utf-8", True),
        "data/plans.json": ("application/json; charset=utf-8", True),
        plan["downloads"]["csv"]: ("text/csv; charset=utf-8", True),
        plan["downloads"]["ics"]: ("text/calendar; charset=utf-8", True),
        plan["downloads"]["xlsx"]: (XLSX, False),  # already a zip
    }
    for path, (ctype, compressed) in cases.items():
        status, headers, body, decoded = fetch(base + path, gzip_ok=True)
        assert status == 200, path
        assert headers["Content-Type"] == ctype, (path, headers["Content-Type"])
        assert (headers.get("Content-Encoding") == "gzip") == compressed, (path, headers.get("Content-Encoding"))
        assert decoded, path
        if ctype.startswith("text/html"):
            assert headers["Content-Security-Policy"] == csp
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert b"<html" in decoded[:500]
    # the dataset arrives whole: gzip or not, the same JSON
    assert json.loads(fetch(base + "data/plans.json", gzip_ok=True)[3]) == dataset


def test_404_and_redirects(deployed):
    base, _, _ = deployed
    status, headers, _, body = fetch(base + "no/such/page/")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in headers
    assert b"404" in body and b'href="/plans/assets/stylesheets/' in body, body[:300]
    # a folder without its slash: redirected, relative to the reader's host
    req = urllib.request.Request(base.rstrip("/") + "/timeline", method="GET")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as e:
        opener.open(req, timeout=10)
    assert e.value.code == 301 and e.value.headers["Location"] == "/plans/timeline/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def styled(page) -> bool:
    """Material's stylesheet applies (the header is sticky) and so does ours."""
    return page.evaluate(
        """() => getComputedStyle(document.querySelector('.md-header')).position === 'sticky'
                 && [...document.styleSheets].some(s => (s.href || '').endsWith('assets/stylesheets/site.css'))"""
    )


@pytest.mark.browser
def test_pages_open_in_chromium(deployed, browser):
    base, _, dataset = deployed
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Refused to" in m.text else None)
    try:
        plan = dataset["plans"][-1]
        task = plan["actions"][-1]["tasks"][-1]
        # a task's address, as pasted in training material: opens at the task
        response = page.goto(base + task["url"], wait_until="load")
        assert response.ok and styled(page)
        assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == task["id"]
        top = page.evaluate(f"document.getElementById({json.dumps(task['id'])}).getBoundingClientRect().top")
        assert 0 <= top < 900, top
        unit = next(d for d in dataset["departments"] if not d.get("group"))
        for url, text in [(unit["url"], unit["name"]), ("timeline/", "时间表"), ("", "")]:
            response = page.goto(base + url, wait_until="load")
            assert response.ok and styled(page), url
            assert text in page.inner_text("h1"), url
        word = task["title"][:4]
        assert search(page, word) > 0, f"no search result for {word!r}"
        response = page.goto(base + "no/such/page/", wait_until="load")
        assert response.status == 404 and styled(page)
        assert urlsplit(page.evaluate("document.querySelector('a.md-logo').href")).path == PREFIX
        assert not errors, errors
    finally:
        context.close()
