"""Where the API token comes from, read lazily (a rotated token file is picked up) and never
shown: `repr` names the source, errors name the file and the reason, never the value."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

TOKEN_ENV = "BITIFUL_API_TOKEN"


class TokenError(OSError):
    """No token could be found or read (exit 3).

    An OSError whose `strerror` is the reason and `filename` the token file, so the API client,
    which reports an unreadable token by those two fields only (never by the message of an
    arbitrary exception, which might hold the token), can still say what is wrong mid-run."""

    def __init__(self, message: str, reason: str | None = None, path: Path | None = None) -> None:
        super().__init__(0, reason or message, None if path is None else str(path))
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass
class TokenSource:
    """Where the token comes from. Reads lazily so a rotated token file is picked up."""

    env_value: str | None = None
    file: Path | None = None
    description: str = ""
    _cache: tuple[tuple[int, int, int], str] | None = field(default=None, repr=False)

    def read(self) -> str:
        if self.file is not None:
            problem = None
            try:
                st = self.file.stat()
                # mtime alone misses a rotation within one clock tick on a coarse file system
                key = (st.st_mtime_ns, st.st_size, st.st_ino)
                if self._cache and self._cache[0] == key:
                    return self._cache[1]
                token = self.file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                reason = exc.strerror or type(exc).__name__
                problem = f"cannot read token file {self.file}: {reason}"
            except UnicodeDecodeError:
                reason = "not UTF-8 text"
                problem = f"token file {self.file} is not UTF-8 text"
            if problem is not None:
                raise TokenError(problem, f"token file: {reason}", self.file)
            if not token:
                raise TokenError(
                    f"token file {self.file} is empty", "the token file is empty", self.file
                )
            self._cache = (key, token)
            return token
        if self.env_value:
            return self.env_value
        raise TokenError(f"no API token: set {TOKEN_ENV} or use --token-file PATH")

    def __repr__(self) -> str:  # never show the value
        return f"TokenSource({self.description!r})"


def token_file_warning(path: Path) -> str | None:
    """A warning when a token file is readable by group or others."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"warning: token file {path} is readable by others; fix with: chmod 600 {path}"
    return None
