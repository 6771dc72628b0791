"""Every user setting, declared once, and the config file that keeps them.

Each :class:`Setting` names its key (``section.name``, which is also where it lives in
``config.toml``), its type, default, label and help; the settings dialog builds its form from
:data:`SETTINGS`, and :func:`load_settings` / :func:`save_settings` read and write the file.
QSettings keeps only window geometry and splitter state, never a setting.

A password is never a setting: a store URL carrying one is refused, because the password
belongs in the OS keyring. Saving keeps every section and key this module does not know (their
values; comments are not kept) and replaces the file atomically, so a failed save leaves the old
file as it was. This module stays light (no SQLAlchemy, no Qt) like :mod:`console.config`.
"""

from __future__ import annotations

import getpass
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from console.config import PRIVACY_LEVELS, ConfigError, read_config
from console.domain.enums import Role

SettingValue = str | bool | int | tuple[str, ...]
"""What a setting holds; ``tuple`` is a list of strings (a TOML array)."""


def os_user_name() -> str:
    """The login name of whoever runs the console: the default agent name."""
    try:
        return getpass.getuser() or "agent"
    except (OSError, KeyError):  # no LOGNAME/USER and no passwd entry (some containers)
        return "agent"


def _not_empty(value: SettingValue) -> str | None:
    return "must not be empty" if isinstance(value, str) and not value.strip() else None


def _no_empty_folder(value: SettingValue) -> str | None:
    if isinstance(value, tuple) and any(not folder.strip() for folder in value):
        return "must not contain an empty folder name"
    return None


def _store_url_rule(value: SettingValue) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None  # empty: the local store
    try:
        password = urlsplit(value.strip()).password
    except ValueError:
        return None  # malformed in other ways: opening the store says how
    if password is not None:
        return (
            "must not contain a password: type it in the password field of the settings "
            "dialog (or run `agent-console store login URL`) so it is kept in the OS keyring"
        )
    return None


@dataclass(frozen=True, slots=True)
class Setting:
    """One user setting: where it lives, what it holds, and how the dialog presents it."""

    key: str
    """``section.name``: the ``[section]`` and key of config.toml."""
    type: type
    """``str``, ``bool``, ``int``, or ``tuple`` (a list of strings)."""
    default: SettingValue | Callable[[], SettingValue]
    """The value when the file has none; a callable is asked each time (e.g. the OS user)."""
    label: str
    help: str = ""
    choices: tuple[str, ...] = ()
    """The only values allowed, when not empty (shown as a drop-down)."""
    rule: Callable[[SettingValue], str | None] | None = None
    """An extra check returning what is wrong ("must not be empty"), or None."""
    widget: str = ""
    """A presentation hint for the dialog: ``store`` (mode, URL and password), ``folders``."""

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def where(self) -> str:
        """How messages name it: ``[diagnostics] privacy``."""
        return f"[{self.section}] {self.name}"

    def default_value(self) -> SettingValue:
        return self.default() if callable(self.default) else self.default

    def check(self, value: object) -> SettingValue:
        """``value`` as this setting holds it; raises ValueError with the rule it breaks."""
        checked = _coerce(self.type, value)
        if isinstance(checked, str):
            checked = checked.strip()
        if self.choices and checked not in self.choices:
            raise ValueError(f"must be one of {', '.join(self.choices)}, not {value!r}")
        problem = self.rule(checked) if self.rule else None
        if problem:
            raise ValueError(problem)
        return checked


def _coerce(kind: type, value: object) -> SettingValue:
    # bool is an int in Python; a TOML true must not pass for a number, nor 1 for a switch.
    if kind is bool and isinstance(value, bool):
        return value
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is str and isinstance(value, str):
        return value
    if kind is tuple and isinstance(value, list | tuple):
        if all(isinstance(item, str) for item in value):
            return tuple(value)
        raise ValueError("must be a list of strings")
    names = {str: "a string", bool: "true or false", int: "a whole number", tuple: "a list"}
    raise ValueError(f"must be {names[kind]}, not {value!r}")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "store.url",
        str,
        "",
        "Ticket store",
        "Empty: tickets stay in this computer's own store. A team PostgreSQL URL "
        "(postgresql://USER@HOST/DATABASE) shares them; its password is kept in the OS keyring.",
        rule=_store_url_rule,
        widget="store",
    ),
    Setting(
        "diagnostics.privacy",
        str,
        "standard",
        "Privacy level",
        "How much redaction runs before diagnostics are stored: strict also hides MAC "
        "addresses, host names and user names.",
        choices=PRIVACY_LEVELS,
    ),
    Setting(
        "agent.name",
        str,
        os_user_name,
        "Agent name",
        "Your name as tickets, transcripts and audit entries record it.",
        rule=_not_empty,
    ),
    Setting(
        "agent.role",
        str,
        Role.AGENT.value,
        "Role",
        "Supervisors also see the review queue; the team store enforces roles too.",
        choices=tuple(role.value for role in Role),
    ),
    Setting(
        "playbooks.folders",
        tuple,
        (),
        "Playbook folders",
        "Folders of your organization's playbooks, loaded after the bundled ones.",
        rule=_no_empty_folder,
        widget="folders",
    ),
)
"""Every user setting, in the order the dialog shows them."""

