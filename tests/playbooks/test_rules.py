"""One test per validator rule: a valid playbook with one line broken, and the exact finding,
located at the line and column an author has to fix."""

from __future__ import annotations

import pytest

from console.playbooks.validator import validate_bytes
from tests.playbooks.samples import BASE, CATALOG, edited, findings, report_of

BRANCHED = edited(
    "    on_pass: clear\n",
    "    on_pass: os\n",
    edited(
        "  clear:\n",
        "  os:\n"
        "    branch: {fact: os_family, cases: {windows: clear, macos: clear}, default: clear}\n"
        "  clear:\n",
    ),
)
"""BASE with a branch on the snapshot's os_family as node 'os' (line 16, the branch on 17)."""


def test_the_base_playbooks_are_valid() -> None:
    for text in (BASE, BRANCHED):
        report = report_of(text)
        assert report.problems == ()
        assert report.ok and report.playbook is not None


# --- YAML itself ---------------------------------------------------------------------------


def test_a_syntax_error_is_located_where_the_parser_gave_up() -> None:
    assert findings(edited("    next: ping\n", "    next: [ping\n")) == [
        "11:7: error: YAML syntax: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence at 10:11)"
    ]


def test_a_tab_in_the_indentation() -> None:
    assert findings(edited("    next: ping\n", "\tnext: ping\n")) == [
        "10:1: error: YAML syntax: found character '\\t' that cannot start any token"
    ]


def test_text_that_is_not_utf8_is_located_at_the_bad_byte() -> None:
    data = BASE.encode().replace(b"Printer jammed", b"Printer \xff jammed")
    assert [str(p) for p in validate_bytes(data, "pb.yaml", catalog=CATALOG).problems] == [
        "pb.yaml:2:16: error: not UTF-8 text (byte 0xff cannot start a character)"
    ]


def test_the_column_of_a_bad_byte_counts_characters() -> None:
    data = "title: Grüße \n".encode() + b"id: \xc3("
    assert [str(p) for p in validate_bytes(data, "pb.yaml", catalog=CATALOG).problems] == [
        "pb.yaml:2:5: error: not UTF-8 text (byte 0xc3 cannot start a character)"
    ]
    data = "title: Grüße ".encode() + b"\xff"
    assert str(validate_bytes(data, "pb.yaml", catalog=CATALOG).problems[0]).startswith(
        "pb.yaml:1:14: error: not UTF-8 text (byte 0xff"
    )


def test_control_characters() -> None:
    assert findings(edited("Printer jammed", "Printer\x07jammed")) == [
        "2:15: error: U+0007 is not allowed in YAML text (a control character?)"
    ]


def test_empty_file_and_a_second_document() -> None:
    assert findings("") == ["1:1: error: the file is empty; a playbook is a mapping"]
    assert findings(BASE + "---\nid: other\n") == [
        "28:1: error: a playbook is one YAML document; a second one starts here"
    ]


def test_aliases_are_refused_where_they_are_used() -> None:
    text = edited(
        "    resolve: {summary: Paper jam cleared}\n",
        "    resolve: &fixed {summary: Paper jam cleared}\n  again:\n    resolve: *fixed\n",
    )
    assert findings(text) == [
        "27:14: error: aliases (*fixed) are not allowed in a playbook; write the value out"
    ]


def test_tags_cannot_ask_for_python_objects() -> None:
    assert findings(edited("version: 1", "version: !!python/object:os.system 1")) == [
        "3:10: error: the YAML tag !!python/object:os.system is not allowed in a playbook "
        "(plain values only)"
    ]


def test_deep_nesting_is_refused_before_the_parser_recurses_too_far() -> None:
    assert findings("a: " + "[" * 60 + "]" * 60 + "\n") == [
        "1:43: error: nested deeper than 40 levels"
    ]


def test_a_key_must_be_text() -> None:
    assert findings(edited("  fixed:\n", "  ? [a, b]\n  : 1\n  fixed:\n")) == [
        "24:5: error: a key must be text"
    ]


def test_too_big_a_file_is_refused_unread() -> None:
    problems = report_of(BASE + "#" * (1024 * 1024)).problems
    assert [p.message for p in problems] == [
        f"the file is {len(BASE) + 1024 * 1024} bytes; a playbook may have at most 1048576"
    ]


# --- keys and their types ------------------------------------------------------------------


def test_not_a_mapping_at_all() -> None:
    assert findings("- id: x\n- title: y\n") == [
        "1:1: error: a playbook is a mapping (id, title, version, category, start, nodes), "
        "not a list"
    ]


