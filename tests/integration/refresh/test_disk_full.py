"""A full disk or an unwritable data dir (issue 16): a draft or history write that fails
keeps the text in memory, is tried again with the next change, and never loses the report
of a refresh that was sent. Real OS failures: ENOSPC from /dev/full, EFBIG from
RLIMIT_FSIZE in a child process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tui.api.client import S4Client
from tui.core.files import HistoryStore
from tui.core.models import RefreshKind, RefreshRequest
from tui.refresh.sender import Refresher
from tui.sim import DEMO_TOKEN, SimConfig, SimServer

ROOT = Path(__file__).resolve().parents[3]
URL = "https://cdn.example.com/a.png"


async def test_a_sent_refresh_is_reported_when_its_history_line_meets_enospc(
        tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    history.symlink_to("/dev/full")  # every write: ENOSPC
    with SimServer(SimConfig(domains=("cdn.example.com",))) as server:
        async with S4Client(server.base_url, DEMO_TOKEN) as client:
            r = Refresher(client, HistoryStore(history))
            sub = await r.submit("cdn.example.com", [RefreshRequest(RefreshKind.URL, [URL])])
            assert sub.outcomes[0] is not None and sub.outcomes[0].ok  # reported as sent
            assert len(server.sim.refreshes) == 1
            assert len(r.unwritten) == 1 and r.history_error == "No space left on device"
            # a second send: still refused, both lines kept in order
            await r.submit("cdn.example.com", [RefreshRequest(RefreshKind.URL, [URL + "?2"])])
            assert len(r.unwritten) == 2
    history.unlink()  # space again: the next write brings every kept line, oldest first
    assert r.write_history() and r.unwritten == [] and r.history_error == ""
    lines = [json.loads(x) for x in history.read_text().splitlines()]
    assert [rec["requests"][0]["urls"] for rec in lines] == [[URL], [URL + "?2"]]


CHILD = textwrap.dedent('''
    import json, resource, signal, sys
    from pathlib import Path
    from tui.refresh.drafts import BatchBook
    from tui.refresh.plan import RefreshKind

    folder = Path(sys.argv[1])
    book = BatchBook(folder)
    book.save("cdn.example.com", "https://cdn.example.com/first.png", RefreshKind.URL)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of a kill
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, hard))
    long_text = "\\n".join(f"https://cdn.example.com/{i}.png" for i in range(20))
    out = {}
    try:
        book.save("cdn.example.com", long_text, RefreshKind.URL)
        out["raised"] = False
    except OSError as exc:
        out["raised"] = exc.strerror
    out["error"] = book.save_error
    out["in_memory"] = book.draft("cdn.example.com")[0] == long_text
    out["on_disk_before"] = json.loads(
        book.files.own_path("cdn.example.com").read_text())["text"]
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    book.save("cdn.example.com", long_text + "\\nhttps://cdn.example.com/x.png", RefreshKind.URL)
    out["error_after"] = book.save_error
    out["on_disk_after"] = json.loads(
        book.files.own_path("cdn.example.com").read_text())["text"].count("\\n")
    print(json.dumps(out))
''')


def test_a_draft_the_disk_refuses_stays_in_memory_and_is_saved_with_the_next_change(
        tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "drafts")], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["raised"] == "File too large" and out["error"] == "File too large"
    assert out["in_memory"] and out["on_disk_before"] == "https://cdn.example.com/first.png"
    assert out["error_after"] == "" and out["on_disk_after"] == 20
