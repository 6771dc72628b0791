"""Redaction: every kind of secret and identifier, at both privacy levels, what must survive,
the report, idempotence, no mutation, and hypothesis throwing text and trees at it."""

from __future__ import annotations

import copy
import json
import string
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.diagnostics.redaction import (
    MAX_DEPTH,
    Privacy,
    RedactionReport,
    Redactor,
    redact_snapshot,
)

STANDARD, STRICT = Privacy.STANDARD, Privacy.STRICT
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nq9Vx==\n-----END RSA PRIVATE KEY-----"


def redacted(value: str, privacy: Privacy = STANDARD, **kwargs: Any) -> str:
    return Redactor(privacy, **kwargs).text(value)


# (input, expected output) under STANDARD; STRICT must redact at least as much.
SECRETS = [
    ("password=hunter2 ok", "password=[REDACTED:password] ok"),
    ("DB_PASSWORD=hunter2", "DB_PASSWORD=[REDACTED:password]"),
    ("GITHUB_TOKEN=ghp_abc123", "GITHUB_TOKEN=[REDACTED:token]"),
    ("MY_API_KEY: k3y", "MY_API_KEY: [REDACTED:api-key]"),
    ("AWS_SECRET_ACCESS_KEY = wJalr/K7MDENG", "AWS_SECRET_ACCESS_KEY = [REDACTED:secret]"),
    ("CREDENTIALS=a:b", "CREDENTIALS=[REDACTED:credential]"),
    ("PGPASSWORD=pg1", "PGPASSWORD=[REDACTED:password]"),
    ("clientSecret=abc", "clientSecret=[REDACTED:secret]"),
    (
        '{"password": "hunter2", "user": "bob"}',
        '{"password": "[REDACTED:password]", "user": "bob"}',
    ),
    ("login failed: password='p w'", "login failed: password='[REDACTED:password]'"),
    ("API Key: abc123", "API Key: [REDACTED:api-key]"),
    (
        "mount -o username=bob,password=pw,uid=1",
        "mount -o username=bob,password=[REDACTED:password],uid=1",
    ),
    ("GET /x?access_token=abc&page=2", "GET /x?access_token=[REDACTED:token]&page=2"),
    ("--password hunter2 -v", "--password [REDACTED:password] -v"),
    ("--db-password=hunter2", "--db-password=[REDACTED:password]"),
    ("Authorization: Bearer abc.def-123", "Authorization: Bearer [REDACTED:bearer-token]"),
    ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic [REDACTED:credential]"),
    ("sent Bearer 0123456789abcdef", "sent Bearer [REDACTED:bearer-token]"),
    ("Cookie: sid=abc; theme=dark\nnext", "Cookie: [REDACTED:session]\nnext"),
    (f"token {JWT} used", "token [REDACTED:jwt] used"),
    (f"id_token={JWT}", "id_token=[REDACTED:jwt]"),  # the more specific kind wins
    ("key AKIAIOSFODNN7EXAMPLE in use", "key [REDACTED:aws-access-key] in use"),
    ("ASIAY34FZKBOKMUTVV7A.", "[REDACTED:aws-access-key]."),
    (f"key:\n{PEM}\ndone", "key:\n[REDACTED:private-key]\ndone"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNz", "[REDACTED:private-key]"),
    ("via http://alice:s3cret@proxy:8080/", "via http://alice:[REDACTED:password]@proxy:8080/"),
    ("git+ssh://git:tok3n@host/r", "git+ssh://git:[REDACTED:password]@host/r"),
    ("openssl rsa -passin pass:s3cret", "openssl rsa -passin pass:[REDACTED:password]"),
    ("ran mysql -uroot -pS3cret db", "ran mysql -uroot -p[REDACTED:password] db"),
    ("keytool -list -storepass changeit", "keytool -list -storepass [REDACTED:password]"),
]

# Must come out exactly as they went in, at both levels.
HARMLESS = [
    "/usr/lib/systemd/systemd-journald",
    "author=alice AUTHOR=bob GIT_AUTHOR_NAME=carol",
    "TOKENIZERS_PARALLELISM=false",
    "XAUTHORITY=/run/gdm/Xauthority",
    "SSH_AUTH_SOCK=/tmp/ssh-x/agent.1",
    "PASSWORD_FILE=/run/secrets/db",
    "token_type=bearer expires_in=3600",
    "--no-password --password-stdin",
    "Bearer authentication failed",
    "state change: activated -> deactivating (reason 'user-requested')",
    "key=value keyboard=us monkey=1",
    "http://example.com:8080/path@v2",
    "ssh -p 22 host",
    "[REDACTED:password] [REDACTED:user]",
    "",
]

# Redacted under STRICT only: (input, expected STRICT output).
IDENTIFIERS = [
    ("/home/alice/.config", "/home/[REDACTED:user]/.config"),
    ("/Users/bob/Library", "/Users/[REDACTED:user]/Library"),
    ("C:\\Users\\John Smith\\AppData", "C:\\Users\\[REDACTED:user]\\AppData"),
    ("file:///var/home/carol/x", "file:///var/home/[REDACTED:user]/x"),
    ("ether aa:bb:cc:dd:ee:0f up", "ether [REDACTED:mac] up"),
    ("Physical Address: 00-1A-2B-3C-4D-5E", "Physical Address: [REDACTED:mac]"),
    ("mac 0123.4567.89ab", "mac [REDACTED:mac]"),
    ("from 8.8.8.8:53.", "from [REDACTED:public-ip]:53."),
    ("peer 1.2.3.4", "peer [REDACTED:public-ip]"),
    ("dns 2606:4700:4700::1111", "dns [REDACTED:public-ip]"),
    ("mapped ::ffff:8.8.4.4", "mapped [REDACTED:public-ip]"),
    ("Serial Number: C02XK1ABJGH5", "Serial Number: [REDACTED:serial]"),
    ("machine_id=4c4c4544", "machine_id=[REDACTED:hardware-id]"),
    ("http://bob:pw@proxy", "http://[REDACTED:user]:[REDACTED:password]@proxy"),
]

# Left alone under STRICT too.
NOT_IDENTIFIERS = [
    "/root/.bashrc /home /srv/data",
    "C:\\Users\\Public\\Desktop /Users/Shared/x",
    "lo 00:00:00:00:00:00 bcast ff:ff:ff:ff:ff:ff",
    "fe80::1c2a:3bff:fe4d:5e6f%wlan0 ::1 2001:db8::1",
    "10.0.0.1 172.16.5.4 192.168.1.10 127.0.0.1 169.254.1.1 100.64.0.1 0.0.0.0",
    "mdns 224.0.0.251 bcast 255.255.255.255",
    "at 12:30:45 and 10:00:00.123",
    "version 1.2.3.4 Version: 8.8.8.8 Chrome/120.0.6099.109 v1.2.3.4",
    "build 10.0.19045.3803 kernel 1.2.3.4.5",
    "std::vector a::b",
]


@pytest.mark.parametrize(("text", "expected"), SECRETS, ids=[s[0][:30] for s in SECRETS])
def test_secrets_are_replaced_by_a_placeholder_naming_their_kind(text: str, expected: str) -> None:
    assert redacted(text, STANDARD) == expected


@pytest.mark.parametrize(("text", "expected"), SECRETS, ids=[s[0][:30] for s in SECRETS])
def test_strict_redacts_secrets_too(text: str, expected: str) -> None:
    out = redacted(text, STRICT)
    assert out.count("[REDACTED:") >= expected.count("[REDACTED:")


@pytest.mark.parametrize("privacy", list(Privacy))
@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_left_alone(text: str, privacy: Privacy) -> None:
    redactor = Redactor(privacy)
    assert redactor.text(text) == text
    assert redactor.report.total() == 0


@pytest.mark.parametrize(("text", "expected"), IDENTIFIERS, ids=[s[0][:30] for s in IDENTIFIERS])
def test_strict_redacts_identifiers(text: str, expected: str) -> None:
    assert redacted(text, STRICT) == expected


@pytest.mark.parametrize(("text", "expected"), IDENTIFIERS, ids=[s[0][:30] for s in IDENTIFIERS])
def test_standard_keeps_identifiers(text: str, expected: str) -> None:
    out = redacted(text, STANDARD)
    assert "[REDACTED:user]" not in out
    assert "mac]" not in out
    assert "public-ip" not in out
    assert "serial" not in out


@pytest.mark.parametrize("text", NOT_IDENTIFIERS)
def test_strict_keeps_what_identifies_no_one(text: str) -> None:
    assert redacted(text, STRICT) == text


def test_known_user_names_go_as_path_components_and_whole_values_under_strict() -> None:
    redactor = Redactor(STRICT, user_names=["alice", " ", "root"])
    assert (
        redactor.text("/srv/alice/data CORP\\Alice")
        == "/srv/[REDACTED:user]/data CORP\\[REDACTED:user]"
    )
    assert redactor.text("alice") == "[REDACTED:user]"
    assert redactor.text("alicette and /srv/alicette") == "alicette and /srv/alicette"
    assert redactor.text("/root/x") == "/root/x"  # a shared account is not a person
    assert Redactor(STANDARD, user_names=["alice"]).text("/srv/alice alice") == "/srv/alice alice"


# --- Command lines and environments ------------------------------------------------------

# Arguments split on spaces, or on "|" where one holds a space.
COMMAND_LINES = [
    ("mysql -uroot -pS3cret db", "mysql -uroot -p[REDACTED:password] db"),
    ("mysql -p db", "mysql -p db"),  # -p alone prompts; db is the database
    ("ssh -p 22 host", "ssh -p 22 host"),
    ("psql -h db -p 5433", "psql -h db -p 5433"),
    ("sshpass -p pw1 ssh -p 22 h", "sshpass -p [REDACTED:password] ssh -p 22 h"),
    ("sudo /usr/bin/redis-cli -a pw1", "sudo /usr/bin/redis-cli -a [REDACTED:password]"),
    ("C:\\Tools\\PsExec.exe -u adm -p pw1", "C:\\Tools\\PsExec.exe -u adm -p [REDACTED:password]"),
    ("curl -u alice:pw1 https://x", "curl -u alice:[REDACTED:password] https://x"),
    ("curl -u alice https://x", "curl -u alice https://x"),
    ("curl --user=alice:pw1", "curl --user=alice:[REDACTED:password]"),
    ("smbclient -U bob%pw1 //srv/s", "smbclient -U bob%[REDACTED:password] //srv/s"),
    ("docker login -p pw1 reg", "docker login -p [REDACTED:password] reg"),
    ("docker run -p 8080:80 img", "docker run -p 8080:80 img"),
    ("xfreerdp /u:bob /p:pw1", "xfreerdp /u:bob /p:[REDACTED:password]"),
    ("7z x -pS3cret a.7z", "7z x -p[REDACTED:password] a.7z"),
    ("app --token abc --verbose", "app --token [REDACTED:token] --verbose"),
    ("app --password --verbose", "app --password --verbose"),
    ("app|--password=a,b c", "app|--password=[REDACTED:password]"),
    ("env DB_PASSWORD=q,r run", "env DB_PASSWORD=[REDACTED:password] run"),
    ("cmdkey /pass:pw1", "cmdkey /pass:[REDACTED:password]"),
    (
        "java -Dx.keyStorePassword=changeit -jar a",
        "java -Dx.keyStorePassword=[REDACTED:password] -jar a",
    ),
    (
        "git clone https://u:tok@github.com/x",
        "git clone https://u:[REDACTED:password]@github.com/x",
    ),
    ("sh|-c|mysql -pS3cret db", "sh|-c|mysql -p[REDACTED:password] db"),
    (
        "node --max-old-space-size=4096 --type=renderer",
        "node --max-old-space-size=4096 --type=renderer",
    ),
    ("", ""),
]


def argv_of(line: str) -> list[str]:
    return line.split("|") if "|" in line else line.split()


@pytest.mark.parametrize(
    ("line", "expected"), COMMAND_LINES, ids=[c[0][:30] for c in COMMAND_LINES]
)
def test_command_lines(line: str, expected: str) -> None:
    argv = argv_of(line)
    assert Redactor().command_line(argv) == argv_of(expected)
    assert argv == argv_of(line)


def test_a_command_line_given_as_one_string_is_split_on_whitespace() -> None:
    assert Redactor().command_line("app --token abc") == ["app", "--token", "[REDACTED:token]"]


def test_strict_drops_the_user_of_user_password_values_too() -> None:
    assert Redactor(STRICT).command_line(["curl", "-u", "alice:pw1"]) == [
        "curl",
        "-u",
        "[REDACTED:user]:[REDACTED:password]",
    ]


ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin",
    "PWD": "/srv/app",
    "OLDPWD": "/tmp",
    "XDG_SESSION_ID": "2",
    "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus",
    "SSH_AUTH_SOCK": "/tmp/ssh/agent",
    "GITHUB_TOKEN": "ghp_x",
    "MYSQL_PWD": "m",
    "DB_PASS": "d",
    "EMPTY_TOKEN": "",
    "https_proxy": "http://alice:pw@proxy:3128",
    "http_proxy": "alice:pw@proxy:3128",
    "NO_PROXY": "localhost,10.0.0.0/8",
}


