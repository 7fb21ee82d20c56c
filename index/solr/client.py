"""A small SolrCloud client over urllib3: JSON requests to any live node, collections, aliases, configsets.

Any node of a SolrCloud answers for the whole cluster (it forwards to the replicas it needs), so the
client keeps a list of node URLs (the configured ones, then the cluster's live nodes once it has seen
them) and moves to the next one when a node does not answer.  Given ZooKeeper hosts instead of URLs,
it reads the nodes from ZooKeeper (``/live_nodes``, as Solr's own CloudSolrClient does), when it first
needs them and again whenever none of those it knows answers.  Only when none answers does a request
fail, with ``SolrUnavailable``; Solr's own refusals (a bad query, a missing collection) are ``SolrError``.
"""

from __future__ import annotations

import io
import json
import threading
import time
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson
import urllib3

from index.backend import IndexUnavailable

CONNECT_TIMEOUT = 2.0  # seconds: a node that does not take the connection by then is treated as down
READ_TIMEOUT = 60.0
RETRY_STATUSES = (502, 503, 504)  # a node going down or not ready: the next node may answer


class SolrUnavailable(IndexUnavailable):
    """No Solr node answered; the message names the nodes tried and why."""


class SolrError(RuntimeError):
    """Solr answered with an error (bad request, unknown collection…); ``status`` is its HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def node_url(live_node: str, scheme: str = "http") -> str:
    """A live node's name in ZooKeeper ("127.0.0.1:8983_solr") as its base URL."""
    host, _, context = live_node.partition("_")
    return f"{scheme}://{host}/{context.replace('%2F', '/') or 'solr'}"


def live_nodes(zk_hosts: str, timeout: float = CONNECT_TIMEOUT * 2) -> list[str]:
    """The base URLs of the Solr nodes ZooKeeper lists as live (``zk_hosts`` as Solr takes it:
    "zk1:2181,zk2:2181/solr", with the chroot if any); SolrUnavailable when ZooKeeper cannot be read."""
    try:
        from kazoo.client import KazooClient
        from kazoo.exceptions import KazooException, NoNodeError
        from kazoo.handlers.threading import KazooTimeoutError
    except ImportError:
        raise ValueError("[search] zk_hosts needs the ZooKeeper client kazoo: pip install 'parley[solr]' (or set solr_url)") from None
    zk = KazooClient(hosts=zk_hosts, timeout=timeout, connection_retry={"max_tries": 1}, command_retry={"max_tries": 1})
    try:
        with warnings.catch_warnings():  # kazoo warns of a missing chroot; /live_nodes below says it better
            warnings.simplefilter("ignore", UserWarning)
            zk.start(timeout=timeout)
        names = zk.get_children("/live_nodes")
        try:
            scheme = json.loads(zk.get("/clusterprops.json")[0] or b"{}").get("urlScheme", "http")
        except NoNodeError:
            scheme = "http"
    except NoNodeError:
        raise SolrUnavailable(f"ZooKeeper at {zk_hosts} has no /live_nodes: is that the cluster's chroot (e.g. host:2181/solr)?") from None
    except (KazooTimeoutError, KazooException, OSError) as error:
        raise SolrUnavailable(f"the search engine (Solr) is unreachable: ZooKeeper at {zk_hosts} did not answer ({type(error).__name__})") from None
    finally:
        zk.stop()
        zk.close()
    return [node_url(name, scheme) for name in sorted(names)]


