"""What a name says about its value: environment variables, dict keys, command-line flags.

``DB_PASSWORD``, ``githubToken`` and ``--api-key`` name secrets; ``AUTHOR``, ``XAUTHORITY``,
``SSH_AUTH_SOCK`` and ``PWD`` do not. Also which programs take a password in a short flag
(``mysql -pX``) and which only look as if they do (``ssh -p 22``). Kept apart from the
scanning so the rules can be read, and argued about, in one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache, lru_cache

from console.values import Value


def _names(text: str) -> list[str]:
    """Word lists written as prose read better than as list literals."""
    return text.split()


# --- Names: environment variables, dict keys, command-line flags -------------------------

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

# Substrings of the name with separators removed, for names written as one word
# (PGPASSWORD, clientsecret, X-Api-Key). First hit in this order wins.
_COMPACT = (
    ("password", "password"),
    ("passwd", "password"),
    ("passphrase", "password"),
    ("sshpass", "password"),
    ("storepass", "password"),  # keytool -storepass, -srcstorepass, -keypass
    ("keypass", "password"),
    ("privatekey", "private-key"),
    ("apikey", "api-key"),
    ("accesstoken", "token"),
    ("refreshtoken", "token"),
    ("authtoken", "token"),
    ("sessiontoken", "token"),
    ("sessionid", "session"),
    ("secret", "secret"),
    ("accesskey", "secret"),
    ("signingkey", "secret"),
    ("encryptionkey", "secret"),
    ("masterkey", "secret"),
    ("licensekey", "secret"),
    ("productkey", "secret"),
    ("accountkey", "secret"),
    ("clientkey", "secret"),
    ("accesssignature", "secret"),
)
# Whole words, so TOKENIZERS_PARALLELISM, AUTHOR and XAUTHORITY stay readable.
_WORDS = {
    "token": "token",
    "tokens": "token",
    "bearer": "token",
    "cookie": "session",
    "cookies": "session",
    "credential": "credential",
    "credentials": "credential",
    "creds": "credential",
    "auth": "credential",
    "authorization": "credential",
}
# A name ending in one of these describes a secret (where it lives, what kind it is) rather
# than holding it: SSH_AUTH_SOCK, PASSWORD_FILE, token_type, --password-stdin, TOKEN_URL.
# The value is still scanned as text, so a URL with credentials in it is caught anyway.
_DESCRIBES = frozenset(
    _names(
        "sock socket file path dir helper type method mode prompt stdin length policy "
        "required expiry expires expiration ttl url uri endpoint host port name user "
        "username format timeout enabled set"
    )
)
_NEGATES = frozenset({"no", "ask"})  # --no-password, --ask-password
# Whole names that only look like secrets: the shell's working directories, the desktop's
# session number.
_NOT_SECRETS = frozenset({"pwd", "oldpwd", "xdgsessionid"})

_IDENTITY_COMPACT = (
    ("macaddr", "mac"),
    ("hwaddr", "mac"),
    ("serialnumber", "serial"),
    ("machineid", "hardware-id"),
    ("hardwareuuid", "hardware-id"),
    ("productuuid", "hardware-id"),
    ("hardwareid", "hardware-id"),
)
_IDENTITY_WORDS = {
    "mac": "mac",
    "bssid": "mac",
    "serial": "serial",
    "serialno": "serial",
    "imei": "serial",
    "uuid": "hardware-id",
    "guid": "hardware-id",
}
SECOND_WORDS = frozenset({"key", "number", "no", "id", "address"})
"""Names that are a secret or an identifier only with the word before: "API Key",
"Serial Number", "Machine ID", "MAC Address"."""
_VERSION_WORDS = frozenset({"version", "ver", "release", "build", "firmware", "revision"})


def name_words(name: str) -> tuple[str, ...]:
    """``GITHUB_TOKEN``, ``githubToken`` and ``github-token`` all give ("github", "token")."""
    return tuple(word.lower() for word in _WORD.findall(name))


def _describes_only(words: tuple[str, ...]) -> bool:
    return len(words) > 1 and (words[-1] in _DESCRIBES or words[0] in _NEGATES)


@lru_cache(maxsize=4096)
def secret_kind(name: str) -> str | None:
    """The kind of secret a variable, key or flag with this name holds, or None.

    A label of two words ("API Key", "user password") is judged on its last word first and
    only then as one name, so a harmless first word never hides the secret after it.
    """
    if " " in name:
        first, _, last = name.rpartition(" ")
        return secret_kind(last) or secret_kind(f"{first}_{last}")
    words = name_words(name)
    compact = "".join(words)
    if not words or compact in _NOT_SECRETS or _describes_only(words):
        return None
    for fragment, kind in _COMPACT:
        if fragment in compact:
            return kind
    last = words[-1]
    # PASS and PWD only at the end: DB_PASS, MYSQL_PWD, but not pass_count or PWD itself.
    if last == "pass" or (last == "pwd" and len(words) > 1):
        return "password"
    for word in words:
        if word in _WORDS:
            return _WORDS[word]
    if compact == "sig":  # the signature of an Azure shared access signature URL
        return "secret"
    if compact == "session" or "sessionkey" in compact:
        return "session"
    return None


@lru_cache(maxsize=4096)
def identity_kind(name: str) -> str | None:
    """Under strict privacy: the kind of device identifier a key with this name holds."""
    if " " in name:
        first, _, last = name.rpartition(" ")
        return identity_kind(last) or identity_kind(f"{first}_{last}")
    words = name_words(name)
    if not words or _describes_only(words):
        return None
    compact = "".join(words)
    for fragment, kind in _IDENTITY_COMPACT:
        if fragment in compact:
            return kind
    for word in words:
        if word in _IDENTITY_WORDS:
            return _IDENTITY_WORDS[word]
    return None


@lru_cache(maxsize=1024)
def is_version_name(name: str) -> bool:
    """``version``, ``os_release``, ``biosVersion``: a dotted quad there is not an address."""
    return not _VERSION_WORDS.isdisjoint(name_words(name))


@lru_cache(maxsize=1024)
def is_proxy_name(name: str) -> bool:
    return "proxy" in name_words(name)


# --- Programs whose short flags take a password ------------------------------------------


class PasswordFlag(Value):
    """A program's password flag. ``-pSECRET`` is always the password.

    ``separate``: ``-p SECRET`` too. False for mysql and 7-Zip, where ``-p NAME`` means
    "prompt", and NAME is a database or an archive.
    ``split``: the value is ``user<split>password`` (curl ``-u``, smbclient ``-U``): keep the
    user.
    """

    __slots__ = ("separate", "split")
    separate: bool
    split: str

    def __init__(self, separate: bool = True, split: str = "") -> None:
        self._set("separate", separate)
        self._set("split", split)


_MYSQL = {"-p": PasswordFlag(separate=False)}
_DASH_P = {"-p": PasswordFlag()}
_DASH_BIG_P = {"-P": PasswordFlag()}
_CURL_USER = PasswordFlag(split=":")
_PASSWORD_FLAGS: dict[str, Mapping[str, PasswordFlag]] = {
    **dict.fromkeys(
        _names(
            "mysql mysqldump mysqladmin mysqlimport mysqlshow mysqlcheck mysqlpump mariadb "
            "mariadb-dump mariadb-admin"
        ),
        _MYSQL,
    ),
    **dict.fromkeys(["7z", "7za", "7zr"], {"-p": PasswordFlag(separate=False)}),
    **dict.fromkeys(
        _names(
            "sshpass psexec psexec64 rdesktop mongo mongosh mongodump mongorestore "
            "mongoexport mongoimport"
        ),
        _DASH_P,
    ),
    **dict.fromkeys(["docker login", "podman login", "nerdctl login"], _DASH_P),
    **dict.fromkeys(["sqlcmd", "bcp", "osql", "isql", "zip", "unzip", "zipcloak"], _DASH_BIG_P),
    **dict.fromkeys(
        _names("ldapsearch ldapmodify ldapadd ldapdelete ldapwhoami ldappasswd ldapcompare"),
        {"-w": PasswordFlag()},
    ),
    **dict.fromkeys(["xfreerdp", "wlfreerdp"], {"/p:": PasswordFlag(separate=False)}),
    "redis-cli": {"-a": PasswordFlag()},
    "curl": {"-u": _CURL_USER, "--user": _CURL_USER, "-U": _CURL_USER, "--proxy-user": _CURL_USER},
    "smbclient": {"-U": PasswordFlag(split="%"), "--user": PasswordFlag(split="%")},
}
# Listed with no password flags so that, in `sshpass -p x ssh -p 22 host` or `sudo -u a psql
# -p 5433`, the command after them takes over and its -p (a port) stays.
_PORT_PROGRAMS = "ssh scp sftp rsync psql pg_dump pg_dumpall pg_restore nc ncat telnet docker"
PASSWORD_FLAGS: Mapping[str, Mapping[str, PasswordFlag]] = {
    **dict.fromkeys(_PORT_PROGRAMS.split() + ["podman", "nerdctl"], {}),
    **_PASSWORD_FLAGS,
}


def program_name(argument: str) -> str:
    """``/usr/bin/mysql``, ``"C:\\Tools\\PsExec.exe`` -> ``mysql``, ``psexec``."""
    base = argument.strip("\"'").replace("\\", "/").rpartition("/")[2].lower()
    return base.removesuffix(".exe")


