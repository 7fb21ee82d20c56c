"""Who the speaker is: the mention's own entity, compatible antecedents, no places or channels in the
facet, anonymous sources, names from every region, roles from appositives, calibrated confidence.

Sentences are written for these tests in the shapes of conflict wire copy (issue #12)."""

from __future__ import annotations

import pytest

from archive.extract.actors import _name_key, actors, anonymous_source, outlet
from archive.extract.confidence import calibrated
from archive.extract.found import Found
from archive.extract.pipeline import extract
from archive.extract.speakers import Mention, describe_role
from archive.model import Article, Statement, confidence_band, name_key


def statements(text: str) -> list[Statement]:
    return list(extract(Article(text=text)).statements)


def speaker_of(text: str, words: str) -> dict | None:
    """The speaker of the statement whose quote contains ``words``."""
    hits = [s for s in statements(text) if words in s.quote]
    assert hits, f"no statement quoting {words!r} in {[s.quote for s in statements(text)]}"
    return hits[0].speaker.as_dict() if hits[0].speaker else None


# ---------------------------------------------------------------- 2. the mention's own entity

ORGANISATIONS = [
    # (text, words of the quote, expected name)
    (
        "Gaza's Health Ministry said 40 people were killed overnight. The Israeli military said it struck "
        "militant targets. The ministry said the dead included 12 children.",
        "the dead included",
        "Gaza's Health Ministry",
    ),
    (
        "The Israeli military said it had struck a Hamas command centre. Hamas denied that any fighters were "
        "there. The army said the strike was precise and targeted.",
        "the strike was precise",
        "Israeli military",
    ),
    (
        "Hezbollah fired rockets at northern Israel. The Lebanese health ministry said an Israeli strike hit the village of Kfarjouz near Nabatieh.",
        "an Israeli strike hit",
        "Lebanese health ministry",
    ),
    (
        "The Sudan Doctors Network condemned the RSF for the shelling, saying the attack killed 20 people in the market.",
        "the attack killed",
        "Sudan Doctors Network",
    ),
]


@pytest.mark.parametrize(("text", "words", "name"), ORGANISATIONS)
def test_a_description_resolves_to_an_organisation_of_its_kind(text, words, name):
    assert speaker_of(text, words)["name"] == name


def test_the_accused_party_is_never_the_speaker():
    text = "Kyiv accused Russia of shelling the plant. Moscow denied that its forces had fired on the site."
    assert speaker_of(text, "its forces had fired")["name"] == "Moscow"
    assert speaker_of(text, "its forces had fired")["type"] == "organization"


# ---------------------------------------------------------------- 3. compatible antecedents

PRONOUNS = [
    (
        "Governor Serhiy Lysak visited the damaged block in Dnipro on Monday. He said five people had died and 39 were wounded.",
        "five people had died",
        "Serhiy Lysak",
    ),
    ("Marina Ovsyannikova spoke to reporters outside the court in Moscow. She said she would appeal the ruling.", "she would appeal", "Marina Ovsyannikova"),
    (
        "The Syrian Democratic Forces said two fighters were killed in Hasaka, Reuters reported. It said a Turkish drone had hit their car.",
        "a Turkish drone had hit",
        "Syrian Democratic Forces",
    ),
    ("President Joe Biden spoke with Ukrainians at the embassy. He said more air defences would be sent within weeks.", "more air defences", "Joe Biden"),
]


@pytest.mark.parametrize(("text", "words", "name"), PRONOUNS)
def test_a_pronoun_resolves_to_a_compatible_antecedent(text, words, name):
    assert speaker_of(text, words)["name"] == name


def test_a_name_met_only_inside_reported_content_is_a_poor_antecedent():
    text = "Don Fowler said the party needed a contingency plan. Replacing the nominee would lead to lobbying by Joe Biden and Bernie Sanders, he said."
    assert speaker_of(text, "lobbying by")["name"] == "Don Fowler"