class SolrClient:
    def __init__(self, urls: Sequence[str], *, zk_hosts: str | None = None, read_timeout: float = READ_TIMEOUT) -> None:
        if not urls and not zk_hosts:
            raise ValueError(
                "no Solr cluster: set [search] solr_url (PARLEY_SOLR_URL), e.g. http://127.0.0.1:8983/solr, "
                "or zk_hosts (PARLEY_SOLR_ZK_HOSTS), e.g. 127.0.0.1:9983"
            )
        self.urls = [u.rstrip("/") for u in urls]
        self.zk_hosts = zk_hosts
        self._lock = threading.Lock()
        self._first = 0  # the node that answered last: tried first
        self.http = urllib3.PoolManager(maxsize=16, retries=False, timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=read_timeout))
        self._discovered = 0.0

    # --- requests -------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
        timeout: float | None = None,
    ) -> dict:
        """``path`` (e.g. "/parley_statements/select") on the first node that answers; the JSON reply."""
        query = urlencode(list(params.items()) if isinstance(params, Mapping) else list(params or ()), doseq=True)
        data = raw if raw is not None else (None if body is None else orjson.dumps(body))
        headers = {"Content-Type": content_type} if data is not None else {}
        extra = {} if timeout is None else {"timeout": urllib3.Timeout(connect=CONNECT_TIMEOUT, read=timeout)}
        if not self.urls:  # only ZooKeeper hosts were given: the nodes come from there
            self._from_zookeeper()
        with self._lock:
            order = self.urls[self._first :] + self.urls[: self._first]
        failures: list[str] = []
        for url in self._candidates(order, failures):
            try:
                response = self.http.request(method, f"{url}{path}?{query}", body=data, headers=headers, **extra)
            except urllib3.exceptions.HTTPError as error:
                failures.append(f"{url}: {type(error).__name__}")
                continue
            if response.status in RETRY_STATUSES:
                failures.append(f"{url}: HTTP {response.status}")
                continue
            with self._lock:
                self._first = self.urls.index(url) if url in self.urls else 0
            try:
                reply = orjson.loads(response.data or b"{}")
            except ValueError:
                reply = {}
            if response.status >= 400:
                error = reply.get("error", {}) if isinstance(reply, dict) else {}
                message = error.get("msg") or response.data[:200].decode("utf-8", "replace")
                raise SolrError(f"Solr refused {path}: {message}", response.status)
            return reply
        raise SolrUnavailable(
            "the search engine (Solr) is unreachable: " + "; ".join(failures) + ". Searches answer again once a node is back; "
            "ingested articles are kept in the store and indexed by the next update or 'parley reindex'."
        )

    def _candidates(self, order: list[str], failures: list[str]) -> Iterator[str]:
        """The known nodes in ``order``; then, with ZooKeeper hosts, any live node they list that was not tried."""
        yield from order
        if self.zk_hosts:
            try:
                fresh = [url for url in self._from_zookeeper() if url not in order]
            except SolrUnavailable as error:
                failures.append(str(error))
                return
            yield from fresh

    def _from_zookeeper(self) -> list[str]:
        """Add the live nodes ZooKeeper lists to the URLs tried; those nodes."""
        found = live_nodes(self.zk_hosts or "")
        with self._lock:
            self.urls.extend(url for url in found if url not in self.urls)
        return found

    def get(self, path: str, params=None, **kwargs) -> dict:
        return self.request("GET", path, params, **kwargs)

    def post(self, path: str, body: Any, params=None, **kwargs) -> dict:
        return self.request("POST", path, params, body, **kwargs)

    def post_to_core(self, core_url: str, path: str, body: Any, params: Mapping[str, Any], fallback: str) -> dict:
        """POST to ``core_url + path`` (one core, e.g. a shard's leader); if that core does not take it
        (its node down, the core moved), to ``fallback`` (a collection path) through any node."""
        try:
            response = self.http.request(
                "POST", f"{core_url}{path}?{urlencode(list(params.items()))}", body=orjson.dumps(body), headers={"Content-Type": "application/json"}
            )
        except urllib3.exceptions.HTTPError:
            return self.post(fallback, body, params)
        if response.status != 200:
            return self.post(fallback, body, params)
        return orjson.loads(response.data or b"{}")

    def discover(self, every: float = 30.0) -> None:
        """Add the cluster's live nodes to the URLs tried (at most every ``every`` seconds)."""
        if time.monotonic() - self._discovered < every:
            return
        self._discovered = time.monotonic()
        try:
            live = self.get("/admin/collections", {"action": "CLUSTERSTATUS", "wt": "json"}).get("cluster", {}).get("live_nodes", [])
        except (SolrUnavailable, SolrError):
            return
        with self._lock:
            for name in live:
                url = node_url(name)
                if url not in self.urls:
                    self.urls.append(url)

    # --- the cluster ----------------------------------------------------------------------------
    def collections_admin(self, action: str, **params) -> dict:
        return self.get("/admin/collections", {"action": action, "wt": "json", **params})

    def aliases(self) -> dict[str, str]:
        return dict(self.collections_admin("LISTALIASES").get("aliases", {}))

    def collections(self) -> list[str]:
        return list(self.collections_admin("LIST").get("collections", []))

    def create_collection(self, name: str, config: str, shards: int, replicas: int) -> None:
        self.collections_admin("CREATE", name=name, **{"collection.configName": config}, numShards=shards, replicationFactor=replicas, waitForFinalState="true")

    def delete_collection(self, name: str) -> None:
        self.collections_admin("DELETE", name=name)

    def alias(self, alias: str, collection: str) -> None:
        """Point ``alias`` at ``collection`` (atomically: searches see the old one or the new one)."""
        self.collections_admin("CREATEALIAS", name=alias, collections=collection)

    def configsets(self) -> list[str]:
        return list(self.get("/admin/configs", {"action": "LIST", "wt": "json"}).get("configSets", []))

    def upload_configset(self, name: str, folder: Path, edit: Callable[[str, bytes], bytes] | None = None) -> None:
        """Upload the files of ``folder`` as configset ``name`` (zipped, as Solr's Configsets API takes it),
        each as ``edit(file name, content)`` makes it when given."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    data = path.read_bytes()
                    archive.writestr(path.name, edit(path.name, data) if edit else data)
        self.request("POST", "/admin/configs", {"action": "UPLOAD", "name": name, "wt": "json"}, raw=buffer.getvalue(), content_type="application/octet-stream")


def split_urls(value: str | Iterable[str] | None) -> list[str]:
    """Node URLs from a setting: a list, or one string with URLs separated by commas or spaces."""
    if not value:
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    return [str(v).strip() for v in items if str(v).strip()]
