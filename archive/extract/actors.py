"""What is known of speakers before reading an article: the curated actors list (``data/actors*.toml``:
names, nicknames, transliterations, type and roles), the outlets and channels that relay statements
but never make them, and the words of anonymous sources ("a source", "two diplomats")."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from archive.extract.data import DATA_DIR, home_folder
from archive.model import fold, name_key, spelling_key

__all__ = ["Actor", "Actors", "actors", "outlet", "anonymous_source"]


_PARTICLES = frozenset("al el abu umm bin ibn bint ben de da di van von".split())  # shared by unrelated names


@dataclass(frozen=True)
class Actor:
    name: str
    type: str
    role: str | None
    keys: frozenset[str]  # name_key of the name and of every alias
    words: frozenset[str]  # folded words of the name and of every alias
    names: tuple[str, ...] = ()  # the name and its aliases as written, longest first

    def nickname(self, mention: str) -> bool:
        """The mention shares no word with the actor's name, even spelt otherwise: "Hemedti"."""
        return not (set(name_key(mention).split()) & set(name_key(self.name).split())) - _PARTICLES


class Actors:
    """The curated actors, found by any of their names (spelling variants merged by ``name_key``)."""

    def __init__(self, entries: list[Actor]) -> None:
        self._by_key: dict[str, Actor] = {}
        for actor in entries:
            for k in actor.keys:
                self._by_key.setdefault(k, actor)
        # post word -> (actor, the words of its role): "president" -> Ilham Aliyev, "president of azerbaijan"
        self._by_post: dict[str, list[tuple[Actor, tuple[str, ...]]]] = {}
        for actor in entries:
            role = tuple(fold(actor.role or "").split())
            if actor.type == "person":
                for word in set(role):
                    self._by_post.setdefault(word, []).append((actor, role))

    def find(self, name: str) -> Actor | None:
        return _find(self, name)

    def holder(self, posts: set[str], mods: list[str], text: str) -> str | None:
        """ "Azerbaijan's president" in an article that names Ilham Aliyev: the name (as the text writes
        it) of the listed actor whose role is one of ``posts`` and agrees with ``mods``."""
        if not mods:
            return None
        for post in sorted(posts):
            for actor, role in self._by_post.get(post, ()):
                if all(any(r.startswith(m[:5]) for r in role) for m in mods):
                    for name in actor.names:
                        if name in text:
                            return name
        return None

    def __len__(self) -> int:
        return len(set(map(id, self._by_key.values())))


@lru_cache(maxsize=8192)
def _find(table: Actors, name: str) -> Actor | None:
    return table._by_key.get(_name_key(name))


def _name_key(name: str) -> str:
    """``name_key(name)`` with each word's spelling key remembered: most names an article asks about are
    new as a whole, but their words come back in name after name."""
    return " ".join(map(_spelling_key, fold(name).split()))


_spelling_key = lru_cache(maxsize=16384)(spelling_key)


def _latest_role(roles: list[dict]) -> str | None:
    if not roles:
        return None
    return max(roles, key=lambda r: (r.get("until") is None, r.get("until") or 0, r.get("since") or 0)).get("title")


def actors() -> Actors:
    """The curated actors: every ``data/actors*.toml`` file, and the user's ``HOME/actors.toml`` (same
    shape) when the archive's home folder has one."""
    return _actors(home_folder())


@cache
def _actors(home: str) -> Actors:
    entries = []
    paths = sorted(DATA_DIR.glob("actors*.toml"))
    if home and (Path(home) / "actors.toml").is_file():
        paths.append(Path(home) / "actors.toml")
    for path in paths:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        for a in doc.get("actor", []):
            names = [a["name"], *a.get("aliases", [])]
            entries.append(
                Actor(
                    name=a["name"],
                    type=a.get("type", "person"),
                    role=_latest_role(a.get("roles", [])),
                    keys=frozenset(name_key(n) for n in names if name_key(n)),
                    words=frozenset(w for n in names for w in fold(n).split()),
                    names=tuple(sorted(names, key=len, reverse=True)),
                )
            )
    return Actors(entries)


@cache
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    outlets: set[str] = set()
    heads: set[str] = set()
    markers: set[str] = set()
    for path in sorted(DATA_DIR.glob("speakers*.toml")):
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        outlets.update(fold(w) for w in doc.get("outlets", {}).get("names", []))
        heads.update(w.lower() for w in doc.get("anonymous", {}).get("heads", []))
        markers.update(w.lower() for w in doc.get("anonymous", {}).get("markers", []))
    return frozenset(outlets), frozenset(heads), frozenset(markers)


def outlet(name: str) -> bool:
    """A news agency, broadcaster or platform ("Reuters", "Al Arabiya TV", "Telegram", "X"): it relays
    statements; it is the speaker only where it is the subject of the cue itself."""
    folded = fold(name)
    outlets = _lists()[0]
    return folded in outlets or folded.removeprefix("the ") in outlets


def anonymous_source(description: str) -> bool:
    """An unnamed source: "a source close to Hezbollah", "two diplomats familiar with the talks",
    "a senior official", "security sources"."""
    _, heads, markers = _lists()
    low = description.lower()
    if any(m in low for m in markers):
        return True
    words = [w.strip(",.;:") for w in low.split()]
    if not words:
        return False
    # the head: the last word before a preposition or relative pronoun ("a source close to …")
    head = words[-1]
    for k, w in enumerate(words):
        if w in ("of", "in", "at", "close", "familiar", "with", "who", "from", "on") and k > 0:
            head = words[k - 1]
            break
    return head in heads and not (description[:1].isupper() and len(words) == 1)
