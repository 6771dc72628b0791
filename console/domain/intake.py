"""Intake rules: is a summary specific enough, which playbooks fit it, what a ticket ref is.

Tier 2's first complaint is a ticket that says "Email broken". :func:`vague_summary` catches
that while the caller is still on the line and says what to ask for, by category when the
summary names one. :func:`suggest_playbooks` ranks playbooks by their keywords. Both are pure
and cheap enough to run on every keystroke.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from console.domain.enums import Category

REF_PREFIX = "HD-"
REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
REF_LENGTH = 7

MIN_SPECIFIC_WORDS = 4
"""A summary with fewer meaningful words than this reads like "VPN issue"."""


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_FUNCTION_WORDS = _word_set(
    """a an the and or but of to in on at by for from with without into onto as is are was
    were be been being am it its this that these those there here my our your his her their
    me i we you he she they him them us some any all every no yes so very too just also
    again still anymore now today then when since after before while because if has have
    had do does did will would can could should get gets got"""
)
_GENERIC_WORDS = _word_set(
    """broken break breaks issue issues problem problems not working work works worked
    wont doesnt dont cant cannot couldnt isnt arent didnt help please pls urgent asap fail
    fails failed failing failure down trouble bad wrong weird strange odd funny acting act
    up something anything everything stuff thing things fix fixed need needs needed hi hello
    thanks thank error errors keeps keep stopped stop properly correctly right ok okay
    usual sorry"""
)

# Words that name what the summary is about: enough to choose the questions to ask, not
# enough to make a summary specific. First match wins, so the more telling topics come first.
_TOPIC_TEXT: tuple[tuple[Category, str], ...] = (
    (Category.SECURITY, "phishing phish spam virus malware hacked ransomware scam suspicious"),
    (Category.VPN, "vpn globalprotect anyconnect forticlient wireguard openvpn tunnel"),
    (Category.EMAIL, "email mail outlook inbox mailbox webmail thunderbird"),
    (Category.PRINTER, "printer print printing scanner scan copier toner"),
    (Category.LOGIN_SSO, "password login logon signin sign mfa 2fa sso authenticator locked"),
    (Category.NETWORK, "wifi wi fi internet network wireless ethernet online offline dns"),
    (Category.ACCESS_REQUEST, "access permission folder sharepoint share"),
    (Category.SOFTWARE, "app application program software excel word install crash update"),
    (
        Category.HARDWARE,
        "laptop computer pc desktop monitor screen keyboard mouse dock battery charger "
        "headset webcam camera disk drive phone",
    ),
)

_ASK = "Too vague for tier 2: ask "
_PROMPTS: dict[Category | None, str] = {
    Category.EMAIL: "which mail app (Outlook, webmail, phone), the exact error text, whether "
    "sending, receiving or both fail, and since when.",
    Category.VPN: "which VPN client, the exact error, where the caller connects from (home, "
    "hotel, hotspot), and since when.",
    Category.PRINTER: "which printer (name or location), what happens when printing (error "
    "text, nothing, poor quality), and since when.",
    Category.LOGIN_SSO: "which system or sign-in page, the exact error or what the MFA prompt "
    "does, and since when.",
    Category.NETWORK: "wired or Wi-Fi, where (site, floor, home), whether other people or "
    "devices are affected, and since when.",
    Category.ACCESS_REQUEST: "which folder, site, mailbox or system, what access is needed "
    "(read or change), and who approves it.",
    Category.SOFTWARE: "which application and version, the exact error text, what the caller "
    "was doing, and since when.",
    Category.HARDWARE: "which device (asset tag or model), exactly what it does or does not "
    "do, and since when.",
    Category.SECURITY: "what the caller saw or clicked, when, on which device or account, and "
    "whether a password was entered.",
    None: "what exactly fails, the exact error text, on which device or system, and since when.",
}

_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u2018`")
_HAS_DIGIT = re.compile(r"\d")


def words(text: str) -> list[str]:
    """Lower-case words of ``text``: letters and digits, apostrophes dropped ("won't" is
    "wont"), everything else a separator ("e-mail" is "e", "mail")."""
    return _WORD.findall(text.lower().translate(_APOSTROPHES))


def _stem(word: str) -> str:
    """A deliberately small stemmer for plurals, -ing and -ed, so that "printers", "printing"
    and "printed" meet "printer" and "print". It only has to agree with itself: summary and
    keywords go through the same steps."""
    if len(word) > 3 and word.endswith("ies"):
        word = word[:-2]  # replies -> repli, as reply -> repli below
    elif len(word) > 2 and word.endswith("s") and not word.endswith(("ss", "us")):
        word = word[:-1]  # crashes -> crashe -> crash below
    if len(word) > 5 and word.endswith("ing"):
        word = _undouble(word[:-3])
    elif len(word) > 4 and word.endswith("ed"):
        word = _undouble(word[:-2])
    if len(word) > 2 and word.endswith("e"):
        word = word[:-1]
    elif len(word) > 1 and word.endswith("y"):
        word = word[:-1] + "i"  # "by" too, or "bies" would not meet it
    return word


def _undouble(stem: str) -> str:
    # "stopped" -> "stopp" -> "stop"; "installed" and "missing" keep their real doubles.
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
        return stem[:-1]
    return stem


_TOPICS = tuple(
    (category, frozenset(_stem(w) for w in text.split())) for category, text in _TOPIC_TEXT
)
_TOPIC_WORDS = frozenset().union(*(topic for _, topic in _TOPICS))
_NOT_MEANINGFUL = _FUNCTION_WORDS | _GENERIC_WORDS
_GENERIC_STEMS = frozenset(_stem(w) for w in _NOT_MEANINGFUL)


def stems(text: str) -> list[str]:
    """The stemmed words of ``text``, in order."""
    return [_stem(w) for w in words(text)]


def summary_category(summary: str) -> Category | None:
    """The category the summary's own words point to ("Outlook ..." is email), if any."""
    found = set(stems(summary))
    for category, topic in _TOPICS:
        if found & topic:
            return category
    return None