def test_environment_standard() -> None:
    redactor = Redactor()
    out = redactor.tree(ENVIRONMENT)
    assert out == {
        **ENVIRONMENT,
        "GITHUB_TOKEN": "[REDACTED:token]",
        "MYSQL_PWD": "[REDACTED:password]",
        "DB_PASS": "[REDACTED:password]",
        "https_proxy": "http://alice:[REDACTED:password]@proxy:3128",
        "http_proxy": "alice:[REDACTED:password]@proxy:3128",
    }
    assert redactor.report.counts == {"password": 4, "token": 1}


def test_environment_strict_hides_who_is_logged_in() -> None:
    env = {
        "USER": "alice",
        "HOME": "/home/alice",
        "https_proxy": "http://alice:pw@p:1",
        "SERIAL": "X1",
    }
    assert Redactor(STRICT, user_names=["alice"]).tree(env) == {
        "USER": "[REDACTED:user]",
        "HOME": "/home/[REDACTED:user]",
        "https_proxy": "http://[REDACTED:user]:[REDACTED:password]@p:1",
        "SERIAL": "[REDACTED:serial]",
    }


# --- Trees ----------------------------------------------------------------------------------

SNAPSHOT: dict[str, Any] = {
    "system": {"hostname": "pc-17", "version": "1.2.3.4", "serial_number": "C02XK1", "uptime": 7},
    "network": {"interfaces": [{"name": "wlan0", "mac": "aa:bb:cc:dd:ee:ff", "ip": "8.8.8.8"}]},
    "environment": {"DB_PASSWORD": "hunter2", "HOME": "/home/alice"},
    "processes": [{"pid": 1, "cmdline": ["app", "--token=abc"], "username": "alice"}],
    "auth": {"method": "kerberos", "ok": True, "retries": 3},
    "checks": {"pass": True, "password_set": False, "token": None, "api_key": 12345},
    "logs": ["-----BEGIN EC PRIVATE KEY-----", "MHcCAQEE", "-----END EC PRIVATE KEY-----", "ok"],
    7: ("password=x", {"b"}),
}


