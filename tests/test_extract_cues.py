"""Statement finding on the shapes of conflict news: where the cue stands, which words it reports,
who it names, on which channel (archive.extract.reported / direct / statements).

Sentences are written for these tests in the shapes wire copy and regional outlets use.
"""

from __future__ import annotations

import pytest

from archive.extract.statements import find_statements
from archive.model import Statement


def only(text: str) -> Statement:
    found = find_statements(text)
    assert len(found) == 1, [(s.quote, s.cue) for s in found]
    return found[0]


# ------------------------------------------------------------------------ trailing cues (item 1)

TRAILING_CASES = [
    # text, quote, speaker name, cue
    (
        "The air defence shot down 54 of 60 drones launched overnight, the air force said on Telegram on Tuesday.",
        "The air defence shot down 54 of 60 drones launched overnight",
        "air force",
        "said",
    ),
    (
        "The rebels have taken full control of the garrison headquarters in the border township, it said on Wednesday.",
        "The rebels have taken full control of the garrison headquarters in the border township",
        None,
        "said",
    ),
    (
        "Two soldiers were wounded when a drone hit their position, the group's military spokesman said in a televised speech early on Saturday.",
        "Two soldiers were wounded when a drone hit their position",
        "military spokesman",
        "said",
    ),
    (
        "The capture of the town came after days of fighting with government forces, local civic leader Amani Kabila said.",
        "The capture of the town came after days of fighting with government forces",
        "Amani Kabila",
        "said",
    ),
    (
        "Staff in the capital have been told to form units to respond to emergencies, said Aung Myo Thant, secretary of the city council.",
        "Staff in the capital have been told to form units to respond to emergencies",
        "Aung Myo Thant",
        "said",
    ),
    (
        "KYIV (Reuters) - Russia launched five missiles and 12 drones at Ukraine in an overnight attack, Ukraine's air force said early on Monday.",
        "Russia launched five missiles and 12 drones at Ukraine in an overnight attack",
        "Ukraine's air force",
        "said",
    ),
    (
        "Three civilians were killed in the shelling of the market, the regional governor told reporters.",
        "Three civilians were killed in the shelling of the market",
        "regional governor",
        "told",
    ),
]


@pytest.mark.parametrize(("text", "quote", "name", "cue"), TRAILING_CASES, ids=lambda v: str(v)[:30])
def test_trailing_cue_reports_the_content_before_it(text: str, quote: str, name: str | None, cue: str) -> None:
    s = [s for s in find_statements(text) if s.cue == cue][0]
    assert s.quote == quote
    assert text[s.cue_start : s.cue_end] == cue
    if name is not None:
        assert s.speaker is not None and s.speaker.name.endswith(name)


def test_participle_after_a_trailing_cue_is_a_second_statement_of_the_same_speaker() -> None:
    text = "A missile strike killed at least five people in the city on Wednesday, President Ivan Petrenko said, urging allies to supply more air defences."
    first, second = find_statements(text)
    assert first.quote == "A missile strike killed at least five people in the city on Wednesday"
    assert second.quote == "allies to supply more air defences" and second.cue == "urging"
    assert second.kind == "appeal"
    assert first.speaker is not None and second.speaker is not None
    assert first.speaker.name == second.speaker.name == "Ivan Petrenko"


def test_pronoun_trailing_cue_then_adding_that() -> None:
    text = (
        "The Northern Alliance said it had seized the pass.\n"
        "The fighters took the battalion base on Monday after weeks of clashes, it said, adding that air strikes "
        "on the villages continued."
    )
    found = find_statements(text)
    assert [s.quote for s in found] == [
        "it had seized the pass",
        "The fighters took the battalion base on Monday after weeks of clashes",
        "air strikes on the villages continued",
    ]
    assert [s.cue for s in found] == ["said", "said", "adding"]
    assert {s.speaker.name for s in found if s.speaker} == {"Northern Alliance"}


