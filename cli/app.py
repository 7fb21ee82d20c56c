"""The ``parley`` command group: the home folder option, and every family's commands registered on it."""

from __future__ import annotations

from pathlib import Path

import click

from archive.extract.data import use_home
from cli import archiving, inspecting, serving, sources
from web.home import default_home

HOME_HELP = "Folder holding the archive (and its index).  Default: $PARLEY_HOME, else the app's instance folder."


class _HomeAnywhere(click.Group):
    """``parley serve --home X`` means ``parley --home X serve``: --home is read before or after the command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        moved, rest, i = [], [], 0
        while i < len(args):
            arg = args[i]
            if arg == "--":  # everything after is the command's own
                rest.extend(args[i:])
                break
            if arg == "--home" and i + 1 < len(args):
                moved += args[i : i + 2]
                i += 2
                continue
            if arg.startswith("--home="):
                moved.append(arg)
            else:
                rest.append(arg)
            i += 1
        return super().parse_args(ctx, moved + rest)


@click.group(cls=_HomeAnywhere, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="PARLEY_HOME", help=HOME_HELP)
@click.version_option(package_name="parley")
@click.pass_context
def cli(ctx: click.Context, home: Path | None) -> None:
    """Parley: a searchable archive of conflict news — who said what, when and where.

    Put articles in with `parley ingest`, look at the archive with `parley stats`, see what
    Parley finds in an article with `parley extract`, and browse it with `parley serve`.
    """
    ctx.obj = home or default_home()
    use_home(ctx.obj)  # extractor settings (topics.toml) come from the archive's home folder


for _module in (archiving, inspecting, serving):
    for _command in vars(_module).values():
        if isinstance(_command, click.Command):
            cli.add_command(_command)
for _command in sources.COMMANDS:
    cli.add_command(_command)
