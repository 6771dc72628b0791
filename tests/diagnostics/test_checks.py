"""The check registry: arguments, verdicts against loopback servers and fakes, and timeouts.

Network checks run against servers on 127.0.0.1 started here (TCP, HTTP, TLS with a throwaway
CA from ``trustme``); nothing leaves the machine. System checks get their readings from a fake
psutil or a recorded machine, plus one run each against this machine.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import psutil
import pytest
import trustme

from console.diagnostics.checks import (
    GRACE,
    REGISTRY,
    CheckArgumentError,
    CheckResult,
    CheckStatus,
    Probe,
    UnknownCheck,
    parse_arguments,
    run_check,
    run_checks,
    validate_arguments,
)
from console.diagnostics.checks_base import resolve_addresses, strip_credentials
from console.diagnostics.recorded_host import RecordedHost
from tests.support.missing import skip_or_fail_in_ci
from tests.support.recorded_psutil import load_recording
from tests.support.routes import has_default_route

FIXTURES = Path(__file__).parents[1] / "fixtures" / "hosts"
LOOPBACK = "127.0.0.1"
Stat = SimpleNamespace


def fake(**readings: Any) -> Probe:
    """A probe whose psutil is only the functions given (absent ones do not exist)."""
    return Probe(ps=SimpleNamespace(**readings), host=RecordedHost("Linux"))


def recorded(name: str) -> Probe:
    ps, host = load_recording(FIXTURES / f"{name}.json")
    return Probe(ps=ps, host=host, clock=lambda: 1763612400.0 + 3 * 86400)


def assert_json_able(result: CheckResult) -> None:
    assert json.loads(json.dumps(result.to_dict())) == result.to_dict()


# --- loopback servers -------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[int]:
    """A port that accepts TCP connections (the kernel completes them; nobody answers)."""
    with socket.create_server((LOOPBACK, 0)) as server:
        yield server.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on (just released, so nothing else has taken it yet)."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def banner_port() -> Iterator[int]:
    """A plain-text mail server's greeting: what a TLS check meets on the wrong port."""
    with socket.create_server((LOOPBACK, 0)) as server:
        server.settimeout(5)

        def greet() -> None:
            try:
                connection, _address = server.accept()
            except OSError:
                return
            with connection:
                connection.sendall(b"220 mail.example ESMTP ready\r\n")
                connection.recv(1024)

        thread = threading.Thread(target=greet, name="test-banner-server")
        thread.start()
        yield server.getsockname()[1]
        thread.join()