def test_the_spokesman_is_the_person_introduced_with_that_role():
    text = "Military spokesman Nabil Abdullah said the drones hit fuel depots. The spokesman said the air defences shot down most of them."
    assert speaker_of(text, "shot down most")["name"] == "Nabil Abdullah"


def test_an_unresolved_pronoun_is_no_facet_value():
    assert speaker_of("He said the talks would resume on Monday in Doha.", "talks would resume") is None


# ---------------------------------------------------------------- 4. no non-speakers

NOT_SPEAKERS = [
    (
        "ERBIL, Kurdistan Region - The Kurdish-led Syrian Democratic Forces (SDF) on Friday announced that two of its fighters were killed by a Turkish drone.",
        "two of its fighters",
        "Syrian Democratic Forces",
    ),
    ("Rep. Joe Kennedy (D-Mass.) said the bill was a disgrace to the nation.", "a disgrace", "Joe Kennedy"),
    ("Details aside, the plan would raise $1.1 trillion over a decade, Mr. Kamin said.", "the plan would raise", "Kamin"),
]


@pytest.mark.parametrize(("text", "words", "name"), NOT_SPEAKERS)
def test_datelines_places_and_common_words_are_no_speakers(text, words, name):
    assert name in speaker_of(text, words)["name"]


def test_a_capital_speaks_for_its_government():
    spk = speaker_of("Kinshasa claimed the presence of Rwandan forces in the city of Goma.", "the presence of")
    assert (spk["name"], spk["type"]) == ("Kinshasa", "organization")


@pytest.mark.parametrize("name", ["Reuters", "Al Arabiya TV", "X", "Telegram", "media", "the BBC"])
def test_outlets_and_platforms_are_known(name):
    assert outlet(name)


@pytest.mark.parametrize("name", ["Ukraine", "Hamas", "Volodymyr Zelensky", "Syrian Democratic Forces"])
def test_speakers_are_no_outlets(name):
    assert not outlet(name)


# ---------------------------------------------------------------- 6. anonymous sources


@pytest.mark.parametrize(
    ("description", "anonymous"),
    [
        ("a security source", True),
        ("a source close to Hezbollah", True),
        ("two diplomats familiar with the talks", True),
        ("a senior official", True),
        ("security sources", True),
        ("the ministry", False),
        ("President Joe Biden", False),
    ],
)
def test_anonymous_sources_are_recognised(description, anonymous):
    assert anonymous_source(description) is anonymous


def test_an_anonymous_source_is_a_speaker_of_its_own_type():
    spk = speaker_of("A security source told AFP that 12 soldiers were killed in the ambush.", "12 soldiers")
    assert spk["type"] == "anonymous"
    assert "source" in spk["name"]


# ---------------------------------------------------------------- 7. names from every region

NAMES = [
    ("Ashraf al-Qudra, spokesman of the ministry, said 12 people died in the strike.", "12 people died", "Ashraf al-Qudra"),
    ("Hayat Tahrir al-Sham said it had taken the city of Aleppo within a day.", "taken the city", "Hayat Tahrir al-Sham"),
    ("Sudan army chief Abdel Fattah al-Burhan said the war would go on until victory.", "the war would go on", "Abdel Fattah al-Burhan"),
    ("Mohamed Hamdan Dagalo said his forces would withdraw from the capital.", "his forces would withdraw", "Mohamed Hamdan Dagalo"),
    ("Mayor Bill de Blasio said there was no link to terrorism at all.", "no link to terrorism", "Bill de Blasio"),
]


@pytest.mark.parametrize(("text", "words", "name"), NAMES)
def test_names_keep_their_particles(text, words, name):
    assert speaker_of(text, words)["name"] == name


def test_a_nickname_shows_the_actors_name():
    spk = speaker_of("Hemedti said his fighters had taken the airport in El Fasher.", "taken the airport")
    assert spk["name"] == "Mohamed Hamdan Dagalo"
    assert spk["type"] == "person"


