"""Extraction speed and memory over the developer corpora: articles per second, per extractor.

    .venv/bin/python bench/extract_bench.py [--shared ../shared] [--sets seed meantime gum litbank geovirus lgl]

Reads every doc of the sets through the real readers, then times the whole pipeline and each
extractor alone (one process, one core), and reports peak memory (max RSS) and the rate for
800-word articles (articles are cut or joined to 800 words from the same texts), once the
gazetteer and lexicons are loaded (timed apart, with one short article).  First it times cold
starts: ``parley extract`` of the seed article in a new process (the median of three), with the
gazetteer's table in the cache and with no cache at all (built in memory).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.extract import dates, places, statements, topics  # noqa: E402
from archive.extract.pipeline import extract  # noqa: E402
from archive.model import Article  # noqa: E402
from archive.readers import read_path  # noqa: E402

# One short article that every extractor reads, so that each loads its tables (gazetteer, cue and
# speaker lexicons, actors, date patterns, topics) before the timed passes: the rates are per article.
LOADING_ARTICLE = Article(
    text="KYIV, Ukraine — President Volodymyr Zelensky said on Monday that “talks on a ceasefire will go on,” "
    "and the Kremlin denied the report, according to Reuters.",
    published=date(2025, 4, 22),
)


def load(shared: Path, sets: list[str]):
    articles = []
    for name in sets:
        folder = shared / "corpus" / "dev" / name
        for line in (folder / "gold.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            articles += read_path(folder / row["file"]).articles
    return articles


def rate(label: str, articles, work) -> float:
    started = time.perf_counter()
    for article in articles:
        work(article)
    seconds = time.perf_counter() - started
    words = sum(len(a.text.split()) for a in articles)
    print(f"{label:<28} {len(articles) / seconds:8.1f} articles/s  {words / seconds:10.0f} words/s  ({seconds:.2f} s)")
    return len(articles) / seconds


def cold_start(cache: str | None) -> float:
    """Seconds for ``parley extract`` of the seed article in a new process (median of three)."""
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if cache is not None:
        env["PARLEY_CACHE_DIR"] = cache
    command = [sys.executable, "-m", "cli", "extract", str(seed)]
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--sets", nargs="+", default=["seed", "meantime", "gum", "litbank", "geovirus", "lgl"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        cold_start(cache)  # fills this cache
        print(f"cold parley extract, cached  {cold_start(cache):.2f} s")
    print(f"cold parley extract, no cache {cold_start(''):.2f} s")
    started = time.perf_counter()
    extract(LOADING_ARTICLE)  # load the gazetteer and lexicons once, timed apart
    print(f"gazetteer + lexicons load     {time.perf_counter() - started:.2f} s, max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    articles = load(args.shared, args.sets)
    words = [len(a.text.split()) for a in articles]
    print(f"{len(articles)} articles, {sum(words):,} words (median {statistics.median(words):.0f})")
    rate("pipeline (all extractors)", articles, extract)
    rate("  statements", articles, lambda a: statements.find_statements(a.text))
    rate("  places", articles, lambda a: places.find_places(a.text))
    rate("  dates", articles, lambda a: dates.find_dates(a.text, a.published))
    rate("  topics", articles, lambda a: topics.find_topics(a.text))
    pool = " ".join(a.text for a in articles).split(" ")
    sized = [Article(text=" ".join(pool[i : i + 800]), published=date(2025, 4, 22)) for i in range(0, min(len(pool), 800 * 300), 800)]
    rate("pipeline, 800-word articles", sized, extract)
    print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