class Answers(BaseHTTPRequestHandler):
    ROUTES = {
        "/": (200, {}),
        "/missing": (404, {}),
        "/broken": (503, {}),
        "/moved": (302, {"Location": "https://sso.example/login?SAMLRequest=s3cr3t"}),
    }

    def do_GET(self) -> None:
        status, headers = self.ROUTES.get(self.path, (404, {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


class QuietServer(HTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that dropped the connection after the handshake is expected here


@contextmanager
def serving(context: ssl.SSLContext | None = None) -> Iterator[int]:
    """An HTTP server on 127.0.0.1 (HTTPS when given a context), stopped and closed after."""
    server = QuietServer((LOOPBACK, 0), Answers)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-http-server"
    )
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def http_port() -> Iterator[int]:
    with serving() as port:
        yield port


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


@pytest.fixture
def tls_port(ca: trustme.CA) -> Iterator[int]:
    """HTTPS with a certificate for 127.0.0.1 and localhost, valid for a year."""
    with serving(server_context(ca.issue_cert(LOOPBACK, "localhost"))) as port:
        yield port


# --- arguments --------------------------------------------------------------------------------


def test_the_registry_holds_exactly_the_documented_checks() -> None:
    assert sorted(REGISTRY) == sorted(
        [
            "dns_resolves",
            "tcp_connect",
            "tls_certificate_valid",
            "http_reachable",
            "interface_up",
            "vpn_adapter_present",
            "default_gateway_present",
            "disk_free_at_least",
            "memory_available_at_least",
            "process_running",
            "uptime_at_most",
            "battery_at_least",
            "cpu_load_at_most",
            "proxy_configured",
        ]
    )
    for spec in REGISTRY.values():
        assert spec.timeout > 0
        assert spec.summary.endswith(".")
        assert all(param.help for param in spec.params)


def test_command_line_arguments_are_converted() -> None:
    assert parse_arguments("tcp_connect", {"host": "mail.example.com", "port": " 993 "}) == {
        "host": "mail.example.com",
        "port": 993,
    }
    assert parse_arguments("tls_certificate_valid", {"host": "sso.example.com"}) == {
        "host": "sso.example.com",
        "port": 443,
        "ca_file": None,
        "min_days": 0,
    }
    assert parse_arguments("disk_free_at_least", {"gb": "2.5"}) == {
        "path": None,
        "percent": None,
        "gb": 2.5,
    }


def test_yaml_arguments_are_checked_and_defaulted() -> None:
    assert validate_arguments("memory_available_at_least", {"percent": 10}) == {"percent": 10.0}
    assert validate_arguments("tls_certificate_valid", {"host": "::1", "port": None}) == {
        "host": "::1",
        "port": 443,
        "ca_file": None,
        "min_days": 0,
    }
    assert validate_arguments("dns_resolves", {"host": "bücher.example"}) == {
        "host": "bücher.example"
    }


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        (
            "tcp_connect",
            {"host": "mail.example.com", "port": "abc"},
            "tcp_connect: port must be a whole number from 1 to 65535, not 'abc'",
        ),
        (
            "tcp_connect",
            {"host": "mail.example.com", "port": "70000"},
            "tcp_connect: port must be a whole number from 1 to 65535, not 70000",
        ),
        (
            "tcp_connect",
            {"host": "mail.example.com"},
            "tcp_connect: port is required: a whole number from 1 to 65535",
        ),
        (
            "tcp_connect",
            {"host": "mail.example.com", "port": "25", "prot": "x"},
            "tcp_connect: unknown argument 'prot'; did you mean 'port'? it takes host, port",
        ),
        (
            "vpn_adapter_present",
            {"name": "x"},
            "vpn_adapter_present: unknown argument 'name'; it takes no arguments",
        ),
        (
            "dns_resolves",
            {"host": "bad host name"},
            "dns_resolves: host must be a host name or IP address, not 'bad host name'",
        ),
        (
            "http_reachable",
            {"url": "ftp://files.example.com/"},
            "http_reachable: url must be an http:// or https:// URL with a host and no user name"
            " or password, not 'ftp://files.example.com/'",
        ),
        (
            "disk_free_at_least",
            {"percent": "10", "gb": "5"},
            "disk_free_at_least: give exactly one of percent or gb",
        ),
        ("disk_free_at_least", {}, "disk_free_at_least: give exactly one of percent or gb"),
        (
            "cpu_load_at_most",
            {"percent": "nan"},
            "cpu_load_at_most: percent must be a number above 0 and at most 100, not 'nan'",
        ),
        (
            "battery_at_least",
            {"percent": "120"},
            "battery_at_least: percent must be a number above 0 and at most 100, not 120.0",
        ),
        (
            "uptime_at_most",
            {"days": "a week"},
            "uptime_at_most: days must be a number of days above 0, not 'a week'",
        ),
        (
            "http_reachable",
            {"url": "http://intranet.example:0/"},
            "http_reachable: url must be an http:// or https:// URL with a host and no user name"
            " or password, not 'http://intranet.example:0/'",
        ),
        (
            "interface_up",
            {"pattern": "  "},
            "interface_up: pattern must be a glob or part of an interface name, not '  '",
        ),
    ],
)
def test_bad_command_line_arguments_are_named_with_their_rule(
    name: str, args: dict[str, str], message: str
) -> None:
    with pytest.raises(CheckArgumentError) as error:
        parse_arguments(name, args)
    assert str(error.value) == message
    assert error.value.check == name


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"host": "x.example", "port": True}, "port"),  # YAML's `yes` is not a port
        ({"host": "x.example", "port": 443.0}, "port"),
        ({"host": 10, "port": 443}, "host"),
        ({"host": "x.example", "port": 0}, "port"),
        ({"host": "x.example", "port": 443, "min_days": -1}, "min_days"),
    ],
)
def test_bad_yaml_arguments_name_the_argument(args: dict[str, Any], argument: str) -> None:
    with pytest.raises(CheckArgumentError) as error:
        validate_arguments("tls_certificate_valid", args)
    assert error.value.argument == argument
    assert str(error.value).startswith(f"tls_certificate_valid: {argument} ")


def test_a_refused_url_does_not_repeat_its_password() -> None:
    with pytest.raises(CheckArgumentError) as error:
        parse_arguments("http_reachable", {"url": "https://agent:Hunter2@intranet.example/"})
    assert "Hunter2" not in str(error.value)
    assert "'https://intranet.example/'" in str(error.value)


