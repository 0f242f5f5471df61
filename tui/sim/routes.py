"""HTTP routing without sockets: request parts in, (status, JSON object) out.

Order of checks for the vendor endpoints: token (401) -> path (404) -> method (405) ->
domain (404) -> parameters (400). Parameter rules (assumptions where the vendor page is
silent): logs need `start_time`; `codes` defaults to ALL; `limit` defaults to 100 and must
be 1-1000; the series need `start_time`, `end_time` (Unix seconds) and `period`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .faults import SERIES
from .incidents import Incident
from .outage import Outage
from .simulator import DEFAULT_LIMIT, SimError, Simulator

_DATA = re.compile(r"^/cdn/data/([^/]+)/(traffic|traffic_origin|request|request_origin|logs)/?$")
_INT = re.compile(r"-?[0-9]{1,20}")
REFRESH_PATH = "/cdn/cache/refresh"
TRUTH_MAX = 500_000  # /_sim/truth refuses larger answers (the default range is 3 days)


@dataclass(slots=True)
class Reply:
    status: int
    obj: Any
    kind: str = "error"  # logs | series | refresh | admin | error
    metric: str = ""
    headers: tuple[tuple[str, str], ...] = ()


def error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    return Reply(status, {"code": status, "message": message}, "error", "", headers)


def endpoint_of(path: str) -> str | None:
    """Vendor endpoint name of a URL path (logs, traffic, ..., refresh), else None."""
    if path.rstrip("/") == REFRESH_PATH:
        return "refresh"
    m = _DATA.match(path)
    return m.group(2) if m else None


def _param(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _int_param(query: dict[str, list[str]], name: str, default: int | None = None) -> int:
    raw = _param(query, name)
    if raw is None:
        if default is None:
            raise SimError(400, f"{name} is required")
        return default
    if not _INT.fullmatch(raw.strip()):
        raise SimError(400, f"{name} must be an integer")
    return int(raw)


def vendor(sim: Simulator, method: str, path: str, query: dict[str, list[str]],
           auth: str | None, body: bytes, fault: str | None = None) -> Reply:
    endpoint = endpoint_of(path)
    if not sim.check_token(auth):
        if endpoint == "refresh":
            sim.record_refresh(body, 401, "invalid token", fault)
        return error(401, "invalid or missing API token")
    if endpoint is None:
        return error(404, "not found")
    want = "POST" if endpoint == "refresh" else "GET"
    if method != want:
        return error(405, "method not allowed", (("Allow", want),))
    try:
        if endpoint == "refresh":
            status, obj = sim.refresh(body, fault=fault)
            return Reply(status, obj, "refresh" if status == 200 else "error")
        m = _DATA.match(path)
        assert m is not None
        domain = sim.domain(unquote(m.group(1)))
        if endpoint == "logs":
            start = _int_param(query, "start_time")
            codes = _param(query, "codes") or "ALL"
            limit = _int_param(query, "limit", DEFAULT_LIMIT)
            return Reply(200, {"data": sim.logs(domain, start, codes, limit), "message": "ok"},
                         "logs")
        assert endpoint in SERIES
        start = _int_param(query, "start_time")
        end = _int_param(query, "end_time")
        period = _param(query, "period")
        if period is None:
            raise SimError(400, "period is required")
        points = sim.series(domain, endpoint, start, end, period)
        return Reply(200, {"data": sim.config.quirks.series_points(points)}, "series", endpoint)
    except SimError as e:
        return error(e.status, e.message)


def _json(body: bytes) -> Any:
    if not body:
        return {}
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise SimError(400, "body must be JSON") from None


#: What GET /_sim/ lists: (method, path, one line on what it does). Keep in step with admin().
CONTROLS: tuple[tuple[str, str, str], ...] = (
    ("GET", "/_sim/", "this list"),
    ("GET", "/_sim/faults", "the fault rules in force"),
    ("POST", "/_sim/faults", "replace the fault rules: one rule or a list (tui/sim/faults.py)"),
    ("DELETE", "/_sim/faults", "clear every fault rule (the API heals)"),
    ("GET", "/_sim/clock", "the simulator's clock: now_ns and whether it is frozen"),
    ("POST", "/_sim/clock", "move the clock: {\"advance_s\": N} or {\"now_ns\": T}"),
    ("GET", "/_sim/refreshes", "every refresh request received: status, applied or not"),
    ("GET", "/_sim/truth", "the full log of a domain (domain, start_ns, end_ns), unpaged"),
    ("POST", "/_sim/inject", "add raw log entries: {\"domain\": D, \"entries\": [...]}"),
    ("POST", "/_sim/incident", "start an incident with a known cause: {\"kind\": K, "
     "\"in_s\": N, \"length_s\": N} (tui/sim/incidents.py); DELETE ends them"),
    ("GET", "/_sim/info", "domains, clock, rate, seed, retention and the incidents around now"),
    ("GET", "/_sim/purge", "the refresh effect and purge modes in force (tui/sim/purge.py)"),
    ("POST", "/_sim/purge",
     "set them: {\"refill\": 2, \"cached_error\", \"no_cache_status\", \"no_purge\": bool}"),
)


def admin(sim: Simulator, method: str, path: str, query: dict[str, list[str]],
          body: bytes) -> Reply:
    """The /_sim/* control endpoints (no token; loopback clients only, see server.py)."""
    name = path[len("/_sim/"):].strip("/")
    reply: Reply | None = None  # None: the control exists, not with this method
    try:
        if name == "":
            if method == "GET":
                listing = [{"method": m, "path": p, "description": d} for m, p, d in CONTROLS]
                reply = Reply(200, {"controls": listing}, "admin")
        elif name == "faults":
            reply = _faults(sim, method, body)
        elif name == "refreshes" and method == "GET":
            reply = Reply(200, {"data": sim.refreshes}, "admin")
        elif name == "clock":
            reply = _clock(sim, method, body)
        elif name == "truth" and method == "GET":
            reply = _truth(sim, query)
        elif name == "inject" and method == "POST":
            obj = _json(body)
            if not isinstance(obj, dict):
                raise SimError(400, "body must be a JSON object")
            n = sim.inject(str(obj.get("domain") or sim.domains[0]), obj.get("entries"))
            reply = Reply(200, {"injected": n}, "admin")
        elif name == "outage":
            reply = _outage(sim, method, body)
        elif name == "incident":
            reply = _incident(sim, method, body)
        elif name == "info" and method == "GET":
            reply = _info(sim)
        elif name == "purge":
            reply = _purge(sim, method, body)
        else:
            return error(404, "unknown simulator control (GET /_sim/ lists them)")
        return reply if reply is not None else error(405, "method not allowed")
    except SimError as e:
        return error(e.status, e.message)


def _faults(sim: Simulator, method: str, body: bytes) -> Reply | None:
    if method == "GET":
        return Reply(200, {"faults": sim.faults.snapshot()}, "admin")
    if method == "DELETE":
        sim.faults.clear()
        return Reply(200, {"faults": []}, "admin")
    if method == "POST":
        try:
            rules = sim.faults.set(_json(body))
        except ValueError as e:
            raise SimError(400, str(e)) from None
        return Reply(200, {"faults": rules}, "admin")
    return None


def _clock(sim: Simulator, method: str, body: bytes) -> Reply | None:
    if method == "POST":
        obj = _json(body)
        if not isinstance(obj, dict):
            raise SimError(400, "body must be a JSON object")
        try:
            if "now_ns" in obj:
                sim.set_now(obj["now_ns"])
            elif isinstance(obj.get("advance_s"), (int, float)):
                sim.advance(obj["advance_s"])
            else:
                raise SimError(400, "give advance_s (number) or now_ns (integer)")
        except ValueError as e:
            raise SimError(400, str(e)) from None
    if method in ("GET", "POST"):
        return Reply(200, {"now_ns": sim.now_ns(), "frozen": sim.clock.frozen}, "admin")
    return None


def _truth(sim: Simulator, query: dict[str, list[str]]) -> Reply:
    domain = _param(query, "domain") or sim.domains[0]
    start = _int_param(query, "start_ns", 0)
    end_raw = _param(query, "end_ns")
    end = None if end_raw is None else _int_param(query, "end_ns")
    entries = sim.truth(domain, start, end, limit=TRUTH_MAX + 1)
    if len(entries) > TRUTH_MAX:
        raise SimError(400, f"more than {TRUTH_MAX} entries: narrow start_ns/end_ns")
    return Reply(200, {"data": entries}, "admin")


def _outage(sim: Simulator, method: str, body: bytes) -> Reply | None:
    return _scheduled(sim, method, body, "outages", Outage.from_json, sim.add_outage,
                      sim.clear_outages, sim.config.outages)


def _incident(sim: Simulator, method: str, body: bytes) -> Reply | None:
    return _scheduled(sim, method, body, "incidents", Incident.from_json, sim.add_incident,
                      sim.clear_incidents, sim.config.known_incidents)


def _scheduled(sim: Simulator, method: str, body: bytes, key: str,
               parse: Callable[[Any, int], Any], add: Callable[[Any], list[dict[str, object]]],
               clear: Callable[[], None], current: tuple[Any, ...]) -> Reply | None:
    """POST adds one (an outage or an incident, from `now` on), DELETE ends all, GET lists."""
    if method == "POST":
        try:
            item = parse(_json(body), sim.now_ns() // 1_000_000_000)
            if item.domain is not None:
                sim.domain(item.domain)
        except ValueError as e:
            raise SimError(400, str(e)) from None
        return Reply(200, {key: add(item)}, "admin")
    if method == "DELETE":
        clear()
        return Reply(200, {key: []}, "admin")
    if method == "GET":
        return Reply(200, {key: [i.to_json() for i in current]}, "admin")
    return None


def _info(sim: Simulator) -> Reply:
    now_s = sim.now_ns() // 1_000_000_000
    cfg = sim.config
    return Reply(200, {
        "domains": list(cfg.domains), "now_ns": sim.now_ns(), "frozen": sim.clock.frozen,
        "rate": cfg.rate, "seed": cfg.seed, "retention_s": cfg.retention_s,
        "exact_series_s": sim.exact_window_s,
        "incidents": sim.incidents(now_s - 3600, now_s + 3600),
        "purge": sim.purge_info(), **sim.info_extra(),
    }, "admin")


def _purge(sim: Simulator, method: str, body: bytes) -> Reply | None:
    if method == "POST":
        try:
            return Reply(200, {"purge": sim.set_purge(_json(body))}, "admin")
        except ValueError as e:
            raise SimError(400, str(e)) from None
    if method == "GET":
        return Reply(200, {"purge": sim.purge.to_json()}, "admin")
    return None
