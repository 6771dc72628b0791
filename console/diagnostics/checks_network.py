"""Checks that talk to the network: name resolution, TCP, TLS certificates, HTTP.

Every socket gets the remaining :class:`Deadline` as its timeout, so these checks end on
their own when the far side is silent. Only name resolution cannot be bounded this way
(``getaddrinfo`` takes no timeout); the runner abandons a check that outlives its budget.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import ssl
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from console.diagnostics.checks_base import (
    CheckCannotRun,
    Deadline,
    Finding,
    Probe,
    describe_error,
)
from console.domain.checks import CheckStatus

MAX_ADDRESSES = 4
"""Addresses tried per name: enough for IPv6 + IPv4 on two hosts, few enough to stay quick."""
USER_AGENT = "agent-console-check/1"

# OpenSSL verification codes an agent can act on, in the words they would use.
_VERIFY_REASONS = {
    9: "is not valid yet",
    10: "has expired",
    18: "is self-signed",
    19: "is signed by a self-signed certificate this machine does not trust",
    20: "is issued by a certificate authority this machine does not trust",
    21: "is issued by a certificate authority this machine does not trust",
    62: "does not cover the name",
    64: "does not cover the address",
}


class Unreachable(OSError):
    """No address of a host accepted a TCP connection; ``attempts`` says why for each."""

    def __init__(self, attempts: list[dict[str, str]]) -> None:
        self.attempts = attempts
        if len(attempts) == 1:
            reasons = attempts[0]["error"]
        else:
            reasons = "; ".join(f"{a['address']}: {a['error']}" for a in attempts)
        super().__init__(reasons or "no address to try")


def _milliseconds(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def _connect(probe: Probe, host: str, port: int, deadline: Deadline) -> socket.socket:
    """A connected TCP socket to the first address of ``host`` that answers."""
    attempts: list[dict[str, str]] = []
    for family, address in probe.resolve(host, port)[:MAX_ADDRESSES]:
        sock: socket.socket | None = None
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)  # fails where IPv6 is disabled
            sock.settimeout(deadline.remaining())
            sock.connect(address)
        except OSError as exc:
            if sock is not None:
                sock.close()
            attempts.append({"address": str(address[0]), "error": describe_error(exc)})
            continue
        return sock
    raise Unreachable(attempts)


def _not_connected(target: str, exc: OSError) -> Finding:
    evidence: dict[str, Any] = {"target": target, "error": describe_error(exc)}
    if isinstance(exc, Unreachable):
        evidence["error"] = str(exc)
        evidence["attempts"] = exc.attempts
    return Finding(
        CheckStatus.FAIL, f"Could not connect to {target}: {evidence['error']}.", evidence
    )


def dns_resolves(probe: Probe, deadline: Deadline, *, host: str) -> Finding:
    """The first question for "nothing works": can this machine turn the name into addresses?
    ``getaddrinfo`` takes no timeout; the runner abandons it at the deadline."""
    started = time.perf_counter()
    try:
        found = probe.resolve(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        strerror = getattr(exc, "strerror", None)
        reason = strerror[0].lower() + strerror[1:] if strerror else describe_error(exc)
        return Finding(CheckStatus.FAIL, f"{host} does not resolve: {reason}.", {"error": reason})
    addresses = list(dict.fromkeys(str(address[0]) for _family, address in found))
    evidence = {"addresses": addresses, "resolve_ms": _milliseconds(started)}
    if not addresses:
        return Finding(CheckStatus.FAIL, f"{host} resolves to no address.", evidence)
    shown = ", ".join(addresses[:3]) + (" and more" if len(addresses) > 3 else "")
    return Finding(CheckStatus.PASS, f"{host} resolves to {shown}.", evidence)


def tcp_connect(probe: Probe, deadline: Deadline, *, host: str, port: int) -> Finding:
    """Tries each resolved address in turn (IPv6 and IPv4), as a client would."""
    started = time.perf_counter()
    target = f"{host}:{port}"
    try:
        sock = _connect(probe, host, port, deadline)
    except OSError as exc:
        return _not_connected(target, exc)
    with sock:
        peer = str(sock.getpeername()[0])
    evidence = {"address": peer, "connect_ms": _milliseconds(started)}
    return Finding(CheckStatus.PASS, f"{target} accepts connections (at {peer}).", evidence)


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The system trust store, or only the CAs in ``ca_file`` (a PEM bundle) when given."""
    try:
        return ssl.create_default_context(cafile=ca_file)
    except OSError as exc:  # ssl.SSLError too: a file that holds no certificate
        raise CheckCannotRun(f"cannot use the CA bundle {ca_file}: {describe_error(exc)}") from exc