def test_a_missing_key() -> None:
    assert findings(edited("title: Printer jammed\n", "")) == [
        "1:1: error: the playbook: missing 'title' (what the agent sees in the list)"
    ]


def test_a_missing_key_in_a_node_is_reported_at_the_node() -> None:
    assert findings(edited("    next: works\n", "")) == [
        "16:3: error: node 'clear': missing 'next' (the id of the node to go to)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        (
            "version: 1\n",
            "version: 1.5\n",
            "3:10: error: the playbook: version must be a whole number from 1 or quoted text like "
            '"3.1", not 1.5',
        ),
        (
            "    next: ping\n",
            "    next: [ping]\n",
            "10:11: error: node 'which': next must be text (the id of the node to go to), "
            "not a list",
        ),
        (
            "    next: works\n",
            "    next:\n",
            "18:10: error: node 'clear': next must be text (the id of the node to go to), "
            "not empty",
        ),
        (
            "    resolve: {summary: Paper jam cleared}\n",
            "    resolve: Paper jam cleared\n",
            "25:14: error: node 'fixed': resolve must be a mapping (summary and optional kb), "
            "not 'Paper jam cleared'",
        ),
        (
            "required_facts: [printer_name]",
            "required_facts: printer_name",
            "5:17: error: the playbook: required_facts must be a list (facts the handoff needs), "
            "not 'printer_name'",
        ),
        (
            "fact: printer_name, prompt",
            "fact: Printer Name, prompt",
            "9:19: error: node 'which': input: 'Printer Name' is not a fact name "
            "(lower-case snake_case like vpn_client)",
        ),
        (
            "id: printer-jam",
            "id: Printer Jam",
            "1:5: error: the playbook id 'Printer Jam' must be lower-case letters, digits, - and _ "
            "(at most 80, like vpn-cannot-connect)",
        ),
        (
            '"Which printer?"}',
            '"Which printer?", kind: choice}',
            "9:65: error: node 'which': input: options go with kind choice, and only with it",
        ),
        (
            "category: printer",
            "category: printers",
            "4:11: error: unknown category 'printers' (did you mean 'printer'?); the categories "
            "are email, vpn, login_sso, network, printer, hardware, software, access_request, "
            "security, other",
        ),
        (
            '      - {label: "Yes", next: fixed}\n      - {label: "No", next: network}\n',
            "      []\n",
            "22:7: error: node 'works': choices is empty",
        ),
        (
            '{label: "No", next: network}',
            '{label: "Yes", next: network}',
            "23:17: error: node 'works': two choices are labelled 'Yes' (the other at 22:17)",
        ),
    ],
)
def test_a_mistyped_value(old: str, new: str, finding: str) -> None:
    assert findings(edited(old, new)) == [finding]


def test_yes_and_no_stay_text_in_text_fields() -> None:
    """YAML 1.1 reads an unquoted Yes as true; a label is text, so it stays "Yes"."""
    report = report_of(edited('{label: "Yes", next: fixed}', "{label: Yes, next: fixed}"))
    assert report.ok and report.playbook is not None
    works = report.playbook.nodes["works"]
    assert [edge.outcome for edge in works.edges()] == ["Yes", "No"]


def test_an_unknown_key_suggests_the_right_one() -> None:
    assert findings(edited("    next: ping\n", "    nxt: ping\n")) == [
        "8:3: error: node 'which': missing 'next' (the id of the node to go to)",
        "10:5: error: node 'which': unknown key 'nxt' (did you mean 'next'?); it takes input, next",
    ]


def test_a_key_of_another_kind_of_node_says_where_it_belongs() -> None:
    text = edited("    ask: Does it print now?\n", "    ask: Does it print now?\n    next: fixed\n")
    assert findings(text) == [
        "21:5: error: node 'works': unknown key 'next'; an ask node has no next: each choice "
        "has its own"
    ]


def test_a_key_given_twice() -> None:
    assert findings(edited("    next: works\n", "    next: works\n    next: fixed\n")) == [
        "19:5: error: node 'clear': key 'next' is given twice (first at 18:5); "
        "YAML would silently keep only the last"
    ]


# --- nodes ---------------------------------------------------------------------------------


def test_a_node_with_no_kind() -> None:
    assert findings(edited("    instruct: Open", "    say: Open")) == [
        "16:3: error: node 'clear' has no kind: give exactly one of ask, input, check, branch, "
        "instruct, resolve, escalate"
    ]


def test_a_node_with_two_kinds() -> None:
    assert findings(edited("    next: works\n", "    resolve: {summary: x}\n")) == [
        "16:3: error: node 'clear' has 2 kinds (instruct and resolve); give exactly one"
    ]