def test_a_cue_with_only_adjuncts_and_no_content_before_makes_no_statement() -> None:
    text = "The army said in a statement, adding that no injuries were reported."
    s = only(text)
    assert s.cue == "adding" and s.quote == "no injuries were reported"
    assert s.speaker is not None and s.speaker.name == "the army"


# ------------------------------------------------------------------------------ cue forms (item 5)

FORM_CASES = [
    # text, quote, speaker name (suffix), cue, kind
    (
        "Hundreds of families fled the town over the weekend, according to earlier reports.",
        "Hundreds of families fled the town over the weekend",
        "reports",
        "according to",
        "statement",
    ),
    (
        "Mayor Ivan Fedorov spoke to reporters. According to him, the convoy was hit twice before it reached the crossing.",
        "the convoy was hit twice before it reached the crossing",
        "Fedorov",
        "According to",
        "statement",
    ),
    (
        "A local resident, who asked not to be named for safety reasons, said he heard heavy gunfire all night.",
        "he heard heavy gunfire all night",
        "resident",
        "said",
        "statement",
    ),
    (
        "A senior official speaking on condition of anonymity told AFP that 40 people had been killed.",
        "40 people had been killed",
        "official",
        "told",
        "statement",
    ),
    (
        "Earlier on Sunday, U.S. Central Command (CENTCOM) said it destroyed two drones over the Red Sea.",
        "it destroyed two drones over the Red Sea",
        "Central Command",
        "said",
        "statement",
    ),
    (
        "The ruling council (RC), in an order on Wednesday, said all reservists should be ready to deploy.",
        "all reservists should be ready to deploy",
        None,
        "said",
        "statement",
    ),
    (
        "Sheikh Hikmat al-Hijri issued a statement accusing government troops of breaching a ceasefire.",
        "government troops of breaching a ceasefire",
        None,
        "accusing",
        "allegation",
    ),
    (
        "Israel struck army positions in the south for a second day on Tuesday, vowing to protect the minority.",
        "to protect the minority",
        "Israel",
        "vowing",
        "commitment",
    ),
    ("The minister noted that the corridor had been closed for a week.", "the corridor had been closed for a week", "minister", "noted", "statement"),
    ("The agency confirmed that the vessel had been struck by a missile.", "the vessel had been struck by a missile", "agency", "confirmed", "confirmation"),
]


@pytest.mark.parametrize(("text", "quote", "name", "cue", "kind"), FORM_CASES, ids=lambda v: str(v)[:30])
def test_cue_forms(text: str, quote: str, name: str | None, cue: str, kind: str) -> None:
    s = [s for s in find_statements(text) if s.cue == cue][0]
    assert s.quote == quote
    assert s.kind == kind
    assert s.speaker is not None
    if name is not None:
        assert s.speaker.name.endswith(name)


def test_participle_takes_the_subject_of_the_attribution_before_it() -> None:
    text = '"Two of our fighters were killed," said the Syrian Democratic Forces, blaming Turkey for the attack.'
    quoted, blamed = find_statements(text)
    assert quoted.direct and quoted.quote == "Two of our fighters were killed"
    assert blamed.cue == "blaming" and blamed.quote == "Turkey for the attack" and blamed.kind == "allegation"
    assert blamed.speaker is not None and blamed.speaker.name.endswith("Syrian Democratic Forces")


def test_participle_never_takes_the_object_of_the_verb_before_it() -> None:
    text = "The agency also reported the incident, saying that it assessed the ship had been targeted earlier."
    s = [s for s in find_statements(text) if s.cue == "saying"][0]
    assert s.quote == "it assessed the ship had been targeted earlier"
    assert s.speaker is not None and s.speaker.name == "the agency"


# -------------------------------------------------------------------------------- not statements (item 10)