def test_tree_standard() -> None:
    out, report = redact_snapshot(SNAPSHOT, STANDARD)
    assert out["system"] == SNAPSHOT["system"]
    assert out["network"] == SNAPSHOT["network"]
    assert out["environment"] == {"DB_PASSWORD": "[REDACTED:password]", "HOME": "/home/alice"}
    assert out["processes"][0]["cmdline"] == ["app", "--token=[REDACTED:token]"]
    # A container under a secret-named key loses its str and number leaves, keeps the rest.
    assert out["auth"] == {
        "method": "[REDACTED:credential]",
        "ok": True,
        "retries": "[REDACTED:credential]",
    }
    assert out["checks"] == {
        "pass": True,
        "password_set": False,
        "token": None,
        "api_key": "[REDACTED:api-key]",
    }
    assert out["logs"] == ["[REDACTED:private-key]"] * 3 + ["ok"]
    assert out[7] == ("password=[REDACTED:password]", ["b"])
    assert report.counts == {
        "api-key": 1,
        "credential": 2,
        "password": 2,
        "private-key": 1,
        "token": 1,
    }


def test_tree_strict() -> None:
    out, report = redact_snapshot(SNAPSHOT, STRICT, user_names=["alice"])
    assert out["system"] == {**SNAPSHOT["system"], "serial_number": "[REDACTED:serial]"}
    assert out["network"]["interfaces"] == [
        {"name": "wlan0", "mac": "[REDACTED:mac]", "ip": "[REDACTED:public-ip]"}
    ]
    assert out["environment"]["HOME"] == "/home/[REDACTED:user]"
    assert out["processes"][0]["username"] == "[REDACTED:user]"
    assert report.counts["user"] == 2