def test_transliterations_are_one_speaker():
    text = "Houthi military spokesman Yahya Sarea said the group fired missiles at Eilat. Saree said further attacks would follow."
    assert speaker_of(text, "further attacks")["name"] == "Yahya Sarea"
    assert actors().find("Sare'e") is actors().find("Yehya Sarea") is not None


@pytest.mark.parametrize("variant", ["Zelensky", "Zelenskyy", "Zelenskiy"])
def test_spelling_variants_find_one_actor(variant):
    assert actors().find(variant).name == "Volodymyr Zelensky"


# ---------------------------------------------------------------- 8. roles from appositives

ROLES = [
    (
        "Eduard Basurin, a senior rebel commander, said the ceasefire was holding along the front.",
        "the ceasefire was holding",
        "Eduard Basurin",
        "senior rebel commander",
    ),
    (
        "Ibrahim Khatir, the director-general of the North Darfur State Health Ministry, said the hospital was out of fuel.",
        "the hospital was",
        "Ibrahim Khatir",
        "director-general of the North Darfur State Health Ministry",
    ),
    (
        "“The morning has not been good for us,” Serhiy Lysak, governor of Dnipropetrovsk region, said.",
        "The morning",
        "Serhiy Lysak",
        "governor of Dnipropetrovsk region",
    ),
]


@pytest.mark.parametrize(("text", "words", "name", "role"), ROLES)
def test_roles_come_from_appositives(text, words, name, role):
    spk = speaker_of(text, words)
    assert (spk["name"], spk["role"]) == (name, role)


@pytest.mark.parametrize(
    ("phrase", "role"),
    [
        ("a senior rebel commander", "senior rebel commander"),
        ("the manager of a cafe that was hit", "manager of a cafe that was hit"),
        ("who has four children", None),
        ("of the ministry", None),
        ("", None),
        ("Russia", None),
    ],
)
def test_describe_role(phrase, role):
    assert describe_role(phrase) == role


# ---------------------------------------------------------------- 13. calibrated confidence


def _found(conf: float) -> Found:
    return Found(0, 10, True, confidence=conf)


NAME = Mention(0, 5, "Peskov", "Peskov", None, "person", "name")
PRONOUN = Mention(0, 2, "he", "he", None, "person", "pronoun", "male")


@pytest.mark.parametrize(
    ("quote", "mention", "typ", "most"),
    [
        ("a long statement of more than eight words in all of it", NAME, "person", 0.9),
        ("deplorables", NAME, "person", 0.45),
        ("a short one of six words", NAME, "person", 0.7),
        ("a long statement of more than eight words in all of it", PRONOUN, "person", 0.75),
        ("a long statement of more than eight words in all of it", None, None, 0.6),
        ("a long statement of more than eight words in all of it", NAME, "unknown", 0.7),
    ],
)
def test_confidence_is_capped_where_attributions_go_wrong(quote, mention, typ, most):
    assert calibrated(_found(0.9), quote, mention, typ) == most


@pytest.mark.parametrize(("value", "band"), [(1.0, "high"), (0.8, "high"), (0.7999, "medium"), (0.6, "medium"), (0.5999, "low"), (0.0, "low")])
def test_confidence_bands_split_at_the_calibrated_bounds(value, band):
    assert confidence_band(value) == band
    assert Statement("q", 0, 1, True, confidence=value).confidence_band == band


def test_every_actor_has_a_known_type():
    assert len(actors()) > 20
    for key in ("hemedti", "jolani", "zelenskiy", "rsf", "hts"):
        actor = actors().find(key)
        assert actor is not None, key
        assert actor.type in ("person", "organization", "group")


# ---------------------------------------------------------------- more shapes of wire copy


def test_a_participle_speaks_for_the_nearest_subject():
    text = (
        "Israel carried out its latest strikes after influential Druze Sheikh Hikmat Al-Hajjri issued a "
        "statement accusing government troops of breaching a ceasefire and urging fighters to confront "
        "the attack."
    )
    assert speaker_of(text, "fighters to confront")["name"] == "Hikmat Al-Hajjri"


