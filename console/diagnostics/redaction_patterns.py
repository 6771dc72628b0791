"""What secrets and identifiers look like in text: the scanning patterns, and the checks on
addresses that a pattern alone cannot make (public or private, a MAC or all zeros).

Everything here is pure. The patterns every capture uses are compiled at import, the rest at
their first use (see :func:`compiled_later`). Every quantifier in the scanning patterns
is bounded or possessive, because the input is whatever a machine logged: a megabyte of
base64 without a space must cost one pass, not a quadratic backtrack.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from functools import cache, lru_cache

from console.diagnostics.redaction_names import secret_kind


def compiled_later(pattern: str) -> Callable[[], re.Pattern[str]]:
    """A pattern compiled at its first use (``compiled_later(...)()`` is the pattern): for
    those a typical capture never needs (strict privacy, key blocks, vendor tokens...).
    Compiling them all at import cost `collect`, whose run time is part of a capture, ~8 ms."""
    return cache(lambda: re.compile(pattern))


_PLACEHOLDER = re.compile(r"\[REDACTED:[a-z-]+\]")


def placeholder(kind: str) -> str:
    """The visible stand-in: tier 2 sees that something was removed, and what kind."""
    return f"[REDACTED:{kind}]"


def is_placeholder(value: str) -> bool:
    """Already redacted: leaving it alone (and not counting it) keeps redaction idempotent."""
    return _PLACEHOLDER.fullmatch(value) is not None


# --- Addresses -----------------------------------------------------------------------------

_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


@lru_cache(maxsize=4096)
def is_public_ipv4(text: str) -> bool:
    """Global per :mod:`ipaddress` (so not private, loopback, link-local, CGNAT 100.64/10,
    documentation), and not multicast, which names a group, not a machine."""
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return address.is_global and not address.is_multicast


@lru_cache(maxsize=4096)
def is_public_ipv6(text: str) -> bool:
    """Global and inside 2000::/3, the only range handed out, so that ``a::b`` in a log
    line is not taken for an address; an IPv4-mapped address is judged as IPv4."""
    if "::" not in text and text.count(":") < 6:  # a time of day, mostly: not worth parsing
        return False
    try:
        address = ipaddress.IPv6Address(text.partition("%")[0])
    except ValueError:
        return False
    if address.ipv4_mapped is not None:
        return is_public_ipv4(str(address.ipv4_mapped))
    return address in _GLOBAL_UNICAST and address.is_global


def is_anonymous_mac(text: str) -> bool:
    """All zeros (loopback) and all ones (broadcast) identify no device."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", text).lower()
    return digits in ("0" * 12, "f" * 12)


version_before = compiled_later(
    r"(?i)(?:\b(?:version|ver|release|build|firmware|revision)[\s\"':=]{1,4}|[A-Za-z]/)\Z"
)
"""Text just before a dotted quad that makes it a version: ``version 1.2.3.4``, ``Foo/1.2.3.4``."""

SHARED_PROFILES = frozenset({"public", "default", "default user", "all users", "shared", "root"})
"""Home directories that belong to no person (``C:\\Users\\Public``, ``/Users/Shared``)."""

pem_end = compiled_later(r"-----END [A-Z0-9 ]{0,40}?PRIVATE KEY(?: BLOCK)?-----")
pem_body = compiled_later(r"\s*(?:[A-Za-z0-9+/]+=*|(?:Proc-Type|DEK-Info|Comment): [^\r\n]*)?\s*")
"""A line of a key block: base64, a header (``DEK-Info: AES-128-CBC,...``) or blank."""

schemeless_credentials = compiled_later(
    r"(?P<user>[^\s:/@\[\]]{1,256}):(?P<password>[^\s/@]{1,256})@"
)
"""``http_proxy=alice:pw@proxy:3128``: some tools accept proxy URLs without a scheme."""


# --- The scanning patterns -----------------------------------------------------------------