def test_odd_values_never_raise_and_fail_closed() -> None:
    class Unprintable:
        def __str__(self) -> str:
            raise RuntimeError("no")

    cyclic: list[object] = []
    cyclic.append(cyclic)
    deep: Any = "x"
    for _ in range(MAX_DEPTH + 50):
        deep = [deep]
    tree = {
        None: b"password=x\xff",
        (1, 2): Unprintable(),
        1.5: float("inf"),
        "c": cyclic,
        "d": deep,
    }
    out = Redactor().tree(tree)
    assert out[None] == "password=[REDACTED:password]"  # decoded, the \xff is part of the value
    assert out[(1, 2)] == "[REDACTED:unreadable]"
    assert out[1.5] == float("inf")
    assert "[REDACTED:too-deep]" in json.dumps(out["c"])
    assert "[REDACTED:too-deep]" in json.dumps(out["d"])


def test_a_key_logged_line_by_line_goes_up_to_its_end_or_the_first_line_not_of_a_key() -> None:
    lines = ["-----BEGIN PRIVATE KEY-----", "MIIEvQIB", "AAKCAQEA", "ssh: connected", "MIIEvQIB"]
    assert Redactor().tree(lines) == ["[REDACTED:private-key]"] * 3 + lines[3:]


def test_keys_are_scanned_and_keys_that_redact_alike_keep_both_values() -> None:
    out = Redactor(STRICT).tree({"/home/alice": 1, "/home/bob": 2, "/home/[REDACTED:user] #2": 3})
    assert out == {
        "/home/[REDACTED:user]": 1,
        "/home/[REDACTED:user] #2": 2,
        "/home/[REDACTED:user] #2 #2": 3,
    }