@pytest.mark.parametrize(
    "text",
    [
        "The region is internationally recognized as part of the country.",
        "The region is officially recognized as part of the country.",
        "The internationally recognized government met on Monday.",
        "There was no official comment on the number of casualties.",
        "Reporters reached out to the spokesman for comment on the clash.",
        "The rebels also captured a township in Chin state to the north.",
        "The minister did not address the report.",
        "Battleground state Florida is nearly three percent Polish American.",
        "The interests of member states trump everything else at the assembly.",
        "Rasmussen has a similar question: yes or no?",
        "The so-called people's republic held a vote on Sunday.",
        "A resident, who asked not to be named, fled on Sunday.",
    ],
)
def test_no_statement(text: str) -> None:
    assert find_statements(text) == []


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("Spokespeople for the army did not immediately respond to a request for comment.", "to a request for comment"),
        ("The ministry has not yet commented on the strike.", "on the strike"),
        ("The company did not say whether he had been forced out.", "whether he had been forced out"),
    ],
)
def test_no_comment_is_a_kind_of_its_own(text: str, quote: str) -> None:
    """Nothing was said: the record says so (kind "no-comment", never a kind of statement), its text is
    what went unanswered."""
    s = only(text)
    assert s.kind == "no-comment" and s.quote == quote and not s.direct


# ------------------------------------------------------------------------- one statement once (item 11)


def test_quote_inside_a_trailing_statement_is_one_statement() -> None:
    text = (
        "A cargo ship was hit by a missile east of the port, but \u201cno fires or leaks were observed,\u201d and "
        "the vessel is sailing on, the maritime agency said."
    )
    s = only(text)
    assert s.quote.startswith("A cargo ship was hit") and s.quote.endswith("the vessel is sailing on")
    assert s.direct  # it carries the agency's own words


# ---------------------------------------------------------------------------------- channels (item 9)

CHANNEL_CASES = [
    # text, channel
    ("Oksana, the manager of a cafe that was hit, told Reuters she was still shaking.", "Reuters"),
    (
        "KYIV (Reuters) - Russia launched five missiles at Ukraine overnight, Ukraine's air force said early on Monday.",
        None,
    ),  # a dateline's agency is the article's source
    ("He said in his nightly video address that the battle for the town continues.", "nightly video address"),
    ("Rogov told Komsomolskaya Pravda radio that the workers were no longer afraid.", "Komsomolskaya Pravda radio"),
    ("The ministry said in a statement posted to Telegram that 12 people were killed.", "statement posted to Telegram"),
    ("The army said on the social media platform X that a missile was fired toward the city.", "the social media platform X"),
    ("Last week, Al-Arabiya TV cited Egypt's military as saying a missile had landed near the border.", "Al-Arabiya TV"),
    ("The minister said during a TV show that the situation in the city was urgent.", "TV show"),
    ("The prime minister said at the cabinet meeting that troops had crossed the line again.", "cabinet meeting"),
    ("The mayor said on state television that power had been restored in most districts.", "state television"),
    ("The army said in a statement on Friday that two soldiers died.", "statement"),
    ("The president told a news conference that talks would resume next week.", "a news conference"),
    ("Hamas' al-Aqsa TV reported that a naval facility had been hit.", None),  # the outlet speaks: no channel
]


@pytest.mark.parametrize(("text", "channel"), CHANNEL_CASES, ids=lambda v: str(v)[:30])
def test_channel(text: str, channel: str | None) -> None:
    s = [s for s in find_statements(text) if s.cue is not None][0]
    assert s.channel == channel


def test_a_channel_closing_the_clause_is_not_reported_content() -> None:
    s = only("The governor confirmed the missile strike on Telegram.")
    assert s.quote == "the missile strike" and s.channel == "Telegram" and s.kind == "confirmation"


def test_channel_of_a_quote_attributed_in_its_last_sentence() -> None:
    text = '"Explosions are heard in the city. Air defence is working," the mayor said on Telegram.'
    (s,) = find_statements(text)
    assert s.direct and s.channel == "Telegram"


@pytest.mark.parametrize("text", ["The army said in a statement on Friday.", "The mayor said on Telegram late on Monday."])
def test_a_channel_and_a_time_are_no_content(text: str) -> None:
    assert find_statements(text) == []


