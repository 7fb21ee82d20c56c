"""Topic tagging from the TOML lexicons, and user lexicons that extend them."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.extract.topics import find_topics, load_lexicon, term_pattern

BASE_TOPICS = [
    "ceasefire",
    "negotiations",
    "mediation",
    "civilian-infrastructure",
    "air-strikes",
    "air-defense",
    "territory",
    "casualties",
    "humanitarian",
    "prisoners",
    "sanctions",
    "military-aid",
    "energy",
    "nuclear",
]

CASES = [
    ("Both sides agreed to a 30-day truce.", ["ceasefire"]),
    ("A cease fire was announced.", ["ceasefire"]),
    ("Negotiators met for a second round of talks.", ["negotiations"]),
    ("Washington may scale back its mediation efforts.", ["mediation"]),
    ("Turkey offered to mediate between the two.", ["mediation"]),
    ("Strikes on civilian infrastructure continued.", ["civilian-infrastructure"]),
    ("Russia launched missile strikes and 54 drones.", ["air-strikes"]),
    ("The strain on air defense systems grew.", ["air-defense"]),
    ("Russian media claimed the capture of the monastery.", ["territory"]),
    ("At least 12 people were killed and 30 wounded.", ["casualties"]),
    ("Refugees were evacuated along a humanitarian corridor.", ["humanitarian"]),
    ("The sides completed a prisoner exchange.", ["prisoners"]),
    ("The EU adopted new sanctions on oil.", ["sanctions", "energy"]),
    ("A new military aid package includes ammunition.", ["military-aid"]),
    ("Blackouts hit the power grid.", ["energy"]),
    ("The IAEA warned about the Zaporizhzhia nuclear plant.", ["nuclear"]),
    # inflections of the last word, and no partial-word matches
    ("Universities and facilities were hit: civilian facilities.", ["civilian-infrastructure"]),
    ("They are negotiating; they negotiated before.", ["negotiations"]),
    ("According to officials, trade deals with neighbours stalled.", []),
    ("Police used tear gas on protesters.", []),
    ("The dentist's killer app", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] or "empty" for c in CASES])
def test_find_topics(text: str, expected: list[str]) -> None:
    assert find_topics(text) == expected


def test_builtin_taxonomy_is_the_design_one() -> None:
    assert load_lexicon().names == BASE_TOPICS


def test_seed_article_topics() -> None:
    seed = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev" / "seed" / "docs"
    paths = sorted(seed.glob("*.txt"))
    if not paths:
        pytest.skip("seed article not available")
    text = paths[0].read_text(encoding="utf-8")
    # the gold's six topics, plus air-defense ("strain on air defense systems")
    assert find_topics(text) == ["ceasefire", "negotiations", "mediation", "civilian-infrastructure", "air-strikes", "air-defense", "territory"]


def test_user_lexicon_adds_terms_and_topics(tmp_path: Path) -> None:
    extra = tmp_path / "topics.toml"
    extra.write_text(
        '[ceasefire]\nterms = ["quiet period"]\n\n[elections]\nterms = ["ballot", "polling station*"]\n',
        encoding="utf-8",
    )
    lexicon = load_lexicon(extra)
    assert lexicon.names == BASE_TOPICS + ["elections"]
    assert find_topics("A quiet period began; polling stations opened.", lexicon) == ["ceasefire", "elections"]
    assert find_topics("A truce held.", lexicon) == ["ceasefire"]  # built-in terms kept
    assert find_topics("A quiet period began.") == []  # the built-in lexicon is unchanged


def test_user_lexicon_can_replace_a_topic(tmp_path: Path) -> None:
    extra = tmp_path / "topics.toml"
    extra.write_text('[energy]\nreplace = true\nterms = ["hydrogen"]\n', encoding="utf-8")
    lexicon = load_lexicon(extra)
    assert find_topics("Oil and electricity prices rose.", lexicon) == []
    assert find_topics("A hydrogen plant opened.", lexicon) == ["energy"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[energy\nterms = 1", "not valid TOML"),
        ('[energy]\nterms = "oil"', "'terms' must be a list of strings"),
        ('energy = "oil"', "must be a table"),
        ('[energy]\nterms = ["oil"]\nreplace = "yes"', "'replace' must be true or false"),
    ],
)
def test_bad_user_lexicon_names_the_file(tmp_path: Path, content: str, message: str) -> None:
    extra = tmp_path / "bad.toml"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as error:
        load_lexicon(extra)
    assert "bad.toml" in str(error.value)


def test_missing_user_lexicon(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="could not read topic lexicon"):
        load_lexicon(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("term", "text", "hit"),
    [
        ("air strike", "two airstrikes", True),
        ("air strike", "air-strikes", True),
        ("negotiat*", "negotiators", True),
        ("facility", "facilities", True),
        ("strike", "strikers", False),
        ("oil", "turmoil", False),
    ],
)
def test_term_pattern(term: str, text: str, hit: bool) -> None:
    pattern = term_pattern([term])
    assert pattern is not None
    assert bool(pattern.search(text)) is hit


def test_home_topics_file_extends_the_pipeline(tmp_path):
    from archive.extract.data import use_home
    from archive.extract.pipeline import extract
    from archive.model import Article

    (tmp_path / "topics.toml").write_text('[cyber]\nterms = ["hackers", "cyberattack"]\n', encoding="utf-8")
    article = Article(text="Officials said hackers disrupted the grid in a cyberattack.")
    try:
        use_home(tmp_path)
        assert "cyber" in extract(article).topics
    finally:
        use_home("")
    assert "cyber" not in extract(article).topics


def _reference(lexicon, text: str) -> dict[str, list[tuple[int, int]]]:
    """What ``TopicLexicon.matches`` gives, the slow way: every topic's pattern over the whole text."""
    found = {}
    for topic in lexicon.topics:
        pattern, exclude = term_pattern(topic.terms), term_pattern(topic.exclude)
        if pattern is None:
            continue
        blocked = [m.span() for m in exclude.finditer(text)] if exclude else []
        spans = [m.span() for m in pattern.finditer(text) if not any(a < m.end() and m.start() < b for a, b in blocked)]
        if spans:
            found[topic.name] = spans
    return found


@pytest.mark.parametrize(
    "text",
    [
        "A CEASE-FIRE, a cease  fire and ceasefires; humanitarian pause. A great deal, a deal with them, deals.",
        "Drone and missile defense; zaporizhzhia nuclear plant. S-300 and s 300, F-16s; children's hospital.",
        "İran and ſanctions: the Oil embargo; tear gas, oil painting; de-escalation; in advance of the advance.",
        "#ceasefire 'truce' e eing y-x x-y; negotiating, facilities",
        "",
    ],
)
def test_matches_equal_the_slow_scan(tmp_path: Path, text: str) -> None:
    extra = tmp_path / "odd.toml"
    extra.write_text('[tags]\nterms = ["#ceasefire", "\'truce\'", "e", "y-x", "x*", "s 300"]\nexclude = ["-y"]\n', encoding="utf-8")
    for lexicon in (load_lexicon(), load_lexicon(extra)):
        assert lexicon.matches(text) == _reference(lexicon, text)
