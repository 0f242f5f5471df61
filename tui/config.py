"""Effective settings: defaults < config file (TOML) < environment < command-line flags.

Every value remembers where it came from so `s4top config` can say so. The token is never a
setting value: only the *path* of a token file is, or the name of the environment variable.
"""

from __future__ import annotations

import math
import os
import stat
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from tui.core.sanitize import inert
from tui.core.units import parse_duration

APP_NAME = "s4top"
DEFAULT_API_BASE = "https://api.bitiful.com"
TOKEN_ENV = "BITIFUL_API_TOKEN"


class ConfigError(Exception):
    """A broken config file or a value of the wrong type (exit 2, one line)."""


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def _duration(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError("expected a duration like 90s, 15m, 2h or a number of seconds")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            raise ValueError("expected a duration of zero or more seconds")
        return float(value)
    if isinstance(value, str):
        return float(parse_duration(value))
    raise TypeError("expected a duration like 90s, 15m, 2h or a number of seconds")


def _positive_duration(value: Any) -> float:
    seconds = _duration(value)
    if seconds <= 0:
        raise ValueError("expected a duration longer than zero")
    return seconds


def _positive_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TypeError("expected a positive whole number")
    return value


def _positive_float(value: Any) -> float:
    if isinstance(value, str):  # from an environment variable
        try:
            value = float(value)
        except ValueError:
            raise TypeError("expected a positive number") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise TypeError("expected a positive number")
    if not math.isfinite(value):
        raise TypeError("expected a finite number")
    return float(value)


def _positive_count(value: Any) -> int:
    """A positive whole number, also as the text of an environment variable."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return _positive_int(value)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        return value.lower() in ("1", "true", "yes", "on")
    raise TypeError("expected true or false")


def _string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise TypeError("expected a list of strings")


def _keymap(value: Any) -> dict[str, str]:
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise TypeError('expected a table of binding id = "keys"')


#: name -> (converter, default). The converter raises TypeError/ValueError with a reason.
SCHEMA: dict[str, tuple[Any, Any]] = {
    "api_base": (_string, DEFAULT_API_BASE),
    "domain": (_string, None),
    "domains": (_string_list, []),
    "token_file": (_string, None),
    "readonly": (_boolean, False),
    "insecure": (_boolean, False),
    "buffer_size": (_positive_int, 100_000),
    "backlog": (_duration, 300.0),
    "poll_interval": (_positive_float, 2.0),
    "tail_delay": (_duration, 0.0),
    "connect_timeout": (_positive_float, 5.0),
    "read_timeout": (_positive_float, 15.0),
    "theme": (_string, "textual-dark"),
    "utc": (_boolean, False),
    "export_dir": (_string, "."),
    "max_fps": (_positive_float, 8.0),
    "refresh_limit": (_positive_int, 300),
    "refresh_window": (_positive_duration, 300.0),
    # Retries of one-shot commands (logs, stats, refresh): attempts in all, first back-off.
    "retry_attempts": (_positive_int, 4),
    "retry_base": (_positive_duration, 0.5),
    # The follow loop (`logs --follow`, the dashboard): first back-off after a transient error,
    # its cap, and the slower back-off for errors a retry alone will not fix (auth, shape).
    "backoff_base": (_positive_duration, 1.0),
    # The cap keeps a healed API from waiting more than 30 s for the next try (issue 7).
    "backoff_cap": (_positive_duration, 30.0),
    "auth_backoff": (_positive_duration, 10.0),
    # Spike alerts: fire when the last `alert_window` is `alert_factor` times the trailing
    # `alert_baseline` and above the floor (a share of requests, or cache misses per second).
    "alert_5xx_share": (_positive_float, 0.02),
    "alert_4xx_share": (_positive_float, 0.10),
    "alert_origin_rate": (_positive_float, 5.0),
    "alert_factor": (_positive_float, 3.0),
    "alert_window": (_positive_duration, 60.0),
    "alert_baseline": (_positive_duration, 600.0),
    # ... and on their own at these levels over `alert_window` (a sustained outage has
    # absorbed its baseline), given at least `alert_min_requests` requests in the window.
    "alert_5xx_absolute": (_positive_float, 0.05),
    "alert_4xx_absolute": (_positive_float, 0.25),
    "alert_origin_absolute": (_positive_float, 50.0),
    "alert_min_requests": (_positive_count, 100),
    "bell": (_boolean, False),
    "top_window": (_positive_duration, 300.0),
    "keymap": (_keymap, {}),
}



def is_duration(name: str) -> bool:
    """True for settings read as durations (`s4top config` prints them as '5m', '90s')."""
    return name in SCHEMA and SCHEMA[name][0] in (_duration, _positive_duration)


#: environment variable -> setting
ENV_VARS = {
    "S4TOP_API_BASE": "api_base",
    "S4TOP_DOMAIN": "domain",
    "S4TOP_TOKEN_FILE": "token_file",
    "S4TOP_READONLY": "readonly",
    "S4TOP_ALERT_5XX_ABSOLUTE": "alert_5xx_absolute",
    "S4TOP_ALERT_4XX_ABSOLUTE": "alert_4xx_absolute",
    "S4TOP_ALERT_ORIGIN_ABSOLUTE": "alert_origin_absolute",
    "S4TOP_ALERT_MIN_REQUESTS": "alert_min_requests",
}


@dataclass
class Settings:
    values: dict[str, Any]
    origins: dict[str, str]
    config_path: Path
    config_found: bool
    warnings: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(name)

    def set(self, name: str, value: Any, origin: str) -> None:
        self.values[name] = value
        self.origins[name] = origin

    @property
    def all_domains(self) -> list[str]:
        """The selected domain first, then the rest of the configured list, without repeats."""
        out: list[str] = []
        for d in ([self.values["domain"]] if self.values["domain"] else []) + self.values["domains"]:
            if d and d not in out:
                out.append(d)
        return out


def _convert(name: str, raw: Any, where: str) -> Any:
    conv, _default = SCHEMA[name]
    try:
        return conv(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: setting '{name}': {exc}") from None


def load_settings(
    flags: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    config_path: str | Path | None = None,
) -> Settings:
    """Resolve settings. `flags` holds only the options the user actually gave."""
    env = dict(os.environ) if env is None else env
    flags = flags or {}
    if config_path is None:
        config_path = env.get("S4TOP_CONFIG") or default_config_path()
        explicit = "S4TOP_CONFIG" in env
    else:
        explicit = True
    path = Path(config_path).expanduser()
    values = {name: default for name, (_conv, default) in SCHEMA.items()}
    origins = dict.fromkeys(SCHEMA, "default")
    settings = Settings(values=values, origins=origins, config_path=path, config_found=False)

    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from None
        settings.config_found = True
        for key, raw in data.items():
            if key not in SCHEMA:
                settings.warnings.append(f"config file {path}: unknown setting '{inert(key, 80)}' ignored")
                continue
            settings.set(key, _convert(key, raw, f"config file {path}"), f"config file {path}")
    elif explicit:
        raise ConfigError(f"config file {path} does not exist")

    for var, name in ENV_VARS.items():
        if env.get(var):
            settings.set(name, _convert(name, env[var], f"environment {var}"), f"env {var}")

    for name, raw in flags.items():
        if raw is None:
            continue
        settings.set(name, _convert(name, raw, f"option --{name.replace('_', '-')}"), "command line")
    return settings


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
                raise TokenError(f"token file {self.file} is empty", "the token file is empty", self.file)
            self._cache = (key, token)
            return token
        if self.env_value:
            return self.env_value
        raise TokenError(f"no API token: set {TOKEN_ENV} or use --token-file PATH")

    def __repr__(self) -> str:  # never show the value
        return f"TokenSource({self.description!r})"


def token_source(settings: Settings, env: dict[str, str] | None = None) -> TokenSource:
    """--token-file (flag) > BITIFUL_API_TOKEN > token_file from env/config."""
    env = dict(os.environ) if env is None else env
    token_file = settings.values.get("token_file")
    origin = settings.origins.get("token_file", "default")
    if token_file and origin == "command line":
        return TokenSource(file=Path(token_file).expanduser(), description=f"file {token_file}")
    if env.get(TOKEN_ENV):
        return TokenSource(env_value=env[TOKEN_ENV], description=f"env {TOKEN_ENV}")
    if token_file:
        return TokenSource(file=Path(token_file).expanduser(), description=f"file {token_file} ({origin})")
    return TokenSource(description="none")


def token_file_warning(path: Path) -> str | None:
    """A warning when a token file is readable by group or others."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"warning: token file {path} is readable by others; fix with: chmod 600 {path}"
    return None


def warn(message: str) -> None:
    print(message, file=sys.stderr)
