"""Every address in data/addresses.txt resolves in the built site: the page
or file exists (or a redirect page sends the reader on), and an anchor is an
element of its page — or a kept anchor of a page split by jurisdiction,
whose link leads to a page that has it. In Chromium: with scripts the reader
of a kept anchor is sent on at once; without, the anchor shows its link."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin

from built_pages import parsed as parse
from scripts.pipeline.addresses import read_registry

ROOT = Path(__file__).resolve().parents[2]


def file_of(site: Path, path: str) -> Path:
    return site / (path + "index.html" if path.endswith("/") or path in ("", "./") else path)


def resolve(site: Path, address: str, hops: int = 0) -> str | None:
    """None if `address` works in the built site, else why not."""
    if hops > 3:
        return f"{address}: more than three hops"
    path, _, frag = address.partition("#")
    path = "" if path == "./" else path
    f = file_of(site, path)
    if not f.is_file():
        return f"{address}: no file {f.relative_to(site)}"
    if f.suffix != ".html":
        return None if not frag else f"{address}: an anchor on a file"
    parsed = parse(f)
    if parsed.refresh:  # a redirect page keeps the fragment
        target = urljoin("http://s/" + path, parsed.refresh)[len("http://s/"):]
        return resolve(site, target + ("#" + frag if frag else ""), hops + 1)
    if frag and frag not in parsed.ids:
        return f"{address}: no element #{frag}"
    if frag in parsed.kept:
        return resolve(site, unquote(urljoin("http://s/" + path, parsed.kept[frag])[len("http://s/"):]), hops + 1)
    return None


def test_every_published_address_resolves(built_site, data_dir):
    registry = read_registry(data_dir)
    assert registry
    broken = [why for _, address in registry if (why := resolve(built_site, address))]
    assert not broken, "\n".join(broken[:20])


def test_split_pages_keep_their_old_anchors_and_send_readers_on(built_site, data_dir):
    """The anchors recorded before a page was split by jurisdiction stay on
    it as kept anchors, each with a visible link to where the content went."""
    registry = [a for _, a in read_registry(data_dir)]
    for page in ("plans/", "departments/"):
        f = file_of(built_site, page)
        parsed = parse(f)
        old = [a.split("#", 1)[1] for a in registry if a.startswith(page + "#")]
        moved = [frag for frag in old if frag in parsed.kept]
        assert moved, f"{page}: no kept anchor"
        for frag in moved:
            assert resolve(built_site, f"{page}#{frag}") is None
            target = parsed.kept[frag]
            assert not re.match(r"[a-z]+:", target), "kept anchors link relatively"


def test_a_resolver_that_cannot_fail_is_not_a_test(tmp_path):
    """The resolver above reports what is missing."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<p id="x"></p>', encoding="utf-8")
    assert resolve(tmp_path, "a/#x") is None
    assert "no element #y" in resolve(tmp_path, "a/#y")
    assert "no file" in resolve(tmp_path, "b/")



def kept_addresses(site, data_dir, pages=("departments/", "plans/", "topics/", "departments/categories/")) -> list[tuple[str, str]]:
    """(old address, the link of its kept anchor) of one registered anchor per
    kind of split page, found in the built site."""
    out, seen = [], set()
    for _, address in read_registry(data_dir):
        page, _, frag = address.partition("#")
        kind = next((p for p in pages if page.startswith(p)), None)
        if not frag or kind is None or (kind, page.count("/")) in seen:
            continue
        parsed = parse(file_of(site, page))
        if frag in parsed.kept:
            out.append((address, parsed.kept[frag]))
            seen.add((kind, page.count("/")))
    return out


def test_scripts_send_the_reader_on(browser, site_url, built_site, data_dir):
    found = kept_addresses(built_site, data_dir)
    assert len(found) >= 3, found
    page = browser.new_page()
    try:
        for old, link in found:
            target = urljoin(site_url + old.split("#", 1)[0], link)
            page.goto(site_url + old, wait_until="load")
            page.wait_for_url(target, timeout=5_000)
            frag = target.split("#", 1)[1]
            assert page.locator(f'[id="{frag}"]').count() == 1, target
            page.go_back()  # the old address is not in the history: back leaves the site's page
            assert page.url != site_url + old
    finally:
        page.close()


def test_without_scripts_the_anchor_shows_its_link(browser, site_url, built_site, data_dir):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for old, link in kept_addresses(built_site, data_dir):
            target = urljoin(site_url + old.split("#", 1)[0], link)
            page.goto(site_url + old, wait_until="load")
            line = page.locator(f'[id="{old.split("#", 1)[1]}"]')
            assert line.is_visible(), old
            assert page.locator(".kept-anchor:visible").count() == 1  # only the one addressed
            line.locator("a.kept-anchor-link").click()
            page.wait_for_url(target)
            assert page.locator(f'[id="{target.split("#", 1)[1]}"]').count() == 1
    finally:
        context.close()


def test_no_page_has_an_id_twice(built_site):
    """An address's #fragment means one place: no generated page repeats an
    id (a kept anchor beside a row of the same id would never be reached)."""
    twice = []
    for f in sorted(built_site.rglob("*.html")):
        ids = re.findall(r'\sid="([^"]+)"', f.read_text(encoding="utf-8"))
        dupes = sorted({i for i in ids if ids.count(i) > 1}) if len(ids) != len(set(ids)) else []
        if dupes:
            twice.append(f"{f.relative_to(built_site)}: {dupes[:5]}")
    assert not twice, "\n".join(twice[:20])