def test_an_unknown_check_suggests_close_names() -> None:
    with pytest.raises(UnknownCheck) as error:
        validate_arguments("dns_resolve", {})
    assert str(error.value) == "There is no check named 'dns_resolve'; did you mean 'dns_resolves'?"
    with pytest.raises(UnknownCheck, match="the checks are battery_at_least, cpu_load_at_most"):
        run_check("format_disk", {})


def test_strip_credentials() -> None:
    assert strip_credentials("http://user:p@ss@proxy:8080") == "http://proxy:8080"
    assert strip_credentials("user:pw@proxy:3128") == "proxy:3128"
    assert strip_credentials("http=a:b@p:1;https=p:2") == "http=p:1;https=p:2"
    assert strip_credentials("http://wpad.example/proxy.pac") == "http://wpad.example/proxy.pac"


# --- network checks ---------------------------------------------------------------------------


def test_dns_resolves_localhost() -> None:
    result = run_check("dns_resolves", {"host": "localhost"})
    assert result.status is CheckStatus.PASS, result.summary
    assert set(result.evidence["addresses"]) & {"127.0.0.1", "::1"}
    assert_json_able(result)


def test_dns_fails_for_a_name_that_cannot_exist() -> None:
    result = run_check("dns_resolves", {"host": "no-such-host.invalid"})
    assert result.status is CheckStatus.FAIL
    assert result.summary.startswith("no-such-host.invalid does not resolve: ")
    assert result.evidence["error"]


def test_tcp_connect_to_a_listener(listener: int) -> None:
    result = run_check("tcp_connect", {"host": LOOPBACK, "port": listener})
    assert result.status is CheckStatus.PASS
    assert result.evidence["address"] == LOOPBACK
    assert result.args == {"host": LOOPBACK, "port": listener}
    assert_json_able(result)


def test_tcp_connect_over_ipv6_loopback() -> None:
    try:
        server = socket.create_server(("::1", 0), family=socket.AF_INET6)
    except OSError as exc:
        skip_or_fail_in_ci(f"this machine has no IPv6 loopback ({exc})", "CI needs IPv6")
    with server:
        port = server.getsockname()[1]
        result = run_check("tcp_connect", {"host": "::1", "port": port})
    assert result.status is CheckStatus.PASS
    assert result.evidence["address"] == "::1"


def test_tcp_connect_to_a_closed_port(closed_port: int) -> None:
    result = run_check("tcp_connect", {"host": LOOPBACK, "port": closed_port})
    assert result.status is CheckStatus.FAIL
    assert "connection refused" in result.summary
    assert result.evidence["attempts"] == [
        {"address": LOOPBACK, "error": "connection refused (nothing is listening on that port)"}
    ]


def test_tcp_connect_to_a_name_that_cannot_exist() -> None:
    result = run_check("tcp_connect", {"host": "mail.invalid", "port": 25})
    assert result.status is CheckStatus.FAIL
    assert "name not resolved" in result.summary


def test_tls_certificate_valid(tls_port: int, ca_file: str) -> None:
    result = run_check(
        "tls_certificate_valid", {"host": LOOPBACK, "port": tls_port, "ca_file": ca_file}
    )
    assert result.status is CheckStatus.PASS, result.summary
    evidence = result.evidence
    assert evidence["sans"] == ["localhost", LOOPBACK]
    assert evidence["days_left"] >= 360
    assert "O=trustme" in evidence["issuer"]
    assert evidence["self_signed"] is False
    assert evidence["tls_version"].startswith("TLS")
    assert len(evidence["sha256"]) == 64
    assert "verify_error" not in evidence
    assert_json_able(result)


def test_tls_certificate_expiring_soon(ca: trustme.CA, ca_file: str) -> None:
    soon = datetime.now(UTC) + timedelta(days=10)
    with serving(server_context(ca.issue_cert(LOOPBACK, not_after=soon))) as port:
        result = run_check(
            "tls_certificate_valid",
            {"host": LOOPBACK, "port": port, "ca_file": ca_file, "min_days": 30},
        )
    assert result.status is CheckStatus.FAIL
    assert result.summary == f"The certificate of 127.0.0.1:{port} is valid but expires in 9 days."


