"""A real 2-node SolrCloud (embedded ZooKeeper) for the ``solr`` tests, from tests/solr_cluster.

The launcher is a Java program built with Maven (``mvn -q -f tests/solr_cluster/pom.xml package``;
``.ci/run`` does it).  Without its jar the Solr tests skip, unless PARLEY_REQUIRE_SOLR=1 (set in CI),
where a missing harness fails instead of passing quietly.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

HARNESS = Path(__file__).parent / "solr_cluster"
JAR = HARNESS / "target" / "solr-cluster-1.jar"
START_TIMEOUT = 180.0  # seconds: two Solr nodes and ZooKeeper on a busy 2-core machine


def _missing(why: str):
    if os.environ.get("PARLEY_REQUIRE_SOLR") == "1":
        pytest.fail(f"PARLEY_REQUIRE_SOLR=1 but {why}")
    pytest.skip(why)


class Cluster:
    """The launcher process: node URLs, and ``stop(i)`` / ``start(i)`` of a node (answered on its stdout)."""

    def __init__(self, base: Path, nodes: int = 2, heap: str = "1g", java_options: tuple[str, ...] = ()) -> None:
        java = shutil.which("java")
        if java is None:
            _missing("no java on PATH for the Solr test cluster")
        if not JAR.exists():
            _missing(f"the Solr test cluster is not built: mvn -q -f {HARNESS}/pom.xml package")
        self.log = open(base / "cluster.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [java, f"-Xmx{heap}", *java_options, "-jar", str(JAR), "--base", str(base / "cluster"), "--nodes", str(nodes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        ready = self._answer(START_TIMEOUT)
        if not ready.get("ready"):
            self.close()
            raise RuntimeError(f"the Solr test cluster did not start: {ready.get('error', ready)} (log: {base / 'cluster.log'})")
        self.zk: str = ready["zk"]
        self.urls: list[str] = ready["nodes"]

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.lines.put(line)
        self.lines.put("")

    def _answer(self, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeoutError("the Solr test cluster did not answer in time") from None
            if not line:
                return {"ready": False, "error": f"the launcher exited with status {self.process.wait()}"}
            if line.startswith("{"):
                return json.loads(line)

    def command(self, text: str, timeout: float = 120.0) -> dict:
        self.process.stdin.write(text + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        return self._answer(timeout)

    def stop(self, node: int) -> dict:
        return self.command(f"stop {node}")

    def start(self, node: int) -> dict:
        return self.command(f"start {node}")

    def close(self) -> None:
        """Close stdin (the launcher shuts the nodes down and exits); kill it if it has not after 60 s."""
        try:
            self.process.stdin.close()  # type: ignore[union-attr]
            self.process.wait(timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)
        self.process.stdout.close()  # type: ignore[union-attr]
        self.log.close()