APPOSITIVE_QUOTE_CASES = [
    # a direct quote attributed after it, with an appositive or a modifier between name and cue
    # (the actors list knows Sarea's other spellings: the archive shows one name for all of them)
    ('"We hit several targets," the group\'s military spokesman, Yehya Sarea, said in a televised statement.', "Yahya Saree", "televised statement"),
    ("“Everything inside is broken,” Oksana, the owner of a bakery that was hit, told Reuters.", "Oksana", "Reuters"),
    ("“The night was hard for our city,” Petro Marchuk, governor of Sumy region, said.", "Petro Marchuk", None),
    ('"The workers are no longer afraid," Ivan Bondar from the regional council, said on Friday.', "Ivan Bondar", None),
]


@pytest.mark.parametrize(("text", "name", "channel"), APPOSITIVE_QUOTE_CASES, ids=lambda v: str(v)[:30])
def test_quote_attributed_over_an_appositive(text: str, name: str, channel: str | None) -> None:
    s = only(text)
    assert s.direct and s.speaker is not None and s.speaker.name == name
    assert s.channel == channel


def test_coordinated_subject_of_a_trailing_cue() -> None:
    text = "A ship was hit by a missile east of the port, the agency UKMTO and the firm Ambrey both confirmed on Saturday."
    s = only(text)
    assert s.quote == "A ship was hit by a missile east of the port" and s.kind == "confirmation"


# ------------------------------------------------------------------ signed quotes, transcripts, headlines


@pytest.mark.parametrize(
    ("text", "quote", "name"),
    [
        ("“He represents our greatest shame.” ― Sonia Herrera\n", "He represents our greatest shame.", "Sonia Herrera"),
        ("“He knows nothing about us.”― Paula Padilla \n", "He knows nothing about us.", "Paula Padilla"),
        ('"The bridge will be rebuilt." — Mayor Ivan Petrenko.\n', "The bridge will be rebuilt.", "Ivan Petrenko"),
    ],
)
def test_pull_quote_signed_with_a_dash(text: str, quote: str, name: str) -> None:
    s = only(text)
    assert s.quote == quote and s.direct and s.speaker is not None and s.speaker.name == name


def test_transcript_lines_are_their_labels_statements() -> None:
    text = (
        "Partial transcript as follows:\n\n"
        "\"WALLIS: Let's start with the news on the talks. Will the envoy be there?\n\n"
        '"PENNY: Well, look, this is serious business. The people have a choice to make.\n\n'
        "WALLIS: If I may, because we have limited time.\n"
    )
    found = find_statements(text)
    assert [(s.quote, s.speaker.name if s.speaker else None, s.cue) for s in found] == [
        ("Let's start with the news on the talks. Will the envoy be there?", "Wallis", ":"),
        ("Well, look, this is serious business. The people have a choice to make.", "Penny", ":"),
        ("If I may, because we have limited time.", "Wallis", ":"),
    ]


def test_a_single_capitalised_label_is_a_dateline_not_a_transcript() -> None:
    text = "KYIV: Russia launched five missiles at Ukraine overnight, the air force said."
    s = only(text)
    assert s.quote == "Russia launched five missiles at Ukraine overnight" and s.cue == "said"


def test_headline_with_a_capitalised_cue() -> None:
    text = "Army Will Hold the Pass, Kovalenko Says\nThe general spoke to troops on Monday.\n"
    s = only(text)
    assert s.quote == "Army Will Hold the Pass" and s.cue == "Says"
    assert s.speaker is not None and s.speaker.name == "Kovalenko"


def test_verbless_headline_is_a_statement_unless_the_body_repeats_it() -> None:
    alone = "Petrenko: Bridge Over the River Will Be Rebuilt by Winter\nThe mayor toured the site on Monday.\n"
    s = only(alone)
    assert s.quote == "Bridge Over the River Will Be Rebuilt by Winter" and s.cue == ":"
    assert s.speaker is not None and s.speaker.name == "Petrenko"
    repeated = alone + "Petrenko said the bridge over the river would be rebuilt before winter.\n"
    assert [x.cue for x in find_statements(repeated)] == ["said"]


