"""Where the console keeps things, and which ticket store it uses.

The store is chosen, in order, by ``--store URL``, the ``AGENT_CONSOLE_STORE`` environment
variable, ``[store] url`` in the config file, or else a SQLite file in the user data directory.
A password never comes from here: it lives in the OS keyring (``agent-console store login``).
This module stays light (no SQLAlchemy) because every command starts with it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "agent-console"
STORE_ENV = "AGENT_CONSOLE_STORE"


class ConfigError(Exception):
    """The config file is unreadable or breaks a rule; the message names file and key."""


@dataclass(frozen=True, slots=True)
class StoreChoice:
    url: str
    source: str
    """Where the choice came from, for messages: --store, AGENT_CONSOLE_STORE, a file, default."""


def config_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    return config_dir() / "config.toml"


def workstation_path() -> Path:
    """This workstation's own SQLite store: drafts, the outbox, and in local mode the tickets."""
    return data_dir() / "console.db"


def choose_store(cli_value: str | None, environ: Mapping[str, str] = os.environ) -> StoreChoice:
    if cli_value:
        return StoreChoice(cli_value, "--store")
    if environ.get(STORE_ENV):
        return StoreChoice(environ[STORE_ENV], STORE_ENV)
    path = config_file()
    url = read_config(path).get("store", {}).get("url")
    if url is not None:
        if not isinstance(url, str) or not url.strip():
            raise ConfigError(f"{path}: [store] url must be a non-empty string")
        return StoreChoice(url.strip(), str(path))
    return StoreChoice(f"sqlite:///{workstation_path()}", "default")


def read_config(path: Path) -> dict[str, dict[str, object]]:
    try:
        with path.open("rb") as f:
            import tomllib  # here: most machines have no config file, and `collect` is timed

            data = tomllib.load(f)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for key, value in data.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{key}' must be a [section]")
    return data


PRIVACY_LEVELS = ("standard", "strict")


def default_privacy(path: Path | None = None) -> str:
    """The diagnostics privacy level from ``[diagnostics] privacy``, else ``standard``."""
    path = path or config_file()
    value = read_config(path).get("diagnostics", {}).get("privacy", "standard")
    if value not in PRIVACY_LEVELS:
        raise ConfigError(
            f"{path}: [diagnostics] privacy must be one of {', '.join(PRIVACY_LEVELS)}, "
            f"not {value!r}"
        )
    return str(value)
