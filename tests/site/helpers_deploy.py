"""The README's deployment recipe, taken from README.md itself, run on a real
nginx: the fenced blocks of its "Deploying on an intranet" section, Debian's
own nginx.conf with the README's server block in place of conf.d/, and an
nginx that runs in the foreground with its own pid file and logs (as root it
keeps Debian's `user www-data`, so file modes matter as on a real server)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Deploying on an intranet"
DEBIAN_CONF = Path("/etc/nginx/nginx.conf")
SERVER_ROOT = "/srv/www"  # the README's document root, replaced by a temporary one


def readme_blocks(readme: Path = README) -> list[tuple[str, str]]:
    """(language, text) of every fenced block in the deployment section."""
    text = readme.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end != -1 else len(text)]
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```$", section, re.S | re.M)]


def readme_block(lang: str, containing: str) -> str:
    found = [text for lg, text in readme_blocks() if lg == lang and containing in text]
    assert len(found) == 1, f"README.md, {SECTION!r}: expected one ```{lang} block with {containing!r}, found {len(found)}"
    return found[0]


def nginx_binary() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if path is None or not DEBIAN_CONF.exists():
        raise AssertionError(
            "nginx is not installed: the deployment test needs Debian's nginx "
            "(apt-get install nginx; .ci/run and `make browser` install it)"
        )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main_conf(server_conf: Path, prefix: Path) -> str:
    """Debian's nginx.conf with only what a test must change: its pid file,
    logs and temporary folders under `prefix`, conf.d/ replaced by the
    README's server block, the default site (port 80) left out; without
    root, no `user` line (nginx cannot switch users then)."""
    conf = DEBIAN_CONF.read_text(encoding="utf-8")
    subs = [
        (r"(?m)^\s*pid\s+[^;]+;", f"pid {prefix}/nginx.pid;"),
        (r"(?m)^(\s*)error_log\s+[^;]+;", rf"\1error_log {prefix}/error.log;"),
        (r"(?m)^(\s*)access_log\s+[^;]+;", rf"\1access_log {prefix}/access.log;"),
        (r"(?m)^(\s*)include\s+/etc/nginx/conf\.d/\*\.conf;", rf"\1include {server_conf};"),
        (r"(?m)^\s*include\s+/etc/nginx/sites-enabled/\*;", ""),
    ]
    for pattern, repl in subs:
        conf, n = re.subn(pattern, repl, conf)
        assert n == 1, f"{DEBIAN_CONF}: expected one match of {pattern!r}"
    if os.geteuid() != 0:
        conf = re.sub(r"(?m)^\s*user\s+[^;]+;", "", conf)
    temp = "".join(f"\t{kind}_temp_path {prefix}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return re.sub(r"(?m)^http\s*\{\n", lambda m: m.group(0) + temp, conf, count=1)


class Nginx:
    """nginx in the foreground on 127.0.0.1:`port` with `server_conf`."""

    def __init__(self, server_conf: str, root: Path, prefix: Path):
        self.binary = nginx_binary()
        self.port = free_port()
        prefix.mkdir(parents=True, exist_ok=True)
        server = re.sub(r"(?m)^(\s*)listen\s+80;", rf"\1listen 127.0.0.1:{self.port};", server_conf)
        assert server != server_conf, "README's nginx block: no `listen 80;` to move to a loopback port"
        server = server.replace(SERVER_ROOT, str(root))
        (prefix / "plans.conf").write_text(server, encoding="utf-8")
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(main_conf(prefix / "plans.conf", prefix), encoding="utf-8")
        self.prefix = prefix
        self.args = [self.binary, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(self.conf)]
        self.proc = None

    def test_config(self) -> str:
        """`nginx -t`: its messages (fails on an error)."""
        r = subprocess.run([*self.args, "-t"], capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        return r.stderr

    def start(self) -> None:
        self.proc = subprocess.Popen([*self.args, "-g", "daemon off;"], stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"nginx exited: {self.proc.stderr.read()}\n{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise AssertionError(f"nginx did not listen on port {self.port}\n{self.log()}")

    def log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: fast shutdown, workers included
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