def test_a_document_reporting_inside_a_statement_is_a_statement_of_its_own() -> None:
    text = "Experts say the deal was killed because of reports stating that the deal had favored the company."
    outer, inner = find_statements(text)
    assert outer.cue == "say" and "because of reports stating" in outer.quote
    assert inner.cue == "stating" and inner.quote == "the deal had favored the company"
    assert inner.speaker is not None and inner.speaker.name == "reports"


def test_outlet_quoting_a_speaker_is_the_channel_not_the_speaker() -> None:
    text = '"We will not fly there while the ban stays," Interfax quoted Djamal as saying, although others disagreed.'
    s = only(text)
    assert s.direct and s.speaker is not None and s.speaker.name == "Djamal"
    assert s.cue == "saying" and s.channel == "Interfax"


SPLIT_CASES = [
    # two attributions in one sentence: each its own content
    (
        "The ministry strongly condemned the shelling and commended the medical staff working at the hospital.",
        [("condemned", "the shelling"), ("commended", "the medical staff working at the hospital")],
    ),
    (
        "The rebels claimed they took over the city while the government had claimed the presence of foreign troops.",
        [("claimed", "they took over the city"), ("claimed", "the presence of foreign troops")],
    ),
    (
        "Aid workers have reported heavy shelling in the region, with the rebel alliance saying the army launched an offensive.",
        [("reported", "heavy shelling in the region"), ("saying", "the army launched an offensive")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), SPLIT_CASES, ids=lambda v: str(v)[:30])
def test_two_attributions_in_one_sentence(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.cue, s.quote) for s in find_statements(text)] == expected


def test_object_and_infinitive_is_the_content_not_a_later_that() -> None:
    text = "President Ivan Petrenko advised residents of the capital to seek shelter, while blasts that shook the city were heard."
    s = only(text)
    assert s.cue == "advised" and s.kind == "appeal"
    assert s.quote.startswith("residents of the capital to seek shelter")


def test_relative_pronoun_speaker_is_its_antecedent() -> None:
    text = "Nine soldiers were killed, according to local residents who said one civilian was also killed."
    s = [s for s in find_statements(text) if s.cue == "said"][0]
    assert s.quote == "one civilian was also killed"
    assert s.speaker is not None and s.speaker.name == "local residents"


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("The company was thriving, Mr. Clarke said, until it went bankrupt in the late nineties.", "until it went bankrupt in the late nineties"),
        ("He has a plan, he said, for how the mines can keep working while cutting emissions.", "for how the mines can keep working while cutting emissions"),
        (
            "Shelling destroyed most of the houses in the village overnight, the governor said, and a school.",
            "Shelling destroyed most of the houses in the village overnight",
        ),  # "and …" does not resume it
    ],
)
def test_interrupted_content_is_its_larger_part(text: str, quote: str) -> None:
    s = [s for s in find_statements(text) if s.cue == "said"][0]
    assert s.quote == quote


# ------------------------------------------------------------------------ passives, nouns of saying, documents


def by_cue(text: str, cue: str) -> Statement:
    found = [s for s in find_statements(text) if s.cue == cue]
    assert len(found) == 1, [(s.quote, s.cue) for s in find_statements(text)]
    return found[0]


PASSIVE_CASES = [
    # text, quote, cue, speaker name (None: the text names no one)
    ("It was reported on Tuesday that the bridge had been destroyed.", "the bridge had been destroyed", "reported", None),
    ("Several villages are said to be without power.", "Several villages are said to be without power", "said", None),
    ("Food prices rose, although some traders are reported to be hoarding grain.", "some traders are reported to be hoarding grain", "reported", None),
    ("A prisoner exchange was announced on Sunday.", "A prisoner exchange", "announced", None),
    ("The ceasefire was confirmed by the interior ministry on Friday.", "The ceasefire", "confirmed", "interior ministry"),
    ("Residents were told that the road would stay closed.", "the road would stay closed", "told", None),
]


