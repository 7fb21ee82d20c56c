"""Place extraction: spotting, resolving, and the helpers the pipeline uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.extract.gazetteer import distance_km, gazetteer, key
from archive.extract.places import (
    PlaceIndex,
    _tokens,
    find_places,
    places_near,
    statement_location,
)
from archive.extract.sentences import Document
from archive.model import Place

DATA = Path(__file__).parent / "data" / "places"


def found(text: str) -> list[tuple[str, str, str | None]]:
    return [(p.text, p.name, p.country) for p in find_places(text)]


# text, expected (mention, canonical name, country) in order
CASES = [
    ("Talks with Ukraine resumed.", [("Ukraine", "Ukraine", "UA")]),
    ("Officials in Kiev and Kyiv agreed.", [("Kiev", "Kyiv", "UA"), ("Kyiv", "Kyiv", "UA")]),
    ("Shelling hit Kharkov, Zaporozhye and Odessa.", [("Kharkov", "Kharkiv", "UA"), ("Zaporozhye", "Zaporizhzhia", "UA"), ("Odessa", "Odesa", "UA")]),
    ("Strikes on Nikolaev continued.", [("Nikolaev", "Mykolaiv", "UA")]),
    (
        "Fighting in the Kursk region, the Kursk oblast and the Kursk Oblast.",
        [("Kursk region", "Kursk region", "RU"), ("Kursk oblast", "Kursk region", "RU"), ("Kursk Oblast", "Kursk region", "RU")],
    ),
    ("Troops left Bakhmut, Avdiivka and Vuhledar.", [("Bakhmut", "Bakhmut", "UA"), ("Avdiivka", "Avdiivka", "UA"), ("Vuhledar", "Vuhledar", "UA")]),
    ("Near Robotyne and Chasiv Yar.", [("Robotyne", "Robotyne", "UA"), ("Chasiv Yar", "Chasiv Yar", "UA")]),
    ("Negotiators from the U.S., the UK and France.", [("U.S.", "United States", "US"), ("UK", "United Kingdom", "GB"), ("France", "France", "FR")]),
    ("Washington may scale back its efforts.", [("Washington", "Washington, D.C.", "US")]),
    ("He urged Moscow to answer.", [("Moscow", "Moscow", "RU")]),
    # organisations, demonyms and people are not places
    ("Russian media claimed a capture; Ukrainian forces denied it.", []),
    ("The New York Times and the Washington Post reported it.", []),
    ("The Kremlin said so.", []),
    ("He was released on US$ 20,000 bail.", []),
    ("Fans of Georgia Tech cheered.", []),
    ("A speech by Mr. Paris drew applause.", []),
    ("Later, Michael Jordan spoke.", []),
    ("The plane was built by Air Canada.", []),
    ("In May the plan was set.", []),
    ("Nice work, he said, and nice weather too.", []),
    ("us and them", []),
    # disambiguation by what else the article names
    ("French diplomats met in Paris, France.", [("Paris", "Paris", "FR"), ("France", "France", "FR")]),
    ("He lives in Paris, Texas.", [("Paris", "Paris", "US"), ("Texas", "Texas", "US")]),
    ("Georgia and Atlanta officials met.", [("Georgia", "Georgia", "US"), ("Atlanta", "Atlanta", "US")]),
    ("Georgia said Tbilisi would not yield.", [("Georgia", "Georgia", "GE"), ("Tbilisi", "Tbilisi", "GE")]),
    ("CHARLESTON, W.Va. -- A storm hit S.C. today.", [("CHARLESTON", "Charleston", "US"), ("W.Va.", "West Virginia", "US"), ("S.C.", "South Carolina", "US")]),
    ("Schools in Gainesville, Ga., closed.", [("Gainesville", "Gainesville", "US"), ("Ga.", "Georgia", "US")]),
    ("The mayor of London, Ontario, spoke.", [("London", "London", "CA"), ("Ontario", "Ontario", "CA")]),
    ("Fighting near Jerusalem went on.", [("Jerusalem", "Jerusalem", "IL")]),
    # a minor town (1,000-4,999 people) only where the article is
    ("A Chiefland man was arrested.", []),
    ("A Chiefland man was arrested, Florida deputies said.", [("Chiefland", "Chiefland", "US"), ("Florida", "Florida", "US")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_find_places(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert found(text) == expected


# mention, point it must be within 100 km of
POINTS = [
    ("Kyiv", (50.45, 30.52)),
    ("Pokrovsk", (48.28, 37.18)),
    ("Sudzha", (51.19, 35.27)),
    ("Melitopol", (46.85, 35.38)),
    ("Paris", (48.85, 2.35)),
    ("London", (51.51, -0.13)),
    ("Texas", (31.0, -99.5)),
    ("Kursk region", (51.6, 36.1)),
    ("Ontario", (49.25, -84.5)),
    ("Hall County, Ga.", (34.3, -83.8)),
]


@pytest.mark.parametrize(("name", "point"), POINTS)
def test_coordinates(name: str, point: tuple[float, float]) -> None:
    place = find_places(f"Reports from {name} said so.")[0]
    assert place.lat is not None and place.lon is not None
    assert distance_km(place.lat, place.lon, *point) < 100


def test_offsets_are_str_indices_sorted_and_disjoint() -> None:
    text = (DATA / "frontline_report.txt").read_text(encoding="utf-8")
    places = find_places(text)
    assert places, "the report names places"
    for place in places:
        assert text[place.start : place.end] == place.text
    assert [p.start for p in places] == sorted(p.start for p in places)
    assert all(a.end <= b.start for a, b in zip(places, places[1:]))


def test_report_places() -> None:
    text = (DATA / "frontline_report.txt").read_text(encoding="utf-8")
    names = [p.name for p in find_places(text)]
    assert names == [
        "Kharkiv",
        "Pokrovsk",
        "Chasiv Yar",
        "Donetsk Oblast",
        "Kyiv",
        "Odesa",
        "Moscow",
        "Kursk region",
        "Sudzha",
        "United States",
        "United Kingdom",
        "Paris",
        "Washington, D.C.",
        "Zaporizhzhia",
    ]


def test_offsets_survive_astral_and_accented_text() -> None:
    text = "🙂 Les négociateurs à Zürich et à Kyiv."
    places = find_places(text)
    assert [(p.text, text[p.start : p.end]) for p in places] == [("Zürich", "Zürich"), ("Kyiv", "Kyiv")]


def test_places_near() -> None:
    places = [
        Place("Kyiv", 0, 4, "Kyiv"),
        Place("Kiev", 10, 14, "Kyiv"),
        Place("Paris", 20, 25, "Paris"),
        Place("London", 40, 46, "London"),
    ]
    assert places_near(places, 0, 30) == ["Kyiv", "Paris"]
    assert places_near(places, 5, 40) == ["Kyiv", "Paris"]
    assert places_near(places, 41, 50) == []


def test_statement_location() -> None:
    text = (
        "These discussions follow a meeting in Paris last week, where French Foreign Minister "
        "Jean-Noel Barrot voiced skepticism over the Kremlin's intentions toward Ukraine."
    )
    places = find_places(text)
    start = text.index("voiced")
    assert statement_location(text, start, len(text), places) == "Paris"
    assert statement_location("Ukraine said no.", 0, 16, find_places("Ukraine said no.")) is None


INDEX_TEXT = (
    "Talks in Paris opened.\nAt a summit in Geneva, Macron said the meeting in Kyiv and the visit to Lviv "
    "would go ahead; officials in Kiev agreed.\nShelling hit Kharkiv, he said in London."
)


@pytest.mark.parametrize(
    "places",
    [
        find_places(INDEX_TEXT),
        list(reversed(find_places(INDEX_TEXT))),  # not sorted: the index keeps the caller's order
        [Place("Kyiv", 5, 9, "Kyiv", kind="city"), Place("Kiev", 5, 9, "Kyiv", kind="city"), Place("X", 3, 3, "X")],
    ],
)
def test_place_index_agrees_with_the_scans(places: list[Place]) -> None:
    index = PlaceIndex(INDEX_TEXT, places)
    n = len(INDEX_TEXT)
    for start in range(0, n + 1, 3):
        for end in range(start, n + 1, 7):
            assert index.near(start, end) == places_near(places, start, end)
            assert index.location(start, end) == statement_location(INDEX_TEXT, start, end, places)


@pytest.mark.parametrize(
    "text",
    [
        "Kyiv and KYIV, Zürich—Łódź; İstanbul’s “Köln” 2025 x_y",
        "plain ascii text, with U.S. places: Paris, Texas.",
        "İİİ Kyiv",
        "al-Qudra’s U.S.A.-backed U.S.Army _x__y e\u0301te rock-’n’-roll 3.5km ²³",
        "",
    ],
)
def test_tokens_fold_like_the_gazetteer(text: str) -> None:
    import re

    spans = [m.span() for m in re.finditer(r"[^\W_]+", text)]
    tokens, folded, capitals = _tokens(text, Document(text))
    assert (tokens, folded) == (spans, [key(text[s:e]) for s, e in spans])
    assert capitals == [k for k, (s, _) in enumerate(spans) if text[s].isupper()]


def test_gazetteer_is_built_once() -> None:
    assert gazetteer() is gazetteer()


def test_key_matches_accents_and_punctuation() -> None:
    assert key("Zaporizhzhia") == key("ZAPORIZHZHIA")
    assert key("Côte d’Ivoire") == "cote d ivoire"
    assert key("U.S.") == "u s"


SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev" / "seed"


@pytest.mark.eval
@pytest.mark.skipif(not SHARED.exists(), reason="shared gold sets not present")
def test_seed_gold_places_all_found() -> None:
    gold = json.loads((SHARED / "gold.jsonl").read_text(encoding="utf-8").splitlines()[0])
    raw = (SHARED / gold["file"]).read_text(encoding="utf-8")
    body = raw[raw.index("\n---\n", 3) + 5 :]
    predicted = find_places(body)
    for item in gold["places"]:
        if item.get("optional"):
            continue
        hits = [p for p in predicted if p.start < item["end"] and item["start"] < p.end]
        assert hits and hits[0].country == item["country"], item
    required = [g for g in gold["places"] if not g.get("optional")]
    assert len(predicted) <= len(required) + 1


def test_home_state_picks_the_local_namesake() -> None:
    text = "Huntsville police and Walker County deputies searched the area, Texas officials said."
    places = {p.text: p for p in find_places(text)}
    assert places["Huntsville"].lat is not None and places["Walker County"].lat is not None
    assert distance_km(places["Huntsville"].lat, places["Huntsville"].lon, 30.72, -95.55) < 50
    assert distance_km(places["Walker County"].lat, places["Walker County"].lon, 30.74, -95.57) < 50


# ---------------------------------------------------------------- named local features

# text, expected (mention, kind) of the features; gazetteer places are left out here
FEATURES = [
    ("Water was cut between Shamrock Street and the levee.", [("Shamrock Street", "site")]),
    ("The crash was at North Nokomis Street and Darling Avenue.", [("North Nokomis Street", "site"), ("Darling Avenue", "site")]),
    ("The meeting is at City Hall, 1200 E. Broad St. on Monday.", [("E. Broad St.", "site")]),
    (
        "Crews closed Talmadge Drive between Pine Needle Drive and Sylvan Road.",
        [("Talmadge Drive", "site"), ("Pine Needle Drive", "site"), ("Sylvan Road", "site")],
    ),
    ("The Kanawha River rose as boats crossed Lake Lanier.", [("Kanawha River", "site"), ("Lake Lanier", "site")]),
    ("Hikers love the Monongahela National Forest.", [("Monongahela National Forest", "site")]),
    ("Lights went out between Fourth and Seventh streets.", [("Fourth", "site"), ("Seventh", "site")]),
    # a person, a school, an association and a word at a sentence start are no street
    ("The driver, Virginia L. Lane, 77, was hurt.", []),
    ("Pupils at Pleasant Lane School won.", []),
    ("The Upper King Street Neighborhood Association met.", []),
    ("Lane closures continue.", []),
]


@pytest.mark.parametrize(("text", "expected"), FEATURES)
def test_features(text: str, expected: list[tuple[str, str]]) -> None:
    sites = [(p.text, p.kind) for p in find_places(text) if p.lat is None]
    assert sites == expected
    for place in find_places(text):
        assert text[place.start : place.end] == place.text


def test_a_feature_covers_the_town_in_its_name_and_a_town_covers_its_feature() -> None:
    assert found("A fire on Dublin Road spread.") == [("Dublin Road", "Dublin Road", None)]
    assert [(p.text, p.kind) for p in find_places("Flooding hit Lake Charles, Louisiana.")] == [
        ("Lake Charles", "city"),
        ("Louisiana", "state"),
    ]


def test_feature_takes_the_articles_country() -> None:
    text = "Police in Alexandria, Va., and Arlington, Va., closed Cooper Street."
    street = [p for p in find_places(text) if p.text == "Cooper Street"]
    assert street and street[0].country == "US" and street[0].lat is None


def test_listed_counties_are_resolved_as_counties() -> None:
    text = "School boards in Barrow, Jackson and Madison counties near Athens, Ga., cut jobs."
    places = {p.text: p for p in find_places(text)}
    assert [places[n].name for n in ("Barrow", "Jackson", "Madison")] == ["Barrow County", "Jackson County", "Madison County"]
    for name in ("Barrow", "Jackson", "Madison"):
        assert places[name].kind == "county" and places[name].lat is not None
        assert distance_km(places[name].lat, places[name].lon, 34.1, -83.5) < 80  # north-east Georgia


# ---------------------------------------------------------------- cues that a weak name is a place

CUED = [
    # a dateline keeps a small town with no other support
    ("Man held in theft. CROMWELL — Police arrested a man on Tuesday.", "CROMWELL"),
    # "in" before a name
    ("A man was stabbed in Chiefland on Saturday night.", "Chiefland"),
    # a legislator's home town
    ("Sen. Bill Ingebrigtsen, R-Alexandria, spoke.", "Alexandria"),
]


@pytest.mark.parametrize(("text", "mention"), CUED)
def test_cued_weak_names_are_kept(text: str, mention: str) -> None:
    assert mention in [p.text for p in find_places(text)]


def test_possessive_after_at_is_a_business() -> None:
    assert found("A fundraiser will be held at Culver’s next week.") == []


def test_local_public_bodies_keep_their_place() -> None:
    assert [p.name for p in find_places("He graduated from Paris High School in Paris, Ill.")][:1] == ["Paris"]
    assert "Georgia" in [p.name for p in find_places("The Georgia Bureau of Investigation took the case.")]
    assert found("Putin leads United Russia.") == []


def test_county_abbreviation() -> None:
    place = find_places("Deputies in Loudon Co. arrested him, Tennessee officials said.")[0]
    assert (place.text, place.name, place.kind, place.country) == ("Loudon Co", "Loudon County", "county", "US")
    assert distance_km(place.lat, place.lon, 35.7, -84.3) < 60


def test_british_and_irish_counties() -> None:
    places = found("Bird flu was found on a farm in Suffolk, England.")
    assert places[0] == ("Suffolk", "Suffolk", "GB")
    assert ("Clare", "Clare", "IE") in found("Births in County Clare, Ireland, rose.") + found("Births in Clare, Ireland, rose.")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("reading is fun", "reading"),
        ("Reading, then proofreading", "reading"),
        ("a reading_list", "reading"),
        ("readings", "reading"),
        ("x reading2", "reading"),
        ("¹reading", "reading"),
        ("st. louis", "st."),
        ("", "a"),
        ("aaa", "aa"),
        ("aa aaa", "aa"),
    ],
)
def test_words_in_text_as_the_regex_finds_them(text: str, word: str) -> None:
    import re

    from archive.extract.places import _WholeWords

    assert (word in _WholeWords(text)) == (re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None)


def test_listed_units_with_and_without_a_serial_comma() -> None:
    from archive.extract.place_features import find_features

    for text in ("Barrow, Jackson and Madison counties voted.", "Barrow, Jackson, and Madison counties voted."):
        units = [(f.name, f.unit) for f in find_features(text)]
        assert units == [("Barrow County", "barrow county"), ("Jackson County", "jackson county"), ("Madison County", "madison county")], text


# Places in context (issue 12): sentences of the shapes conflict news uses; text, expected (mention, name, kind, country)
IN_CONTEXT = [
    # a country's name is the country unless the article names places in a US state
    (
        "Russia fought a war with Georgia in 2008, and the United States warned Moscow, Washington said.",
        [
            ("Russia", "Russia", "country", "RU"),
            ("Georgia", "Georgia", "country", "GE"),
            ("United States", "United States", "country", "US"),
            ("Moscow", "Moscow", "city", "RU"),
            ("Washington", "Washington, D.C.", "city", "US"),
        ],
    ),
    ("Voters in Atlanta, Georgia, queued for hours.", [("Atlanta", "Atlanta", "city", "US"), ("Georgia", "Georgia", "state", "US")]),
    # the first or last word of a person's name is no place
    ("Russian President Vladimir Putin spoke to Vladimir Zelensky.", []),
    ("Vladimir Rogov, an official of the Zaporizhzhia region, said on Friday.", [("Zaporizhzhia region", "Zaporizhzhia Oblast", "region", "UA")]),
    ("Officials in Vladimir, east of Moscow, said.", [("Vladimir", "Vladimir", "city", "RU"), ("Moscow", "Moscow", "city", "RU")]),
    # waters named after a place are the waters
    (
        "A missile hit a ship in the Gulf of Aden, east of Aden, Yemen.",
        [("Gulf of Aden", "Gulf of Aden", "sea", None), ("Aden", "Aden", "city", "YE"), ("Yemen", "Yemen", "country", "YE")],
    ),
    ("Ships crossed the Bab el-Mandeb into the Sea of Azov.", [("Bab el-Mandeb", "Bab el-Mandeb", "sea", None), ("Sea of Azov", "Sea of Azov", "sea", None)]),
    # districts and camps of conflict cities, with their city
    (
        "Strikes hit Shejaia and Zeitoun in Gaza City and the Al-Shati camp.",
        [
            ("Shejaia", "Shejaia", "district", "PS"),
            ("Zeitoun", "Zeitoun", "district", "PS"),
            ("Gaza City", "Gaza", "city", "PS"),
            ("Al-Shati camp", "Al-Shati camp", "camp", "PS"),
        ],
    ),
    (
        "Tanks entered Rafah's Tal al-Sultan and the Jabalia refugee camp.",
        [("Rafah", "Rafah", "city", "PS"), ("Tal al-Sultan", "Tal al-Sultan", "district", "PS"), ("Jabalia refugee camp", "Jabalia camp", "camp", "PS")],
    ),
    (
        "The RSF shelled Zamzam camp near al-Fashir, also spelled El Fasher.",
        [("Zamzam camp", "Zamzam camp", "camp", "SD"), ("al-Fashir", "El Fasher", "city", "SD"), ("El Fasher", "El Fasher", "city", "SD")],
    ),
    # provinces with the word news puts after them; datelines in capitals
    (
        "Clashes in the Tigray region, Rakhine State and North Kivu province.",
        [("Tigray region", "Tigray", "region", "ET"), ("Rakhine State", "Rakhine", "region", "MM"), ("North Kivu province", "North Kivu", "region", "CD")],
    ),
    ("GOMA, Congo (AP) — Rebels advanced.", [("GOMA", "Goma", "city", "CD"), ("Congo", "Democratic Republic of the Congo", "country", "CD")]),
    ("KYIV : Russia launched drones.", [("KYIV", "Kyiv", "city", "UA"), ("Russia", "Russia", "country", "RU")]),
    ("IT staff and the MAN group met.", []),
]


@pytest.mark.parametrize(("text", "expected"), IN_CONTEXT)
def test_places_in_context(text: str, expected: list[tuple[str, str, str, str | None]]) -> None:
    assert [(p.text, p.name, p.kind, p.country) for p in find_places(text)] == expected


def test_a_district_is_placed_with_its_city() -> None:
    (shejaia, gaza) = find_places("Shejaia, in Gaza City, was shelled.")
    assert distance_km(shejaia.lat, shejaia.lon, gaza.lat, gaza.lon) < 10


# places found by their shape: text, expected (mention, kind)
SHAPED = [
    ("Fighting in the Hamidai area and the Dallas area.", [("Dallas", "city")]),  # "-i": read as a demonym
    ("Fighting in the Tamboura area went on.", [("Tamboura area", "site")]),
    ("Rebels took the village of Nyanzale and the town of Merawi.", [("Nyanzale", "village"), ("Merawi", "city")]),
    ("Troops neared Ge Laung and Lone Kauk villages.", [("Ge Laung", "village"), ("Lone Kauk", "village")]),
    ("The army held the Paletwa township and the Lachin corridor.", [("Paletwa township", "region"), ("Lachin corridor", "site")]),
    ("A Druze village and the Israeli area; the Trump camp.", []),
    ("School district officials met. Many area cities closed.", []),
    ("The AA took Rakhine State’s Buthidaung Township.", [("Rakhine State", "region"), ("Buthidaung Township", "region")]),
]


@pytest.mark.parametrize(("text", "expected"), SHAPED)
def test_places_found_by_their_shape(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(p.text, p.kind) for p in find_places(text)] == expected


def test_a_name_called_a_village_once_is_a_place_wherever_it_is_said() -> None:
    text = "The seizure of Nyanzale came after days of fighting. The village of Nyanzale emptied. Nyanzaleans fled."
    second = text.index("Nyanzale", 20)
    assert [(p.text, p.start) for p in find_places(text)] == [("Nyanzale", 15), ("Nyanzale", second)]


def test_a_weak_name_the_resolver_drops_leaves_its_place_to_the_feature_around_it() -> None:
    # "Qayrawan" is an alternate name of Kairouan (Tunisia), too weak to stand here; the village stays
    text = "The attack took place in Hasaka province’s al-Qayrawan village, killing two."
    assert [(p.text, p.kind) for p in find_places(text)] == [("Hasaka province", "region"), ("al-Qayrawan village", "village")]
