"""Where the console keeps things, and which ticket store it uses.

The store is chosen, in order, by ``--store URL``, the ``AGENT_CONSOLE_STORE`` environment
variable, ``[store] url`` in the config file, or else a SQLite file in the user data directory.
A password never comes from here: it lives in the OS keyring (``agent-console store login``).
This module stays light (no SQLAlchemy, and on Linux neither platformdirs nor pathlib until a
path is asked for) because every command starts with it and `collect` is timed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from console.values import Value

TYPE_CHECKING = False  # not typing's (~5 ms): see console/diagnostics/__init__.py
if TYPE_CHECKING:
    from pathlib import Path

APP_NAME = "agent-console"
STORE_ENV = "AGENT_CONSOLE_STORE"
CONFIG_FILE_NAME = "config.toml"


class ConfigError(Exception):
    """The config file is unreadable or breaks a rule; the message names file and key."""


class StoreChoice(Value):
    """The ticket store's URL, and where the choice came from (for messages: ``--store``,
    ``AGENT_CONSOLE_STORE``, a config file, ``default``)."""

    __slots__ = ("url", "source")
    url: str
    source: str

    def __init__(self, url: str, source: str) -> None:
        self._set("url", url)
        self._set("source", source)


# Where platformdirs puts user configuration on Linux and the BSDs is plain XDG, computed here
# without importing platformdirs (about 15 ms of `collect`, which only needs the config file to
# read its privacy level). tests/test_config.py checks this against platformdirs.
_XDG_PLATFORM = sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) and not (
    hasattr(sys, "getandroidapilevel") or "ANDROID_DATA" in os.environ
)


def config_dir_name() -> str:
    """The user config directory, as ``platformdirs.user_config_dir`` names it."""
    if _XDG_PLATFORM:
        xdg = os.environ.get("XDG_CONFIG_HOME", "")
        if os.path.isabs(xdg):  # a relative one is ignored, as the XDG spec says
            return os.path.join(xdg, APP_NAME)
        home = os.environ.get("HOME", "")
        if os.path.isabs(home):
            return os.path.join(home.rstrip("/") + "/.config", APP_NAME)
    # Elsewhere, or an odd home (unset, relative): platformdirs knows the rules.
    import platformdirs

    return platformdirs.user_config_dir(APP_NAME, appauthor=False)


def config_dir() -> Path:
    from pathlib import Path

    return Path(config_dir_name())


def data_dir() -> Path:
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    return config_dir() / CONFIG_FILE_NAME


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
        if not isinstance(url, str):
            raise ConfigError(f"{path}: [store] url must be a string")
        if url.strip():  # empty means the local store, as the settings dialog writes it
            return StoreChoice(url.strip(), str(path))
    return StoreChoice(f"sqlite:///{workstation_path()}", "default")


def read_config(path: str | Path) -> dict[str, dict[str, object]]:
    try:
        with open(path, "rb") as f:
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


def default_privacy(path: str | Path | None = None) -> str:
    """The diagnostics privacy level from ``[diagnostics] privacy``, else ``standard``."""
    path = path or os.path.join(config_dir_name(), CONFIG_FILE_NAME)
    value = read_config(path).get("diagnostics", {}).get("privacy", "standard")
    if value not in PRIVACY_LEVELS:
        raise ConfigError(
            f"{path}: [diagnostics] privacy must be one of {', '.join(PRIVACY_LEVELS)}, "
            f"not {value!r}"
        )
    return str(value)
