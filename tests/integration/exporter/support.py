"""Helpers for the exporter tests: the real `s4top exporter` in a subprocess, a free port,
scrapes over loopback, and Debian's promtool/prometheus (required in CI like tmux)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.cli_support import Running

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_tool(name: str) -> str:
    """promtool or prometheus (Debian's `prometheus` package; .ci/run installs it)."""
    found = shutil.which(name)
    if found is None:
        if os.environ.get("S4TOP_REQUIRE_PROMETHEUS"):
            pytest.fail(f"{name} is required here (S4TOP_REQUIRE_PROMETHEUS is set) but not "
                        "installed")
        pytest.skip(f"{name} is not installed (apt-get install prometheus); .ci/run installs it")
    return found


def make_cert(d: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made here with the openssl command."""
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command is needed to make a test certificate"
    d.mkdir(parents=True, exist_ok=True)
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-days", "2",
                    "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return d / "cert.pem", d / "key.pem"


def write_config(path: Path, **settings: object) -> Path:
    lines = []
    for k, v in settings.items():
        lines.append(f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wait_listening(r: Running, timeout: float = 20.0) -> None:
    r.wait_err("/metrics", timeout=timeout)


def scrape_text(url: str, **kw: object) -> str:
    resp = httpx.get(url, timeout=10.0, **kw)  # type: ignore[arg-type]
    assert resp.status_code == 200, resp.text[:500]
    return resp.text


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def total(text: str, name: str, **labels: str) -> float:
    """The sum of `name` over the samples whose labels include `labels`."""
    return sum(v for (n, lab), v in samples(text).items()
               if n == name and all((k, val) in lab for k, val in labels.items()))