def test_tls_certificate_expired(ca: trustme.CA, ca_file: str) -> None:
    cert = ca.issue_cert(
        LOOPBACK,
        not_before=datetime(2023, 1, 1, tzinfo=UTC),
        not_after=datetime(2024, 1, 1, tzinfo=UTC),
    )
    with serving(server_context(cert)) as port:
        result = run_check(
            "tls_certificate_valid", {"host": LOOPBACK, "port": port, "ca_file": ca_file}
        )
    assert result.status is CheckStatus.FAIL
    assert "has expired" in result.summary
    assert result.evidence["verify_error"] == "certificate has expired"
    assert result.evidence["not_after"] == "2024-01-01T00:00:00+00:00"
    assert result.evidence["days_left"] < 0
    assert_json_able(result)


def test_tls_certificate_for_another_name(ca: trustme.CA, ca_file: str) -> None:
    with serving(server_context(ca.issue_cert("mail.other.example"))) as port:
        result = run_check(
            "tls_certificate_valid", {"host": LOOPBACK, "port": port, "ca_file": ca_file}
        )
    assert result.status is CheckStatus.FAIL
    assert "does not cover the address 127.0.0.1" in result.summary
    assert "mismatch" in result.evidence["verify_error"]
    assert result.evidence["sans"] == ["mail.other.example"]


def test_tls_certificate_from_an_unknown_ca(ca_file: str) -> None:
    stranger = trustme.CA()
    with serving(server_context(stranger.issue_cert(LOOPBACK))) as port:
        result = run_check(
            "tls_certificate_valid", {"host": LOOPBACK, "port": port, "ca_file": ca_file}
        )
    assert result.status is CheckStatus.FAIL
    assert "certificate authority this machine does not trust" in result.summary
    assert result.evidence["verify_error"] == "unable to get local issuer certificate"


def test_tls_self_signed_certificate(ca_file: str) -> None:
    lonely = trustme.CA()  # its own certificate, self-signed, served as the server's
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with lonely.cert_pem.tempfile() as cert, lonely.private_key_pem.tempfile() as key:
        context.load_cert_chain(cert, key)
    with serving(context) as port:
        result = run_check(
            "tls_certificate_valid", {"host": LOOPBACK, "port": port, "ca_file": ca_file}
        )
    assert result.status is CheckStatus.FAIL
    assert "is self-signed" in result.summary
    assert result.evidence["self_signed"] is True


