"""The real `s4top exporter` against the simulator over loopback: several domains, shards,
promtool on a real scrape, TLS with a certificate made here, clean exits, one-line errors,
and /metrics that never shows the token or a URL or IP, whatever the log says."""

from __future__ import annotations

import re
import signal
import socket
import ssl
import subprocess
import time
import zlib
from pathlib import Path

import httpx
import pytest

from tests.integration.cli_support import Admin, run, start
from tests.integration.exporter.support import (
    free_port,
    make_cert,
    require_tool,
    samples,
    scrape_text,
    total,
    wait_listening,
    write_config,
)
from tests.security.hostile import CORPUS
from tui.sim import DEMO_TOKEN, SimConfig, SimServer

A, B = "cdn.example.com", "img.example.com"
DOMAINS = (A, B, "static.example.net", "assets.example.org")


@pytest.fixture
def sim():
    server = SimServer(SimConfig(seed=5, rate=30.0, domains=DOMAINS))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def env_for(sim: SimServer, tmp_path: Path, **settings: object) -> dict[str, str]:
    from tests.conftest import cli_env

    cfg = write_config(tmp_path / "config.toml", exporter_poll_interval=0.5,
                       exporter_series_interval=1.0, **settings)
    env = cli_env(sim.base_url, S4TOP_CONFIG=str(cfg))
    env.pop("S4TOP_DOMAIN")
    return env


def test_two_domains_promtool_clean_and_sigterm_exits_cleanly(sim, tmp_path: Path) -> None:
    promtool = require_tool("promtool")
    port = free_port()
    args = ["exporter", "--domain", A, "--domain", B, "--listen", f"127.0.0.1:{port}"]
    with start(args, env_for(sim, tmp_path), tmp_path / "run") as r:
        wait_listening(r)
        url = f"http://127.0.0.1:{port}/metrics"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            text = scrape_text(url)
            # the two domains poll half an interval apart (tui/exporter/runner.py)
            if (all(total(text, "bitiful_cdn_log_requests_total", cdn_domain=d) > 0
                    for d in (A, B)) and "bitiful_cdn_offload_ratio" in text):
                break
            time.sleep(0.3)
        assert total(text, "bitiful_cdn_log_requests_total", cdn_domain=A) > 0
        assert total(text, "bitiful_cdn_log_requests_total", cdn_domain=B) > 0
        assert {lab for (n, lab) in samples(text) if n == "bitiful_cdn_up"}
        assert "static.example.net" not in text  # only the domains given
        check = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                               capture_output=True, timeout=30)
        assert check.returncode == 0 and not check.stdout and not check.stderr, check
        assert httpx.get(f"http://127.0.0.1:{port}/other", timeout=5).status_code == 404
        result = r.stop(signal.SIGTERM)
    assert result.rc == 0, result.err
    assert "stopped" in result.err
    assert DEMO_TOKEN not in result.err


def test_ctrl_c_exits_cleanly_and_the_port_is_free_again(sim, tmp_path: Path) -> None:
    port = free_port()
    with start(["exporter", "--domain", A, "--listen", f"127.0.0.1:{port}"],
               env_for(sim, tmp_path), tmp_path / "run") as r:
        wait_listening(r)
        result = r.stop(signal.SIGINT)
    assert result.rc == 0, result.err
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))


def test_shard_takes_the_domains_of_its_crc32(sim, tmp_path: Path) -> None:
    port = free_port()
    mine = [d for d in DOMAINS if zlib.crc32(d.encode()) % 2 == 1]  # shard 2 of 2
    assert mine and len(mine) < len(DOMAINS)
    env = env_for(sim, tmp_path, domains=list(DOMAINS))
    with start(["exporter", "--shard", "2/2", "--listen", f"127.0.0.1:{port}"], env,
               tmp_path / "run") as r:
        wait_listening(r)
        text = scrape_text(f"http://127.0.0.1:{port}/metrics")
        shown = {dict(lab)["cdn_domain"] for (n, lab) in samples(text)
                 if n == "bitiful_cdn_log_requests_total"}
        r.stop()
    assert shown == set(mine)


