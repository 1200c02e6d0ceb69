"""Compiled templates kept between processes (scripts/jinja_cache.py): a
page of every template renders the same from the kept code as from a fresh
compilation, the kept code is used (nothing compiled again), a changed
template or a changed setup (options, a filter) is never served stale code,
and a folder that cannot be made only means compiling as before."""

from __future__ import annotations

import jinja2
import pytest

from scripts import jinja_cache
from scripts.pipeline.render import page_jobs, pages


@pytest.fixture
def kept(tmp_path, monkeypatch):
    monkeypatch.setattr(jinja_cache, "COMPILED_TEMPLATES", tmp_path / "jinja")
    return tmp_path / "jinja"


def compilations(monkeypatch) -> list[str]:
    """The names of the templates Jinja compiles from now on."""
    names: list[str] = []
    real = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    return names


def test_every_template_renders_the_same_from_kept_code(real_site, kept, monkeypatch):
    jobs = list({template: (template, url, ctx) for template, url, ctx in page_jobs(real_site)}.values())
    compiled = compilations(monkeypatch)
    cold = list(pages(real_site, jobs))
    assert compiled and list(kept.glob("*/*.cache")), "nothing was kept"
    compiled.clear()
    warm = list(pages(real_site, jobs))
    assert compiled == [], f"compiled again: {compiled}"
    assert warm == cold  # cold: compiled from the source, as without the cache


def environment(tmp_path, source: str, **options) -> jinja2.Environment:
    (tmp_path / "t").mkdir(exist_ok=True)
    (tmp_path / "t" / "page.j2").write_text(source, encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path / "t"), **options)
    jinja_cache.keep_compiled(env)
    return env


def test_a_changed_template_is_compiled_again(tmp_path, kept):
    assert environment(tmp_path, "one {{ x }}").get_template("page.j2").render(x=1) == "one 1"
    assert environment(tmp_path, "two {{ x }}").get_template("page.j2").render(x=1) == "two 1"


def test_a_changed_setup_gets_a_folder_of_its_own(tmp_path, kept, monkeypatch):
    base = environment(tmp_path, "{{ 'a b'|shout }}")
    assert jinja_cache.setup_key(base) == jinja_cache.setup_key(environment(tmp_path, "{{ 'a b'|shout }}"))
    assert jinja_cache.setup_key(base) != jinja_cache.setup_key(environment(tmp_path, "x", trim_blocks=True))
    # the optimiser computes a filter of a constant when compiling: a filter
    # defined elsewhere means other code
    (tmp_path / "loud.py").write_text("def shout(s):\n    return s.upper()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import loud

    env = environment(tmp_path, "{{ 'a b'|shout }}")
    env.filters["shout"] = loud.shout
    jinja_cache.keep_compiled(env)
    assert env.get_template("page.j2").render() == "A B"
    quiet = environment(tmp_path, "{{ 'a b'|shout }}")
    quiet.filters["shout"] = str.lower
    jinja_cache.keep_compiled(quiet)
    assert jinja_cache.setup_key(quiet) != jinja_cache.setup_key(env)
    assert quiet.get_template("page.j2").render() == "a b"


def test_no_folder_means_compiling_as_before(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setattr(jinja_cache, "COMPILED_TEMPLATES", tmp_path / "file" / "jinja")
    env = environment(tmp_path, "{{ x }}!")
    assert env.bytecode_cache is None
    assert env.get_template("page.j2").render(x=3) == "3!"