def test_a_node_that_is_not_a_mapping() -> None:
    text = edited("    resolve: {summary: Paper jam cleared}\n", "    - resolve\n")
    assert findings(text) == [
        "25:5: error: node 'fixed' must be a mapping with one of ask, input, check, branch, "
        "instruct, resolve, escalate, not a list"
    ]


def test_a_duplicate_node_id_is_caught_although_yaml_would_drop_it() -> None:
    assert findings(BASE + "  works:\n    resolve: {summary: again}\n") == [
        "28:3: error: duplicate node id 'works' (first defined at 19:3); "
        "YAML would silently keep only the last"
    ]


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        (
            "    next: works\n",
            "    next: wroks\n",
            "18:11: error: node 'clear': next 'wroks' is not a node of this playbook "
            "(did you mean 'works'?)",
        ),
        (
            "start: which\n",
            "start: whch\n",
            "6:8: error: start 'whch' is not a node of this playbook (did you mean 'which'?)",
        ),
        (
            "    on_fail: network\n",
            "    on_fail: escalate\n",
            "15:14: error: node 'ping': on_fail 'escalate' is not a node of this playbook",
        ),
        (
            '{label: "No", next: network}',
            '{label: "No", next: nowhere}',
            "23:29: error: node 'works': choice 2: next 'nowhere' is not a node of this playbook",
        ),
    ],
)
def test_a_target_that_is_not_a_node(old: str, new: str, finding: str) -> None:
    assert findings(edited(old, new)) == [finding]


def test_a_branch_case_that_is_not_a_node() -> None:
    assert findings(edited("windows: clear", "windows: cleer", BRANCHED)) == [
        "17:48: error: node 'os': branch: cases: windows 'cleer' is not a node of this playbook "
        "(did you mean 'clear'?)"
    ]


def test_a_branch_case_that_the_fact_can_never_take() -> None:
    assert findings(edited("macos: clear", "macOS: clear", BRANCHED)) == [
        "17:55: error: node 'os': branch: 'macOS' is not a value of os_family "
        "(it takes linux, macos, windows)"
    ]


def test_a_branch_on_a_fact_nothing_provides_is_a_warning() -> None:
    report = report_of(edited("fact: os_family", "fact: printer_model", BRANCHED))
    assert report.ok
    assert [str(p).removeprefix("pb.yaml:") for p in report.problems] == [
        "17:20: warning: node 'os' branches on 'printer_model', which no node sets and the "
        "diagnostics snapshot does not provide: unless the ticket brings it, only the default "
        "is taken"
    ]


def test_a_note_naming_a_fact_nothing_provides_is_a_warning() -> None:
    noted = edited(
        "escalate: {trigger: complexity, queue: print}",
        "escalate: {trigger: complexity, queue: print, "
        'note: "Printer {printer_nmae} on {os_name}, tray {tray}."}',
    )
    report = report_of(noted)
    assert report.ok  # the note still reads, with "not recorded" in the gap
    assert [str(p).removeprefix("pb.yaml:") for p in report.problems] == [
        "27:57: warning: the note of escalation 'network' names {printer_nmae}, which no node "
        "sets and the diagnostics snapshot does not provide (did you mean 'printer_name'?): "
        "tier 2 would read 'not recorded' there",
        "27:57: warning: the note of escalation 'network' names {tray}, which no node sets and "
        "the diagnostics snapshot does not provide: tier 2 would read 'not recorded' there",
    ]
    # Facts some node sets, or the snapshot provides, are fine.
    fine = edited("{printer_nmae}", "{printer_name}", noted).replace(" tray {tray}", " tray 2")
    assert report_of(fine).problems == ()


def test_a_fact_with_a_fixed_vocabulary_is_held_to_it() -> None:
    text = edited(
        '{label: "Yes", next: fixed}', '{label: "Yes", next: fixed, set: {affected_scope: all}}'
    )
    assert findings(text) == [
        "22:59: error: node 'works': choice 1: 'all' is not a value of affected_scope "
        "(it takes single_user, site, team)"
    ]


# --- the graph -----------------------------------------------------------------------------


def test_an_unreachable_node() -> None:
    assert findings(BASE + "  orphan:\n    resolve: {summary: never}\n") == [
        "28:3: error: node 'orphan' is unreachable: no path from start 'which' leads to it"
    ]


def test_a_loop_with_no_way_out() -> None:
    text = edited(
        'next: fixed}\n      - {label: "No", next: network}',
        'next: clear}\n      - {label: "No", next: clear}',
    )
    assert findings(text) == [
        "16:3: error: nodes 'clear', 'works' form a loop with no way out: no resolve or "
        "escalate node can be reached",
        "24:3: error: node 'fixed' is unreachable: no path from start 'which' leads to it",
    ]