@pytest.mark.parametrize(("text", "quote", "cue", "name"), PASSIVE_CASES, ids=lambda v: str(v)[:30])
def test_a_passive_cue_reports_with_its_agent_or_no_speaker(text: str, quote: str, cue: str, name: str | None) -> None:
    s = by_cue(text, cue)
    assert s.quote == quote
    assert text[s.cue_start : s.cue_end] == cue
    if name is None:
        assert s.speaker is None
    else:
        assert s.speaker is not None and s.speaker.name == name


def test_an_agentless_passive_takes_no_speaker_from_nearby_names() -> None:
    text = "Governor Lina Park toured the area on Monday. Several villages are said to be without power."
    assert by_cue(text, "said").speaker is None


@pytest.mark.parametrize(
    "text",
    [
        "A car was reported stolen on Monday.",  # a status, not someone's words
        "Two players were declared joint winners.",
        "The cause of the blast has not been confirmed.",  # negated: nothing was reported
        "The fire was reported at 9:00.",  # only speech-act cues report bare
        "When the truce was announced, crowds gathered in the square.",  # scene-setting clause
        "The plan that was announced last week failed.",  # relative clause
        "Sales rose sharply, which is explained by strong demand.",  # a cause, not an agent
    ],
)
def test_passives_that_report_no_words(text: str) -> None:
    assert find_statements(text) == []


def test_a_passive_inside_reported_content_is_no_statement_of_its_own() -> None:
    found = find_statements("The army said no injuries were reported.")
    assert [(s.cue, s.quote) for s in found] == [("said", "no injuries were reported")]


def test_a_cue_word_used_as_a_noun_makes_no_statement() -> None:
    text = "The tribunal upheld the union's complaint, though not all of its separate claims were accepted."
    assert [s.cue for s in find_statements(text)] == []


HEARSAY_CASES = [
    # text, quote, cue, speaker name
    ("A lawsuit was filed over claims of hearing damage from the headphones.", "hearing damage from the headphones", "claims", None),
    ("A Reuters report that the talks had collapsed circulated on Friday.", "the talks had collapsed circulated on Friday", "report", "Reuters"),
    (
        "Late on Sunday, the weekly magazine Der Bote cited internal memos from the contractor in a report.",
        "cited internal memos from the contractor",
        "report",
        "Der Bote",
    ),
    ("At least 40 people died in the siege, according to a report.", "At least 40 people died in the siege", "according to", None),
    ("According to a report in The Courier, the ministry knew of the plan.", "the ministry knew of the plan", "According to", "Courier"),
]


@pytest.mark.parametrize(("text", "quote", "cue", "name"), HEARSAY_CASES, ids=lambda v: str(v)[:30])
def test_nouns_of_saying_report_for_their_possessor_modifier_or_no_one(text: str, quote: str, cue: str, name: str | None) -> None:
    s = by_cue(text, cue)
    assert s.quote == quote
    if name is None:
        assert s.speaker is None
    else:
        assert s.speaker is not None and s.speaker.name.endswith(name)


def test_incident_reports_are_no_hearsay() -> None:
    assert find_statements("Crews arrived after reports of a fire at the depot.") == []


@pytest.mark.parametrize(
    "text",
    [
        "The army issued a statement on Monday. The statement said two soldiers had been killed in the attack.",
        "The army released a report on Monday. According to the report, two soldiers had been killed in the attack.",
    ],
)
def test_a_definite_document_speaks_for_whoever_issued_it(text: str) -> None:
    s = [s for s in find_statements(text) if s.quote == "two soldiers had been killed in the attack"][0]
    assert s.speaker is not None and s.speaker.name == "army"


@pytest.mark.parametrize(
    ("text", "cue", "name"),
    [
        ("The army issued a statement on its website saying that two soldiers were killed.", "saying", "army"),
        ("Tenants said the landlord had put a notice on the front door telling them to leave by noon.", "telling", "landlord"),
    ],
)
def test_a_participle_after_a_document_and_a_phrase_reports_for_its_author(text: str, cue: str, name: str) -> None:
    s = by_cue(text, cue)
    assert s.speaker is not None and s.speaker.name == name


# ------------------------------------------------------------------------ appositives, relays, coordinated cues