def vague_summary(summary: str) -> str | None:
    """One sentence saying what to ask the caller when ``summary`` is too vague for tier 2,
    or None when it is specific.

    Vague: fewer than :data:`MIN_SPECIFIC_WORDS` meaningful words (function words and
    complaint words like "broken", "issue", "not working" do not count; an error code or asset
    tag counts twice), or nothing beyond naming the topic ("email printer vpn").
    """
    meaningful = [w for w in words(summary) if w not in _NOT_MEANINGFUL]
    weight = sum(2 if _HAS_DIGIT.search(w) and not w.isdigit() else 1 for w in meaningful)
    beyond_topic = [w for w in meaningful if _stem(w) not in _TOPIC_WORDS]
    if weight >= MIN_SPECIFIC_WORDS and beyond_topic:
        return None
    return _ASK + _PROMPTS[summary_category(summary)]


@dataclass(frozen=True, slots=True)
class PlaybookInfo:
    """What intake needs to know of a playbook (the domain does not import playbooks)."""

    id: str
    title: str
    category: Category
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A playbook that fits the summary, and why."""

    playbook_id: str
    title: str
    category: Category
    """The category choosing this playbook implies."""
    score: float
    matched: tuple[str, ...]
    """The playbook's keywords found in the summary, as the playbook spells them."""


def suggest_playbooks(summary: str, playbooks: Sequence[PlaybookInfo]) -> list[Suggestion]:
    """Playbooks whose keywords occur in ``summary``, best first.

    A keyword matches as whole words (case-insensitive, plurals and -ing/-ed forms alike): "vpn"
    matches "VPNs" but not "vpnclient". A keyword scores one point per word, half a point for a
    complaint word like "broken", so "excel crashes" beats "crash" and "email" beats "broken".
    Ties go to the playbook whose first match comes earlier in the summary (callers name the
    thing before the circumstances), then by title.
    """
    tokens = stems(summary)
    if not tokens:
        return []
    ranked: list[tuple[float, int, Suggestion]] = []
    for playbook in playbooks:
        score, first, matched = _match(tokens, playbook.keywords)
        if matched:
            suggestion = Suggestion(
                playbook.id, playbook.title, playbook.category, score, tuple(matched)
            )
            ranked.append((-score, first, suggestion))
    ranked.sort(key=lambda item: (item[0], item[1], item[2].title, item[2].playbook_id))
    return [suggestion for _, _, suggestion in ranked]


def _match(tokens: Sequence[str], keywords: Iterable[str]) -> tuple[float, int, list[str]]:
    score, first, matched = 0.0, len(tokens), []
    seen: set[tuple[str, ...]] = set()
    for keyword in keywords:
        phrase = tuple(stems(keyword))
        if not phrase or phrase in seen:
            continue  # "crash", "crashes", "crashed" are one keyword
        seen.add(phrase)
        at = _find(tokens, phrase)
        if at is None:
            continue
        matched.append(keyword)
        first = min(first, at)
        score += sum(0.5 if word in _GENERIC_STEMS else 1.0 for word in phrase)
    return score, first, matched


def _find(tokens: Sequence[str], phrase: tuple[str, ...]) -> int | None:
    size = len(phrase)
    for start in range(len(tokens) - size + 1):
        if tuple(tokens[start : start + size]) == phrase:
            return start
    return None


def new_ref(rng: random.Random) -> str:
    """A ticket reference like ``HD-7Q2M9XK``: Crockford base32, easy to read aloud.

    Uniqueness is the caller's job (a store checks against its own refs); with 32**7 values a
    clash is rare.
    """
    return REF_PREFIX + "".join(rng.choice(REF_ALPHABET) for _ in range(REF_LENGTH))
