"""The text format 0.0.4 of a registry, byte for byte what prometheus-client's
`generate_latest` writes (tests/unit/exporter/test_exposition.py compares them), in about a
quarter of its time.

Why our own: a scrape of 20 domains is about 1000 samples, and the library's per-sample line
(a regular expression per label name, a `str.format` per label, the name checked on every
sample) was two thirds of a scrape's CPU, all of it under the GIL that the 20 tails need
too (benchmarks/exporter.py). Here what depends only on a name is computed once per name and
kept; a sample costs its label values, its number and one join.
"""

from __future__ import annotations

from typing import Any

from prometheus_client.openmetrics.exposition import escape_label_name, escape_metric_name
from prometheus_client.registry import Collector

_INF = float("inf")
#: samples that the 0.0.4 format moves into a gauge family of their own after the family
_OM_SUFFIXES = ("_created", "_gsum", "_gcount")
_TYPES = {"counter": ("_total", "counter"), "info": ("_info", "gauge"),
          "stateset": ("", "gauge"), "gaugehistogram": ("", "histogram"),
          "unknown": ("", "untyped")}

#: (sample name, its label names in the dict's order) -> (the line up to its value as a
#: %-template, the label names in the order the template takes their values)
_heads: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}
#: label value -> its escaped text (the values repeat: domains, codes, endpoints)
_values: dict[str, str] = {}
_CACHE_MAX = 10_000  # names and values come from bounded sets; still, never grow without end


def _head(name: str, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    key = (name, keys)
    got = _heads.get(key)
    if got is None:
        if len(_heads) > _CACHE_MAX:
            _heads.clear()
        order = tuple(sorted(keys))
        labels = ",".join(f'{escape_label_name(k)}="%s"' for k in order)
        text = escape_metric_name(name).replace("%", "%%")
        if order:
            text += "{" + labels + "}"
        got = _heads[key] = (text + " %s", order)
    return got


def _escaped(value: str) -> str:
    got = _values.get(value)
    if got is None:
        if len(_values) > _CACHE_MAX:
            _values.clear()
        got = value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
        if len(value) <= 200:
            _values[value] = got
    return got


def go_float(value: Any) -> str:
    """A number as Go writes it (prometheus_client.utils.floatToGoString, same text)."""
    d = float(value)
    if d != d:
        return "NaN"
    if d == _INF:
        return "+Inf"
    if d == -_INF:
        return "-Inf"
    s = repr(d)
    dot = s.find(".")
    # Go switches to exponents sooner than Python (only positive values matter to the library)
    if d > 0 and dot > 6:
        mantissa = f"{s[0]}.{s[1:dot]}{s[dot + 1:]}".rstrip("0.")
        return f"{mantissa}e+{dot - 1:02d}"
    return s


def _line(sample: Any) -> str:
    labels = sample.labels
    head, order = _head(sample.name, tuple(labels))
    text = head % (*[_escaped(labels[k]) for k in order], go_float(sample.value))
    if sample.timestamp is None:
        return text + "\n"
    return f"{text} {int(float(sample.timestamp) * 1000):d}\n"


def _help(name: str, documentation: str) -> str:
    return f"# HELP {name} " + documentation.replace("\\", "\\\\").replace("\n", "\\n") + "\n"


def generate_text(registry: Collector) -> bytes:
    """The registry's metrics in the text format 0.0.4 (`generate_latest`'s bytes)."""
    out: list[str] = []
    for metric in registry.collect():
        try:
            suffix, mtype = _TYPES.get(metric.type, ("", metric.type))
            mname = escape_metric_name(metric.name + suffix)
            out.append(_help(mname, metric.documentation))
            out.append(f"# TYPE {mname} {mtype}\n")
            om_names = {metric.name + s: s for s in _OM_SUFFIXES}
            om: dict[str, list[str]] = {}
            for s in metric.samples:
                moved = om_names.get(s.name)
                if moved is None:
                    out.append(_line(s))
                else:
                    om.setdefault(moved, []).append(_line(s))
        except Exception as exc:  # the library's way: the family that failed goes with it
            exc.args = (exc.args or ("",)) + (metric,)
            raise
        for moved, lines in sorted(om.items()):
            oname = escape_metric_name(metric.name + moved)
            out.append(_help(oname, metric.documentation))
            out.append(f"# TYPE {oname} gauge\n")
            out.extend(lines)
    return "".join(out).encode("utf-8")