# --- Report ---------------------------------------------------------------------------------


def test_report_counts_kinds_never_values() -> None:
    redactor = Redactor()
    redactor.text("password=hunter2 password=hunter2")
    redactor.text("password=hunter2 password=hunter2")  # a cache hit still counts
    redactor.tree({"GITHUB_TOKEN": "ghp_x"})
    report = redactor.report
    assert report.to_dict() == {
        "privacy": "standard",
        "counts": {"password": 4, "token": 1},
        "total": 5,
    }
    assert "hunter2" not in json.dumps(report.to_dict())
    with pytest.raises(TypeError):
        report.counts["password"] = 0  # type: ignore[index]


def test_reports_add_up_only_at_one_privacy_level() -> None:
    one = RedactionReport(STANDARD, {"password": 1, "jwt": 0})
    two = RedactionReport(STANDARD, {"password": 2, "token": 1})
    assert (one + two).to_dict() == {
        "privacy": "standard",
        "counts": {"password": 3, "token": 1},
        "total": 4,
    }
    assert one.counts == {"password": 1}
    with pytest.raises(ValueError, match="strict"):
        one + RedactionReport(STRICT, {})


def test_report_reflects_the_privacy_level() -> None:
    assert Redactor(STRICT).report == RedactionReport(Privacy("strict"), {})
    assert str(STRICT) == "strict"