@cache
def _program_mention() -> re.Pattern[str]:
    """Compiled at first use: only text that passes the flag hint below needs it, and
    compiling it at import cost `collect` (whose run time is part of a capture) about 2 ms."""
    programs = sorted((p for p in _PASSWORD_FLAGS if " " not in p), key=len, reverse=True)
    return re.compile(
        r"(?i)(?<![\w.-])(?:"
        + "|".join(re.escape(p) for p in programs)
        + r"|docker|podman|nerdctl)(?:\.exe)?(?![\w.-])"
    )


# A password flag after whitespace. Starting with a character class lets the regex engine
# skip straight to whitespace: a cheap first test, where `-a` inside `x86_64-apple` is not.
_PASSWORD_FLAG_HINT = re.compile(
    r"\s(?:"
    + "|".join(sorted({re.escape(flag) for flags in _PASSWORD_FLAGS.values() for flag in flags}))
    + ")"
)


def mentions_password_flag(text: str) -> bool:
    """Free text names a program whose flags may hold a password, and such a flag: tokenise
    it and run the command-line rules. Cheapest tests first: this runs on every string."""
    if not ((" " in text or "\t" in text) and ("-" in text or "/p:" in text)):
        return False
    return _PASSWORD_FLAG_HINT.search(text) is not None and bool(_program_mention().search(text))


ARG_ASSIGN = re.compile(r"(?:--?)?(?P<name>[A-Za-z_][\w.-]{0,79})=(?P<value>.*)", re.S)
ARG_WINDOWS = re.compile(r"/(?P<name>[A-Za-z][\w-]{0,79})[:=](?P<value>.*)", re.S)
ARG_FLAG = re.compile(r"--?(?P<name>[A-Za-z][\w.-]{1,79})")


def is_flag(arg: str) -> bool:
    """`-v`, `--verbose`; not `-` (stdin) nor a key block, which is a value."""
    return arg.startswith("-") and len(arg) > 1 and not arg.startswith("-----")
