"""`iter_logs`: a page parsed in pieces gives the entries `parse_logs` gives, in order, and
a bad entry fails the page with the same error whichever piece holds it."""

from __future__ import annotations

import pytest

from tests.unit.api.test_parse import EP, NS, SIM_ENTRY, TOKEN
from tui.api.errors import UnexpectedResponse
from tui.api.parse import iter_logs, parse_logs


def page(n: int) -> dict:
    # shapes change inside the page (an extra key every 7th entry, a time as text every 5th)
    # so the pieces also cross from one reader to another
    raws = []
    for i in range(n):
        raw = {**SIM_ENTRY, "access_time": NS + i, "size": i}
        if i % 7 == 3:
            raw["x-edge"] = f"e{i}"
        if i % 5 == 4:
            raw["access_time"] = str(NS + i)
        raws.append(raw)
    return {"code": 0, "data": raws}


@pytest.mark.parametrize("size", [1, 3, 100, 250, 1000, 5000])
def test_pieces_join_to_the_whole_page(size: int) -> None:
    obj = page(1000)
    pieces = list(iter_logs(obj, EP, size))
    assert [len(p) for p in pieces[:-1]] == [size] * (len(pieces) - 1)
    assert 0 < len(pieces[-1]) <= size
    assert [e for p in pieces for e in p] == parse_logs(obj, EP)
    assert [e.size for p in pieces for e in p] == list(range(1000))


def test_an_empty_page_has_no_pieces() -> None:
    assert list(iter_logs({"code": 0, "data": []}, EP, 100)) == []
    assert list(iter_logs({"code": 0, "message": "ok"}, EP, 100)) == []


@pytest.mark.parametrize("size", [1, 100, 1000])
def test_a_bad_entry_names_its_index_in_the_page(size: int) -> None:
    obj = page(400)
    obj["data"][321] = ["not", "an", "object", TOKEN]
    with pytest.raises(UnexpectedResponse) as whole:
        parse_logs(obj, EP, secrets=[TOKEN])
    with pytest.raises(UnexpectedResponse) as pieced:
        list(iter_logs(obj, EP, size, secrets=[TOKEN]))
    assert "log entry 321 " in str(pieced.value)
    assert str(pieced.value) == str(whole.value)
    assert TOKEN not in str(pieced.value)


def test_a_page_without_a_list_fails_before_any_piece() -> None:
    with pytest.raises(UnexpectedResponse, match="no list of log entries"):
        next(iter_logs({"code": 0, "data": "nope", "total": 3}, EP, 100))
