"""TLS verification is on by default; turning it off takes an explicit option and warns.

A real HTTPS server on loopback with a self-signed certificate (made with `openssl` for the
test): by default the client refuses it (no retry: retrying does not fix a certificate);
trusting the certificate through SSL_CERT_FILE makes it work with verification still on;
`--insecure` or `insecure = true` makes it work and prints one warning line on stderr.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.integration.cli_support import base_env, run, run_many, write_config
from tui.api.client import RetryPolicy, S4Client
from tui.api.errors import NetworkError


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "key.pem"),
                    "-out", str(d / "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return d / "cert.pem", d / "key.pem"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps({"data": [], "message": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def https_base(cert: tuple[Path, Path]) -> Iterator[str]:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert[0]), str(cert[1]))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_client_verifies_certificates_by_default(https_base: str) -> None:
    async with S4Client(https_base, "t0ken-abc", retry=RetryPolicy(attempts=3, base_s=0.01)) as client:
        with pytest.raises(NetworkError) as info:
            await client.logs_page("cdn.example.com", 1)
    assert "CERTIFICATE" in str(info.value).upper()
    assert info.value.retryable is False
    async with S4Client(https_base, "t0ken-abc", verify=False) as client:
        assert await client.logs_page("cdn.example.com", 1) == []


def test_cli_refuses_then_trusts_then_insecure_warns(https_base: str, cert: tuple[Path, Path], tmp_path: Path) -> None:
    env = base_env(https_base)
    cfg = write_config(tmp_path / "insecure.toml", insecure=True)
    refused, trusted, flag, config = run_many([
        (["logs", "--since", "1m"], env),
        (["logs", "--since", "1m"], {**env, "SSL_CERT_FILE": str(cert[0])}),
        (["logs", "--since", "1m", "--insecure"], env),
        (["logs", "--since", "1m", "--config", str(cfg)], env),
    ], workers=4)
    # verification on: refused at once, one line, no retries, exit 1
    assert refused.rc == 1, refused.err
    lines = refused.err.strip().splitlines()
    assert len(lines) == 1 and "certificate" in lines[0].lower() and "retrying" not in refused.err, lines
    # the certificate trusted the standard way: works, still verified, nothing to warn about
    assert trusted.rc == 0 and trusted.err == "", trusted.err
    # off by an explicit option: works, and says so in one line naming where it was turned off
    for r, where in ((flag, "--insecure"), (config, f"insecure = true in config file {cfg}")):
        assert r.rc == 0, r.err
        assert r.err.strip().splitlines() == [
            f"warning: TLS certificate verification is OFF ({where}): anyone on the path can read the token"
        ], r.err
    # `s4top config` shows where the setting came from
    shown = run(["config", "--insecure"], env)
    assert shown.rc == 0 and "insecure" in shown.out and "command line" in shown.out
