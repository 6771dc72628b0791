"""Arguments of the automated checks: their declaration, and checking them before a check runs.

Values arrive typed from playbook YAML (``port: 443``) or as text from the command line
(``port=443``). Either way a bad value is refused with one sentence that names the check, the
argument and the rule, so an agent or a playbook author can fix it without reading code.
"""

from __future__ import annotations

import difflib
import ipaddress
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from console.diagnostics.checks_base import strip_credentials

_TYPE_WORDS: dict[type, str] = {
    int: "a whole number",
    float: "a number",
    str: "text",
    bool: "true or false",
}
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_HOST_NAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$")


@dataclass(frozen=True, slots=True)
class Param:
    """A check's argument. ``rule`` completes "port must be ..." in error messages;
    ``accepts`` is the rule as code, applied once the type is right."""

    name: str
    type: type
    required: bool = True
    default: Any = None
    help: str = ""
    rule: str = ""
    accepts: Callable[[Any], bool] | None = None

    @property
    def must_be(self) -> str:
        return self.rule or _TYPE_WORDS[self.type]


class CheckArgumentError(ValueError):
    """Bad arguments for a check. ``str()`` is one sentence naming the check, the argument and
    the rule, e.g. "tcp_connect: port must be a whole number from 1 to 65535, not 'abc'"."""

    def __init__(self, check: str, argument: str, message: str) -> None:
        self.check = check
        self.argument = argument
        super().__init__(f"{check}: {message}")


def is_host(value: str) -> bool:
    """An IP address, or a DNS name (international names are checked in their ASCII form)."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        try:
            ascii_name = value.encode("idna").decode("ascii")
        except UnicodeError:
            return False
        return bool(_HOST_NAME.match(ascii_name)) and ".." not in ascii_name
    return True


def is_web_url(value: str) -> bool:
    """http(s) with a host; no user name or password, which would end up in the transcript."""
    if any(char.isspace() or not char.isprintable() for char in value):
        return False
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    if parts.username is not None or parts.password is not None or parts.port == 0:
        return False
    return parts.scheme in ("http", "https") and is_host(parts.hostname or "")


def text_up_to(limit: int) -> Callable[[Any], bool]:
    return lambda value: 0 < len(value.strip()) <= limit and value.isprintable()


def above(low: float, high: float) -> Callable[[Any], bool]:
    return lambda value: low < value <= high


def _bad(check: str, param: Param, value: Any) -> CheckArgumentError:
    # The message is shown and logged: a URL's password must not ride along in it.
    shown = repr(strip_credentials(value)) if isinstance(value, str) else repr(value)
    message = f"{param.name} must be {param.must_be}, not {shown}"
    return CheckArgumentError(check, param.name, message)


def refuse_unknown(check: str, params: Iterable[Param], given: Iterable[str]) -> None:
    """Raise for the first argument the check does not take, suggesting the closest one."""
    known = [p.name for p in params]
    for argument in given:
        if argument in known:
            continue
        close = difflib.get_close_matches(argument, known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        takes = f"it takes {', '.join(known)}" if known else "it takes no arguments"
        raise CheckArgumentError(check, argument, f"unknown argument {argument!r}; {hint}{takes}")


def from_text(check: str, param: Param, text: str) -> Any:
    """A command-line value converted to the param's type (its rule is checked later)."""
    cleaned = text.strip()
    if param.type is int and re.fullmatch(r"[+-]?\d+", cleaned):
        return int(cleaned)
    if param.type is float:
        try:
            number = float(cleaned)
        except ValueError:
            raise _bad(check, param, text) from None
        if not math.isfinite(number):
            raise _bad(check, param, text)
        return number
    if param.type is bool and cleaned.lower() in _TRUE | _FALSE:
        return cleaned.lower() in _TRUE
    if param.type is str:
        return text
    raise _bad(check, param, text)


def _typed(check: str, param: Param, value: Any) -> Any:
    """``value`` if it has the param's type (an int is a float; a bool is not an int) and
    keeps its rule."""
    if isinstance(value, bool) and param.type is not bool:
        raise _bad(check, param, value)
    if param.type is float and isinstance(value, int | float):
        if not math.isfinite(value):
            raise _bad(check, param, value)
        value = float(value)
    if not isinstance(value, param.type):
        raise _bad(check, param, value)
    if param.accepts is not None and not param.accepts(value):
        raise _bad(check, param, value)
    return value


def checked_values(
    check: str, params: tuple[Param, ...], one_of: tuple[str, ...], args: Mapping[str, Any]
) -> dict[str, Any]:
    """Every param's value: given ones checked, left-out ones defaulted (a ``None`` value
    counts as left out, as YAML's ``~`` does)."""
    refuse_unknown(check, params, args)
    values: dict[str, Any] = {}
    for param in params:
        value = args.get(param.name)
        if value is not None:
            values[param.name] = _typed(check, param, value)
        elif param.required:
            message = f"{param.name} is required: {param.must_be}"
            raise CheckArgumentError(check, param.name, message)
        else:
            values[param.name] = param.default
    if one_of and sum(values[name] is not None for name in one_of) != 1:
        message = f"give exactly one of {' or '.join(one_of)}"
        raise CheckArgumentError(check, "/".join(one_of), message)
    return values


# The arguments the registered checks take.
HOST = Param(
    "host", str, help="host name or IP address", rule="a host name or IP address", accepts=is_host
)
PORT = Param(
    "port", int, help="TCP port", rule="a whole number from 1 to 65535", accepts=above(0, 65535)
)
PERCENT = Param(
    "percent",
    float,
    help="threshold in percent",
    rule="a number above 0 and at most 100",
    accepts=above(0, 100),
)
CA_FILE = Param(
    "ca_file",
    str,
    required=False,
    help="PEM bundle to trust instead of the system store (an internal CA; tests use it)",
    rule="the path of a PEM file",
    accepts=text_up_to(4096),
)
URL = Param(
    "url",
    str,
    help="http:// or https:// URL",
    rule="an http:// or https:// URL with a host and no user name or password",
    accepts=is_web_url,
)
MIN_DAYS = Param(
    "min_days",
    int,
    required=False,
    default=0,
    help="fail when the certificate expires within this many days",
    rule="a whole number of days from 0 to 3650",
    accepts=lambda days: 0 <= days <= 3650,
)
PATTERN = Param(
    "pattern",
    str,
    help="a glob (wl*) or part of the name (Wi-Fi), ignoring case",
    rule="a glob or part of an interface name",
    accepts=text_up_to(100),
)
DISK_PATH = Param(
    "path",
    str,
    required=False,
    help="a path on the disk (default: the system drive)",
    rule="a path",
    accepts=text_up_to(4096),
)
PROCESS = Param(
    "name",
    str,
    help="process name, e.g. outlook.exe",
    rule="a process name",
    accepts=text_up_to(260),
)
DAYS = Param(
    "days",
    float,
    help="days since the last restart",
    rule="a number of days above 0",
    accepts=above(0, 36500),
)
GB = Param(
    "gb",
    float,
    required=False,
    help="free space in GB",
    rule="a number of GB above 0",
    accepts=above(0, 1e9),
)
TLS_PORT = replace(PORT, required=False, default=443)
SHARE = replace(PERCENT, required=False)