@pytest.mark.parametrize(
    "text",
    [
        "Maria Keller, chief executive of Nordwind Airlines said the fleet would double by 2030.",
        'Maria Keller, chief executive of Nordwind Airlines said, "We will double the fleet by 2030."',
    ],
)
def test_a_name_before_an_unclosed_appositive_role_is_the_speaker(text: str) -> None:
    s = by_cue(text, "said")
    assert s.speaker is not None and s.speaker.name == "Maria Keller"
    assert s.speaker.role == "chief executive of Nordwind Airlines"


def test_a_lone_name_before_an_unclosed_description_of_a_person_is_the_speaker() -> None:
    text = 'Olena, a young woman with a bandaged arm told reporters: "The blast threw me across the room."'
    s = by_cue(text, "told")
    assert s.speaker is not None and s.speaker.name == "Olena"


@pytest.mark.parametrize(
    "text",
    [
        "Yesterday, a spokeswoman for the ministry said the talks would resume.",  # a common word names no one
        "Senator Ruth Alvarez, like Obama, has backed higher spending but has said she will hold firm.",  # a clause, not a role
    ],
)
def test_no_name_is_taken_over_a_comma_that_sets_off_no_role(text: str) -> None:
    s = by_cue(text, "said")
    assert s.speaker is None or s.speaker.name not in ("Yesterday", "Obama")


def test_a_title_inside_an_appositive_does_not_end_the_subject() -> None:
    s = by_cue("The foreign minister, Mr. Okafor, argues that sanctions have failed.", "argues")
    assert s.speaker is not None and s.speaker.name == "Okafor"
    assert s.quote == "sanctions have failed"


def test_a_site_relaying_and_an_agency_translating_are_not_the_speaker() -> None:
    text = (
        '"We will not sign the accord," Kompas.com quoted Minister Rahman as saying, although Antara translated the remark as: "We refuse to sign the accord."'
    )
    found = find_statements(text)
    assert [(s.quote, s.cue, s.speaker.name if s.speaker else None) for s in found] == [
        ("We will not sign the accord", "saying", "Rahman"),
        ("We refuse to sign the accord.", "remark", "Rahman"),
    ]


def test_a_coordinated_negated_cue_is_a_statement_of_its_own() -> None:
    text = "The ministry confirmed that the envoy had resigned, but did not say whether he had been dismissed."
    assert by_cue(text, "confirmed").quote == "the envoy had resigned"
    s = by_cue(text, "say")
    assert s.quote == "whether he had been dismissed"
    assert s.kind == "no-comment"
    assert s.speaker is not None and s.speaker.name == "ministry"


def test_a_quotation_led_in_by_its_own_cue_inside_a_clause_is_that_cues() -> None:
    text = 'Ms. Ortiz announced the tablet at a trade fair, where she promoted it by saying: "It is twice as fast as anything else on the market."'
    assert by_cue(text, "announced").quote == "the tablet at a trade fair"
    s = by_cue(text, "saying")
    assert s.direct and s.quote == "It is twice as fast as anything else on the market."


def test_said_the_statement_speaks_for_who_made_the_statement_before() -> None:
    text = (
        "The army has announced the death of six soldiers. "
        '"Gunmen attacked the outpost at dawn" in the north of the province, said the statement, released on Friday.'
    )
    s = [s for s in find_statements(text) if s.cue == "said"][0]
    assert "Gunmen attacked the outpost at dawn" in s.quote
    assert s.speaker is not None and s.speaker.name == "army"


@pytest.mark.parametrize(
    ("text", "quote", "name"),
    [
        ("Rebels said they had seized the town, Reuters reported.", "they had seized the town", "Rebels"),
        (
            "The ruling council, in an order on Monday, said all reservists must report for duty, local media reported.",
            "all reservists must report for duty",
            "council",
        ),
    ],
)
def test_an_outlet_reporting_an_attributed_statement_only_relays_it(text: str, quote: str, name: str) -> None:
    found = find_statements(text)
    assert [(s.quote, s.speaker.name if s.speaker else None) for s in found] == [(quote, name)]
