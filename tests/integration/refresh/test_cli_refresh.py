"""`s4top refresh` against the simulator over loopback: validation, plan, confirmation,
encoding, chunking, read-only mode, failures, unknown outcomes and the history file."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import subprocess
import termios
import time
from pathlib import Path

import pytest

from tests.integration.cli_support import (
    S4TOP,
    Admin,
    base_env,
    check_clean,
    recent_frozen_sim,
    run,
    write_config,
)
from tui.sim import SimServer


@pytest.fixture
def sim() -> SimServer:
    with recent_frozen_sim(rate=1.0) as server:
        yield server


def history() -> list[dict]:
    path = Path(os.environ["XDG_DATA_HOME"]) / "s4top" / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def fast_config(tmp_path: Path, **extra: object) -> str:
    return str(write_config(tmp_path / "fast.toml", retry_base=0.05, read_timeout=0.5, connect_timeout=0.5, **extra))


def test_invalid_entries_are_all_listed_and_nothing_is_sent(sim: SimServer) -> None:
    admin = Admin(sim.base_url)
    stdin = b"https://cdn.example.com/ok.png\nhttps://cdn.example.com/a*b.png\n# a comment\n\nftp://cdn.example.com/x\n"
    r = run(["refresh", "--yes", "-", "https://cdn.example.com/p#frag", "cdn.example.com/no-scheme",
             "https://cdn.example.com/%2a.png", "https://cdn.example.com/bell\x07.png"],
            base_env(sim.base_url), stdin=stdin)
    assert r.rc == 2
    lines = r.err.strip().splitlines()
    assert "6 invalid entries; nothing was sent" in lines[0]
    body = "\n".join(lines[1:])
    assert len(lines) == 7
    for where, reason in (("stdin line 2", "'*'"), ("stdin line 5", "http"), ("argument 1", "fragment"),
                          ("argument 2", "scheme"), ("argument 3", "%2A"), ("argument 4", "control character")):
        assert any(where in line and reason in line for line in lines[1:]), (where, body)
    assert "\x07" not in r.err and "\u2407" in r.err  # the bad character is shown, not sent to the terminal
    assert "ok.png" not in body  # valid entries are not listed as problems
    assert admin.refreshes() == [] and history() == []


def test_plan_yes_sends_encoded_entries_and_records_history(sim: SimServer) -> None:
    admin = Admin(sim.base_url)
    r = run(["refresh", "--yes", "https://cdn.example.com/a b.png", "https://cdn.example.com/图片/中.png",
             "https://cdn.example.com/100%.png", "https://cdn.example.com/a%20b.png"], base_env(sim.base_url))
    assert r.rc == 0, r.err
    want = ["https://cdn.example.com/a%20b.png", "https://cdn.example.com/%E5%9B%BE%E7%89%87/%E4%B8%AD.png",
            "https://cdn.example.com/100%25.png"]
    assert "plan: 3 entries -> 1 request" in r.out and "1 duplicate folded" in r.out
    for u in want:
        assert u in r.out
    assert "request 1/1: ok" in r.out and "done: 3 entries accepted" in r.out
    recs = admin.refreshes()
    assert len(recs) == 1 and recs[0]["type"] == "url" and recs[0]["url_list"] == want and recs[0]["applied"]
    (h,) = history()
    assert h["domain"] == "cdn.example.com" and h["entries"] == want
    assert h["requests"][0]["ok"] is True and h["requests"][0]["status"] == 200


def test_45_urls_from_a_file_are_3_requests(sim: SimServer, tmp_path: Path) -> None:
    admin = Admin(sim.base_url)
    f = tmp_path / "urls.txt"
    f.write_text("# purge list\n" + "".join(f"https://cdn.example.com/img/{i}.png\n" for i in range(45)))
    r = run(["refresh", "-y", "-f", str(f)], base_env(sim.base_url))
    assert r.rc == 0, r.err
    assert "45 entries -> 3 requests" in r.out
    recs = admin.refreshes()
    assert [len(x["url_list"]) for x in recs] == [20, 20, 5]
    assert [u for x in recs for u in x["url_list"]] == [f"https://cdn.example.com/img/{i}.png" for i in range(45)]
    (h,) = history()
    assert [len(q["urls"]) for q in h["requests"]] == [20, 20, 5] and all(q["ok"] for q in h["requests"])


def test_stdin_and_directory_entries(sim: SimServer) -> None:
    admin = Admin(sim.base_url)
    r = run(["refresh", "--directory", "--yes", "-"], base_env(sim.base_url),
            stdin=b"https://cdn.example.com/img\r\nhttps://cdn.example.com/css/\n")
    assert r.rc == 0, r.err
    assert "stdin line 1: directory entries end with '/'" in r.err
    (rec,) = admin.refreshes()
    assert rec["type"] == "directory" and rec["url_list"] == ["https://cdn.example.com/img/", "https://cdn.example.com/css/"]
    # invalid UTF-8 on stdin is reported, not a crash
    bad = run(["refresh", "--yes", "-"], base_env(sim.base_url), stdin=b"https://cdn.example.com/\xff.png\n")
    assert bad.rc == 2 and "stdin line 1" in bad.err and len(admin.refreshes()) == 1


def test_file_dash_reads_stdin_like_the_argument(sim: SimServer) -> None:
    """`-f -` is the usual spelling of stdin; it used to fail with 'cannot read -'."""
    admin = Admin(sim.base_url)
    r = run(["refresh", "--yes", "-f", "-"], base_env(sim.base_url),
            stdin=b"url https://cdn.example.com/a.png\ndir https://cdn.example.com/img/\n")
    assert r.rc == 0, r.err
    sent = sorted((x["type"], x["url_list"]) for x in admin.refreshes())
    assert sent == [("directory", ["https://cdn.example.com/img/"]),
                    ("url", ["https://cdn.example.com/a.png"])]
    bad = run(["refresh", "--yes", "-f", "-"], base_env(sim.base_url), stdin=b"dir /img/\n")
    assert bad.rc == 2 and "stdin line 1: /img/: missing scheme" in bad.err


def test_without_yes_and_without_a_terminal_nothing_is_sent(sim: SimServer) -> None:
    admin = Admin(sim.base_url)
    r = run(["refresh", "https://cdn.example.com/x.png"], base_env(sim.base_url))
    assert r.rc == 2
    assert "--yes" in r.err and len(r.err.strip().splitlines()) == 1
    assert "plan: 1 entry" in r.out  # the plan was shown first
    dry = run(["refresh", "--dry-run", "https://cdn.example.com/x.png"], base_env(sim.base_url))
    assert dry.rc == 0 and "plan: 1 entry" in dry.out
    assert admin.refreshes() == [] and history() == []


def test_readonly_refuses_from_flag_env_and_config(sim: SimServer, tmp_path: Path) -> None:
    admin = Admin(sim.base_url)
    url = "https://cdn.example.com/x.png"
    cfg = write_config(tmp_path / "ro.toml", readonly=True)
    for args, extra in (
        (["--readonly", "refresh", "-y", url], {}),
        (["refresh", "-y", "--readonly", url], {}),
        (["refresh", "-y", url], {"S4TOP_READONLY": "1"}),
        (["refresh", "-y", url], {"S4TOP_CONFIG": str(cfg)}),
    ):
        r = run(args, base_env(sim.base_url, **extra))
        assert r.rc == 2, (args, r.err)
        assert "read-only" in r.err and len(r.err.strip().splitlines()) == 1
    assert admin.refreshes() == [] and history() == []


def test_server_error_fails_after_announced_retries_and_is_recorded(sim: SimServer, tmp_path: Path) -> None:
    admin = Admin(sim.base_url)
    admin.fault(path="refresh", status=500)
    r = run(["refresh", "-y", "https://cdn.example.com/x.png"], base_env(sim.base_url, S4TOP_CONFIG=fast_config(tmp_path)))
    assert r.rc == 1
    assert "FAILED" in r.out and "HTTP 500" in r.out and "done:" not in r.out
    assert r.err.count("retrying") == 2  # 3 tries in all, each retry announced
    assert "history.jsonl" in r.err
    assert [x["status"] for x in admin.refreshes()] == [500, 500, 500]
    (h,) = history()
    q = h["requests"][0]
    assert q["ok"] is False and q["status"] == 500 and q["unknown"] is False and q["attempts"] == 3


def test_timeout_after_sending_is_unknown_not_success(sim: SimServer, tmp_path: Path) -> None:
    admin = Admin(sim.base_url)
    admin.fault(path="refresh", hang=True)  # the simulator applies it, then never answers
    r = run(["refresh", "-y", "https://cdn.example.com/x.png"], base_env(sim.base_url, S4TOP_CONFIG=fast_config(tmp_path)))
    admin.clear()
    assert r.rc == 1
    assert "UNKNOWN" in r.out and "done:" not in r.out and "request 1/1: ok" not in r.out
    assert "unknown outcome" in r.err
    assert len(admin.refreshes()) == 1 and admin.refreshes()[0]["applied"] is True
    (h,) = history()
    q = h["requests"][0]
    assert q["ok"] is False and q["unknown"] is True and q["status"] is None


def test_auth_failure_exits_3_and_is_recorded(sim: SimServer) -> None:
    r = run(["refresh", "-y", "https://cdn.example.com/x.png"], base_env(sim.base_url, BITIFUL_API_TOKEN="wrong-token-1234"))
    assert r.rc == 3
    assert "BITIFUL_API_TOKEN" in r.err and "--token-file" in r.err
    (h,) = history()
    assert h["requests"][0]["ok"] is False and h["requests"][0]["status"] == 401


def test_pacing_spans_processes_through_the_history(sim: SimServer, tmp_path: Path) -> None:
    """refresh_limit 1 per 2 s: a second run right after the first waits, and says so."""
    admin = Admin(sim.base_url)
    env = base_env(sim.base_url, S4TOP_CONFIG=str(write_config(tmp_path / "p.toml", refresh_limit=1, refresh_window=2)))
    assert run(["refresh", "-y", "https://cdn.example.com/1.png"], env).rc == 0
    t0 = time.monotonic()
    r = run(["refresh", "-y", "https://cdn.example.com/2.png"], env)
    took = time.monotonic() - t0
    assert r.rc == 0, r.err
    assert "waiting" in r.err and "pacing under 1 requests per 2s" in r.err
    assert took >= 0.5  # (the simulator's clock is frozen: measure here)
    assert len(admin.refreshes()) == 2
    assert len(history()) == 2


def _ask_on_a_terminal(args: list[str], env: dict[str, str], answer: bytes) -> tuple[int, bytes, str]:
    """Run with a real pty as the controlling terminal; answer the question typed there."""
    master, slave = pty.openpty()

    def become_session_leader_with_tty() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        # as a shell's terminal would: a suite started in the background by a non-interactive
        # shell has SIGINT ignored, and an ignored signal stays ignored across exec
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    proc = subprocess.Popen([str(S4TOP), *args], env=env, stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=become_session_leader_with_tty)
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 10
        while b"[y/N]" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                seen += os.read(master, 1024)
        assert b"[y/N]" in seen, seen
        os.write(master, answer)
        out, err = proc.communicate(timeout=10)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    check_clean(out, err)
    return proc.returncode, seen, err.decode()


def test_the_question_goes_to_the_terminal_and_only_yes_sends(sim: SimServer) -> None:
    admin = Admin(sim.base_url)
    env = base_env(sim.base_url)
    rc, prompt, err = _ask_on_a_terminal(["refresh", "https://cdn.example.com/n.png"], env, b"n\n")
    assert rc == 2 and b"send 1 refresh request to cdn.example.com?" in prompt and "cancelled" in err
    assert admin.refreshes() == []
    rc, _, err = _ask_on_a_terminal(["refresh", "https://cdn.example.com/c.png"], env, b"\x03")  # Ctrl-C
    assert rc == 2 and "cancelled" in err and admin.refreshes() == []
    rc, _, err = _ask_on_a_terminal(["refresh", "https://cdn.example.com/y.png"], env, b"y\n")
    assert rc == 0, err
    assert [x["url_list"] for x in admin.refreshes()] == [["https://cdn.example.com/y.png"]]


def test_file_lines_may_carry_the_modals_prefixes(sim: SimServer, tmp_path: Path) -> None:
    """What the refresh modal writes (`url ` / `dir ` lines) is a valid `-f` file: one parser."""
    admin = Admin(sim.base_url)
    f = tmp_path / "batch.txt"
    f.write_text("url https://cdn.example.com/a.png\ndir https://cdn.example.com/img\n"
                 "https://cdn.example.com/b.png\n")
    r = run(["refresh", "--yes", "-f", str(f)], base_env(sim.base_url))
    assert r.rc == 0, r.err
    assert "missing scheme" not in r.err
    recs = {x["type"]: x["url_list"] for x in admin.refreshes()}
    assert recs == {"url": ["https://cdn.example.com/a.png", "https://cdn.example.com/b.png"],
                    "directory": ["https://cdn.example.com/img/"]}


def test_directory_refresh_names_its_scope_and_needs_yes_without_a_terminal(sim: SimServer) -> None:
    admin = Admin(sim.base_url)
    env = base_env(sim.base_url)
    r = run(["refresh", "--directory", "https://cdn.example.com/img/"], env)
    assert r.rc == 2
    assert "EVERYTHING under https://cdn.example.com/img/" in r.err  # the modal's own words
    (error,) = [ln for ln in r.err.splitlines() if "warning" not in ln]
    assert "--yes" in error
    assert admin.refreshes() == [] and history() == []
    dry = run(["refresh", "--dry-run", "-"], env, stdin=b"dir https://cdn.example.com/css/\n")
    assert dry.rc == 0 and "EVERYTHING under https://cdn.example.com/css/" in dry.err
    ok = run(["refresh", "--yes", "-"], env, stdin=b"dir https://cdn.example.com/css/\n")
    assert ok.rc == 0, ok.err
    assert "EVERYTHING under" in ok.err
    sent = [(x["type"], x["url_list"]) for x in admin.refreshes()]
    assert sent == [("directory", ["https://cdn.example.com/css/"])]


def test_the_terminal_question_names_the_directory_scope(sim: SimServer) -> None:
    admin = Admin(sim.base_url)
    args = ["refresh", "dir https://cdn.example.com/js/"]
    rc, prompt, err = _ask_on_a_terminal(args, base_env(sim.base_url), b"n\n")
    assert rc == 2 and "cancelled" in err and admin.refreshes() == []
    assert b"EVERYTHING under https://cdn.example.com/js/" in prompt
