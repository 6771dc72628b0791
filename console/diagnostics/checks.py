"""The fixed registry of automated checks: the only things a playbook can make this machine do.

A playbook names a check and gives it arguments; it can never run a command of its own. Each
check here has typed, validated arguments, a time budget, and a result of ``pass``, ``fail``,
``error`` or ``skipped`` with evidence (JSON-able, free of secrets) and its duration.

Timeouts: every check runs in a daemon thread of its own and the caller waits at most the
check's timeout (plus a moment's grace for the check to report its own, more precise,
timeout). Sockets inside get the remaining budget as their timeout, so checks normally end by
themselves; ``getaddrinfo`` cannot be interrupted, so a hung resolver is abandoned at the
deadline (the thread ends whenever the resolver returns) and reported as an ``error``.
"""

from __future__ import annotations

import difflib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from console.diagnostics import checks_network as net
from console.diagnostics import checks_system as machine
from console.diagnostics.check_arguments import (
    CA_FILE,
    DAYS,
    DISK_PATH,
    GB,
    HOST,
    MIN_DAYS,
    PATTERN,
    PERCENT,
    PORT,
    PROCESS,
    SHARE,
    TLS_PORT,
    URL,
    CheckArgumentError,
    Param,
    checked_values,
    from_text,
    refuse_unknown,
)
from console.diagnostics.checks_base import (
    CheckCannotRun,
    Deadline,
    Finding,
    Probe,
    describe_error,
)
from console.domain.checks import CheckStatus, CheckUnavailable

__all__ = [
    "REGISTRY",
    "CheckArgumentError",
    "CheckResult",
    "CheckSpec",
    "CheckStatus",
    "Param",
    "Probe",
    "UnknownCheck",
    "parse_arguments",
    "run_check",
    "run_checks",
    "validate_arguments",
]

GRACE = 0.25
"""Seconds past the timeout the runner still waits for a check to report its own timeout."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One run of one check. ``summary`` is a sentence the agent can read to the caller."""

    name: str
    status: CheckStatus
    summary: str
    evidence: Mapping[str, Any]
    duration_ms: float
    args: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "summary": self.summary,
            "evidence": dict(self.evidence),
            "duration_ms": self.duration_ms,
            "args": dict(self.args),
        }


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A registered check. ``one_of`` names arguments of which exactly one must be given."""

    name: str
    summary: str
    params: tuple[Param, ...]
    timeout: float
    func: Callable[..., Finding]
    one_of: tuple[str, ...] = ()


class UnknownCheck(CheckUnavailable, ValueError):
    """No check has that name. ``str()`` is one sentence suggesting close names.

    A bad name in a command or a playbook's arguments (a ValueError); to a playbook run, a
    check that is not available on this console, so it is skipped."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.suggestions = difflib.get_close_matches(name, list(REGISTRY), n=3, cutoff=0.6)
        if self.suggestions:
            hint = "did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        else:
            hint = "the checks are " + ", ".join(sorted(REGISTRY))
        super().__init__(f"There is no check named {name!r}; {hint}")


def _registry(*specs: CheckSpec) -> Mapping[str, CheckSpec]:
    return MappingProxyType({spec.name: spec for spec in specs})


# Timeouts: network checks get time for a slow far side; local readings need little.
REGISTRY: Mapping[str, CheckSpec] = _registry(
    CheckSpec("dns_resolves", "The name resolves to an address.", (HOST,), 5.0, net.dns_resolves),
    CheckSpec(
        "tcp_connect", "host:port accepts a TCP connection.", (HOST, PORT), 5.0, net.tcp_connect
    ),
    CheckSpec(
        "tls_certificate_valid",
        "The server's certificate is trusted, current and issued for the host name.",
        (HOST, TLS_PORT, CA_FILE, MIN_DAYS),
        8.0,
        net.tls_certificate_valid,
    ),
    CheckSpec(
        "http_reachable",
        "The URL gives an HTTP answer (4xx/5xx too: reachable, but said so).",
        (URL, CA_FILE),
        10.0,
        net.http_reachable,
    ),
    CheckSpec("interface_up", "A matching interface is up.", (PATTERN,), 3.0, machine.interface_up),
    CheckSpec("vpn_adapter_present", "A VPN adapter is up.", (), 3.0, machine.vpn_adapter_present),
    CheckSpec(
        "default_gateway_present",
        "The machine has a default route.",
        (),
        5.0,
        machine.default_gateway_present,
    ),
    CheckSpec(
        "disk_free_at_least",
        "The disk holding the path has this much free space (percent or gb, one of them).",
        (DISK_PATH, SHARE, GB),
        3.0,
        machine.disk_free_at_least,
        one_of=("percent", "gb"),
    ),
    CheckSpec(
        "memory_available_at_least",
        "At least this percentage of memory is available.",
        (PERCENT,),
        3.0,
        machine.memory_available_at_least,
    ),
    CheckSpec(
        "process_running",
        "A process of this name runs (case and .exe ignored).",
        (PROCESS,),
        5.0,
        machine.process_running,
    ),
    CheckSpec(
        "uptime_at_most",
        "The machine restarted at most this many days ago.",
        (DAYS,),
        3.0,
        machine.uptime_at_most,
    ),
    CheckSpec(
        "battery_at_least",
        "The battery holds at least this percentage (skipped without a battery).",
        (PERCENT,),
        3.0,
        machine.battery_at_least,
    ),
    CheckSpec(
        "cpu_load_at_most",
        "CPU load, sampled briefly, is at most this percentage.",
        (PERCENT,),
        3.0,
        machine.cpu_load_at_most,
    ),
    CheckSpec(
        "proxy_configured",
        "A proxy or PAC file is configured.",
        (),
        5.0,
        machine.proxy_configured,
    ),
)


