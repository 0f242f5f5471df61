"""Fitting long keys (URLs above all) into a narrow column without making two rows look the
same: the middle goes, the scheme+host start and the file name end stay."""

from __future__ import annotations

__all__ = ["ELLIPSIS", "elide_middle"]

ELLIPSIS = "…"


def _head(text: str) -> str:
    """`scheme://host` of a URL ('' for anything else)."""
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme or "/" in scheme:
        return ""
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}"


def elide_middle(text: str, width: int) -> str:
    """`text` in at most `width` characters: unchanged when it fits; else the start (a URL's
    scheme and host) + `…` + as much of the end (its file name first) as fits."""
    if len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:max(width, 0)]
    head = _head(text)
    tail = text[text.rfind("/"):] if "/" in text[len(head):] else ""
    if head and len(head) + 1 + len(tail) <= width:
        keep = width - len(head) - 1
        return head + ELLIPSIS + text[len(text) - keep:]
    # no room for both whole: the file name end gets the larger half
    start = (width - 1) // 3 if tail else (width - 1) // 2
    return text[:start] + ELLIPSIS + text[len(text) - (width - 1 - start):]