@pytest.mark.parametrize("check", ["tls_certificate_valid", "http_reachable"])
def test_an_unreadable_ca_bundle_is_an_error(check: str, tls_port: int, tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    args: dict[str, Any] = {"ca_file": str(missing)}
    if check == "http_reachable":
        args["url"] = f"https://127.0.0.1:{tls_port}/"
    else:
        args.update(host=LOOPBACK, port=tls_port)
    result = run_check(check, args)
    assert result.status is CheckStatus.ERROR
    assert result.summary == (
        f"The check could not run: cannot use the CA bundle {missing}: no such file or directory."
    )


def test_tls_against_this_machines_trust_store(tls_port: int) -> None:
    result = run_check("tls_certificate_valid", {"host": LOOPBACK, "port": tls_port})
    assert result.status is CheckStatus.FAIL  # the throwaway CA is not in the system store
    assert result.evidence["verify_code"] == 20


def test_tls_against_a_plain_text_port(banner_port: int) -> None:
    result = run_check("tls_certificate_valid", {"host": LOOPBACK, "port": banner_port})
    assert result.status is CheckStatus.FAIL
    assert result.summary.startswith(f"The TLS handshake with 127.0.0.1:{banner_port} failed")


@pytest.mark.parametrize(
    ("path", "status_code", "words"),
    [
        ("/", 200, "answered 200 OK."),
        ("/missing", 404, "reachable but refused or could not find the page"),
        ("/broken", 503, "reachable but reports an error of its own"),
    ],
)
def test_http_reachable(http_port: int, path: str, status_code: int, words: str) -> None:
    result = run_check("http_reachable", {"url": f"http://127.0.0.1:{http_port}{path}"})
    assert result.status is CheckStatus.PASS
    assert result.evidence["status_code"] == status_code
    assert words in result.summary
    assert_json_able(result)


def test_http_redirect_is_reported_without_its_query(http_port: int) -> None:
    result = run_check("http_reachable", {"url": f"http://127.0.0.1:{http_port}/moved"})
    assert result.status is CheckStatus.PASS
    assert result.evidence["location"] == "https://sso.example/login"
    assert "s3cr3t" not in json.dumps(result.to_dict())


def test_https_reachable_with_the_ca(tls_port: int, ca_file: str) -> None:
    url = f"https://localhost:{tls_port}/"
    result = run_check("http_reachable", {"url": url, "ca_file": ca_file})
    assert result.status is CheckStatus.PASS, result.summary
    assert result.evidence["status_code"] == 200


def test_https_with_an_untrusted_certificate(tls_port: int) -> None:
    result = run_check("http_reachable", {"url": f"https://127.0.0.1:{tls_port}/"})
    assert result.status is CheckStatus.FAIL
    assert "is not trusted" in result.summary


def test_https_to_a_plain_text_port(banner_port: int) -> None:
    result = run_check("http_reachable", {"url": f"https://127.0.0.1:{banner_port}/"})
    assert result.status is CheckStatus.FAIL
    assert result.summary.startswith(f"The TLS handshake with 127.0.0.1:{banner_port} failed")


def test_http_to_a_closed_port(closed_port: int) -> None:
    result = run_check("http_reachable", {"url": f"http://127.0.0.1:{closed_port}/"})
    assert result.status is CheckStatus.FAIL
    assert "connection refused" in result.summary


def test_http_to_a_server_that_never_answers_times_out_on_its_own(listener: int) -> None:
    started = time.monotonic()
    result = run_check("http_reachable", {"url": f"http://127.0.0.1:{listener}/"}, timeout=0.3)
    assert time.monotonic() - started < 0.3 + GRACE + 0.5
    assert result.status is CheckStatus.FAIL
    assert result.summary.endswith("gave no HTTP answer: timed out.")


# --- system checks ----------------------------------------------------------------------------

IFACES = {"lo": Stat(isup=True), "wlan0": Stat(isup=False), "eth0": Stat(isup=True)}


@pytest.mark.parametrize(
    ("pattern", "status", "summary"),
    [
        ("eth*", CheckStatus.PASS, "eth0 is up."),
        ("ETH", CheckStatus.PASS, "eth0 is up."),
        ("wl?n*", CheckStatus.FAIL, "wlan0 is down."),
        ("Wi-Fi", CheckStatus.FAIL, "No network interface matches 'Wi-Fi'."),
    ],
)
def test_interface_up(pattern: str, status: CheckStatus, summary: str) -> None:
    probe = fake(net_if_stats=lambda: IFACES)
    result = run_check("interface_up", {"pattern": pattern}, probe=probe)
    assert (result.status, result.summary) == (status, summary)


def test_interface_up_on_this_machine() -> None:
    loopback = "lo0" if "lo0" in psutil.net_if_stats() else "lo"
    assert run_check("interface_up", {"pattern": loopback}).status is CheckStatus.PASS


@pytest.mark.parametrize(
    ("fixture", "status", "summary"),
    [
        ("linux-debian12", CheckStatus.PASS, "VPN adapter up: tun0 (tun)."),
        (
            "windows11-laptop",
            CheckStatus.FAIL,
            "A VPN adapter is present but not up: PANGP Virtual Ethernet Adapter Secure.",
        ),
    ],
)
def test_vpn_adapter_present(fixture: str, status: CheckStatus, summary: str) -> None:
    result = run_check("vpn_adapter_present", {}, probe=recorded(fixture))
    assert (result.status, result.summary) == (status, summary)
    assert_json_able(result)


def test_macos_system_tunnels_are_not_a_vpn() -> None:
    result = run_check("vpn_adapter_present", {}, probe=recorded("macos14-air"))
    assert result.status is CheckStatus.FAIL
    assert result.summary == (
        "No VPN is connected (utun3: macOS system tunnels without an address)."
    )


def test_a_macos_tunnel_with_an_address_is_a_vpn() -> None:
    addrs = {
        "utun3": [SimpleNamespace(family=socket.AF_INET6, address="fe80::1%utun3")],
        "utun4": [SimpleNamespace(family=socket.AF_INET, address="10.8.0.6")],
    }
    probe = fake(
        net_if_stats=lambda: {"utun3": Stat(isup=True), "utun4": Stat(isup=True)},
        net_if_addrs=lambda: addrs,
    )
    result = run_check("vpn_adapter_present", {}, probe=probe)
    assert (result.status, result.summary) == (CheckStatus.PASS, "VPN adapter up: utun4 (utun).")


def test_no_vpn_adapter() -> None:
    probe = fake(net_if_stats=lambda: IFACES, net_if_addrs=dict)
    result = run_check("vpn_adapter_present", {}, probe=probe)
    assert (result.status, result.summary) == (CheckStatus.FAIL, "No VPN adapter is present.")


def test_default_gateway_present() -> None:
    result = run_check("default_gateway_present", {}, probe=recorded("windows11-laptop"))
    assert result.status is CheckStatus.PASS
    assert result.summary == "The default gateway is 192.168.1.1 on 192.168.1.42."
    missing = run_check("default_gateway_present", {}, probe=fake())
    assert missing.status is CheckStatus.FAIL
    assert missing.evidence == {"gateway": None}


def usage(total_gb: float, free_gb: float) -> SimpleNamespace:
    gib = 1024**3
    return SimpleNamespace(total=int(total_gb * gib), free=int(free_gb * gib))


@pytest.mark.parametrize(
    ("args", "status", "summary"),
    [
        ({"gb": 5}, CheckStatus.PASS, "20 GB (10 %) free on /, at least 5 GB."),
        ({"percent": 15}, CheckStatus.FAIL, "Only 20 GB (10 %) free on /, less than 15 %."),
        (
            {"gb": 25, "path": "/"},
            CheckStatus.FAIL,
            "Only 20 GB (10 %) free on /, less than 25 GB.",
        ),
    ],
)
def test_disk_free_at_least(args: dict[str, Any], status: CheckStatus, summary: str) -> None:
    probe = fake(disk_usage=lambda path: usage(200, 20))
    result = run_check("disk_free_at_least", args, probe=probe)
    assert (result.status, result.summary) == (status, summary)


def test_disk_free_defaults_to_the_windows_system_drive() -> None:
    result = run_check("disk_free_at_least", {"percent": 5}, probe=recorded("windows11-laptop"))
    assert result.evidence["path"] == "C:\\"
    assert (result.status, result.summary) == (
        CheckStatus.FAIL,
        "Only 21 GB (4.4 %) free on C:\\, less than 5 %.",
    )


def test_disk_free_on_a_path_that_does_not_exist(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    result = run_check("disk_free_at_least", {"path": missing, "gb": 1})
    assert result.status is CheckStatus.ERROR
    assert result.summary.startswith(f"Could not read the disk at {missing}: no such file")


def test_disk_free_on_this_machine(tmp_path: Path) -> None:
    result = run_check("disk_free_at_least", {"path": str(tmp_path), "gb": 0.001})
    assert result.status is CheckStatus.PASS
    assert 0 < result.evidence["free_gb"] <= result.evidence["total_gb"]


@pytest.mark.parametrize(("percent", "status"), [(7, CheckStatus.PASS), (8, CheckStatus.FAIL)])
def test_memory_available_recorded_mac(percent: int, status: CheckStatus) -> None:
    result = run_check(
        "memory_available_at_least", {"percent": percent}, probe=recorded("macos14-air")
    )
    assert result.status is status
    assert result.evidence["available_percent"] == 7.5


def test_memory_available_on_this_machine() -> None:
    result = run_check("memory_available_at_least", {"percent": 0.001})
    assert result.status is CheckStatus.PASS


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("outlook", CheckStatus.PASS),
        ("Outlook.exe", CheckStatus.PASS),
        ("PANGPA", CheckStatus.PASS),
        ("teams", CheckStatus.FAIL),
        ("outlook.ex", CheckStatus.FAIL),
    ],
)
def test_process_running_ignores_case_and_exe(name: str, status: CheckStatus) -> None:
    result = run_check("process_running", {"name": name}, probe=recorded("windows11-laptop"))
    assert result.status is status
    assert set(result.evidence) == {"count", "pids"}