def _spec(name: str) -> CheckSpec:
    spec = REGISTRY.get(name)
    if spec is None:
        raise UnknownCheck(name)
    return spec


def validate_arguments(name: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """Arguments as typed in YAML, checked: every parameter present in the result (defaults
    filled in, ``None`` for an optional one left out). Raises :class:`UnknownCheck` or
    :class:`CheckArgumentError`; the playbook validator reports those with file and line."""
    spec = _spec(name)
    return checked_values(spec.name, spec.params, spec.one_of, args)


def parse_arguments(name: str, raw: Mapping[str, str]) -> dict[str, Any]:
    """Arguments typed on a command line as ``key=value`` strings, converted and checked."""
    spec = _spec(name)
    refuse_unknown(spec.name, spec.params, raw)
    params = {p.name: p for p in spec.params}
    typed = {key: from_text(spec.name, params[key], text) for key, text in raw.items()}
    return checked_values(spec.name, spec.params, spec.one_of, typed)


# --- running ---------------------------------------------------------------------------------


def _bounded(spec: CheckSpec, values: dict[str, Any], limit: float, probe: Probe) -> Finding:
    """The check's finding, or an ``error`` finding if it raised or outlived ``limit``."""
    box: list[Finding] = []

    def work() -> None:
        try:
            box.append(spec.func(probe, Deadline(limit), **values))
        except Exception as exc:  # noqa: BLE001 - any failure becomes this check's error result
            reason = str(exc) if isinstance(exc, CheckCannotRun) else describe_error(exc)
            box.append(
                Finding(CheckStatus.ERROR, f"The check could not run: {reason}.", {"error": reason})
            )

    worker = threading.Thread(target=work, name=f"check:{spec.name}", daemon=True)
    worker.start()
    worker.join(limit + GRACE)
    if box:
        return box[0]
    # The worker may be stuck in getaddrinfo, which nothing can interrupt: it is left to end
    # on its own (it is a daemon, so it cannot hold the application open).
    summary = f"{spec.name} timed out after {limit:g} s."
    return Finding(CheckStatus.ERROR, summary, {"timeout_s": limit})


def run_check(
    name: str, args: Mapping[str, Any], *, timeout: float | None = None, probe: Probe | None = None
) -> CheckResult:
    """Run one check. Bad names or arguments raise (:class:`UnknownCheck`,
    :class:`CheckArgumentError`); everything that goes wrong while running becomes a result
    with status ``error`` and the reason. ``timeout`` overrides the check's own budget;
    ``probe`` replaces this machine (tests)."""
    spec = _spec(name)
    values = validate_arguments(name, args)
    limit = spec.timeout if timeout is None else timeout
    if not limit > 0:
        raise ValueError(f"{name}: the timeout must be above 0 seconds, not {limit!r}")
    started = time.perf_counter()
    finding = _bounded(spec, values, limit, probe or Probe())
    duration = round((time.perf_counter() - started) * 1000, 1)
    return CheckResult(
        name=name,
        status=finding.status,
        summary=finding.summary,
        evidence=MappingProxyType(dict(finding.evidence)),
        duration_ms=duration,
        args=MappingProxyType(values),
    )


def run_checks(
    requests: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    max_workers: int = 8,
    timeout: float | None = None,
    probe: Probe | None = None,
) -> list[CheckResult]:
    """Run several checks at once; results come back in request order.

    All requests are validated before any runs, so a typo fails fast and runs nothing. A slow
    check costs at most its own timeout: the others go on beside it (with more requests than
    ``max_workers``, the rest wait for a free worker, never for an abandoned check).
    """
    for name, args in requests:
        validate_arguments(name, args)
    if timeout is not None and not timeout > 0:
        raise ValueError(f"the timeout must be above 0 seconds, not {timeout!r}")
    if not requests:
        return []
    probe = probe or Probe()
    workers = max(1, min(max_workers, len(requests)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="checks") as pool:
        futures = [
            pool.submit(run_check, name, args, timeout=timeout, probe=probe)
            for name, args in requests
        ]
        return [future.result() for future in futures]
