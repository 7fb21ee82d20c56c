"""The ``parley`` command: ingest, inspect, extract and serve an archive.

The outermost layer: it sits on top of every other (archive, index, web), resolves the home
folder and the settings once (``cli.settings``), and hands them down.  The group is ``cli.app``;
each module holds a family of commands: ``archiving`` (ingest, delete, reindex), ``inspecting``
(stats, verify, search, extract), ``serving`` (serve) and ``sources`` (sources, fetch, watch).

Importing this package imports nothing else: the ``parley`` script (``from cli import main``) is
imported again by every worker process multiprocessing spawns for an ingest or a rebuild (as its
``__mp_main__``), and the commands import every layer (the web site, the readers, the extractors):
0.6-1.3 s of CPU per worker spent on nothing it uses.
"""


def main() -> None:
    from cli.app import cli

    cli(prog_name="parley")