def test_process_running_on_this_machine() -> None:
    me = psutil.Process(os.getpid()).name()
    result = run_check("process_running", {"name": me.upper()})
    assert result.status is CheckStatus.PASS
    assert result.evidence["count"] >= 1


@pytest.mark.parametrize(
    ("days", "status", "summary"),
    [
        (7, CheckStatus.PASS, "The machine has been up 3 days, at most 7 days."),
        (
            2.5,
            CheckStatus.FAIL,
            "The machine has been up 3 days, more than 2.5 days: a restart is due.",
        ),
    ],
)
def test_uptime_at_most(days: float, status: CheckStatus, summary: str) -> None:
    result = run_check("uptime_at_most", {"days": days}, probe=recorded("windows11-laptop"))
    assert (result.status, result.summary) == (status, summary)
    assert result.evidence["boot_time"] == "2025-11-20T04:20:00+00:00"


def test_uptime_on_this_machine() -> None:
    assert run_check("uptime_at_most", {"days": 36500}).status is CheckStatus.PASS


@pytest.mark.parametrize(
    ("probe", "status", "summary"),
    [
        (
            recorded("windows11-laptop"),
            CheckStatus.PASS,
            "The battery is at 38 %, at least 30 %.",
        ),
        (
            fake(
                sensors_battery=lambda: SimpleNamespace(percent=12, secsleft=-2, power_plugged=True)
            ),
            CheckStatus.FAIL,
            "The battery is at 12 % (plugged in), below 30 %.",
        ),
        (
            fake(sensors_battery=lambda: None),
            CheckStatus.SKIPPED,
            "This machine reports no battery.",
        ),
        (fake(), CheckStatus.SKIPPED, "This machine reports no battery."),
    ],
    ids=["charged", "low", "none-found", "unsupported"],
)
def test_battery_at_least(probe: Probe, status: CheckStatus, summary: str) -> None:
    result = run_check("battery_at_least", {"percent": 30}, probe=probe)
    assert (result.status, result.summary) == (status, summary)


