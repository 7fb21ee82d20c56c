"""The README is the user's first contact: every command, option, endpoint and setting is in it."""

import re

import click
import pytest
from conftest import PROJECT

from cli.app import cli
from web import DEFAULTS, create_app

README = (PROJECT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_is_documented(name):
    assert f"parley {name}" in README


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (name, opt)
        for name, command in sorted(cli.commands.items())
        for p in command.params
        if isinstance(p, click.Option)
        for opt in p.opts
        if opt.startswith("--")
    ],
)
def test_every_option_is_documented(command, option):
    row = next((line for line in README.splitlines() if line.startswith(f"| `parley {command}")), "")
    assert option in row, f"parley {command} {option} is not in the README's command table"


def test_every_api_route_is_documented(tmp_path):
    app = create_app({"PARLEY_HOME": str(tmp_path)})
    routes = {re.sub(r"<(?:[^:>]*:)?([^>]+)>", r"<\1>", rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    for route in sorted(routes):
        tail = route.removeprefix("/api/v1/").split("<")[0].rstrip("/") or "/api/v1/"
        assert tail in README, route


@pytest.mark.parametrize("setting", sorted(DEFAULTS))
def test_every_setting_is_documented(setting):
    assert setting in README or setting.removeprefix("PARLEY_").lower() in README
