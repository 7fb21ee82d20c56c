"""A small hand-made archive for index and web tests: every statement's fields are known."""

from __future__ import annotations

from datetime import date

from archive.model import Article, DateRef, Extraction, Place, Speaker, Statement

ROWS = [
    # speaker, role, type, kind, quote, day, places, topics, direct, source
    (
        "Dmitry Peskov",
        "Kremlin spokesperson",
        "person",
        "clarification",
        "the president meant dialogue with the Ukrainian side",
        "2025-04-22",
        ("Moscow",),
        ("negotiations",),
        True,
        "Wire A",
    ),
    (
        "Jean-Noël Barrot",
        "French Foreign Minister",
        "person",
        "skepticism",
        "the Easter ceasefire was a public relations move",
        "2025-04-15",
        ("Paris",),
        ("ceasefire",),
        False,
        "Wire B",
    ),
    (
        "Volodymyr Zelenskyy",
        "President",
        "person",
        "appeal",
        "Moscow must give a clear answer on the ceasefire",
        "2025-04-21",
        ("Kyiv", "Moscow"),
        ("ceasefire",),
        False,
        "Wire A",
    ),
    (
        "Volodymyr Zelensky",
        "President",
        "person",
        "statement",
        "we are ready for any conversation that brings peace",
        "2025-04-20",
        ("Kyiv",),
        ("negotiations",),
        True,
        "Wire B",
    ),
    (
        "Ukraine's air force",
        None,
        "organization",
        "report",
        "Russia launched 54 drones overnight at Kharkiv",
        "2025-04-22",
        ("Kharkiv",),
        ("air-strikes", "air-defense"),
        False,
        "Wire A",
    ),
    (
        "Donald Trump",
        "U.S. President",
        "person",
        "warning",
        "Washington may scale back its mediation efforts",
        "2025-03-10",
        ("Washington",),
        ("mediation",),
        False,
        "Wire C",
    ),
    (
        "Russian media",
        None,
        "group",
        "claim",
        "the capture of a monastery in the Kursk region",
        "2024-12-01",
        ("Kursk region",),
        ("territory",),
        False,
        "Wire C",
    ),
    ("analysts", None, "group", "warning", "deep mistrust remains a hurdle to a lasting ceasefire", None, (), ("ceasefire",), False, "Wire C"),
]

# Each row's confidence, in every band: high for rows 0, 1, 4, 7; medium for 3, 5; low for 2, 6.
CONFIDENCE = (0.95, 0.85, 0.5, 0.7, 0.9, 0.65, 0.4, 0.82)

COUNTRIES = {"Moscow": "RU", "Paris": "FR", "Kyiv": "UA", "Kharkiv": "UA", "Washington": "US", "Kursk region": "RU"}


def extractions() -> list[Extraction]:
    result = []
    for i, (speaker, role, kind_of, kind, quote, day, places, topics, direct, source) in enumerate(ROWS):
        text = f"{speaker} said that {quote}. Item {i}.\n"
        start = text.index(quote)
        published = date.fromisoformat(day) if day else None
        statement = Statement(
            quote=quote,
            start=start,
            end=start + len(quote),
            direct=direct,
            speaker=Speaker(name=speaker, type=kind_of, role=role, mention=speaker, start=0, end=len(speaker)),
            cue="said",
            cue_start=len(speaker) + 1,
            cue_end=len(speaker) + 5,
            kind=kind,
            confidence=CONFIDENCE[i],
            date=DateRef(text="", start=None, end=None, value=day, precision="article", range_start=day, range_end=day) if day else None,
            places=places,
            topics=topics,
        )
        found = tuple(Place(text=p, start=0, end=0, name=p, country=COUNTRIES[p]) for p in places)
        article = Article(text=text, title=f"Story {i}", published=published, source=source)
        result.append(Extraction(article, (statement,), found, (), topics))
    return result


def hostile_extraction(evil: str, words: str = "ceasefire talks failed") -> Extraction:
    """An article whose text, title, source, speaker and role all carry ``evil`` (markup to be escaped)."""
    text = f"{evil} said that {evil} {words}."
    start = text.index(evil, 5)
    statement = Statement(quote=text[start:-1], start=start, end=len(text) - 1, direct=True, speaker=Speaker(name=f"Mr {evil}", role=evil))
    return Extraction(Article(text=text, title=f"Title {evil}", source=f"Source {evil}"), (statement,))


WORDS = (
    "ceasefire talks peace war russia ukraine kyiv moscow drones missiles attack energy grid power "
    "sanctions aid military president minister said would could must never again today tomorrow "
    "border troops civilians shelling strike air defense nuclear plant talks negotiations mediation "
    "prisoners exchange humanitarian corridor grain deal ports black sea front line offensive "
    "winter summer spring autumn support weapons tanks artillery shells ammunition allies europe "
    "washington brussels berlin paris london warsaw kharkiv odesa zaporizhzhia donetsk luhansk crimea"
).split()
SPEAKERS = ("Dmitry Peskov", "Volodymyr Zelenskyy", "Jean-Noël Barrot", "Donald Trump", "Ukraine's air force", "Russian media", "analysts")
KINDS = ("statement", "warning", "claim", "denial", "appeal", "report")
PLACES = tuple(COUNTRIES)


def many_extractions(articles: int, per_article: int = 5, seed: int = 7) -> list[Extraction]:
    """A larger deterministic archive of made-up sentences over a small vocabulary with skewed word
    frequencies, so that words recur in many statements (long posting lists, many phrase candidates)."""
    import random

    rnd = random.Random(seed)
    weights = [1.0 / (rank + 1) for rank in range(len(WORDS))]
    result = []
    for a in range(articles):
        statements, text = [], f"Report {a}.\n"
        for _ in range(per_article):
            quote = " ".join(rnd.choices(WORDS, weights, k=rnd.randint(4, 14)))
            speaker = rnd.choice(SPEAKERS)
            text += f"{speaker} said that "
            start = len(text)
            text += quote + ".\n"
            day = f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            places = tuple(rnd.sample(PLACES, rnd.randint(0, 2)))
            statements.append(
                Statement(
                    quote=quote,
                    start=start,
                    end=start + len(quote),
                    direct=rnd.random() < 0.4,
                    speaker=Speaker(name=speaker, type="person", mention=speaker, start=0, end=len(speaker)),
                    cue="said",
                    kind=rnd.choice(KINDS),
                    date=DateRef(text="", start=None, end=None, value=day, precision="article", range_start=day, range_end=day),
                    places=places,
                )
            )
        found = tuple(Place(text=p, start=0, end=0, name=p, country=COUNTRIES[p]) for p in {p for s in statements for p in s.places})
        article = Article(text=text, title=f"Report {a}", published=date(2025, 1 + a % 12, 1 + a % 28), source=f"Wire {a % 3}")
        result.append(Extraction(article, tuple(statements), found, (), ()))
    return result