def test_battery_on_this_machine() -> None:
    result = run_check("battery_at_least", {"percent": 1})
    battery = psutil.sensors_battery() if hasattr(psutil, "sensors_battery") else None
    if battery is None:  # a desktop, a server, a container
        assert (result.status, result.summary) == (
            CheckStatus.SKIPPED,
            "This machine reports no battery.",
        )
    else:
        assert result.status is (CheckStatus.PASS if battery.percent >= 1 else CheckStatus.FAIL)
        assert result.evidence["percent"] == pytest.approx(battery.percent, abs=1)
    assert_json_able(result)


def test_cpu_load_is_sampled_over_an_interval() -> None:
    intervals: list[float] = []

    def cpu_percent(interval: float) -> float:
        intervals.append(interval)
        return 93.0

    probe = Probe(ps=SimpleNamespace(cpu_percent=cpu_percent, cpu_count=lambda: 4))
    result = run_check("cpu_load_at_most", {"percent": 90}, probe=probe)
    assert (result.status, result.summary) == (CheckStatus.FAIL, "CPU load is 93 %, above 90 %.")
    assert intervals == [0.5]


def test_cpu_load_on_this_machine() -> None:
    result = run_check("cpu_load_at_most", {"percent": 100}, probe=Probe(cpu_interval=0.1))
    assert result.status is CheckStatus.PASS
    assert 0 <= result.evidence["percent"] <= 100
    assert result.duration_ms >= 100


def test_proxy_configured_hides_credentials() -> None:
    result = run_check("proxy_configured", {}, probe=recorded("windows11-laptop"))
    assert result.status is CheckStatus.PASS
    assert "Winter2025" not in json.dumps(result.to_dict())
    assert result.evidence["settings"]["https"] == "http://proxy.northwind.example:8080"
    assert result.summary == (
        "A proxy is configured: https http://proxy.northwind.example:8080,"
        " all proxy.northwind.example:8080 (from environment,registry)."
    )


def test_no_proxy_configured() -> None:
    probe = Probe(host=RecordedHost("Linux", environ={"no_proxy": "localhost"}))
    result = run_check("proxy_configured", {}, probe=probe)
    assert (result.status, result.summary) == (CheckStatus.FAIL, "No proxy is configured.")


def test_proxy_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    none = run_check("proxy_configured", {})
    assert (none.status, none.summary) == (CheckStatus.FAIL, "No proxy is configured.")
    monkeypatch.setenv("https_proxy", "http://maya:Pa55-word@proxy.example:3128")
    result = run_check("proxy_configured", {})
    assert (result.status, result.summary) == (
        CheckStatus.PASS,
        "A proxy is configured: https http://proxy.example:3128 (from environment).",
    )
    assert_json_able(result)


def test_default_gateway_on_this_machine() -> None:
    result = run_check("default_gateway_present", {})
    routed = has_default_route()
    assert result.status is (CheckStatus.PASS if routed else CheckStatus.FAIL)
    if routed:
        assert result.evidence["gateway"]["interface"] in psutil.net_if_stats()


