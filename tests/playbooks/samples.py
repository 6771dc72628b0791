"""Shared by the playbook tests: a small valid playbook, a stand-in check registry, and a way to
see a validator's findings as ``line:column: severity: message`` strings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from console.playbooks.catalog import CheckCatalog
from console.playbooks.validator import ValidationReport, validate_bytes

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = FIXTURES / "vpn-cannot-connect.yaml"
"""The issue's example, verbatim (one deliberate flaw: ``os_branch`` is unreachable)."""

BASE = """\
id: printer-jam
title: Printer jammed
version: 1
category: printer
required_facts: [printer_name]
start: which
nodes:
  which:
    input: {fact: printer_name, prompt: "Which printer?"}
    next: ping
  ping:
    check: tcp_connect
    args: {host: printer.example.com, port: 9100}
    on_pass: clear
    on_fail: network
  clear:
    instruct: Open tray 2 and remove the jammed sheet.
    next: works
  works:
    ask: Does it print now?
    choices:
      - {label: "Yes", next: fixed}
      - {label: "No", next: network}
  fixed:
    resolve: {summary: Paper jam cleared}
  network:
    escalate: {trigger: complexity, queue: print}
"""
"""A valid playbook using every kind but branch; tests edit single lines of it, so the line
numbers in their expectations are the ones here."""


class FakeArgumentError(ValueError):
    def __init__(self, check: str, argument: str, message: str) -> None:
        super().__init__(f"{check}: {message}")
        self.argument = argument


def _validate(name: str, args: Mapping[str, Any]) -> dict[str, Any]:
    if name == "tcp_connect":
        for key in args:
            if key not in ("host", "port"):
                raise FakeArgumentError(name, key, f"unknown argument {key!r}")
        if not isinstance(args.get("host"), str):
            raise FakeArgumentError(name, "host", "host is required: a host name")
        port = args.get("port")
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise FakeArgumentError(name, "port", f"port must be 1 to 65535, not {port!r}")
    elif args:
        raise FakeArgumentError(name, next(iter(args)), "it takes no arguments")
    return dict(args)


CATALOG = CheckCatalog(frozenset({"tcp_connect", "vpn_adapter_present", "dns_resolves"}), _validate)
"""Three checks, so these tests do not depend on the real registry's evolution."""


def report_of(text: str, path: str = "pb.yaml") -> ValidationReport:
    return validate_bytes(text.encode(), path, catalog=CATALOG)


def findings(text: str) -> list[str]:
    """The problems as ``line:column: severity: message``, in file order."""
    return [str(problem).removeprefix("pb.yaml:") for problem in report_of(text).problems]


def edited(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} is not in the text exactly once"
    return text.replace(old, new)
