"""Two instances on one account: each keeps its own draft, a live one's is never taken, a dead
one's (SIGKILLed in a real child process) is merged in by the next that opens the batch."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.core.models import LogEntry
from tui.refresh.drafts import BatchBook
from tui.refresh.lines import merge_batches
from tui.refresh.plan import RefreshKind

D = "cdn.example.com"
U = f"https://{D}"

_CHILD = r"""
import sys
from pathlib import Path
from tui.refresh.drafts import BatchBook
from tui.refresh.plan import RefreshKind
book = BatchBook(Path(sys.argv[1]))
book.draft(sys.argv[2])
book.save(sys.argv[2], sys.argv[3], RefreshKind(sys.argv[4]))
print("saved", flush=True)
sys.stdin.read()  # runs (holding its lock) until the test kills it
"""


class Child:
    """Another s4top instance: a real process with its own BatchBook and lock."""

    def __init__(self, folder: Path, text: str, kind: str = "url") -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(folder), D, text, kind],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline() == b"saved\n"

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)


@pytest.fixture
def children() -> Iterator[list[Child]]:
    made: list[Child] = []
    yield made
    for c in made:
        if c.proc.poll() is None:
            c.kill()


def own_files(folder: Path) -> list[Path]:
    return sorted((folder / D).glob("*.json"))


def test_two_live_instances_keep_their_own_drafts(tmp_path: Path) -> None:
    a, b = BatchBook(tmp_path), BatchBook(tmp_path)
    a.draft(D), b.draft(D)
    a.save(D, f"{U}/a.png", RefreshKind.URL)
    b.save(D, f"{U}/b.png", RefreshKind.URL)
    a.save(D, f"{U}/a.png\n{U}/a2.png", RefreshKind.URL)  # a keeps typing: b's line survives
    assert len(own_files(tmp_path)) == 2
    live = b.open(D)  # opening the batch again takes nothing from a live instance
    assert b.draft(D)[0] == f"{U}/b.png"
    assert [o.data["text"] for o in live] == [f"{U}/a.png\n{U}/a2.png"]
    assert live[0].pid == str(os.getpid())


def test_a_sigkilled_instance_is_adopted_by_the_next_one(tmp_path: Path, children) -> None:
    children.append(Child(tmp_path, f"{U}/killed-1.png\n{U}/shared.png"))
    children.append(Child(tmp_path, f"{U}/killed-2.png\n{U}/shared.png"))
    for c in children:
        c.kill()
    book = BatchBook(tmp_path)
    text, kind = book.draft(D)
    assert sorted(text.split("\n")) == sorted(
        [f"{U}/killed-1.png", f"{U}/shared.png", f"{U}/killed-2.png"])  # union, each once
    assert kind is RefreshKind.URL
    assert own_files(tmp_path) == [book.files.own_path(D)]  # theirs removed after ours was written
    assert json.loads(book.files.own_path(D).read_text())["text"] == text
    assert list((tmp_path / ".instances").glob("*.lock")) == [
        tmp_path / ".instances" / f"{book.files.instance}.lock"]


def test_a_live_other_process_is_not_taken_until_it_dies(tmp_path: Path, children) -> None:
    children.append(Child(tmp_path, f"{U}/still-typing.png"))
    book = BatchBook(tmp_path)
    book.save(D, f"{U}/mine.png", RefreshKind.URL)
    live = book.open(D)
    assert [o.data["text"] for o in live] == [f"{U}/still-typing.png"]
    assert book.draft(D)[0] == f"{U}/mine.png"
    assert len(own_files(tmp_path)) == 2
    children[0].kill()
    assert book.open(D) == []  # opening the batch again adopts it now
    assert book.draft(D)[0] == f"{U}/mine.png\n{U}/still-typing.png"
    assert own_files(tmp_path) == [book.files.own_path(D)]


def test_a_clean_exit_leaves_the_batch_for_the_next_instance(tmp_path: Path) -> None:
    a = BatchBook(tmp_path)
    a.draft(D)
    a.save(D, f"{U}/left.png", RefreshKind.DIRECTORY)
    empty = BatchBook(tmp_path)
    empty.draft("img.example.com")
    empty.save("img.example.com", "", RefreshKind.URL)
    a.close()
    empty.close()
    assert list((tmp_path / "img.example.com").glob("*.json")) == []  # nothing left to adopt
    b = BatchBook(tmp_path)
    assert b.draft(D) == (f"{U}/left.png", RefreshKind.DIRECTORY)  # its type came along


def test_drop_sent_of_one_instance_keeps_the_others_lines(tmp_path: Path) -> None:
    a, b = BatchBook(tmp_path), BatchBook(tmp_path)
    a.draft(D), b.draft(D)
    a.save(D, f"{U}/x.png\n{U}/only-a.png", RefreshKind.URL)
    b.save(D, f"{U}/x.png\n{U}/only-b.png", RefreshKind.URL)
    a.drop_sent(D, {("url", f"{U}/x.png"), ("url", f"{U}/only-a.png")})
    assert a.draft(D)[0] == ""
    assert b.draft(D)[0] == f"{U}/x.png\n{U}/only-b.png"
    b_file = json.loads(b.files.own_path(D).read_text())
    assert b_file["text"] == f"{U}/x.png\n{U}/only-b.png"


def test_tags_from_the_log_pane_are_adopted_with_their_type(tmp_path: Path, children) -> None:
    a = BatchBook(tmp_path)
    a.draft(D)
    entry = LogEntry(time_ns=0, url=f"{U}/img/a.png", status=200)
    a.toggle(D, entry, RefreshKind.DIRECTORY)
    a.files.release()  # as the kernel does on SIGKILL: the lock goes, the file stays
    b = BatchBook(tmp_path)
    b.draft(D)
    assert b.tag_of(D, entry) == "directory"


def test_a_batch_from_an_older_s4top_is_adopted(tmp_path: Path) -> None:
    legacy = tmp_path / f"{D}.json"
    legacy.write_text(json.dumps({"domain": D, "kind": "url", "text": f"{U}/old.png"}))
    book = BatchBook(tmp_path)
    assert book.draft(D)[0] == f"{U}/old.png"
    assert not legacy.exists()


def test_nothing_is_removed_when_the_merged_draft_cannot_be_written(tmp_path: Path, children) -> None:
    children.append(Child(tmp_path, f"{U}/precious.png"))
    children[0].kill()
    [theirs] = own_files(tmp_path)
    book = BatchBook(tmp_path)
    book.files.own_path(D).mkdir(parents=True)  # the rename onto it fails
    assert book.open(D) == []
    assert theirs.exists() and "precious.png" in theirs.read_text()
    book.files.own_path(D).rmdir()
    book.open(D)
    assert book.draft(D)[0] == f"{U}/precious.png" and not theirs.exists()


def test_merge_is_a_union_in_order_with_each_entry_once() -> None:
    base = (f"{U}/1.png\n\n# note\ndir {U}/d/", RefreshKind.URL)
    other = (f"url {U}/1.png\n{U}/2.png\n# note\n{U}/d/\n\n", RefreshKind.DIRECTORY)
    text, kind = merge_batches(base, [other, (f"{U}/3.png", RefreshKind.URL)])
    assert kind is RefreshKind.URL
    # 1.png and the directory are already there; 2.png was a directory-typed line: it says so
    assert text.split("\n") == [f"{U}/1.png", "", "# note", f"dir {U}/d/", f"dir {U}/2.png",
                                f"{U}/3.png"]
    assert merge_batches(("", RefreshKind.URL), [("", RefreshKind.URL),
                                                 (f"{U}/d/", RefreshKind.DIRECTORY)]) == (
        f"{U}/d/", RefreshKind.DIRECTORY)


_OPENER = r"""
import sys
from pathlib import Path
from tui.refresh.drafts import BatchBook
book = BatchBook(Path(sys.argv[1]))
sys.stdin.readline()  # all start together
print(repr(book.draft(sys.argv[2])[0]), flush=True)
sys.stdin.read()
"""


def test_only_one_of_several_instances_opening_at_once_adopts_a_dead_draft(
        tmp_path: Path, children) -> None:
    children.append(Child(tmp_path, f"{U}/orphan.png"))
    children[0].kill()
    procs = [subprocess.Popen([sys.executable, "-c", _OPENER, str(tmp_path), D],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(4)]
    try:
        for p in procs:
            assert p.stdin is not None
            p.stdin.write(b"go\n")
            p.stdin.flush()
        got = [p.stdout.readline().decode().strip() for p in procs if p.stdout is not None]
    finally:
        for p in procs:
            p.kill()
            p.wait(10)
    assert sorted(got) == ["''"] * 3 + [repr(f"{U}/orphan.png")]
    [kept] = own_files(tmp_path)  # the adopter's (killed too now: next in line for adoption)
    assert "orphan.png" in kept.read_text()


def test_an_instance_that_never_writes_leaves_no_lock_file(tmp_path: Path) -> None:
    book = BatchBook(tmp_path)
    assert book.draft(D) == ("", RefreshKind.URL)
    book.open(D)
    assert list(tmp_path.rglob("*.lock")) == [tmp_path / D / ".adopt.lock"]


def test_a_draft_that_cannot_be_read_is_left_where_it_is(tmp_path: Path) -> None:
    (tmp_path / D).mkdir(parents=True)
    junk = tmp_path / D / "999-1.json"
    junk.write_bytes(b"\xff not json")
    good = tmp_path / D / "999-2.json"
    good.write_text(json.dumps({"domain": D, "kind": "url", "text": f"{U}/ok.png"}))
    book = BatchBook(tmp_path)
    assert book.draft(D)[0] == f"{U}/ok.png"
    assert junk.exists() and not good.exists()