# --- Idempotence, no mutation, odd input ------------------------------------------------------

ALL_TEXT = [text for text, _ in SECRETS + IDENTIFIERS] + HARMLESS + NOT_IDENTIFIERS


@pytest.mark.parametrize("privacy", list(Privacy))
def test_redacting_redacted_output_changes_and_counts_nothing(privacy: Privacy) -> None:
    first = Redactor(privacy, user_names=["alice"])
    once = [first.text(t) for t in ALL_TEXT]
    tree_once = first.tree(SNAPSHOT)
    argv_once = [first.command_line(argv_of(line)) for line, _ in COMMAND_LINES]
    env_once = first.tree(ENVIRONMENT)
    second = Redactor(privacy, user_names=["alice"])
    assert [second.text(t) for t in once] == once
    assert second.tree(tree_once) == tree_once
    assert [second.command_line(argv) for argv in argv_once] == argv_once
    assert second.tree(env_once) == env_once
    assert second.report.total() == 0


def test_the_input_is_never_mutated() -> None:
    before = copy.deepcopy(SNAPSHOT)
    out, _ = redact_snapshot(SNAPSHOT, STRICT, user_names=["alice"])
    assert before == SNAPSHOT
    assert out["processes"] is not SNAPSHOT["processes"]


@pytest.mark.parametrize(
    "huge",
    [
        "A" * 1_000_000,
        "a=" * 50_000,
        "x:" * 50_000,
        "API Key: " * 10_000,
        "-----BEGIN PRIVATE KEY----- " * 20_000,
        "eyJ" + "a" * 500_000,
        "http://" + "u" * 500_000,
        ("aa:" * 50_000) + "1.2.3.4 " * 10_000,
        "--password " * 50_000,
    ],
    ids=["run", "labels", "colons", "pairs", "pem", "jwt", "url", "hex", "flags"],
)
def test_huge_strings_take_linear_time(huge: str) -> None:
    started = time.perf_counter()
    Redactor(STRICT, user_names=["alice"]).text(huge)
    assert time.perf_counter() - started < 5  # quadratic backtracking would take minutes


# --- Properties -----------------------------------------------------------------------------

FUZZ = settings(max_examples=200, deadline=None)
# Random text seldom looks like anything; these fragments make it look like everything.
_FRAGMENTS = (
    "password token api_key = : :// @ [REDACTED:user] [REDACTED: ] eyJhbGci . AKIA"
    " ABCDEFGHIJKLMNOP Bearer abc123456789 8.8.8.8 10.0.0.1 aa:bb:cc:dd:ee:ff aa-bb-cc-dd-ee-01"
    " /home/ /Users/ alice C:\\Users\\ \\ / \" ' --password -p -u mysql sshpass curl Cookie"
    " API Key Serial Number :: ffff 2001:4860::8888 - 1 version # , ; & ? pass: Basic mac PWD"
    " % docker login /p: xfreerdp _ 0123.4567.89ab v Chrome/ -----BEGIN -----END PRIVATE KEY-----"
)
FRAGMENTS = [*_FRAGMENTS.split(" "), " ", "\n", "\t"]
texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=25).map("".join)
secret_values = st.text(string.ascii_letters + string.digits, min_size=12, max_size=40).filter(
    lambda s: any(c.isdigit() for c in s)
)
FORMS = [
    "password={}",
    "GITHUB_TOKEN={}",
    "api_key: {}",
    '"client_secret": "{}"',
    "--password {}",
    "Authorization: Bearer {}",
    "Bearer {}",
    "https://alice:{}@example.com/",
    "eyJhbGciOiJub25lIn0.{}.sig",
    "AKIA{}",
    "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
    "Cookie: sid={}",
]


