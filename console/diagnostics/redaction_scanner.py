"""Find and replace secrets in one string, counting what was removed by kind.

The :class:`TextScanner` is the engine under :class:`~console.diagnostics.redaction.Redactor`:
the Redactor walks structures and decides from key names; the scanner reads text. A string
goes through cheap literal passes (key blocks, JWTs, AWS key ids, each only when its fixed
prefix is present), the command-line rules when a password-taking program is named, then one
combined pattern whose matches each go to a handler. Scanning is repeated until nothing
changes, and results are cached per scanner (a snapshot repeats its strings a lot).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from console.diagnostics import redaction_names as names
from console.diagnostics import redaction_patterns as patterns
from console.diagnostics.redaction_patterns import is_placeholder

CACHE_ENTRIES = 8192
_CACHE_CHARS = 2048
_ROUNDS = 4
_SPACES = re.compile(r"(\s+)")
_COOKIES = frozenset({"cookie", "set-cookie"})

Handler = Callable[[re.Match[str]], tuple[str, int]]
"""Given a match, the text that replaces it and where scanning resumes (the replacement
stands for the text from the match start up to that position)."""
Cached = tuple[str, tuple[str, ...], bool]
"""A scanned string: the result, the kinds it counted, whether it left a key block open."""
Pending = tuple[str, str]
"""A flag that takes the next argument as its value: (kind, user/password separator)."""


class TextScanner:
    """Redacts strings and counts by kind; one per Redactor, so one per snapshot.

    After :meth:`text`, :attr:`pem_open` says whether the string began a private key block
    without ending it, so that a caller walking log lines can remove the lines that follow.
    """

    def __init__(self, *, strict: bool, user_names: Iterable[str] = ()) -> None:
        self.strict = strict
        self.counts: Counter[str] = Counter()
        self.pem_open = False
        self._pattern = patterns.strict_scan() if strict else patterns.STANDARD_SCAN
        self._scan_needed = patterns.strict_scan_needed if strict else patterns.standard_scan_needed
        known = {str(name).strip() for name in user_names}
        known = {n for n in known if n and n.casefold() not in patterns.SHARED_PROFILES}
        self._user_names = frozenset(n.casefold() for n in known) if strict else frozenset()
        self._user_path: re.Pattern[str] | None = None
        if strict and known:
            alternatives = "|".join(re.escape(n) for n in sorted(known, key=len, reverse=True))
            self._user_path = re.compile(
                rf"(?i)(?<=[/\\])(?:{alternatives})(?=[/\\\s\"'<>|:;,)\]]|\Z)"
            )
        self._found: list[str] = []
        # Per scanner, since a hit replays its counts; one dict for each `versioned`.
        self._cache: tuple[dict[str, Cached], dict[str, Cached]] = ({}, {})
        self._names: dict[str, tuple[str | None, bool, bool]] = {}
        self._versioned = False
        self._handlers: dict[str | None, Handler] = {
            "bearer": self._bearer,
            "flag": self._flag,
            "home": self._home,
            "mac": self._mac,
            "ipv4": self._ipv4,
            "ipv6": self._ipv6,
            "label": self._label,
        }

    # --- What callers use ---------------------------------------------------------------

    def text(self, value: str, versioned: bool = False) -> str:
        """``value`` redacted. ``versioned``: it is a version, so a dotted quad in it is not
        an address."""
        self.pem_open = False
        if not value:
            return value
        cache = self._cache[versioned]
        hit = cache.get(value)
        if hit is not None:
            result, kinds, self.pem_open = hit
            if kinds:
                self.counts.update(kinds)
            return result
        self._found = []
        self._versioned = versioned
        result = self._settled(value)
        if len(value) <= _CACHE_CHARS and len(cache) < CACHE_ENTRIES:
            cache[value] = (result, tuple(self._found), self.pem_open)
        return result

    def describe(self, name: str) -> tuple[str | None, bool, bool]:
        """What a name says about its value: the kind to redact it as (None: scan it), and
        whether it is a version and a proxy setting. Cached: a snapshot repeats its keys."""
        described = self._names.get(name)
        if described is None:
            kind = names.secret_kind(name) if name else None
            if kind is None and self.strict and name:
                kind = names.identity_kind(name)
            described = (kind, names.is_version_name(name), names.is_proxy_name(name))
            if len(self._names) < CACHE_ENTRIES:
                self._names[name] = described
        return described

    def note(self, kind: str) -> str:
        """Count one removal and return its placeholder."""
        self.counts[kind] += 1
        self._found.append(kind)
        return patterns.placeholder(kind)

    def whole(self, value: str, kind: str) -> str:
        """The whole value goes (unless empty or already a placeholder)."""
        return value if not value or is_placeholder(value) else self.note(kind)

    def arguments(self, args: list[str], *, generic: bool = True) -> list[str]:
        """An argv: ``--password VALUE`` across two arguments, ``NAME=VALUE`` whole (commas
        and all), the short password flags of the programs in
        :data:`redaction_names.PASSWORD_FLAGS` (``mysql -pX``, ``sshpass -p X``, ``curl -u
        user:X``) but no other program's (``ssh -p 22``); then :meth:`text` on the rest.
        Free text, already scanned, comes here tokenised with ``generic=False``: the
        program flags only."""
        scan = self.text if generic else _unchanged
        out: list[str] = []
        program = ""
        pending: Pending | None = None
        for arg in args:
            if pending is not None and not names.is_flag(arg):
                out.append(self._flag_value(arg, pending, scan))
                pending = None
                continue
            pending = None
            if not arg.startswith("-"):
                name = names.program_name(arg)
                if name in names.PASSWORD_FLAGS:
                    program = name
                elif f"{program} {arg}" in names.PASSWORD_FLAGS:  # docker login
                    program = f"{program} {arg}"
            done = self._program_flag(arg, names.PASSWORD_FLAGS.get(program, {}), scan)
            if done is None and generic:
                done = self._generic_flag(arg)
            if done is None:
                out.append(scan(arg))
            else:
                out.append(done[0])
                pending = done[1]
        return out

    # --- Scanning -----------------------------------------------------------------------

    def _settled(self, value: str) -> str:
        """All passes, repeated until nothing changes. A replacement changes what its
        neighbour looks like (`8.8.8.8/home/x`: the address ended in a word character, its
        placeholder ends in `]`), so one round need not be final; repeating makes the output
        a fixed point, which is what idempotence means. Nearly every string settles in one
        round; one with redactions takes two."""
        if self._user_names and value.strip().casefold() in self._user_names:
            return self.note("user")
        result = value
        for _ in range(_ROUNDS):
            scanned = self._round(result)
            if scanned == result:
                return result
            result = scanned
        return self.note("unsettled")  # never seen outside a fuzzer; fail closed

    def _round(self, text: str) -> str:
        if "-----BEGIN" in text:
            text = _replace_all(patterns.pem(), text, self._pem)
        if "eyJ" in text:
            text = _replace_all(patterns.jwt(), text, lambda m: self._word(m, "jwt"))
        if "AKIA" in text or "ASIA" in text:
            text = _replace_all(patterns.aws_key_id(), text, self._aws)
        if any(prefix in text for prefix in patterns.VENDOR_TOKEN_PREFIXES):
            text = _replace_all(patterns.vendor_token(), text, lambda m: self._word(m, "token"))
        if names.mentions_password_flag(text):
            # Before the main scan, which would read `-pSECRET` as a flag named pSECRET.
            tokens = _SPACES.split(text)
            tokens[::2] = self.arguments(tokens[::2], generic=False)
            text = "".join(tokens)
        if self._scan_needed(text):
            padded = f" {text}"  # so that the first word, too, follows a non-word character
            text = self._scan(padded, 1, len(padded))
        if self._user_path is not None and ("/" in text or "\\" in text):
            text = self._user_path.sub(lambda _: self.note("user"), text)
        return text

    def _scan(self, text: str, pos: int, endpos: int) -> str:
        """The main pattern over ``text[pos:endpos]``, each match to its handler. A match
        begins with the non-word character before its named group (see
        :func:`redaction_patterns._scan_pattern`), so each search starts one character
        early; ``pos`` is at least 1."""
        handlers, search = self._handlers, self._pattern.search
        match = search(text, pos - 1, endpos)
        if match is None:
            return text[pos:endpos]
        parts: list[str] = []
        last = pos
        while match is not None:
            name = match.lastgroup
            replacement, resume = handlers[name](match)
            parts += (text[last : match.start(name or 0)], replacement)
            last = resume
            match = search(text, resume - 1, endpos)
        parts.append(text[last:endpos])
        return "".join(parts)

    def _swap(self, match: re.Match[str], start: int, end: int, kind: str) -> tuple[str, int]:
        """The text from the match start to ``end`` with the value ``[start:end)`` replaced
        (inside its quotes, if quoted); scanning resumes at ``end``."""
        text = match.string
        inner_start, inner_end = start, end
        if end - start >= 2 and text[start] in "\"'" and text[end - 1] == text[start]:
            inner_start, inner_end = start + 1, end - 1
        value = text[inner_start:inner_end]
        token = _start(match)
        if not value.strip() or is_placeholder(value.rstrip()):
            return text[token:end], end
        return text[token:inner_start] + self.note(kind) + text[inner_end:end], end

    # --- Handlers -----------------------------------------------------------------------

    def _pem(self, match: re.Match[str]) -> tuple[str, int]:
        self.pem_open = match["pem_end"] is None
        return self.note("private-key"), match.end()

    def _word(self, match: re.Match[str], kind: str, joins: str = "_-") -> tuple[str, int]:
        """A JWT, key id or vendor token inside a longer word is not one: skip it."""
        start = match.start()
        before = match.string[start - 1] if start else " "
        if before.isascii() and (before.isalnum() or before in joins):
            return match[0], match.end()
        return self.note(kind), match.end()

    def _aws(self, match: re.Match[str]) -> tuple[str, int]:
        return self._word(match, "aws-access-key", joins="")  # SOME_KEY_AKIA... is one

    def _bearer(self, match: re.Match[str]) -> tuple[str, int]:
        token = match["bearer_token"]
        if len(token) < 20 and not any(c.isdigit() for c in token):
            # "Bearer authentication failed" is prose; tokens carry digits or are long.
            start = match.start("bearer_token")
            return match.string[_start(match) : start], start
        return self._swap(match, *match.span("bearer_token"), "bearer-token")

    def _label(self, match: re.Match[str]) -> tuple[str, int]:
        """``name=value``, ``name: value``, ``"name": "value"``: the name decides."""
        text, name = match.string, match["label_name"]
        name_start, name_end = match.span("label_name")
        if text.startswith("//", name_end + 1):
            url = self._url(match, name_end)
            if url is not None:
                return url
        kind = self.describe(name)[0]
        if kind is None and name.lower() in names.SECOND_WORDS:  # "API Key: ..."
            kind = self.describe(f"{patterns.word_before(text, name_start)} {name}".lstrip())[0]
        if kind is None:
            return self._not_secret(match, name_start, name_end)
        if match["label_sep"] == ":" and name.lower() in _COOKIES:
            return self._cookie(match)
        scheme = match["label_scheme"]
        if scheme and scheme.lower() == "bearer":
            kind = "bearer-token"
        return self._swap(match, match.end(), patterns.value_end(patterns.LABEL_VALUE, match), kind)

    def _flag(self, match: re.Match[str]) -> tuple[str, int]:
        """``--name value`` in free text."""
        kind = self.describe(match["flag_name"])[0]
        if kind is None:
            return self._not_secret(match, *match.span("flag_name"))
        return self._swap(match, match.end(), patterns.value_end(patterns.FLAG_VALUE, match), kind)

    def _not_secret(self, match: re.Match[str], name_start: int, name_end: int) -> tuple[str, int]:
        """Resume right after the name, as if nothing matched (the separator may start an
        address: `mapped ::ffff:8.8.4.4`). Only an identifier can hide inside a name
        (`x-aa-bb-cc-dd-ee-ff=1`), so only strict scans it, and only if it has the dashes
        or dots for one."""
        text = match.string
        name = text[name_start:name_end]
        if not self.strict or (name.count("-") < 5 and name.count(".") < 3):
            return text[_start(match) : name_end], name_end
        return text[_start(match) : name_start] + self._scan(text, name_start, name_end), name_end

    def _url(self, match: re.Match[str], name_end: int) -> tuple[str, int] | None:
        """``scheme://user:password@``: the password goes, and under strict the user."""
        text = match.string
        if text[name_end] != ":":
            return None
        found = patterns.url_credentials().match(text, name_end + 1, match.endpos)
        if found is None:
            return None
        user, password = found["user"], found["password"]
        if self.strict and user and not is_placeholder(user):
            user = self.note("user")
        password = self.whole(password, "password")
        return f"{text[_start(match) : name_end]}://{user}:{password}@", found.end()

    def _cookie(self, match: re.Match[str]) -> tuple[str, int]:
        """A Cookie header goes to the end of the line: it is all session state."""
        text, start = match.string, match.end()
        end = text.find("\n", start, match.endpos)
        end = match.endpos if end < 0 else end
        carriage_return = text.find("\r", start, end)
        end = end if carriage_return < 0 else carriage_return
        value = text[start:end].rstrip()
        if is_placeholder(value):
            return text[_start(match) : end], end
        return text[_start(match) : start] + self.note("session"), start + len(value)

    def _home(self, match: re.Match[str]) -> tuple[str, int]:
        if match["home_user"].casefold() in patterns.SHARED_PROFILES:
            return _kept(match)
        return self._swap(match, *match.span("home_user"), "user")

    def _mac(self, match: re.Match[str]) -> tuple[str, int]:
        if patterns.is_anonymous_mac(match["mac"]):
            return _kept(match)
        return self.note("mac"), match.end()

    def _ipv4(self, match: re.Match[str]) -> tuple[str, int]:
        if self._versioned or not patterns.is_public_ipv4(match["ipv4"]):
            return _kept(match)
        start = _start(match)
        if patterns.version_before().search(match.string[max(0, start - 24) : start]):
            return _kept(match)
        return self.note("public-ip"), match.end()

    def _ipv6(self, match: re.Match[str]) -> tuple[str, int]:
        if patterns.is_public_ipv6(match["ipv6"]):
            return self.note("public-ip"), match.end()
        return _kept(match)

    # --- Command-line flags -------------------------------------------------------------

    def _program_flag(
        self, arg: str, flags: Mapping[str, names.PasswordFlag], scan: Callable[[str], str]
    ) -> tuple[str, Pending | None] | None:
        for flag, rule in flags.items():
            if arg == flag:
                return (arg, ("password", rule.split)) if rule.separate else None
            prefix = f"{flag}=" if flag.startswith("--") else flag
            if arg.startswith(prefix) and len(arg) > len(prefix):
                value = self._flag_value(arg[len(prefix) :], ("password", rule.split), scan)
                return prefix + value, None
        return None

    def _generic_flag(self, arg: str) -> tuple[str, Pending | None] | None:
        assigned = names.ARG_ASSIGN.fullmatch(arg)
        if assigned is None and arg.startswith("/"):
            assigned = names.ARG_WINDOWS.fullmatch(arg)
        if assigned is not None:
            kind = self.describe(assigned["name"])[0]
            if kind is None:
                return None
            return arg[: assigned.start("value")] + self.whole(assigned["value"], kind), None
        flag = names.ARG_FLAG.fullmatch(arg)
        kind = self.describe(flag["name"])[0] if flag else None
        return (arg, (kind, "")) if kind else None

    def _flag_value(self, value: str, pending: Pending, scan: Callable[[str], str]) -> str:
        kind, split = pending
        if not split:
            return self.whole(value, kind)
        if is_placeholder(value):
            return value
        user, sep, password = patterns.split_user(value, split)
        if not sep or not password:
            return scan(value)  # `curl -u alice` prompts for the password
        if self.strict and user and not is_placeholder(user):
            user = self.note("user")
        return user + sep + self.whole(password, kind)


def _start(match: re.Match[str]) -> int:
    """Where a main-pattern match proper starts: its named group, after the guard character."""
    return match.start(match.lastgroup or 0)


def _kept(match: re.Match[str]) -> tuple[str, int]:
    """A main-pattern match left as it was."""
    return match[match.lastgroup or 0], match.end()


def _replace_all(
    pattern: re.Pattern[str], text: str, handle: Handler, pos: int = 0, endpos: int = -1
) -> str:
    endpos = len(text) if endpos < 0 else endpos
    match = pattern.search(text, pos, endpos)
    if match is None:
        return text[pos:endpos]
    parts: list[str] = []
    last = pos
    while match is not None:
        replacement, resume = handle(match)
        parts += (text[last : match.start()], replacement)
        last = resume
        match = pattern.search(text, resume, endpos)
    parts.append(text[last:endpos])
    return "".join(parts)


def _unchanged(text: str) -> str:
    return text
