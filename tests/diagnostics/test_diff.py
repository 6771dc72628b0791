"""diff(before, after): facts that changed, not counters that tick."""

from __future__ import annotations

import copy
from typing import Any

from console.diagnostics.diff import diff

BEFORE: dict[str, Any] = {
    "system": {"os_name": "Windows 11 Pro", "uptime_seconds": 100, "users": [{"name": "maya"}]},
    "cpu": {"percent": 12.0, "logical_cores": 8},
    "network": {
        "interfaces": [
            {"name": "Wi-Fi", "up": True, "counters": {"bytes_sent": 1}},
            {"name": "Ethernet 3", "up": False, "counters": {"bytes_sent": 5}},
        ],
        "dns_servers": ["10.0.0.53", "10.0.0.54"],
        "vpn_adapters": [],
        "proxy": {"https": "http://proxy:8080"},
    },
    "processes": {"count": 200},
    "meta": {"captured_at": "2026-11-23T10:00:00+00:00"},
}


def test_identical_snapshots_have_no_changes() -> None:
    assert diff(BEFORE, copy.deepcopy(BEFORE)) == []


def test_counters_samples_and_meta_are_not_changes() -> None:
    after = copy.deepcopy(BEFORE)
    after["system"]["uptime_seconds"] = 9999
    after["cpu"]["percent"] = 99.0
    after["network"]["interfaces"][0]["counters"]["bytes_sent"] = 10**9
    after["processes"]["count"] = 250
    after["meta"]["captured_at"] = "2026-11-23T11:00:00+00:00"
    assert diff(BEFORE, after) == []


def test_named_lists_match_by_name_not_position() -> None:
    after = copy.deepcopy(BEFORE)
    after["network"]["interfaces"].reverse()
    after["network"]["interfaces"][0]["up"] = True  # Ethernet 3 came up
    after["network"]["vpn_adapters"].append({"name": "PANGP", "kind": "globalprotect", "up": True})
    changes = {c.path: c for c in diff(BEFORE, after)}
    assert set(changes) == {
        "network.interfaces.Ethernet 3.up",
        "network.vpn_adapters.PANGP.name",
        "network.vpn_adapters.PANGP.kind",
        "network.vpn_adapters.PANGP.up",
    }
    up = changes["network.interfaces.Ethernet 3.up"]
    assert (up.kind, up.before, up.after) == ("changed", False, True)
    assert up.describe() == "network.interfaces.Ethernet 3.up: False -> True"
    assert changes["network.vpn_adapters.PANGP.kind"].kind == "added"


def test_dns_order_and_removed_facts_are_changes() -> None:
    after = copy.deepcopy(BEFORE)
    after["network"]["dns_servers"].reverse()
    del after["network"]["proxy"]["https"]
    changes = {c.path: c for c in diff(BEFORE, after)}
    assert changes["network.dns_servers"].after == ["10.0.0.54", "10.0.0.53"]
    removed = changes["network.proxy.https"]
    assert removed.kind == "removed"
    assert removed.describe() == "network.proxy.https: removed (was http://proxy:8080)"


def test_dotted_names_are_still_matched_as_one_entry() -> None:
    before = {
        "network": {"interfaces": [{"name": "eth0.100", "up": True, "counters": {"errors_in": 0}}]},
        "disks": {"partitions": [{"mountpoint": "/mnt/a.b", "usage": {"free_bytes": 1}}]},
    }
    after = copy.deepcopy(before)
    after["network"]["interfaces"][0]["counters"]["errors_in"] = 7
    after["disks"]["partitions"][0]["usage"]["free_bytes"] = 2
    assert diff(before, after) == []


def test_a_user_with_two_sessions_is_two_entries() -> None:
    before = {"system": {"users": [{"name": "maya", "terminal": "tty1"}]}}
    after = {
        "system": {
            "users": [{"name": "maya", "terminal": "tty1"}, {"name": "maya", "terminal": "pts/0"}]
        }
    }
    changes = {c.path for c in diff(before, after)}
    assert changes == {"system.users.maya #2.name", "system.users.maya #2.terminal"}