def test_a_quotation_continues_the_speaker_of_the_sentence_before():
    text = (
        "Nikol Pashinyan spoke at the cabinet meeting. He noted that Azerbaijan explains this with the "
        "transport of military cargo. “This information does not correspond to reality,” he added."
    )
    assert speaker_of(text, "does not correspond")["name"] == "Nikol Pashinyan"


def test_a_post_resolves_to_its_listed_holder_named_in_the_article():
    text = "Azerbaijan’s president said the operation would end if the separatists lay down their arms. Ilham Aliyev spoke in a televised address."
    spk = speaker_of(text, "the operation would end")
    assert (spk["name"], spk["mention"]) == ("Ilham Aliyev", "Azerbaijan’s president")


def test_signatures_and_transcript_labels_name_the_speaker():
    text = (
        "“Trump must stop portraying Latinos as gangsters when most of us work hard.” ― Carla Sanchez\n"
        "“Donald Trump scares me. Hearing him talk makes me fearful.” ― Krystal Correa\n\n"
        '"WALLACE: Will she be at the debate tomorrow night, governor?\n'
        "PENCE: She will be there, Chris.\n"
    )
    assert speaker_of(text, "portraying Latinos")["name"] == "Carla Sanchez"
    assert speaker_of(text, "scares me")["name"] == "Krystal Correa"
    assert speaker_of(text, "at the debate")["name"] == "Wallace"


def test_a_building_is_never_he():
    text = "Prime Minister Lee Hsien Loong greeted the first A380 at Changi International Airport. He said that the landing was a milestone for the city."
    assert speaker_of(text, "the landing was a milestone")["name"] == "Lee Hsien Loong"


def test_users_add_actors_in_their_home_folder(tmp_path):
    from archive.extract.data import home_folder, use_home

    (tmp_path / "actors.toml").write_text(
        '[[actor]]\nname = "Hassan Abu Khalil"\naliases = ["Abu Harb"]\ntype = "person"\n'
        'roles = [{ title = "commander of the Northern Brigade", since = 2021 }]\n',
        encoding="utf-8",
    )
    before = home_folder()
    use_home(tmp_path)
    try:
        spk = speaker_of("Abu Harb said the brigade would hold the bridge.", "would hold")
        assert (spk["name"], spk["role"]) == ("Hassan Abu Khalil", "commander of the Northern Brigade")
    finally:
        use_home(before)
    assert actors().find("Abu Harb") is None


def test_the_speaker_is_the_phrase_a_prepositional_phrase_hangs_on():
    text = "Developers and supporters in Congress say the program has brought billions of dollars to poor areas."
    assert speaker_of(text, "the program has brought")["name"] == "Developers"


def test_an_appositive_may_go_on_with_a_relative_clause():
    text = "“It is an invasion of the state regulatory domain,” Scott Pruitt, the attorney general of Oklahoma, who is suing the agency, said on Tuesday."
    spk = speaker_of(text, "an invasion")
    assert (spk["name"], spk["role"]) == ("Scott Pruitt", "attorney general of Oklahoma")


@pytest.mark.parametrize(
    ("text", "words", "name"),
    [
        ("The Syrian Observatory for Human Rights said 11 fighters were killed in the strikes.", "11 fighters", "Syrian Observatory for Human Rights"),
        (
            "The Committee for a Responsible Federal Budget reported that the plans would cost $150 billion.",
            "the plans would cost",
            "Committee for a Responsible Federal Budget",
        ),
    ],
)
def test_organisation_names_keep_their_prepositions(text, words, name):
    spk = speaker_of(text, words)
    assert (spk["name"], spk["type"]) == (name, "organization")


# ---------------------------------------------------------------- no place, channel or fragment in the facet (issue #12)


def speaker_names(text: str) -> set[str]:
    return {s.speaker.name for s in statements(text) if s.speaker is not None}


