"""What the log pane shows of the buffer: status classes and a text filter (a substring, a
/regex/, or terms with field terms among them, `cache:MISS code:5xx png`).

A filter is an immutable value; `tui/core/buffer.py` applies it over its columns (a field term
over its column, tui/core/fieldfilter.py; the plain words over the cached search text), and
`LogFilter.matches` says the same for one entry. All terms must match. Filters change what is
shown, never what is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.core.fieldfilter import FieldTerm, TermError, parse_term, regex_literal, split_prefix
from tui.core.models import LogEntry, StatusClass

__all__ = ["FilterError", "LogFilter", "and_term", "haystack"]


class FilterError(ValueError):
    """A filter the user typed cannot be used (a bad regex, CIDR or code); the message says
    why."""


def haystack(e: LogEntry) -> str:
    """The lower-cased text a filter searches: status, method, client IP, country, cache, URL.

    Status comes first and the URL last, so `/5\\d\\d .*\\.png$/` reads naturally.
    """
    return f"{e.status} {e.method} {e.client_ip} {e.country} {e.cache} {e.url}".lower()

def _compile_regex(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text[1:-1], re.IGNORECASE)
    except re.error as e:
        where = f" at position {e.pos + 1}" if e.pos is not None else ""
        raise FilterError(f"bad regex {text}: {e.msg}{where}") from None


def _words_test(needles: list[str], patterns: list[re.Pattern[str]]) -> Callable[[str], bool]:
    """All plain words of a field filter must match the search text."""
    searches = [p.search for p in patterns]

    def test(hay: str) -> bool:
        return all(n in hay for n in needles) and all(s(hay) for s in searches)

    return test


def _is_regex(text: str) -> bool:
    return len(text) >= 3 and text[0] == "/" and text[-1] == "/"


def and_term(text: str, term: str) -> str:
    """A filter text selecting what `text` does AND what `term` (one field term) does: how a
    top-N drill narrows the filter already shown. A phrase or a /regex/ with spaces becomes
    one regex word with the spaces escaped, so it means what it meant."""
    if not text.strip():
        return term
    words = text.split()
    if text != " ".join(words) or len(words) > 1:
        if any(split_prefix(w) is not None for w in words):
            return f"{' '.join(words)} {term}"  # terms already: one more term
        if _is_regex(text):
            body = re.sub(r"\\?\s", lambda m: f"\\x{ord(m.group()[-1]):02x}", text[1:-1])
        else:
            body = regex_literal(text)
        text = f"/{body}/"
    return f"{text} {term}"


@dataclass(frozen=True, slots=True)
class LogFilter:
    """Status classes (empty = all) and a text: plain case-insensitive substring, `/regex/`,
    or space-separated terms with field terms among them (`cache:MISS code:5xx png`).

    `lenient=True` drops the terms that cannot be used instead of raising (they filter
    nothing out) and says why in `error`: the dashboard applies what the user typed so far.
    """

    classes: frozenset[StatusClass] = frozenset()
    text: str = ""
    lenient: bool = field(default=False, compare=False, repr=False)
    error: str = field(default="", init=False, compare=False, repr=False)
    _terms: tuple[FieldTerm, ...] = field(default=(), init=False, repr=False, compare=False)
    _digits: frozenset[int] = field(default=frozenset(), init=False, repr=False, compare=False)
    _test: Callable[[str], object] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _needle: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        classes = frozenset(StatusClass(c) for c in self.classes)
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "_digits", frozenset(c.digit for c in classes))
        text = self.text
        if not text:
            return
        words = text.split()
        if any(split_prefix(w) is not None for w in words):
            self._init_terms(words)
            return
        if _is_regex(text):
            try:
                pattern = _compile_regex(text)
            except FilterError as exc:
                if not self.lenient:
                    raise
                object.__setattr__(self, "error", str(exc))
                return
            object.__setattr__(self, "_test", pattern.search)
        else:
            needle = text.lower()
            pattern = re.compile(re.escape(text), re.IGNORECASE)
            object.__setattr__(self, "_test", _contains(needle))
            object.__setattr__(self, "_needle", needle)
        object.__setattr__(self, "_pattern", pattern)

    def _init_terms(self, words: list[str]) -> None:
        """Field terms test their column; the plain words (substring or /regex/) must all
        match the search text."""
        terms: list[FieldTerm] = []
        needles: list[str] = []
        patterns: list[re.Pattern[str]] = []
        errors: list[str] = []
        for w in words:
            try:
                term = parse_term(w)
                if term is not None:
                    terms.append(term)
                elif _is_regex(w):
                    patterns.append(_compile_regex(w))
                else:
                    needles.append(w.lower())
            except (TermError, FilterError) as exc:
                if not self.lenient:
                    raise FilterError(str(exc)) from None
                errors.append(str(exc))
        object.__setattr__(self, "_terms", tuple(terms))
        object.__setattr__(self, "error", "; ".join(errors))
        if needles or patterns:
            object.__setattr__(self, "_test", _words_test(needles, patterns))
            shown = [re.escape(n) for n in needles] + [p.pattern for p in patterns]
            object.__setattr__(self, "_pattern", re.compile("|".join(shown), re.IGNORECASE))

    @property
    def active(self) -> bool:
        """True when something is hidden (a class or a text filter is set)."""
        return bool(self.classes) or bool(self.text)

    def matches(self, e: LogEntry) -> bool:
        """Does `e` pass? (The buffer uses a faster path with cached search text.)"""
        if self._digits and e.status // 100 not in self._digits:
            return False
        if not all(t.test(getattr(e, t.column)) for t in self._terms):
            return False
        return self._test is None or bool(self._test(haystack(e)))

    def with_class_key(self, c: StatusClass) -> LogFilter:
        """docs/ux.md: from all shown, a key shows only its class; then keys toggle classes, and
        removing the last class shows all again."""
        c = StatusClass(c)
        if not self.classes:
            classes = frozenset({c})
        elif c in self.classes:
            classes = self.classes - {c}
        else:
            classes = self.classes | {c}
        return LogFilter(classes, self.text, self.lenient)

    def all_classes(self) -> LogFilter:
        """Key 0: every class shown (the text filter stays)."""
        return LogFilter(frozenset(), self.text, self.lenient)

    def with_text(self, text: str) -> LogFilter:
        """Same classes, new text; raises FilterError for a bad regex, CIDR or code."""
        return LogFilter(self.classes, text)

    def with_text_lenient(self, text: str) -> LogFilter:
        """Same classes, new text; a bad term filters nothing out and is named in `error`."""
        return LogFilter(self.classes, text, lenient=True)

    def spans(self, s: str) -> list[tuple[int, int]]:
        """Where the text filter matches in `s` (a displayed string), for highlighting."""
        if self._pattern is None:
            return []
        return [(m.start(), m.end()) for m in self._pattern.finditer(s) if m.end() > m.start()]

    def describe(self) -> str:
        """The classes shown, for the header: '2XX 5XX' or 'all'."""
        if not self.classes:
            return "all"
        return " ".join(c.value for c in sorted(self.classes, key=lambda c: c.digit))


def _contains(needle: str) -> Callable[[str], bool]:
    def test(hay: str) -> bool:
        return needle in hay

    return test
