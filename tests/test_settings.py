"""Settings declared once: loading, checking, and saving config.toml without losing anything."""

from __future__ import annotations

import getpass
import os
import tempfile
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from console.config import ConfigError, choose_store, default_privacy
from console.settings import (
    SECTION_TITLES,
    SETTINGS,
    Settings,
    changed_keys,
    load_settings,
    render_toml,
    save_settings,
    setting,
)

TEAM_URL = "postgresql://agent@db.example.com/helpdesk"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "agent-console" / "config.toml"


# --- the declarations -----------------------------------------------------------------------


def test_every_setting_is_declared_once_with_a_label_help_and_a_valid_default() -> None:
    keys = [s.key for s in SETTINGS]
    assert keys == [
        "store.url",
        "diagnostics.privacy",
        "agent.name",
        "agent.role",
        "playbooks.folders",
    ]
    for declared in SETTINGS:
        assert declared.label and declared.help, declared.key
        assert declared.section in SECTION_TITLES
        assert declared.check(declared.default_value()) == declared.default_value()
    assert setting("agent.role").choices == ("agent", "technician", "supervisor")
    assert setting("diagnostics.privacy").choices == ("standard", "strict")


def test_without_a_file_everything_is_a_default(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "ada")
    settings = load_settings(path)
    assert dict(settings.values) == {
        "store.url": "",
        "diagnostics.privacy": "standard",
        "agent.name": "ada",
        "agent.role": "agent",
        "playbooks.folders": (),
    }
    assert settings.store_url == "" and settings.agent_role.value == "agent"
    assert not path.exists()


def test_an_os_without_a_user_name_still_gets_an_agent_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert Settings().agent_name == "agent"


# --- saving and loading ---------------------------------------------------------------------


def test_saved_settings_load_back_equal_and_the_cli_reads_the_same_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        {
            "store.url": TEAM_URL,
            "diagnostics.privacy": "strict",
            "agent.name": "Ada Lovelace",
            "agent.role": "supervisor",
            "playbooks.folders": ["~/playbooks", "/srv/shared playbooks"],
        }
    )
    save_settings(settings, path)

    assert load_settings(path) == settings
    assert default_privacy(path) == "strict"
    monkeypatch.setattr("console.config.config_file", lambda: path)
    assert choose_store(None, {}).url == TEAM_URL
    assert load_settings(path).playbook_folders == (
        Path.home() / "playbooks",
        Path("/srv/shared playbooks"),
    )


def test_the_local_store_is_no_url_in_the_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_settings(Settings({"store.url": TEAM_URL}), path)
    save_settings(Settings({"store.url": ""}), path)

    assert "url" not in tomllib.loads(path.read_text()).get("store", {})
    monkeypatch.setattr("console.config.config_file", lambda: path)
    assert choose_store(None, {}).source == "default"  # an empty url would be refused there


def test_sections_and_keys_it_does_not_declare_are_kept(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(
        "[store]\n"
        'url = "postgresql://old@db/helpdesk"\n'
        "pool = 2\n"
        "[itsm]\n"
        'kind = "servicenow"\n'
        "timeout = 2.5\n"
        "since = 2024-05-01T08:30:00Z\n"
        "[itsm.fields]\n"
        'priority = "u_priority"\n'
        "[[itsm.queues]]\n"
        'name = "Network"\n'
        "[empty]\n"
    )
    before = tomllib.loads(path.read_text())

    save_settings(load_settings(path).replaced({"agent.name": "Grace"}), path)

    after = tomllib.loads(path.read_text())
    assert after["itsm"] == before["itsm"]
    assert after["store"] == before["store"]
    assert after["empty"] == {}
    assert after["agent"]["name"] == "Grace"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings({"agent.name": "Before"}), path)
    old = path.read_bytes()

    def refuse(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        save_settings(Settings({"agent.name": "After"}), path)

    assert path.read_bytes() == old
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]


