"""The text format 0.0.4 of a registry, byte for byte what prometheus-client's
`generate_latest` writes (tests/unit/exporter/test_exposition.py compares them), in a third
of its time.

Why our own: a scrape of 20 domains is about 1000 samples, and the library's per-sample line
(a regular expression per label name, a `str.format` per label, the name checked on every
sample) was two thirds of a scrape's CPU, all of it under the GIL that the 20 tails need
too (benchmarks/exporter.py). Here each series' text up to its value is made once and kept.
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

#: (sample name, its labels' items) -> the line up to its value: a scrape's series repeat in
#: the next one (the same domains, codes, endpoints), so a sample costs a lookup and a number
_prefixes: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
_CACHE_MAX = 20_000  # 20 scrapes of 20 domains; past it, start again (bounded memory)


def _prefix(name: str, items: tuple[tuple[str, str], ...]) -> str:
    """`name{label="value",...} ` with the library's escapes and its order (sorted names)."""
    text = escape_metric_name(name)
    if items:
        text += "{" + ",".join(
            f'{escape_label_name(k)}="'
            + v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"') + '"'
            for k, v in sorted(items)) + "}"
    if len(_prefixes) >= _CACHE_MAX:
        _prefixes.clear()
    _prefixes[(name, items)] = text = text + " "
    return text


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


def _value(value: Any) -> str:
    """`go_float`, with the common case (a finite number below a million) in one `repr`."""
    text = repr(float(value))
    if "n" in text or (text.find(".") > 6 and text[0] != "-"):  # inf, nan; Go's exponent
        return go_float(value)
    return text


def _family_lines(samples: list[Any], out: list[str], moved_as: dict[str, str],
                  moved: dict[str, list[str]]) -> None:
    """The sample lines of one family, in order, into `out` (or `moved`, by suffix, for the
    samples that the 0.0.4 format puts in a gauge family of their own)."""
    prefixes = _prefixes
    for sample in samples:
        key = (sample.name, tuple(sample.labels.items()))
        head = prefixes.get(key) or _prefix(*key)
        if sample.timestamp is None:
            text = head + _value(sample.value) + "\n"
        else:
            text = f"{head}{_value(sample.value)} {int(float(sample.timestamp) * 1000):d}\n"
        suffix = moved_as.get(sample.name)
        if suffix is None:
            out.append(text)
        else:
            moved.setdefault(suffix, []).append(text)


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
            om: dict[str, list[str]] = {}
            _family_lines(metric.samples, out, {metric.name + s: s for s in _OM_SUFFIXES}, om)
        except Exception as exc:  # the library's way: the family that failed goes with it
            exc.args = (exc.args or ("",)) + (metric,)
            raise
        for moved, lines in sorted(om.items()):
            oname = escape_metric_name(metric.name + moved)
            out.append(_help(oname, metric.documentation))
            out.append(f"# TYPE {oname} gauge\n")
            out.extend(lines)
    return "".join(out).encode("utf-8")