@pytest.mark.parametrize(
    ("text", "words", "name"),
    [
        # a month or modal word after a known first name, before a verb or comma, is a surname
        ("Dutch Foreign Minister Julia March said on Friday that the embassy would stay open.", "the embassy would stay", "Julia March"),
        ("Theresa May, the prime minister, warned that the talks could fail.", "the talks could fail", "Theresa May"),
        ("“We will not move,” said Karen Will, a farmer near the border.", "We will not move", "Karen Will"),
        # the @handle speaks, never its platform
        ("As one Telegram user @kyivwatch noted, the power came back within an hour.", "the power came back", "@kyivwatch"),
        # in "X, as Y said, …" the speaker is Y, never X
        ("Odesa, as the regional governor noted on Monday, has had no power for two days.", "has had no power", "regional governor"),
        ("Kherson, as the governor noted on Monday, has had no power for two days.", "has had no power", "the governor"),
        ("Mariupol, as one of Mr. Zelenskyy's advisers pointed out, was encircled by March.", "was encircled", "one of Mr. Zelenskyy's advisers"),
        # a description no earlier entity is takes its of-phrase, or its determiner: never one lower-case word
        ("“The plant will close in May,” said the chair of the Rada.", "The plant will close", "chair of the Rada"),
        ("A spokesman for Naftogaz said the plant would close in May.", "the plant would close", "spokesman for Naftogaz"),
        ("Last year the dockworkers' union signed a deal. Wages fell by a third, according to the union.", "Wages fell", "dockworkers' union"),
        ("The ministry said 40 people were killed overnight in the strikes.", "40 people were killed", "the ministry"),
        ("A second diplomat said the talks had stalled over the prisoners.", "the talks had stalled", "a second diplomat"),
    ],
)
def test_facet_names_are_speakers(text, words, name):
    assert speaker_of(text, words)["name"] == name


@pytest.mark.parametrize(
    ("text", "junk"),
    [
        # a number word alone is no name, a title-case headline neither
        ("Two Letters Reveal The Deal Kyiv And Moscow Nearly Struck\nThe letters were seen by Reuters.", "Two"),
        # a capitalised common word opening a sentence, and an all-caps subhead
        ("The council met again. Heavy shelling continues in the east of Kharkiv as Russia presses on.", "Heavy"),
        ("Fees rose again. CUT THE FEES Let's say you think that a degree will cost $90,000 by 2030.", "CUT"),
        # a discourse marker: "having said that" reports nothing
        ("Fuel is scarce. (Having said that, there are some traders who argue that prices will fall.)", "Having"),
        # a state abbreviation in a party tag is never a speaker
        ('Sen. Jon Tester (D-Mont.) spoke in Helena. "The farmers here have waited long enough for this."', "Mont"),
    ],
)
def test_no_fragment_becomes_a_speaker(text, junk):
    assert junk not in speaker_names(text)


def test_a_party_tag_leaves_the_senator_as_the_nearby_speaker():
    text = 'On Sunday, Sen. Bernie Sanders (Vt.), who lost the primaries, spoke of young voters. "They are sick and tired of discrimination."'
    assert speaker_of(text, "sick and tired")["name"] == "Bernie Sanders"


def test_a_surname_that_is_also_a_first_name_joins_the_full_name():
    # "Joseph" is a man's first name in the lists; the pronoun says Amelize Joseph is a woman
    text = (
        "Amelize Joseph loves the school that her daughter attends. She joined the rally on Thursday. "
        "“We need the money for the school to go forward,” said Joseph, who has four children."
    )
    assert speaker_of(text, "We need the money")["name"] == "Amelize Joseph"


def test_a_month_is_still_no_name_on_its_own():
    text = "In May officials said the bridge would reopen by the autumn."
    assert speaker_of(text, "the bridge would reopen")["name"] == "officials"


@pytest.mark.parametrize("name", ["Volodymyr Zelenskyy", "Zelenskiy", "Sergei Lavrov's", "Abu Mohammed al-Jolani", "Łukasz Kamiński", "O'Neill", "", "  "])
def test_the_actors_name_key_is_the_models(name):
    assert _name_key(name) == name_key(name)
