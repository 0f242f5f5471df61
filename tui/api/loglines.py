"""`s4top logs --json` straight from the wire: each entry's JSON line written from the decoded
entry, with no `LogEntry` built in between (most of the command's own time was building the
entries and then reading them back to write them).

For entries of the usual form (time, status and size as ints, the text fields as strings) one
compiled writer per shape takes each field from the key the entry reader takes it from
(tui/api/logshape.py `fast_keys`, the one mapping of keys to fields) and writes the text
`format_json` (tui/core/logfmt.py) gives for the entry `parse_logs` reads, with the same
escaper: ASCII only, every control and escape character inert. Any other entry (a time as
text, a status out of range, a host to join with a bare path, a value of another type) is
read the general way (tui/api/parse.py) and formatted by `format_json`. Equal text either way
(tests/unit/api/test_loglines.py, over generated entries of every kind).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import tzinfo
from typing import Any

from tui.api.logshape import NS_MAX, NS_MIN, built_for, fast_keys
from tui.api.parse import log_list, read_entries
from tui.core.logfmt import ESCAPED, JSON_ENCODER, format_json, json_str
from tui.core.timezones import DEFAULT_ZONE

__all__ = ["LogLine", "parse_log_lines"]


class LogLine:
    """An entry in its output form: what paging and the codes filter look at (`time_ns`,
    `status`, as on `LogEntry`) and its JSON line, newline included (`text`)."""

    __slots__ = ("time_ns", "status", "text")

    def __init__(self, time_ns: int, status: int, text: str) -> None:
        self.time_ns = time_ns
        self.status = status
        self.text = text

    def __repr__(self) -> str:
        return f"LogLine({self.text!r})"


_Writer = Callable[[dict[str, Any]], LogLine | None]
_WRITERS: dict[tuple[str, ...], _Writer | None] = {}


def parse_log_lines(obj: Any, endpoint: str, *, secrets: Iterable[str] = (),
                    tz: tzinfo = DEFAULT_ZONE) -> list[LogLine]:
    """The page's entries as JSON lines, in server order: the lines `format_json` writes for
    `parse_logs(obj, ...)`, which raises the same errors for the same input."""
    secret_list = list(secrets)
    out: list[LogLine] = []
    append = out.append
    last_keys: tuple[str, ...] | None = None
    write: _Writer | None = None
    for i, raw in enumerate(log_list(obj, endpoint, secret_list)):
        line = None
        if type(raw) is dict:
            keys = tuple(raw)
            if keys != last_keys:
                last_keys, write = keys, _writer_for(keys)
            if write is not None:
                line = write(raw)
        if line is None:  # the general way; raises for an entry that is not one
            [e] = read_entries([raw], i, endpoint, secret_list, tz)
            line = LogLine(e.time_ns, e.status, format_json(e) + "\n")
        append(line)
    return out


def _writer_for(keys: tuple[str, ...]) -> _Writer | None:
    return built_for(_WRITERS, keys, _compile_writer)


def _compile_writer(keys: tuple[str, ...]) -> _Writer | None:
    """The writer of entries with exactly `keys`; None where every entry goes the general way:
    no time key, a host the reader may join with the path, or a key that is not text."""
    fk = fast_keys(keys)
    if fk is None or fk.host is not None or any(type(k) is not str for k in keys):
        return None
    k_time, k_status, k_size, k_method = fk.time, fk.status, fk.size, fk.method
    k_ip, k_url, k_country, k_cache = fk.client_ip, fk.url, fk.country, fk.cache
    _source_keys, extra_keys = fk.mapping
    g = ESCAPED.get  # inline, as in format_json: a hit costs no call (never empty)
    esc = json_str
    encode = JSON_ENCODER.encode
    # `"key":` of each extra (the first without the comma): the keys are fixed per shape
    heads = tuple((k, ("," if n else "") + esc(k) + ":") for n, k in enumerate(extra_keys))

    def write(raw: dict[str, Any]) -> LogLine | None:
        t = raw[k_time]
        if type(t) is not int or not NS_MIN <= t < NS_MAX:
            return None
        status = size = 0
        if k_status is not None:
            status = raw[k_status]
            if type(status) is not int or not 0 <= status <= 999:
                return None
        if k_size is not None:
            size = raw[k_size]
            if type(size) is not int or size < 0:
                return None
        method = raw[k_method] if k_method is not None else ""
        ip = raw[k_ip] if k_ip is not None else ""
        url = raw[k_url] if k_url is not None else ""
        if type(method) is not str or type(ip) is not str or type(url) is not str:
            return None
        text = (f'{{"time_ns":{t},"status":{status},"method":{g(method) or esc(method)},'
                f'"client_ip":{g(ip) or esc(ip)},"size":{size},"url":{g(url) or esc(url)}')
        if k_country is not None:
            if type(country := raw[k_country]) is not str:
                return None
            text += f',"country":{g(country) or esc(country)}'
        if k_cache is not None:
            if type(cache := raw[k_cache]) is not str:
                return None
            text += f',"cache":{g(cache) or esc(cache)}'
        text += ',"extra":{'
        for k, head in heads:
            v = raw[k]
            text += head + (g(v) or esc(v) if type(v) is str
                            else "null" if v is None else encode(v))
        return LogLine(t, status, text + "}}\n")

    return write