# Secrets that start with a fixed string get their own pass, run only when that string is
# present (a `str` containment test): cheap, and it keeps them out of the main pattern, which
# has no literal prefix and so costs something at every position.
pem = compiled_later(
    # The whole block, or to the end of the string when the END line is elsewhere.
    r"-----BEGIN [A-Z0-9 ]{0,40}?PRIVATE KEY(?: BLOCK)?-----(?s:.*?)"
    r"(?:(?P<pem_end>-----END [A-Z0-9 ]{0,40}?PRIVATE KEY(?: BLOCK)?-----)|\Z)"
)
jwt = compiled_later(r"eyJ[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]{4,}+\.[A-Za-z0-9_-]*+")
aws_key_id = compiled_later(r"(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")
# Tokens whose vendor gave them a recognisable prefix, so they are caught even with no label
# around them (a bare token pasted into a log line or a command).
VENDOR_TOKEN_PREFIXES = (
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox", "sk_live_",
    "sk_test_", "rk_live_", "sk-", "AIza", "npm_", "pypi-AgE",
)  # fmt: skip
vendor_token = compiled_later(
    r"(?:gh[pousr]_[A-Za-z0-9]{36,255}"  # GitHub
    r"|github_pat_[A-Za-z0-9_]{22,255}"  # GitHub fine-grained
    r"|glpat-[A-Za-z0-9_-]{20,255}"  # GitLab
    r"|xox[abprs]-[A-Za-z0-9-]{10,255}"  # Slack
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,255}"  # Stripe
    r"|sk-(?:proj-)?[A-Za-z0-9_-]{20,255}"  # OpenAI-style API keys
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API keys
    r"|npm_[A-Za-z0-9]{36}"  # npm
    r"|pypi-AgE[A-Za-z0-9_-]{50,})"  # PyPI
    r"(?![A-Za-z0-9])"
)
"""Both must also start a word; the handler checks the character before (a lookbehind
first would cost the fast literal search)."""

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_HEX2 = r"[0-9A-Fa-f]{2}"
_STEMS = r"(?i:pass|pwd|secret|token|key|cred|auth|cookie|session|bearer|sig)"
_SCHEMES = r"(?i:bearer|basic|token|digest|negotiate|ntlm)"
_VALUE = r"\"[^\"\r\n]{0,1024}\"|'[^'\r\n]{0,1024}'"

# The main pattern. Every alternative starts a word, which the one guard in front of them
# all (see _scan_pattern) says once.
# URLs with credentials and Cookie headers are labels (`https:` `//user:pw@host`, `Cookie:`
# `...`): the label handler finishes them, which saves two alternatives at every word.
_SECRETS = [
    r"(?P<bearer>(?<!-)(?i:bearer)[ \t]+(?P<bearer_token>[A-Za-z0-9._~+/-]{8,}+=*+))",
    # `--password VALUE` in free text; `--password=VALUE` is a label below.
    rf"(?P<flag>(?<![.-])(?P<flag_name>--?(?=[\w.-]{{0,40}}?{_STEMS})[A-Za-z][\w.-]{{0,79}}+)"
    r"[ \t]+(?=[\"']|[^\s\"'-]))",
]
_IDENTIFIERS = [
    r"(?P<home>(?=[/A-Za-z])(?<![.-])(?:(?:/(?:var|export))?/(?:home|Users)/"
    r"|[A-Za-z]:(?:\\{1,2}|/)(?i:Users|Documents and Settings)(?:\\{1,2}|/))(?!\[REDACTED:)"
    r"(?P<home_user>[^\\/\s\"'<>|:*?]{1,64}+(?: [^\\/\s\"'<>|:*?]{1,64}+){1,3}(?=\\)"
    r"|[^\\/\s\"'<>|:*?]{1,64}+))",
    rf"(?P<mac>(?=[0-9A-Fa-f])(?<!:)(?<![0-9A-Fa-f][.-])(?:{_HEX2}(?P<mac_sep>[:-])"
    rf"(?:{_HEX2}(?P=mac_sep)){{4}}{_HEX2}|[0-9A-Fa-f]{{4}}\.[0-9A-Fa-f]{{4}}\.[0-9A-Fa-f]{{4}})"
    r"(?![0-9A-Fa-f]|[:.-][0-9A-Fa-f]))",
    rf"(?P<ipv4>(?=[0-9])(?<!\.){_OCTET}(?:\.{_OCTET}){{3}}(?!\w|\.[0-9]))",
    r"(?P<ipv6>(?=[0-9A-Fa-f:])(?<![:.])(?:[0-9A-Fa-f]{1,4}|:)(?::[0-9A-Fa-f]{0,4}){2,7}+"
    r"(?:(?:\.[0-9]{1,3}){3})?(?:%[\w.-]{1,32})?(?![\w:]))",
]
# `name = value`, `name: value`, `"name": "value"`, `Authorization: Bearer value`. It matches
# up to where the value starts; the handler decides from the name (with the word before it,
# for "API Key:") and only then reads the value, with LABEL_VALUE, if the name is a secret;
# otherwise scanning resumes at the value. (Matching the value here would read it once for
# each label inside it: quadratic on `a=a=a=...`.) It comes last so that the specific
# patterns win where both start.
_LABEL = (
    r"(?P<label>(?<![.-])(?P<label_name>[A-Za-z_.-][\w.-]{0,79}+)"
    r"[\"']?[ \t]*(?P<label_sep>[:=])[ \t]*"
    rf"(?:(?P<label_scheme>{_SCHEMES})[ \t]+)?"
    r"(?!-----BEGIN)(?=[\"']|[^\s,;&\"'<>]))"
)

