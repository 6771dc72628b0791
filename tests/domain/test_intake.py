"""Intake rules: vague summaries get a prompt, playbooks are suggested by their keywords."""

from __future__ import annotations

import random
import re
import string
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from console.domain.enums import Category
from console.domain.intake import (
    REF_ALPHABET,
    PlaybookInfo,
    new_ref,
    stems,
    suggest_playbooks,
    summary_category,
    vague_summary,
)
from console.playbooks.validator import load_playbooks
from console.services.intake import playbook_infos

BUNDLED = sorted((Path(__file__).parents[2] / "resources" / "playbooks").glob("*.yaml"))


@pytest.fixture(scope="module")
def bundled() -> list[PlaybookInfo]:
    return playbook_infos(load_playbooks(BUNDLED))


# -- vague summaries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "asks_about"),
    [
        ("Email broken", "which mail app"),
        ("VPN issue", "which VPN client"),
        ("printer not working", "which printer"),
        ("help", "what exactly fails"),
        ("It's not working!!", "what exactly fails"),
        ("Teams keeps crashing", "which application and version"),
        ("Laptop won't turn on", "which device (asset tag or model)"),
        ("wifi down again", "wired or Wi-Fi"),
        ("clicked a phishing link", "what the caller saw or clicked"),
        ("email printer vpn", "which VPN client"),  # topics only, nothing about them
    ],
)
def test_vague_summaries_get_a_prompt_for_specifics(summary: str, asks_about: str) -> None:
    prompt = vague_summary(summary)
    assert prompt is not None
    assert asks_about in prompt


@pytest.mark.parametrize(
    "summary",
    [
        "Outlook on laptop LT-0457 shows 0x800CCC0E since 9:00 after password change",
        "Excel crashes when opening budget.xlsx from the Finance share",
        "Cannot print to the 3rd floor printer since this morning, it says 'offline'",
        "GlobalProtect times out at 'Connecting...' from the caller's home network",
        "Outlook error 0x800CCC0E since Monday",  # an error code carries weight
    ],
)
def test_specific_summaries_pass(summary: str) -> None:
    assert vague_summary(summary) is None


_GENERIC = ["broken", "issue", "problem", "not", "working", "help", "please", "urgent", "down"]
_TOPIC = ["email", "VPN", "printer", "wifi", "laptop", "Outlook", "password", ""]


@given(
    st.sampled_from(_TOPIC),
    st.lists(st.sampled_from(_GENERIC), max_size=6),
    st.sampled_from(["", "!", "?", "...", " :("]),
)
def test_a_topic_with_complaint_words_is_always_vague(
    topic: str, complaints: list[str], tail: str
) -> None:
    summary = " ".join([topic, *complaints]) + tail
    prompt = vague_summary(summary)
    assert prompt is not None
    # One sentence: it ends once, at the end.
    assert prompt.endswith(".") and prompt.count(". ") == 0


@given(st.text(max_size=200))
def test_any_text_gets_none_or_one_sentence(summary: str) -> None:
    prompt = vague_summary(summary)
    assert prompt is None or (prompt.startswith("Too vague for tier 2: ask ") and prompt[-1] == ".")


@given(st.lists(st.sampled_from(["Outlook", "0x800CCC0E", "LT-0457", "since", "Monday"])))
def test_adding_words_never_makes_a_specific_summary_vague(extra: list[str]) -> None:
    base = "Outlook on laptop LT-0457 shows 0x800CCC0E since 9:00 after password change"
    assert vague_summary(" ".join([base, *extra])) is None


def test_the_category_comes_from_the_summary_words() -> None:
    assert summary_category("Outlook keeps asking") is Category.EMAIL
    assert summary_category("two printers jammed") is Category.PRINTER  # plural
    assert summary_category("suspicious email with a link") is Category.SECURITY  # first wins
    assert summary_category("something odd") is None


# -- playbook suggestions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "best"),
    [
        ("Email broken", "email-cannot-send-receive"),
        ("Outlook on laptop LT-0457 shows 0x800CCC0E after password change", "email-cannot-send"),
        ("VPN keeps disconnecting when working from home", "vpn-cannot-connect"),
        ("Excel crashed twice this morning", "application-crash-error"),
        ("Printers offline on the 3rd floor", "printer-problem"),
        ("WiFi keeps dropping in meetings", "wifi-slow-or-dropping"),
        ("Clicked a link in a suspicious email", "phishing-security-incident"),
        ("Locked out after the password expired", "password-reset-account-locked"),
        ("MFA push notifications never arrive", "sso-mfa-failure"),
    ],
)
def test_the_right_playbook_comes_first(
    bundled: list[PlaybookInfo], summary: str, best: str
) -> None:
    suggestions = suggest_playbooks(summary, bundled)
    assert suggestions
    assert suggestions[0].playbook_id.startswith(best)
    by_id = {p.id: p for p in bundled}
    assert suggestions[0].category is by_id[suggestions[0].playbook_id].category


