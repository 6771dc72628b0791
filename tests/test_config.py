"""The config module: its quick config location agrees with platformdirs, and store choices
are immutable values."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from console import config

UNSET = None

ENVIRONMENTS = [
    pytest.param({"XDG_CONFIG_HOME": "/srv/conf", "HOME": "/home/alice"}, id="xdg-set"),
    pytest.param({"XDG_CONFIG_HOME": "/srv/conf/", "HOME": "/home/alice"}, id="xdg-trailing-slash"),
    pytest.param({"XDG_CONFIG_HOME": UNSET, "HOME": "/home/alice"}, id="xdg-unset"),
    pytest.param({"XDG_CONFIG_HOME": "", "HOME": "/home/alice"}, id="xdg-empty"),
    pytest.param({"XDG_CONFIG_HOME": "relative/conf", "HOME": "/home/alice"}, id="xdg-relative"),
    pytest.param({"XDG_CONFIG_HOME": UNSET, "HOME": "/home/alice/"}, id="home-trailing-slash"),
    pytest.param({"XDG_CONFIG_HOME": UNSET, "HOME": "/"}, id="home-root"),
    pytest.param({"XDG_CONFIG_HOME": "", "HOME": "relative"}, id="home-relative"),
    pytest.param({"XDG_CONFIG_HOME": UNSET, "HOME": UNSET}, id="home-unset"),
]


@pytest.mark.parametrize("environ", ENVIRONMENTS)
def test_config_location_is_the_one_platformdirs_names(
    environ: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environ.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    expected = platformdirs.user_config_dir(config.APP_NAME, appauthor=False)
    assert config.config_dir_name() == expected
    assert config.config_dir() == Path(expected)
    assert config.config_file() == Path(expected) / "config.toml"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG rules are Linux's")
def test_linux_config_location_needs_no_platformdirs_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "platformdirs", None)  # importing it now fails
    monkeypatch.setenv("HOME", "/h")
    monkeypatch.setenv("XDG_CONFIG_HOME", "/x")
    assert config.config_dir_name() == "/x/agent-console"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert config.config_dir_name() == "/h/.config/agent-console"


def test_privacy_comes_from_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert config.default_privacy(path) == "standard"  # no file
    path.write_text('[diagnostics]\nprivacy = "strict"\n')
    assert config.default_privacy(path) == "strict"
    assert config.default_privacy(str(path)) == "strict"
    path.write_text('[diagnostics]\nprivacy = "loose"\n')
    with pytest.raises(config.ConfigError, match=r"privacy must be one of standard, strict"):
        config.default_privacy(path)


def test_store_choice_is_an_immutable_value() -> None:
    choice = config.StoreChoice("sqlite:///a.db", "--store")
    assert choice == config.StoreChoice("sqlite:///a.db", "--store")
    assert choice != config.StoreChoice("sqlite:///a.db", "default")
    assert len({choice, config.StoreChoice("sqlite:///a.db", "--store")}) == 1
    with pytest.raises(AttributeError):
        choice.url = "postgresql://elsewhere/db"
    assert choice.url == "sqlite:///a.db"


def test_value_objects_copy_pickle_and_refuse_changes() -> None:
    import copy
    import pickle

    from console.config import StoreChoice
    from console.diagnostics.redaction import Privacy, RedactionReport

    choice = StoreChoice("sqlite:///x.db", "--store")
    report = RedactionReport(Privacy.STRICT, {"mac": 2, "secret": 0})
    for value in (choice, report):
        assert copy.copy(value) == value
        assert pickle.loads(pickle.dumps(value)) == value
        assert hash(copy.deepcopy(value)) == hash(value)
    with pytest.raises(AttributeError, match="cannot delete 'url'"):
        del choice.url
    with pytest.raises(AttributeError, match="cannot set 'counts'"):
        report.counts = {}  # type: ignore[misc]
    assert repr(choice) == "StoreChoice(url='sqlite:///x.db', source='--store')"