def test_a_symlinked_config_file_stays_a_link_to_the_updated_file(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "agent-console.toml"
    target.parent.mkdir()
    target.write_text('[agent]\nname = "Before"\n')
    link = tmp_path / "config.toml"
    link.symlink_to(target)

    save_settings(Settings({"agent.name": "After"}), link)

    assert link.is_symlink()
    assert load_settings(target).agent_name == "After"


def test_an_unreadable_file_is_refused_rather_than_overwritten(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('[agent]\nname = "unterminated\n')

    with pytest.raises(ConfigError, match="not valid TOML"):
        save_settings(Settings({"agent.name": "After"}), path)

    assert path.read_text() == '[agent]\nname = "unterminated\n'


# --- bad values: one sentence naming the file, the key and the rule -------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[diagnostics]\nprivacy = "loose"\n',
            "[diagnostics] privacy must be one of standard, strict, not 'loose'",
        ),
        (
            '[agent]\nrole = "admin"\n',
            "[agent] role must be one of agent, technician, supervisor, not 'admin'",
        ),
        ('[agent]\nname = "  "\n', "[agent] name must not be empty"),
        ("[agent]\nname = 7\n", "[agent] name must be a string, not 7"),
        ('[playbooks]\nfolders = "/srv"\n', "[playbooks] folders must be a list, not '/srv'"),
        ('[playbooks]\nfolders = ["/srv", 1]\n', "[playbooks] folders must be a list of strings"),
        (
            '[playbooks]\nfolders = ["/srv", ""]\n',
            "[playbooks] folders must not contain an empty folder name",
        ),
        ("[store]\nurl = true\n", "[store] url must be a string, not True"),
    ],
)
def test_a_bad_value_is_one_sentence_naming_file_key_and_rule(
    path: Path, toml: str, message: str
) -> None:
    path.parent.mkdir(parents=True)
    path.write_text(toml)
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    assert str(refused.value) == f"{path}: {message}"


def test_a_url_with_a_password_is_refused_and_points_to_the_keyring(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text('[store]\nurl = "postgresql://agent:hunter2@db/helpdesk"\n')

    with pytest.raises(ConfigError) as refused:
        load_settings(path)

    assert str(refused.value).startswith(f"{path}: [store] url must not contain a password")
    assert "OS keyring" in str(refused.value)
    with pytest.raises(ValueError, match="^Ticket store must not contain a password"):
        Settings().replaced({"store.url": "postgresql://agent:hunter2@db/helpdesk"})


def test_replacing_values_checks_them_and_reports_what_changed() -> None:
    before = Settings({"agent.name": "Ada"})
    after = before.replaced({"agent.role": "technician", "agent.name": "  Ada  "})

    assert after.agent_role.value == "technician" and after.agent_name == "Ada"
    assert changed_keys(before, after) == ["agent.role"]
    assert before.agent_role.value == "agent"  # immutable
    with pytest.raises(ValueError, match="^Agent name must not be empty$"):
        before.replaced({"agent.name": ""})
    with pytest.raises(KeyError):
        before.replaced({"agent.shoe_size": 42})


# --- the TOML writer, against tomllib -------------------------------------------------------

odd_text = st.text(max_size=30)
names = odd_text.filter(lambda s: bool(s.strip()))
scalars = (
    odd_text
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.datetimes()
    | st.dates()
    | st.times()
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=10,
)


@hypothesis_settings(deadline=None)  # a loaded CI machine is slow, not wrong
@given(st.dictionaries(odd_text, st.dictionaries(odd_text, values, max_size=5), max_size=4))
def test_any_document_tomllib_can_hold_is_read_back_equal(document: dict[str, Any]) -> None:
    assert tomllib.loads(render_toml(document)) == document


@hypothesis_settings(deadline=None)  # each example fsyncs a file
@given(
    name=names,
    folders=st.lists(names, max_size=5),
    url=st.sampled_from(["", TEAM_URL, "sqlite:////tmp/x y.db", "C:\\tickets\\console.db"]),
    role=st.sampled_from(["agent", "technician", "supervisor"]),
    privacy=st.sampled_from(["standard", "strict"]),
    extra=st.dictionaries(odd_text, values, max_size=3),
)
def test_settings_with_odd_strings_survive_a_save_and_load(
    name: str, folders: list[str], url: str, role: str, privacy: str, extra: dict[str, Any]
) -> None:
    settings = Settings(
        {
            "store.url": url,
            "agent.name": name,
            "agent.role": role,
            "diagnostics.privacy": privacy,
            "playbooks.folders": folders,
        }
    )
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "config.toml"
        path.write_text(render_toml({"other": extra}), encoding="utf-8")

        save_settings(settings, path)

        assert load_settings(path) == settings
        assert tomllib.loads(path.read_text(encoding="utf-8"))["other"] == extra


def test_what_toml_cannot_hold_is_refused_not_written_wrong() -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        render_toml({"agent": {"name": "bad \ud800"}})
    with pytest.raises(TypeError, match="cannot hold a set"):
        render_toml({"agent": {"names": {"a"}}})


def test_escapes_and_dates_are_written_the_way_toml_spells_them() -> None:
    text = render_toml(
        {
            "a b": {
                "tab\there": 'say "hi"\\\n\x00\x7f',
                "when": datetime(2024, 5, 1, 8, 30),
                "day": date(2024, 5, 1),
                "at": time(8, 30, 0, 5),
            }
        }
    )
    assert text == (
        '["a b"]\n'
        '"tab\\there" = "say \\"hi\\"\\\\\\n\\u0000\\u007F"\n'
        "when = 2024-05-01T08:30:00\n"
        "day = 2024-05-01\n"
        "at = 08:30:00.000005\n"
    )