def describe_certificate(der: bytes, now: datetime) -> dict[str, Any]:
    """Subject, issuer, validity, names and fingerprint of a DER certificate.

    Uses ``cryptography`` because the standard library only decodes certificates it has
    verified, and the interesting ones (expired, wrong name, unknown CA) are exactly those it
    refuses. Without it the evidence has only the fingerprint.
    """
    details: dict[str, Any] = {"sha256": hashlib.sha256(der).hexdigest()}
    try:
        from cryptography import x509
    except ImportError:  # pragma: no cover - cryptography is a dependency; stay useful anyway
        return details
    try:
        cert = x509.load_der_x509_certificate(der)
        not_after = cert.not_valid_after_utc
        details.update(
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            self_signed=cert.subject == cert.issuer,
            not_before=cert.not_valid_before_utc.isoformat(),
            not_after=not_after.isoformat(),
            days_left=int((not_after - now).total_seconds() // 86400),
        )
        try:
            names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            sans = names.get_values_for_type(x509.DNSName)
            sans += [str(ip) for ip in names.get_values_for_type(x509.IPAddress)]
        except x509.ExtensionNotFound:
            sans = []
        details["sans"] = sans
    except ValueError as exc:
        details["parse_error"] = str(exc)
    return details


def _peer_certificate(
    probe: Probe, host: str, port: int, deadline: Deadline, context: ssl.SSLContext
) -> tuple[bytes | None, str | None]:
    """(DER certificate, TLS version) after a handshake with ``context``; raises its errors."""
    with _connect(probe, host, port, deadline) as sock:
        sock.settimeout(deadline.remaining())
        with context.wrap_socket(sock, server_hostname=host) as tls:
            return tls.getpeercert(binary_form=True), tls.version()


def tls_certificate_valid(
    probe: Probe,
    deadline: Deadline,
    *,
    host: str,
    port: int,
    ca_file: str | None,
    min_days: int,
) -> Finding:
    """The classic mail/SSO failure: an expired certificate, one for another name, or one
    from a CA this machine does not trust. A rejected certificate is fetched a second time,
    unverified, only so the evidence can show what the server presents."""
    context = tls_context(ca_file)
    target = f"{host}:{port}"
    verify_error: ssl.SSLCertVerificationError | None = None
    try:
        der, version = _peer_certificate(probe, host, port, deadline, context)
    except ssl.SSLCertVerificationError as exc:
        verify_error = exc
        unverified = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        try:
            der, version = _peer_certificate(probe, host, port, deadline, unverified)
        except OSError:
            der, version = None, None
    except ssl.SSLError as exc:
        reason = describe_error(exc)
        summary = f"The TLS handshake with {target} failed: {reason}."
        return Finding(CheckStatus.FAIL, summary, {"target": target, "error": reason})
    except OSError as exc:
        return _not_connected(target, exc)

    now = datetime.fromtimestamp(probe.clock(), UTC)
    evidence: dict[str, Any] = {"target": target, "tls_version": version}
    if der:
        evidence.update(describe_certificate(der, now))
    if verify_error is not None:
        message = verify_error.verify_message or describe_error(verify_error)
        evidence.update(verify_error=message, verify_code=verify_error.verify_code)
        reason = _VERIFY_REASONS.get(verify_error.verify_code, "is not trusted")
        if verify_error.verify_code in (62, 64):
            reason = f"{reason} {host}"
        summary = f"The certificate of {target} {reason} ({message})."
        return Finding(CheckStatus.FAIL, summary, evidence)
    days_left = evidence.get("days_left")
    if isinstance(days_left, int) and days_left < min_days:
        summary = f"The certificate of {target} is valid but expires in {days_left} days."
        return Finding(CheckStatus.FAIL, summary, evidence)
    until = f" until {evidence['not_after'][:10]}" if "not_after" in evidence else ""
    return Finding(CheckStatus.PASS, f"The certificate of {target} is valid{until}.", evidence)


def _without_query(url: str) -> str:
    """A redirect target without its query: SSO redirects carry tokens there."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl()


def http_reachable(probe: Probe, deadline: Deadline, *, url: str, ca_file: str | None) -> Finding:
    """Connects directly (not through a proxy: ``proxy_configured`` tells whether one is set)
    and does not follow redirects: a 3xx answer already proves the server is reachable."""
    started = time.perf_counter()
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    context = tls_context(ca_file) if secure else None
    sock: socket.socket
    try:
        sock = _connect(probe, host, port, deadline)
        if context is not None:
            sock = context.wrap_socket(sock, server_hostname=host)
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or describe_error(exc)
        summary = f"{url} is not trusted: {reason} (tls_certificate_valid tells more)."
        return Finding(CheckStatus.FAIL, summary, {"error": reason})
    except ssl.SSLError as exc:
        reason = describe_error(exc)
        summary = f"The TLS handshake with {host}:{port} failed: {reason}."
        return Finding(CheckStatus.FAIL, summary, {"error": reason})
    except OSError as exc:
        return _not_connected(f"{host}:{port}", exc)

    kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
    connection = kind(host, port)
    connection.sock = sock
    try:
        sock.settimeout(deadline.remaining())
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Connection": "close"})
        with connection.getresponse() as response:
            status, reason, location = (
                response.status,
                response.reason,
                response.getheader("Location"),
            )
    except (OSError, http.client.HTTPException) as exc:
        error = describe_error(exc)
        summary = f"{url} accepted a connection but gave no HTTP answer: {error}."
        return Finding(CheckStatus.FAIL, summary, {"error": error})
    finally:
        connection.close()

    evidence: dict[str, Any] = {
        "status_code": status,
        "reason": reason,
        "response_ms": _milliseconds(started),
    }
    answered = f"{url} answered {status} {reason}".rstrip()
    if location:
        evidence["location"] = _without_query(location)
        return Finding(
            CheckStatus.PASS, f"{answered}, redirecting to {evidence['location']}.", evidence
        )
    if status >= 500:
        summary = f"{answered}: the server is reachable but reports an error of its own."
    elif status >= 400:
        summary = f"{answered}: the server is reachable but refused or could not find the page."
    else:
        summary = f"{answered}."
    return Finding(CheckStatus.PASS, summary, evidence)
