"""Settings precedence (defaults < config file < env < flags), clear errors, token sources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.config import ConfigError, load_settings, token_source
from tui.core.token import TokenError, token_file_warning


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_config_file(tmp_path: Path) -> None:
    s = load_settings(flags={}, env={}, config_path=None)
    assert s.api_base == "https://api.bitiful.com"
    assert s.buffer_size == 100_000
    assert s.backlog == 300.0
    assert s.origins["api_base"] == "default"
    assert s.config_found is False


def test_precedence_config_env_flag(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", 'api_base = "http://127.0.0.1:1"\ndomain = "a.example.com"\nbuffer_size = 500\n')
    s = load_settings(flags={}, env={}, config_path=cfg)
    assert (s.api_base, s.domain, s.buffer_size) == ("http://127.0.0.1:1", "a.example.com", 500)
    assert s.origins["domain"].startswith("config file")
    s = load_settings(flags={}, env={"S4TOP_DOMAIN": "b.example.com"}, config_path=cfg)
    assert s.domain == "b.example.com" and s.origins["domain"] == "env S4TOP_DOMAIN"
    s = load_settings(flags={"domain": "c.example.com"}, env={"S4TOP_DOMAIN": "b.example.com"}, config_path=cfg)
    assert s.domain == "c.example.com" and s.origins["domain"] == "command line"
    assert s.buffer_size == 500  # untouched by env/flags


def test_config_path_from_env(tmp_path: Path) -> None:
    cfg = write(tmp_path / "x.toml", 'domain = "e.example.com"\n')
    s = load_settings(flags={}, env={"S4TOP_CONFIG": str(cfg)})
    assert s.domain == "e.example.com"


def test_default_config_location_uses_user_config_dir(isolated_dirs: Path) -> None:
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "s4top" / "config.toml"
    path.parent.mkdir(parents=True)
    write(path, "poll_interval = 5\n")
    s = load_settings(flags={})
    assert s.config_path == path and s.config_found and s.poll_interval == 5.0


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("buffer_size = \"many\"\n", "buffer_size"),
        ("buffer_size = -3\n", "buffer_size"),
        ("readonly = 3\n", "readonly"),
        ("backlog = \"forever\"\n", "backlog"),
        ("domains = 5\n", "domains"),
        ("keymap = 1\n", "keymap"),
    ],
)
def test_wrong_types_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    cfg = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(flags={}, env={}, config_path=cfg)
    assert needle in str(info.value) and str(cfg) in str(info.value)


def test_broken_toml_is_a_clear_error(tmp_path: Path) -> None:
    cfg = write(tmp_path / "broken.toml", "domain = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(flags={}, env={}, config_path=cfg)


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(flags={}, env={}, config_path=tmp_path / "nope.toml")


def test_unknown_keys_warn_and_empty_config_is_fine(tmp_path: Path) -> None:
    s = load_settings(flags={}, env={}, config_path=write(tmp_path / "u.toml", "colour = \"red\"\n"))
    assert any("colour" in w for w in s.warnings)
    s = load_settings(flags={}, env={}, config_path=write(tmp_path / "e.toml", ""))
    assert s.config_found and s.warnings == []


def test_bad_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="S4TOP_READONLY"):
        load_settings(flags={}, env={"S4TOP_READONLY": "perhaps"}, config_path=None)


def test_token_sources_and_precedence(tmp_path: Path) -> None:
    tf = write(tmp_path / "tok", "  file-token-123 \n")
    os.chmod(tf, 0o600)
    s = load_settings(flags={"token_file": str(tf)}, env={})
    src = token_source(s, env={"BITIFUL_API_TOKEN": "env-token-456"})
    assert src.read() == "file-token-123"  # the flag wins over the env
    s = load_settings(flags={}, env={})
    assert token_source(s, env={"BITIFUL_API_TOKEN": "env-token-456"}).read() == "env-token-456"
    with pytest.raises(TokenError, match="BITIFUL_API_TOKEN"):
        token_source(s, env={}).read()


def test_token_file_rotation_is_picked_up(tmp_path: Path) -> None:
    tf = write(tmp_path / "tok", "old-token-aaaa\n")
    s = load_settings(flags={"token_file": str(tf)}, env={})
    src = token_source(s, env={})
    assert src.read() == "old-token-aaaa"
    write(tf, "new-token-bbbb\n")
    os.utime(tf, (1, 1))  # a different mtime even within one clock tick
    assert src.read() == "new-token-bbbb"


def test_token_never_in_repr(tmp_path: Path) -> None:
    s = load_settings(flags={}, env={})
    src = token_source(s, env={"BITIFUL_API_TOKEN": "secret-token-zzz"})
    assert "secret-token-zzz" not in repr(src) and "secret-token-zzz" not in str(src)


def test_empty_or_unreadable_token_file(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty", "\n")
    s = load_settings(flags={"token_file": str(empty)}, env={})
    with pytest.raises(TokenError, match="empty"):
        token_source(s, env={}).read()
    s = load_settings(flags={"token_file": str(tmp_path / "missing")}, env={})
    with pytest.raises(TokenError, match="cannot read"):
        token_source(s, env={}).read()


def test_world_readable_token_file_warns(tmp_path: Path) -> None:
    tf = write(tmp_path / "tok", "t0ken-value\n")
    os.chmod(tf, 0o644)
    w = token_file_warning(tf)
    assert w is not None and str(tf) in w and "chmod 600" in w
    os.chmod(tf, 0o600)
    assert token_file_warning(tf) is None


def test_settings_are_typed_frozen_fields_and_schema_comes_from_them() -> None:
    import dataclasses
    import typing

    from tui.config import SCHEMA, Settings

    s = load_settings(flags={"poll_interval": "0.5", "alert_window": "90s"}, env={}, config_path=None)
    assert s.poll_interval == 0.5 and s.alert_window == 90.0  # parsed once, typed
    hints = typing.get_type_hints(Settings)
    names = [f.name for f in dataclasses.fields(Settings) if "parse" in f.metadata]
    assert names == list(SCHEMA)  # one list: the fields, in `s4top config` order
    assert hints["poll_interval"] is float and hints["buffer_size"] is int and hints["utc"] is bool
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.poll_interval = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.values["export_dir"] = "/tmp"  # type: ignore[index]
    assert s.values["poll_interval"] == 0.5 and s.origins["poll_interval"] == "command line"
    # fresh defaults per load: a list default is never shared
    assert load_settings(flags={}, env={}, config_path=None).domains is not \
        load_settings(flags={}, env={}, config_path=None).domains