def test_a_node_that_loops_to_itself() -> None:
    assert findings(edited("    next: works\n", "    next: clear\n"))[0] == (
        "16:3: error: node 'clear' loops back to itself with no way out: no resolve or "
        "escalate node can be reached"
    )


def test_a_loop_with_a_way_out_is_fine() -> None:
    text = edited('{label: "No", next: network}', '{label: "No", next: clear}')
    assert findings(text) == []


def test_branches_that_can_lead_round_in_a_loop() -> None:
    """Hypothesis found it: 'a' branches back to itself by default, so a ticket whose OS is
    not Windows would run round it for ever, though Windows has a way out."""
    text = (
        "id: x\ntitle: X\nversion: 1\ncategory: other\nstart: a\nnodes:\n"
        "  a:\n    branch: {fact: os_family, cases: {windows: b}, default: a}\n"
        "  b:\n    resolve: {summary: ok}\n"
    )
    assert findings(text) == [
        "7:3: error: branch 'a' can lead back to itself, and nothing in between asks or sets "
        "a fact: the run would never end"
    ]
    two = text.replace("default: a}", "default: c}") + (
        "  c:\n    branch: {fact: os_family, cases: {macos: b}, default: a}\n"
    )
    assert findings(two) == [
        "7:3: error: branches 'a', 'c' can lead round in a loop, and nothing in between asks "
        "or sets a fact: the run would never end"
    ]


def test_a_playbook_without_any_leaf() -> None:
    text = (
        "id: x\ntitle: X\nversion: 1\ncategory: other\nstart: a\nnodes:\n"
        "  a:\n    instruct: Do it\n    next: a\n"
    )
    assert findings(text) == [
        "7:3: error: the playbook has no resolve or escalate node: every path must end in one"
    ]


def test_graph_rules_stay_quiet_about_what_a_broken_node_hides() -> None:
    """'clear' cannot be read, so nobody knows where it leads: 'works' and 'fixed' are not
    reported unreachable (they most likely are not)."""
    assert len(findings(edited("    instruct: Open", "    say: Open"))) == 1
    assert len(findings(edited("    next: works\n", "    next: wroks\n"))) == 1


# --- checks, triggers, facts ---------------------------------------------------------------


def test_an_unknown_check() -> None:
    assert findings(edited("check: tcp_connect", "check: tcp_conect")) == [
        "12:12: error: node 'ping': unknown check 'tcp_conect' (did you mean 'tcp_connect'?); "
        "the checks are dns_resolves, tcp_connect, vpn_adapter_present"
    ]


def test_a_bad_check_argument_is_located_at_the_argument() -> None:
    assert findings(edited("port: 9100", "port: 99999")) == [
        "13:39: error: node 'ping': tcp_connect: port must be 1 to 65535, not 99999"
    ]


def test_a_missing_check_argument_is_located_at_args() -> None:
    assert findings(edited("host: printer.example.com, ", "")) == [
        "13:11: error: node 'ping': tcp_connect: host is required: a host name"
    ]


def test_an_unknown_trigger() -> None:
    assert findings(edited("trigger: complexity", "trigger: complicated")) == [
        "27:25: error: unknown trigger 'complicated'; the triggers are time_exceeded, "
        "access_required, complexity, integration_failure, security"
    ]
    assert findings(edited("trigger: complexity", "trigger: securty"))[0].startswith(
        "27:25: error: unknown trigger 'securty' (did you mean 'security'?)"
    )


def test_a_required_fact_missing_on_an_escalation_path_is_a_warning() -> None:
    report = report_of(
        edited("required_facts: [printer_name]", "required_facts: [printer_name, error_text]")
    )
    assert report.ok and report.playbook is not None
    assert [str(p).removeprefix("pb.yaml:") for p in report.problems] == [
        "26:3: warning: escalation 'network' can be reached without setting error_text "
        "(for example which -> ping -> network); the handoff gate will ask for it"
    ]


def test_a_required_fact_set_on_every_path_is_not_reported() -> None:
    # printer_name is set by the first node, before any escalation: nothing to say.
    assert findings(BASE) == []


def test_a_required_fact_the_snapshot_provides_counts_as_set() -> None:
    assert findings(edited("[printer_name]", "[printer_name, os_family]")) == []


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = edited("trigger: complexity", "trigger: nope", edited("port: 9100", "port: 0"))
    text = edited("category: printer", "category: nope", text)
    assert [f.split(": error")[0] for f in findings(text)] == ["4:11", "13:39", "27:25"]
