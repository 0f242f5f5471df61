"""Effective settings: defaults < config file (TOML) < environment < command-line flags.

Every value remembers where it came from so `s4top config` can say so. The token is never a
setting value: only the *path* of a token file is, or the name of the environment variable.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import platformdirs

from tui.core.sanitize import inert
from tui.core.timezones import DEFAULT_API_TIMEZONE, parse_timezone
from tui.core.token import TOKEN_ENV, TokenSource
from tui.core.units import parse_duration

APP_NAME = "s4top"
DEFAULT_API_BASE = "https://api.bitiful.com"


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
    if isinstance(value, str) and value.lower() in (
        "1", "true", "yes", "on", "0", "false", "no", "off"
    ):
        return value.lower() in ("1", "true", "yes", "on")
    raise TypeError("expected true or false")


def _timezone(value: Any) -> str:
    """A time zone name or offset, checked now (read in tui/core/timezones.py)."""
    parse_timezone(_string(value))
    return value.strip()


def _string_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise TypeError("expected a list of strings")


def _keymap(value: Any) -> dict[str, str]:
    if isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        return dict(value)
    raise TypeError('expected a table of binding id = "keys"')


def _setting(parse: Callable[[Any], Any], default: Any = None, *,
             factory: Callable[[], Any] | None = None) -> Any:
    """A settings field: its default and the parser that checks a value from a file, the
    environment or a flag (raising TypeError/ValueError with a reason)."""
    if factory is not None:
        return field(default_factory=factory, metadata={"parse": parse})
    return field(default=default, metadata={"parse": parse})


@dataclass(frozen=True, kw_only=True)
class Settings:
    """The effective settings, typed. The fields made by `_setting` are the one list of
    settings: SCHEMA, `s4top config` and the parsing are all derived from them."""

    api_base: str = _setting(_string, DEFAULT_API_BASE)
    domain: str | None = _setting(_string, None)
    domains: list[str] = _setting(_string_list, factory=list)
    token_file: str | None = _setting(_string, None)
    readonly: bool = _setting(_boolean, False)
    insecure: bool = _setting(_boolean, False)
    buffer_size: int = _setting(_positive_int, 100_000)
    backlog: float = _setting(_duration, 300.0)
    poll_interval: float = _setting(_positive_float, 2.0)
    tail_delay: float = _setting(_duration, 0.0)
    connect_timeout: float = _setting(_positive_float, 5.0)
    read_timeout: float = _setting(_positive_float, 15.0)
    theme: str = _setting(_string, "textual-dark")
    utc: bool = _setting(_boolean, False)
    export_dir: str = _setting(_string, ".")
    max_fps: float = _setting(_positive_float, 8.0)
    # A poll of more rows than the log pane shows is revealed in steps until the next poll.
    paced_reveal: bool = _setting(_boolean, True)
    refresh_limit: int = _setting(_positive_int, 300)
    refresh_window: float = _setting(_positive_duration, 300.0)
    # Retries of one-shot commands (logs, stats, refresh): attempts in all, first back-off.
    retry_attempts: int = _setting(_positive_int, 4)
    retry_base: float = _setting(_positive_duration, 0.5)
    # The follow loop (`logs --follow`, the dashboard): first back-off after a transient error,
    # its cap, and the slower back-off for errors a retry alone will not fix (auth, shape).
    backoff_base: float = _setting(_positive_duration, 1.0)
    # The cap keeps a healed API from waiting more than 30 s for the next try (issue 7).
    backoff_cap: float = _setting(_positive_duration, 30.0)
    auth_backoff: float = _setting(_positive_duration, 10.0)
    # Spike alerts: fire when the last `alert_window` is `alert_factor` times the trailing
    # `alert_baseline` and above the floor (a share of requests, or cache misses per second).
    alert_5xx_share: float = _setting(_positive_float, 0.02)
    alert_4xx_share: float = _setting(_positive_float, 0.10)
    alert_origin_rate: float = _setting(_positive_float, 5.0)
    alert_factor: float = _setting(_positive_float, 3.0)
    alert_window: float = _setting(_positive_duration, 60.0)
    alert_baseline: float = _setting(_positive_duration, 600.0)
    # ... and on their own at these levels over `alert_window` (a sustained outage has
    # absorbed its baseline), given at least `alert_min_requests` requests in the window.
    alert_5xx_absolute: float = _setting(_positive_float, 0.05)
    alert_4xx_absolute: float = _setting(_positive_float, 0.25)
    alert_origin_absolute: float = _setting(_positive_float, 50.0)
    alert_min_requests: int = _setting(_positive_count, 100)
    bell: bool = _setting(_boolean, False)
    top_window: float = _setting(_positive_duration, 300.0)
    # Purge verification (tui/refresh/verify.py): how long a refresh is tracked, and how
    # many requests without a MISS make the verdict "no MISS after N requests".
    verify_window: float = _setting(_positive_duration, 600.0)
    verify_requests: int = _setting(_positive_int, 3)
    keymap: dict[str, str] = _setting(_keymap, factory=dict)
    # `s4top exporter` (tui/exporter/): where /metrics listens (loopback unless told), how often
    # each domain's log tail and its four series are polled (the API budget: README.md),
    # its shard K/N of the domains, and the PEM files that make it serve HTTPS.
    exporter_listen: str = _setting(_string, "127.0.0.1:24831")
    exporter_poll_interval: float = _setting(_positive_duration, 10.0)
    exporter_series_interval: float = _setting(_positive_duration, 300.0)
    exporter_shard: str | None = _setting(_string, None)
    exporter_tls_cert: str | None = _setting(_string, None)
    exporter_tls_key: str | None = _setting(_string, None)
    # Long reads (`logs`, `record`, the backlog): time slices fetched at once (issue 14).
    concurrency: int = _setting(_positive_int, 4)
    # Client IPs cut to /24 (IPv4) or /48 (IPv6) in `record`, `logs` and `e`/`E` exports.
    anonymize_ip: bool = _setting(_boolean, False)
    # The zone of time text without one in API responses (the vendor's console is in
    # Beijing time); zoned text and Unix numbers never use it. docs/api.md.
    api_timezone: str = _setting(_timezone, DEFAULT_API_TIMEZONE)

    # Where the values came from, not settings themselves.
    origins: dict[str, str] = field(default_factory=dict)
    config_path: Path = field(default_factory=lambda: Path("config.toml"))
    config_found: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def values(self) -> Mapping[str, Any]:
        """Every setting by name (read-only: the settings are resolved once, at start)."""
        return MappingProxyType({name: getattr(self, name) for name in SCHEMA})

    @property
    def all_domains(self) -> list[str]:
        """The selected domain first, then the rest of the configured list, without repeats."""
        out: list[str] = []
        for d in ([self.domain] if self.domain else []) + self.domains:
            if d and d not in out:
                out.append(d)
        return out


def _default(f: Field[Any]) -> Any:
    return f.default_factory() if f.default_factory is not MISSING else f.default


#: name -> (parser, default), in the order of the fields above (and of `s4top config`).
SCHEMA: dict[str, tuple[Callable[[Any], Any], Any]] = {
    f.name: (f.metadata["parse"], _default(f)) for f in fields(Settings) if "parse" in f.metadata
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
    "S4TOP_API_TIMEZONE": "api_timezone",
}


def _convert(name: str, raw: Any, where: str) -> Any:
    conv, _ = SCHEMA[name]
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
    values = {name: _default_of(name) for name in SCHEMA}
    origins = dict.fromkeys(SCHEMA, "default")
    warnings: list[str] = []
    found = False

    def put(name: str, raw: Any, where: str, origin: str) -> None:
        values[name] = _convert(name, raw, where)
        origins[name] = origin

    if path.is_file():
        import tomllib  # here: most starts have no config file to read

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from None
        found = True
        for key, raw in data.items():
            if key not in SCHEMA:
                warnings.append(f"config file {path}: unknown setting '{inert(key, 80)}' ignored")
                continue
            put(key, raw, f"config file {path}", f"config file {path}")
    elif explicit:
        raise ConfigError(f"config file {path} does not exist")

    for var, name in ENV_VARS.items():
        if env.get(var):
            put(name, env[var], f"environment {var}", f"env {var}")

    for name, raw in flags.items():
        if raw is None:
            continue
        put(name, raw, f"option --{name.replace('_', '-')}", "command line")
    return Settings(**values, origins=origins, config_path=path, config_found=found,
                    warnings=warnings)


def _default_of(name: str) -> Any:
    """A fresh default (the list and table defaults are not shared between loads)."""
    return _default(_FIELDS[name])


_FIELDS = {f.name: f for f in fields(Settings)}


def token_source(settings: Settings, env: dict[str, str] | None = None) -> TokenSource:
    """--token-file (flag) > BITIFUL_API_TOKEN > token_file from env/config."""
    env = dict(os.environ) if env is None else env
    token_file = settings.token_file
    origin = settings.origins.get("token_file", "default")
    if token_file and origin == "command line":
        return TokenSource(file=Path(token_file).expanduser(), description=f"file {token_file}")
    if env.get(TOKEN_ENV):
        return TokenSource(env_value=env[TOKEN_ENV], description=f"env {TOKEN_ENV}")
    if token_file:
        return TokenSource(
            file=Path(token_file).expanduser(), description=f"file {token_file} ({origin})"
        )
    return TokenSource(description="none")


def warn(message: str) -> None:
    print(message, file=sys.stderr)
