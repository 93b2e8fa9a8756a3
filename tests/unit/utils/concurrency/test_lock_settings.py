"""Lock server settings: a member list in --lock_server_host / TB_LOCK_SERVER_HOST (ports default to
--lock_server_port), --lock_api v2|v3, --lock_catch_up; malformed values are one-line errors naming the setting."""

from __future__ import annotations

import pytest

from src.settings import SettingsError, parse_members
from src.utils.command_line.argument_parsing_utils import ArgumentParsingUtils


def test_member_lists_take_the_default_port_where_an_entry_has_none() -> None:
    assert parse_members("h1:2379, h2:2390,h3", 2400) == [("h1", 2379), ("h2", 2390), ("h3", 2400)]
    assert parse_members("etcd", 2379) == [("etcd", 2379)]
    assert parse_members("[::1]:2381,[fe80::1]", 2379) == [("::1", 2381), ("fe80::1", 2379)]


@pytest.mark.parametrize("text", ["", " , ", "h1:port", "h1:0", "h1:70000", ":2379"])
def test_malformed_member_lists_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_members(text, 2379)


def test_cluster_settings_from_the_environment_and_flags() -> None:
    context = ArgumentParsingUtils.parse(["--lock_server_port", "2390", "--lock_api", "v3"],
                                         {"TB_LOCK_SERVER_HOST": "10.0.0.1:2379,10.0.0.2,10.0.0.3"})
    assert context.lock_server.members == [("10.0.0.1", 2379), ("10.0.0.2", 2390), ("10.0.0.3", 2390)]
    assert context.lock_server.api == "v3"
    assert context.lock_server.catch_up == 0.0
    assert ArgumentParsingUtils.parse(["--lock_catch_up", "4.5"], {}).lock_server.catch_up == 4.5
    assert ArgumentParsingUtils.parse([], {}).lock_server.api == "v2"


@pytest.mark.parametrize(("argv", "named"), [(["--lock_server_host", "h1:x"], "lock_server_host"),
                                             (["--lock_api", "v4"], "lock_api"),
                                             (["--lock_catch_up", "-1"], "lock_catch_up")])
def test_bad_lock_settings_name_the_setting(argv: list[str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        ArgumentParsingUtils.parse(argv, {})
