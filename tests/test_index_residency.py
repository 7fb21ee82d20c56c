"""A searching process lets go of the mapped index pages it holds past its budget, and its answers do
not change: real maps, real ``/proc/self/status``, a real index on disk."""

import mmap
import sys

import numpy as np
import pytest
from index_corpus import extractions

from archive.store import Store
from index import residency, writing
from index.request import SearchRequest
from index.search import SearchIndex

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resident sizes are read from Linux's /proc")

MIB = 1024 * 1024


def test_letting_go_of_a_maps_pages_shrinks_the_resident_set_and_keeps_its_data(tmp_path):
    path = tmp_path / "pages"
    data = np.random.default_rng(7).integers(0, 2**31, size=8 * MIB // 4, dtype=np.int32)
    path.write_bytes(data.tobytes())
    with open(path, "rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    view = np.frombuffer(mapped, dtype=np.int32)
    residency.register(mapped)
    assert int(view.sum(dtype=np.int64)) == int(data.sum(dtype=np.int64))  # every page read: resident
    held = residency.resident_file_bytes()
    residency.release()
    after = residency.resident_file_bytes()
    assert held - after >= 6 * MIB  # the map's 8 MiB, less what other files faulted in meanwhile
    assert np.array_equal(view, data)  # read again, from the page cache: the same bytes
    del view
    mapped.close()


def test_release_over_looks_at_most_every_period_and_only_past_the_budget(tmp_path):
    residency._last[0] = 0.0
    assert not residency.release_over(budget=2**62, every=0)  # under the budget: nothing let go
    count = residency.released()
    assert residency.release_over(budget=0, every=0)
    assert residency.released() == count + 1
    assert not residency.release_over(budget=0, every=3600)  # looked a moment ago
    assert residency.released() == count + 1


@pytest.fixture
def built(home):
    with Store(home) as store:
        store.add_batch(extractions())
        writing.rebuild(home, store, procs=1)
    return home


def answer(page) -> tuple:
    return page.total, page.facets, page.histogram, [(h.id, h.score) for h in page.hits]


def test_searches_answer_the_same_after_their_pages_were_let_go(built):
    index = SearchIndex(built)
    requests = [
        SearchRequest(text="ceasefire", facets=("speaker", "place", "topic")),
        SearchRequest(text='"clear answer"', facets=("kind",)),
        SearchRequest(text="", sort="newest", facets=("source",), histogram="month"),
        SearchRequest(text="Moscow", target="articles", facets=("speaker",)),
    ]
    before = [answer(index.search(r)) for r in requests]
    sizes = {m.size() for m in list(residency._maps) if not m.closed}
    folder = writing.current_path(built)
    # Whoosh's segment files and our value files are both among the maps let go (a map knows its size, not its name).
    for suffix in ("seg", "values"):
        files = sorted(folder.glob(f"*.{suffix}"))
        assert files and {f.stat().st_size for f in files} & sizes, f"no .{suffix} file of {folder} is registered"
    residency.release()
    assert [answer(index.search(r)) for r in requests] == before