# What the handlers read once the main pattern has found where to look.
LABEL_VALUE = re.compile(rf"{_VALUE}|[\"']?[^\s,;&\"'<>]*+")
FLAG_VALUE = re.compile(rf"{_VALUE}|[^\s]++")
SCHEME = re.compile(rf"{_SCHEMES}[ \t]+")
"""An HTTP authorization scheme before the credential: ``Bearer``, ``Basic``..."""
url_credentials = compiled_later(
    r"//(?P<user>\[REDACTED:[a-z-]+\]|[^\s:/@\[\]]{0,256}+):(?P<password>[^\s/@]{1,256})@"
)
"""What follows ``scheme:`` in ``scheme://user:password@host``."""
WORD = re.compile(r"[A-Za-z][\w.-]{0,39}")


def _scan_pattern(*alternatives: str) -> str:
    """The pattern consumes the non-word character before a match instead of looking behind
    for it: a pattern that starts with a character class lets the regex engine skip from one
    non-word character to the next in C, where a lookbehind first costs a full attempt at
    every position. The match proper is the named group (``match.lastgroup``); the scanner
    puts a space before the text so that its first word has a character before it too."""
    return r"[^\w](?:" + "|".join(alternatives) + ")"


STANDARD_SCAN = re.compile(_scan_pattern(*_SECRETS, _LABEL))
strict_scan = compiled_later(_scan_pattern(*_SECRETS, *_IDENTIFIERS, _LABEL))


def standard_scan_needed(text: str) -> bool:
    """Could :data:`STANDARD_SCAN` match? Each alternative needs one of these."""
    if "=" in text or ":" in text:
        return True
    return (" " in text or "\t" in text) and ("-" in text or "earer" in text.lower())


def strict_scan_needed(text: str) -> bool:
    return standard_scan_needed(text) or any(c in text for c in ".-/\\")


def value_end(pattern: re.Pattern[str], match: re.Match[str]) -> int:
    """Where the value after a secret's name ends. A value that is itself the name of a
    secret or a label (`--password api_key: X`, `-pX "token": "Y"`, `--password Bearer X`)
    takes the next value with it: whichever was meant, neither should survive."""
    text, endpos = match.string, match.endpos
    end = last = match.end()
    for _ in range(4):
        scheme = SCHEME.match(text, end, endpos)
        value = pattern.match(text, scheme.end() if scheme else end, endpos)
        if value is None or not value[0]:
            break
        last = end = value.end()
        if is_placeholder(value[0].strip("\"'")):
            break
        while end < endpos and text[end] in " \t":
            end += 1
        if end < endpos and text[end] == ":" and not value[0].endswith(":"):
            end += 1  # `"name": value`
        elif not value[0].endswith(":") and not secret_kind(value[0].strip("\"'-")):
            break
        while end < endpos and text[end] in " \t":
            end += 1
    return last


def word_before(text: str, start: int) -> str:
    """The word before a label and one space ("API" of "API Key: ..."), or ""."""
    if start < 2 or text[start - 1] != " ":
        return ""
    word = text[max(0, start - 41) : start - 1].rpartition(" ")[2]
    return word if WORD.fullmatch(word) else ""


def split_user(value: str, split: str) -> tuple[str, str, str]:
    """``user:password``, where the user may already be ``[REDACTED:user]`` (colon and all)."""
    if value.startswith("[REDACTED:") and "]" in value:
        end = value.index("]") + 1
        if is_placeholder(value[:end]) and value.startswith(split, end):
            return value[:end], split, value[end + len(split) :]
    return value.partition(split)