def test_matching_is_by_whole_words_case_and_plural_insensitive() -> None:
    books = [
        PlaybookInfo("vpn", "VPN", Category.VPN, ("vpn",)),
        PlaybookInfo("print", "Printing", Category.PRINTER, ("printer", "paper jam")),
    ]
    assert [s.playbook_id for s in suggest_playbooks("two VPNs", books)] == ["vpn"]
    assert [s.playbook_id for s in suggest_playbooks("PRINTERS jammed", books)] == ["print"]
    assert suggest_playbooks("openvpnclient and printerless", books) == []
    assert suggest_playbooks("paper on the jam", books) == []  # a phrase is contiguous
    assert suggest_playbooks("Paper jams", books)[0].matched == ("paper jam",)


def test_longer_and_earlier_matches_rank_higher() -> None:
    books = [
        PlaybookInfo("crash", "Crashes", Category.SOFTWARE, ("crash", "excel crashes")),
        PlaybookInfo("slow", "Slow", Category.HARDWARE, ("freezes",)),
        PlaybookInfo("hw", "Hardware", Category.HARDWARE, ("broken",)),
        PlaybookInfo("mail", "Mail", Category.EMAIL, ("email",)),
    ]
    ranked = suggest_playbooks("Excel crashed and freezes", books)
    assert [s.playbook_id for s in ranked] == ["crash", "slow"]
    assert ranked[0].score > ranked[1].score
    # A complaint word counts half: "email" beats "broken" even though "broken" comes later
    # and ties would go to the earlier one.
    assert [s.playbook_id for s in suggest_playbooks("broken email", books)] == ["mail", "hw"]
    # Equal scores: the earlier mention wins.
    assert [s.playbook_id for s in suggest_playbooks("freezes, then crash", books)] == [
        "slow",
        "crash",
    ]


def test_repeated_forms_of_one_keyword_count_once() -> None:
    one = PlaybookInfo("a", "A", Category.SOFTWARE, ("crash", "crashes", "crashed"))
    other = PlaybookInfo("b", "B", Category.SOFTWARE, ("crash", "error message"))
    ranked = suggest_playbooks("it crashed with an error message", [one, other])
    assert [s.playbook_id for s in ranked] == ["b", "a"]
    assert ranked[1].score == 1


# Words ending in s or u are left out: "status" and "virus" keep their s (so "menus" keeps it
# too, a price worth paying).
_KEYWORD = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=10).filter(
    lambda w: not w.endswith(("s", "u"))
)


def _plural(word: str) -> str:
    if word.endswith(("x", "z", "ch", "sh")):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


@given(_KEYWORD, st.sampled_from(["", "The ", "two "]), st.sampled_from(["", " again", "!"]))
def test_a_plural_or_upper_case_keyword_still_matches(word: str, before: str, after: str) -> None:
    book = PlaybookInfo("p", "P", Category.OTHER, (word,))
    for form in (word, word.upper(), _plural(word), _plural(word).capitalize()):
        assert suggest_playbooks(f"{before}{form}{after}", [book]), form


@given(_KEYWORD, st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=4))
def test_a_keyword_inside_a_longer_word_does_not_match(word: str, prefix: str) -> None:
    # The words around it are no match either ("th" is what "the" stems to).
    assume(not set(stems(word)) & set(stems("the thing")))
    book = PlaybookInfo("p", "P", Category.OTHER, (word,))
    assert suggest_playbooks(f"the {prefix}{word} thing", [book]) == []


@given(st.text(max_size=80), st.permutations(range(4)))
def test_suggestions_are_ranked_and_independent_of_playbook_order(
    summary: str, order: list[int]
) -> None:
    books = [
        PlaybookInfo("mail", "Mail", Category.EMAIL, ("email", "outlook", "cannot send")),
        PlaybookInfo("vpn", "VPN", Category.VPN, ("vpn", "remote access")),
        PlaybookInfo("print", "Print", Category.PRINTER, ("printer", "print")),
        PlaybookInfo("hw", "Hardware", Category.HARDWARE, ("broken", "screen")),
    ]
    ranked = suggest_playbooks(summary, books)
    assert ranked == suggest_playbooks(summary, [books[i] for i in order])
    scores = [s.score for s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(s.score > 0 and s.matched for s in ranked)


@given(st.text(alphabet=string.ascii_letters + " -'", max_size=40))
def test_stems_never_vanish(text: str) -> None:
    assert all(stem for stem in stems(text))


# -- refs -----------------------------------------------------------------------------------


def test_refs_are_readable_and_deterministic_for_a_seed() -> None:
    refs = {new_ref(random.Random(n)) for n in range(500)}
    assert len(refs) == 500
    for ref in refs:
        assert re.fullmatch(rf"HD-[{REF_ALPHABET}]{{7}}", ref)
        assert not set(ref[3:]) & set("ILOU")
    assert new_ref(random.Random(3)) == new_ref(random.Random(3))