def test_vpn_adapter_on_this_machine() -> None:
    result = run_check("vpn_adapter_present", {})
    stats = psutil.net_if_stats()
    adapters = result.evidence["adapters"]
    # What it reports is this machine's: real interfaces, in their real state.
    assert all(stats[a["name"]].isup == a["up"] for a in adapters if a["name"] in stats)
    assert {a["name"] for a in adapters} <= set(stats) | set(psutil.net_if_addrs())
    # Connected: up, with an address beyond link-local (a macOS system tunnel has none).
    connected = [
        a
        for a in adapters
        if a["up"]
        and any(
            not ipaddress.ip_address(address["address"].split("%")[0]).is_link_local
            for address in a["addresses"]
        )
    ]
    assert result.status is (CheckStatus.PASS if connected else CheckStatus.FAIL)
    if not adapters:
        assert result.summary == "No VPN adapter is present."


# --- errors and timeouts ----------------------------------------------------------------------


def test_a_check_that_raises_becomes_an_error_result() -> None:
    def denied(**_options: Any) -> Any:
        raise psutil.AccessDenied(pid=1)

    result = run_check("process_running", {"name": "x"}, probe=fake(process_iter=denied))
    assert result.status is CheckStatus.ERROR
    assert result.summary.startswith("The check could not run: AccessDenied")
    assert_json_able(result)


@pytest.fixture
def hanging_resolver() -> Iterator[Callable[[str, int | None], Any]]:
    """A resolver that hangs for ``hang.example`` like a stuck getaddrinfo, until released.

    After the test it is released and the abandoned check thread is joined, so no thread
    outlives the test.
    """
    release = threading.Event()
    stuck: list[threading.Thread] = []

    def resolve(host: str, port: int | None) -> Any:
        if host == "hang.example":
            stuck.append(threading.current_thread())
            release.wait(30)
            raise socket.gaierror(socket.EAI_AGAIN, "released")
        return resolve_addresses(host, port)

    yield resolve
    release.set()
    for thread in stuck:
        thread.join(5)
        assert not thread.is_alive()


def test_a_hung_check_is_abandoned_at_its_timeout(
    hanging_resolver: Callable[[str, int | None], Any],
) -> None:
    started = time.monotonic()
    result = run_check(
        "dns_resolves", {"host": "hang.example"}, timeout=0.3, probe=Probe(resolve=hanging_resolver)
    )
    assert time.monotonic() - started < 0.3 + GRACE + 0.5
    assert result.status is CheckStatus.ERROR
    assert result.summary == "dns_resolves timed out after 0.3 s."
    assert result.evidence == {"timeout_s": 0.3}


def test_run_checks_is_not_stalled_by_a_hung_check(
    hanging_resolver: Callable[[str, int | None], Any], listener: int, http_port: int
) -> None:
    probe = Probe(resolve=hanging_resolver)
    requests: list[tuple[str, dict[str, Any]]] = [
        ("dns_resolves", {"host": "hang.example"}),
        ("tcp_connect", {"host": LOOPBACK, "port": listener}),
        ("http_reachable", {"url": f"http://127.0.0.1:{http_port}/"}),
        ("interface_up", {"pattern": "lo"}),
        ("uptime_at_most", {"days": 36500}),
    ]
    started = time.monotonic()
    results = run_checks(requests, timeout=0.5, probe=probe)
    assert time.monotonic() - started < 0.5 + GRACE + 0.5
    assert [r.name for r in results] == [name for name, _args in requests]
    assert results[0].status is CheckStatus.ERROR
    assert results[0].summary == "dns_resolves timed out after 0.5 s."
    assert [r.status for r in results[1:3]] == [CheckStatus.PASS, CheckStatus.PASS]
    assert all(r.duration_ms < 1000 for r in results)


def test_run_checks_validates_everything_before_running_anything(listener: int) -> None:
    with pytest.raises(CheckArgumentError, match="tcp_connect: port is required"):
        run_checks([("uptime_at_most", {"days": 1}), ("tcp_connect", {"host": LOOPBACK})])
    assert run_checks([]) == []


def test_run_checks_runs_them_concurrently() -> None:
    probe = Probe(cpu_interval=0.3)
    started = time.monotonic()
    results = run_checks([("cpu_load_at_most", {"percent": 100})] * 4, probe=probe)
    assert time.monotonic() - started < 4 * 0.3
    assert len(results) == 4


def test_a_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="the timeout must be above 0 seconds"):
        run_check("uptime_at_most", {"days": 1}, timeout=0)
    with pytest.raises(ValueError, match="the timeout must be above 0 seconds"):
        run_checks([("uptime_at_most", {"days": 1})], timeout=-1)