def test_a_port_in_use_is_one_line(sim, tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = run(["exporter", "--domain", A, "--listen", f"127.0.0.1:{port}"],
                  env_for(sim, tmp_path))
    assert res.rc == 2
    assert res.err.strip().count("\n") == 0 and "in use" in res.err, res.err


@pytest.mark.parametrize(("args", "needle"), [
    (["--listen", "nonsense"], "invalid listen address"),
    (["--shard", "3/2"], "--shard"),
    (["--tls-cert", "/nonexistent/cert.pem"], "both --tls-cert and --tls-key"),
    (["--tls-cert", "/nonexistent/c.pem", "--tls-key", "/nonexistent/k.pem"], "cannot read TLS"),
])
def test_bad_options_are_one_line(sim, tmp_path: Path, args: list[str], needle: str) -> None:
    res = run(["exporter", "--domain", A, *args], env_for(sim, tmp_path))
    assert res.rc == 2, res.err
    assert res.err.strip().count("\n") == 0 and needle in res.err, res.err


def test_a_bad_certificate_is_one_line(sim, tmp_path: Path) -> None:
    cert, key = make_cert(tmp_path / "tls")
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    for c, k in ((junk, key), (cert, junk)):
        res = run(["exporter", "--domain", A, "--tls-cert", str(c), "--tls-key", str(k),
                   "--listen", f"127.0.0.1:{free_port()}"], env_for(sim, tmp_path))
        assert res.rc == 2, res.err
        assert res.err.strip().count("\n") == 0 and "TLS certificate" in res.err, res.err


def test_tls_serves_https_with_a_self_signed_certificate(sim, tmp_path: Path) -> None:
    cert, key = make_cert(tmp_path / "tls")
    port = free_port()
    args = ["exporter", "--domain", A, "--listen", f"127.0.0.1:{port}",
            "--tls-cert", str(cert), "--tls-key", str(key)]
    with start(args, env_for(sim, tmp_path), tmp_path / "run") as r:
        wait_listening(r)
        assert f"https://127.0.0.1:{port}/metrics" in r.err
        with pytest.raises(httpx.HTTPError):  # plain http to a TLS port: that connection only
            httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
        with pytest.raises(httpx.ConnectError):  # not trusted without the certificate
            httpx.get(f"https://127.0.0.1:{port}/metrics", timeout=5)
        trust = ssl.create_default_context(cafile=str(cert))
        text = scrape_text(f"https://127.0.0.1:{port}/metrics", verify=trust)
        assert "bitiful_cdn_log_requests_total" in text
        result = r.stop()
    assert result.rc == 0


def test_a_non_loopback_listen_warns_once(sim, tmp_path: Path) -> None:
    port = free_port()
    with start(["exporter", "--domain", A, "--listen", f"0.0.0.0:{port}"],
               env_for(sim, tmp_path), tmp_path / "run") as r:
        wait_listening(r)
        assert "bitiful_cdn_up" in scrape_text(f"http://127.0.0.1:{port}/metrics")
        result = r.stop()
    assert result.err.count("warning") == 1 and "beyond this machine" in result.err


def test_loopback_by_default_on_the_documented_port(sim, tmp_path: Path) -> None:
    res = run(["config"], env_for(sim, tmp_path))
    assert re.search(r"exporter_listen\s+= 127\.0\.0\.1:24831", res.out), res.out
    for key in ("exporter_poll_interval", "exporter_series_interval", "exporter_shard",
                "exporter_tls_cert", "exporter_tls_key"):
        assert key in res.out


ALLOWED = {
    "status_class": {"1XX", "2XX", "3XX", "4XX", "5XX", "other"},
    "cache": {"HIT", "MISS", "other"},
    "endpoint": {"logs", "traffic", "traffic_origin", "request", "request_origin"},
    "kind": {"auth", "rate_limited", "timeout", "network", "server", "bad_request",
             "unexpected_shape"},
    "metric": {"traffic", "traffic_origin", "request", "request_origin"},
    "of": {"traffic", "requests"},
}


def test_metrics_never_show_the_token_a_url_or_an_ip(sim, tmp_path: Path) -> None:
    port = free_port()
    hostile = [h.value for h in CORPUS][:30] + [DEMO_TOKEN, f"Bearer {DEMO_TOKEN}"]
    entries = []
    for i, v in enumerate(hostile):
        entries.append({"path": f"https://{A}/{v}", "ip": v, "ua": v, "referer": DEMO_TOKEN,
                        "code": [v, 200, 503, -1, 10**9, 404.5, DEMO_TOKEN][i % 7],
                        "cache": v if i % 2 else DEMO_TOKEN, "size": v, "method": v,
                        "country": v})
    entries.append({"path": "/ok", "ip": "203.0.113.9", "code": 200, "cache": "HIT", "size": 1})
    with start(["exporter", "--domain", A, "--listen", f"127.0.0.1:{port}"],
               env_for(sim, tmp_path), tmp_path / "run") as r:
        wait_listening(r)
        deadline = time.monotonic() + 15  # the tail has begun: these come after its start
        while "bitiful_cdn_log_start_timestamp_seconds{" not in scrape_text(
                f"http://127.0.0.1:{port}/metrics"):
            assert time.monotonic() < deadline, "the tail did not begin"
            time.sleep(0.1)
        Admin(sim.base_url)._call("POST", "/_sim/inject", {"domain": A, "entries": entries})
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            text = scrape_text(f"http://127.0.0.1:{port}/metrics")
            if total(text, "bitiful_cdn_log_requests_by_status_total", status="other"):
                break
            time.sleep(0.3)
        result = r.stop()
    assert total(text, "bitiful_cdn_log_requests_by_status_total", status="other") > 0
    assert DEMO_TOKEN not in text and DEMO_TOKEN not in result.err
    assert "203.0.113.9" not in text and "/ok" not in text and "https://" not in text
    for (_name, labels) in samples(text):
        for k, v in labels:
            if k == "cdn_domain":
                assert v == A
            elif k == "status":
                assert v == "other" or (v.isdigit() and 100 <= int(v) <= 599), v
            else:
                assert v in ALLOWED[k], (k, v)


def test_a_wrong_token_shows_as_auth_errors_and_up_0_never_the_token(sim, tmp_path: Path) -> None:
    port = free_port()
    wrong = "wrong-token-8d1f0c2e9b"
    env = {**env_for(sim, tmp_path), "BITIFUL_API_TOKEN": wrong}
    with start(["exporter", "--domain", A, "--listen", f"127.0.0.1:{port}"], env,
               tmp_path / "run") as r:
        wait_listening(r)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            text = scrape_text(f"http://127.0.0.1:{port}/metrics")
            if total(text, "bitiful_cdn_api_errors_total", endpoint="logs", kind="auth") >= 1 \
                    and total(text, "bitiful_cdn_up", endpoint="request") == 0 \
                    and 'endpoint="request"' in text:
                break
            time.sleep(0.3)
        result = r.stop()
    assert total(text, "bitiful_cdn_api_errors_total", endpoint="logs", kind="auth") >= 1
    assert total(text, "bitiful_cdn_up", endpoint="logs") == 0
    assert total(text, "bitiful_cdn_log_requests_total") == 0
    assert result.rc == 0
    assert "authentication failed" in result.err  # one line per change of state, not per retry
    assert result.err.count("authentication failed") <= 5
    assert wrong not in result.err and wrong not in text