@FUZZ
@given(
    form=st.sampled_from(FORMS),
    secret=secret_values,
    before=texts,
    after=texts,
    privacy=st.sampled_from(list(Privacy)),
)
def test_a_planted_secret_never_survives(
    form: str, secret: str, before: str, after: str, privacy: Privacy
) -> None:
    if form == "AKIA{}":
        secret = (secret.upper() * 2)[:16]
    text = f"{before}\n{form.format(secret)}\n{after}"
    if secret in before or secret in after:
        return
    out = Redactor(privacy).text(text)
    assert secret not in out
    assert Redactor(privacy).text(out) == out


@FUZZ
@given(text=texts, argv=st.lists(texts, max_size=6), privacy=st.sampled_from(list(Privacy)))
def test_redaction_of_any_text_is_idempotent(text: str, argv: list[str], privacy: Privacy) -> None:
    first = Redactor(privacy, user_names=["alice"])
    once, argv_once = first.text(text), first.command_line(argv)
    again = Redactor(privacy, user_names=["alice"])
    assert again.text(once) == once
    assert again.command_line(argv_once) == argv_once
    assert again.report.total() == 0
    assert "unsettled" not in once


keys = st.one_of(
    st.sampled_from(["password", "token", "mac", "serial", "version", "auth", "logs"]),
    st.text(max_size=12),
)
json_trees = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)


@FUZZ
@given(tree=json_trees, privacy=st.sampled_from(list(Privacy)))
def test_any_json_tree_redacts_to_json_idempotently_without_mutation(
    tree: Any, privacy: Privacy
) -> None:
    before = json.dumps(tree, sort_keys=True)
    once = Redactor(privacy, user_names=["alice"]).tree(tree)
    assert json.dumps(tree, sort_keys=True) == before
    json.dumps(once)  # still JSON
    again = Redactor(privacy, user_names=["alice"])
    assert again.tree(once) == once
    assert again.report.total() == 0


VENDOR_TOKENS = [
    "ghp_" + "a1B2" * 9,
    "github_pat_" + "11ABCDEFG0" * 3,
    "glpat-" + "xY9_" * 5,
    "xoxb-" + "1234567890-abcdefghij",
    "sk_live_" + "4eC39HqLyjWDarjt",
    "sk-proj-" + "Ab3" * 8,
    "AIza" + "SyD-" + "x" * 31,
    "npm_" + "Z9" * 18,
]


@pytest.mark.parametrize("token", VENDOR_TOKENS, ids=lambda t: t[:8])
def test_bare_vendor_tokens_are_caught_without_a_label(token: str) -> None:
    redactor = Redactor()
    line = f"2026-11-23 push failed, retrying with {token} (attempt 2)"
    assert (
        redactor.text(line) == "2026-11-23 push failed, retrying with [REDACTED:token] (attempt 2)"
    )
    assert redactor.report.counts == {"token": 1}
    assert redactor.text(redactor.text(line)) == redactor.text(line)


@pytest.mark.parametrize(
    "text",
    ["desk-topology-with-a-very-long-name-here", "gho_short", "xoxo", "task-" + "a" * 30],
)
def test_vendor_prefixes_inside_ordinary_words_stay(text: str) -> None:
    assert Redactor().text(text) == text