SECTION_TITLES = {
    "store": "Ticket store",
    "diagnostics": "Diagnostics",
    "agent": "Agent",
    "playbooks": "Playbooks",
}

_BY_KEY = {setting.key: setting for setting in SETTINGS}


def setting(key: str) -> Setting:
    """The declaration of ``key``; KeyError for a key nobody declared."""
    return _BY_KEY[key]


class Settings:
    """A complete, checked set of setting values: every declared key has one. Immutable."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, object] | None = None) -> None:
        """Defaults for what ``values`` leaves out; raises ValueError for a bad value."""
        checked = {s.key: s.default_value() for s in SETTINGS}
        for key, value in (values or {}).items():
            checked[key] = setting(key).check(value)
        self._values: Mapping[str, SettingValue] = MappingProxyType(checked)

    @property
    def values(self) -> Mapping[str, SettingValue]:
        return self._values

    def __repr__(self) -> str:
        return f"Settings({dict(self._values)!r})"

    def __getitem__(self, key: str) -> SettingValue:
        return self._values[key]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and dict(self.values) == dict(other.values)

    __hash__ = None  # type: ignore[assignment]  # equal by value; the values are not hashable

    def replaced(self, changes: Mapping[str, object]) -> Settings:
        """A copy with ``changes`` applied; raises ValueError naming the first bad one."""
        merged: dict[str, SettingValue] = dict(self.values)
        for key, value in changes.items():
            declared = setting(key)
            try:
                merged[key] = declared.check(value)
            except ValueError as exc:
                raise ValueError(f"{declared.label} {exc}") from None
        return Settings(merged)

    @property
    def store_url(self) -> str:
        """The ticket store URL; empty for this computer's own (local) store."""
        return str(self.values["store.url"])

    @property
    def privacy(self) -> str:
        return str(self.values["diagnostics.privacy"])

    @property
    def agent_name(self) -> str:
        return str(self.values["agent.name"])

    @property
    def agent_role(self) -> Role:
        return Role(str(self.values["agent.role"]))

    @property
    def playbook_folders(self) -> tuple[Path, ...]:
        """Extra playbook folders (the bundled playbooks always load as well)."""
        folders = self.values["playbooks.folders"]
        assert isinstance(folders, tuple)
        return tuple(Path(folder).expanduser() for folder in folders)


def load_settings(path: Path) -> Settings:
    """The settings in ``path`` (defaults for what it leaves out; no file: all defaults).

    Raises :class:`~console.config.ConfigError` with one sentence naming the file, the key
    and the rule it breaks.
    """
    data = read_config(path)
    values: dict[str, SettingValue] = {}
    for declared in SETTINGS:
        section = data.get(declared.section, {})
        if declared.name not in section:
            continue
        try:
            values[declared.key] = declared.check(section[declared.name])
        except ValueError as exc:
            raise ConfigError(f"{path}: {declared.where} {exc}") from None
    return Settings(values)


def save_settings(settings: Settings, path: Path) -> None:
    """Write ``settings`` into ``path``, keeping every section and key it does not declare.

    The file is replaced atomically (a temporary file in the same directory, then
    ``os.replace``): on any failure the old file stays as it was. An empty string is left
    out of the file rather than written (``[store] url`` absent means the local store).
    Raises :class:`~console.config.ConfigError` when the existing file cannot be read (it is
    then not overwritten, so nothing in it is lost) and OSError when writing fails.
    """
    document: dict[str, dict[str, Any]] = {
        name: dict(section) for name, section in read_config(path).items()
    }
    for declared in SETTINGS:
        value = settings[declared.key]
        if value == "":
            document.get(declared.section, {}).pop(declared.name, None)
            continue
        section = document.setdefault(declared.section, {})
        section[declared.name] = list(value) if isinstance(value, tuple) else value
    write_atomically(path, render_toml(document))


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) so readers see the old file or the new, never half.

    A symlinked file (dotfiles kept in a repository) stays a link: its target is replaced.
    """
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as temp:
            temp.write(text)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def changed_keys(before: Settings, after: Settings) -> list[str]:
    """The declared keys whose values differ, in declaration order."""
    return [s.key for s in SETTINGS if before[s.key] != after[s.key]]


# --- a minimal TOML writer: enough for every value tomllib reads back ------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def render_toml(document: Mapping[str, Mapping[str, Any]]) -> str:
    """``document`` (section -> key -> value) as TOML text that tomllib reads back equal.

    Strings, booleans, integers, floats, dates and times, lists, and tables nested in a section
    (written as inline tables). Raises ValueError for a string TOML cannot hold (a lone
    surrogate) and TypeError for a value of another type.
    """
    blocks = []
    for name, table in document.items():
        lines = [f"[{_toml_key(name)}]"]
        lines += [f"{_toml_key(key)} = {_toml_value(value)}" for key, value in table.items()]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04X}")
        elif "\ud800" <= char <= "\udfff":
            raise ValueError("TOML cannot hold a lone surrogate (not a Unicode character)")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):  # before int: True is an int too
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # 1e+16, inf, -inf and nan are TOML's spellings too
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        pairs = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }"
    raise TypeError(f"TOML cannot hold a {type(value).__name__}")
