"""Alternative wire shapes, so clients are tested against more than one guess.

The real response shapes are unknown (see docs/api.md). `default` is the shape public
client code suggests; the others are plausible variants a tolerant parser must accept,
and `unknown` is one it must refuse loudly:

default
    logs:    {"data": [{path,size,access_time,code,method,ip,country,referer,ua,cache}],
              "message": "ok"}
    series:  {"data": [{"time", "value"}]}
    refresh: {"message": "ok"}
alt1
    logs:    {"data": [{url,bytes,timestamp,status,http_method,client_ip,country_code,
              referer,user_agent,cache_status}]}
    series:  {"data": {"<unix s>": value}}
    refresh: {"code": 0, "message": "ok", "data": null}
alt2
    logs:    bare [{uri,body_bytes_sent,time,http_code,request_method,remote_addr,geo,
              http_referer,http_user_agent,cache}]
    series:  bare {"timestamps": [...], "values": [...]}
    refresh: {"message": "ok"}
alt3
    logs:    {"code": 0, "message": "success", "data": [{path,size,ts,status_code,method,
              clientip,region,referer,ua,hit: bool}]}
    series:  bare [[unix s, value], ...]
    refresh: {"code": 0, "message": "ok"}
alt4
    logs:    bare [default keys]
    series:  {"data": [{"timestamp": unix ms, "bytes"|"requests": value}]}
    refresh: {"message": "ok"}
alt5
    logs:    {"data": [{access_time: "ns as text", httpStatusCode, host, uri (bare path),
              size: float, ip_country, client_ip, method, referer, ua, cache}]}
    series:  {"data": [{"time": "2024-03-22 12:00:00" (naive Beijing time), "value"}]}
    refresh: {"success": true, "message": "ok"}
unknown
    logs:    {"result": {"rows": [...]}}
    series:  {"result": {"rows": [...]}}
    refresh: {"result": "accepted"}

Times stay in nanoseconds in every log shape (ms would break paging); alt4 series use
milliseconds. Keys the simulator does not know (injected entries) pass through unchanged.
Error bodies keep {"code", "message"} in every shape.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .errshapes import ERROR_SHAPES

#: The success shapes below, then the error shapes of errshapes.py.
SHAPES = ("default", "alt1", "alt2", "alt3", "alt4", "alt5", "unknown", *ERROR_SHAPES)
_BEIJING_S = 8 * 3600

_LOG_KEYS: dict[str, dict[str, str]] = {
    "alt1": {"path": "url", "size": "bytes", "access_time": "timestamp", "code": "status",
             "method": "http_method", "ip": "client_ip", "country": "country_code",
             "ua": "user_agent", "cache": "cache_status"},
    "alt2": {"path": "uri", "size": "body_bytes_sent", "access_time": "time",
             "code": "http_code", "method": "request_method", "ip": "remote_addr",
             "country": "geo", "referer": "http_referer", "ua": "http_user_agent"},
    "alt3": {"access_time": "ts", "code": "status_code", "ip": "clientip",
             "country": "region", "cache": "hit"},
}


def _rename(entry: dict[str, Any], keys: dict[str, str], shape: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in entry.items():
        if shape == "alt3" and k == "cache" and isinstance(v, str):
            v = v == "HIT"
        out[keys.get(k, k)] = v
    return out


def _alt5(entry: dict[str, Any]) -> dict[str, Any]:
    """Key names and value forms other CDN log APIs use (issue 16)."""
    out: dict[str, Any] = {}
    for k, v in entry.items():
        if k == "path" and isinstance(v, str) and "://" in v:
            parts = urlsplit(v)
            out["host"] = parts.netloc
            out["uri"] = parts.path + (f"?{parts.query}" if parts.query else "")
        elif k == "access_time" and isinstance(v, int):
            out["access_time"] = str(v)
        elif k == "size" and isinstance(v, int):
            out["size"] = float(v)
        else:
            out[{"code": "httpStatusCode", "country": "ip_country",
                 "ip": "client_ip"}.get(k, k)] = v
    return out


def shape_logs(entries: list[dict[str, Any]], shape: str) -> Any:
    if shape == "alt5":
        return {"data": [_alt5(e) for e in entries]}
    if shape in _LOG_KEYS:
        entries = [_rename(e, _LOG_KEYS[shape], shape) for e in entries]
    if shape == "alt1":
        return {"data": entries}
    if shape == "alt2":
        return entries
    if shape == "alt3":
        return {"code": 0, "message": "success", "data": entries}
    if shape == "alt4":
        return entries
    if shape == "unknown":
        return {"result": {"rows": entries}}
    return {"data": entries, "message": "ok"}


def shape_series(points: list[dict[str, int]], shape: str, metric: str = "request") -> Any:
    if shape == "alt1":
        return {"data": {str(p["time"]): p["value"] for p in points}}
    if shape == "alt2":
        return {"timestamps": [p["time"] for p in points], "values": [p["value"] for p in points]}
    if shape == "alt3":
        return [[p["time"], p["value"]] for p in points]
    if shape == "alt4":
        key = "bytes" if metric.startswith("traffic") else "requests"
        return {"data": [{"timestamp": p["time"] * 1000, key: p["value"]} for p in points]}
    if shape == "alt5":
        return {"data": [dict(p, time=datetime.fromtimestamp(p["time"] + _BEIJING_S, UTC)
                              .strftime("%Y-%m-%d %H:%M:%S")) for p in points]}
    if shape == "unknown":
        return {"result": {"rows": points}}
    return {"data": points}


def shape_refresh(obj: dict[str, Any], shape: str) -> Any:
    if shape == "alt1":
        return {"code": 0, "message": obj.get("message"), "data": None}
    if shape == "alt3":
        return {"code": 0, "message": obj.get("message")}
    if shape == "alt5":
        return {"success": True, "message": obj.get("message")}
    if shape == "unknown":
        return {"result": "accepted"}
    return obj


def apply_shape(kind: str, obj: Any, shape: str, metric: str = "request") -> Any:
    """Re-shape a default-shape success body of `kind` (logs, series, refresh)."""
    if shape == "default":
        return obj
    if kind == "logs":
        return shape_logs(obj["data"], shape)
    if kind == "series":
        return shape_series(obj["data"], shape, metric)
    if kind == "refresh":
        return shape_refresh(obj, shape)
    return obj
