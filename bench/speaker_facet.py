"""Which speaker names would the speaker facet list that name no speaker?

    .venv/bin/python bench/speaker_facet.py [--shared ../shared] [--sets conflict polnear] [--pred out.jsonl] [--list]

Extracts every doc of the sets (or reads saved ``parley extract --json`` output) and sorts each distinct
speaker name of an article into what it is when it is no speaker:

* place: a country, region, sea or town of 50,000 people or more in the gazetteer (a country or a capital
  typed organization speaks for its government: "Ukraine said", "Moscow denied"; a person the article
  names with a title, "Ms. Moore": not counted);
* dateline: a place in capitals ("ERBIL", "MOSCOW (Reuters)");
* channel: a platform or medium ("X", "Telegram", "Al Arabiya TV", "Getty"), unless the article makes it
  the subject of a reporting verb ("Twitter announced": the company speaks);
* demonym: "Gazans", "Republicans" as a person;
* first name: a lone first name from the name lists that never got a surname (one the article never
  writes before a surname, "Melanie said", is how it calls that person: not counted);
* fragment: one capitalised word the article otherwise writes in lower case ("Footage", "Details").

Prints the count per class and, with ``--list``, the names.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.extract.actors import actors  # noqa: E402
from archive.extract.gazetteer import gazetteer, key  # noqa: E402
from archive.extract.speakers import vocabulary  # noqa: E402
from archive.model import fold  # noqa: E402

_BIG_TOWN = 50_000
# Platforms and media words: where something was said, never who said it (news agencies may report
# on their own and are not counted)
_PLATFORMS = frozenset(
    {
        "x",
        "twitter",
        "telegram",
        "facebook",
        "whatsapp",
        "youtube",
        "tiktok",
        "instagram",
        "getty",
        "getty images",
        "tv",
        "television",
        "state tv",
        "state television",
        "al arabiya tv",
    }
)
_TITLES = "Mr|Mrs|Ms|Miss|Dr|Sen|Rep|Gov|Gen|Col|Capt|Prof|Rev"
_SPEECH_VERBS = "said|says|announced|announces|stated|confirmed|reported|denied|told|tweeted|wrote"
_AREAS = frozenset({"country", "region", "continent", "sea", "union", "state", "admin1"})


def _place(name: str) -> bool:
    alias = gazetteer().lookup(key(name))
    if alias is None:
        return False
    return any(e.kind in _AREAS or e.population >= _BIG_TOWN for e in alias.entries)


def _titled(name: str, text: str) -> bool:
    """The article writes the name after a personal title ("Ms. Moore", "Sen. Sanders"): a person, even
    when a town has that name."""
    return re.search(rf"\b(?:{_TITLES})\.? {re.escape(name)}\b", text) is not None


def _own_name(name: str, text: str) -> bool:
    """The article only ever calls the person by this one name ("Melanie said", "WALLACE:" in a
    transcript): it never writes it in a longer name, before a capitalised word that could be a surname
    ("Theresa May") or after one that could be a first name ("Amelize Joseph")."""
    flags = re.IGNORECASE if name.isupper() else 0
    if re.search(rf"\b{re.escape(name)} [A-Z][a-z]", text, flags):
        return False
    not_names = vocabulary().not_names
    return not any(m.group(1).lower() not in not_names for m in re.finditer(rf"\b([A-Z][a-z]+) {re.escape(name)}\b", text, flags))


def _company_speaks(name: str, text: str) -> bool:
    """ "Twitter announced": the article makes the platform itself the subject of a reporting verb (the
    company speaks), not the place where someone else spoke."""
    return re.search(rf"\b{re.escape(name)} (?:{_SPEECH_VERBS})\b", text) is not None


def classify(name: str, typ: str | None, text: str) -> str | None:
    """What a speaker name is when it is no speaker, or None."""
    v = vocabulary()
    bare = name.split("(")[0].strip(" —–-,")
    words = bare.split()
    if not words:
        return "fragment"
    if typ == "person" and _titled(bare, text):
        return None
    if bare.isupper() and len(bare) > 3 and _place(bare):
        return "dateline"
    if fold(bare) in _PLATFORMS:
        return None if _company_speaks(bare, text) else "channel"
    if fold(bare) in v.demonyms:
        return "demonym" if typ != "group" else None
    if _place(bare) and actors().find(bare) is None and fold(bare) not in v.org_names:
        metonymic = typ == "organization" and (fold(bare) in v.capitals or any(e.kind in ("country", "union") for e in gazetteer().lookup(key(bare)).entries))
        return None if metonymic else "place"
    if len(words) == 1:
        low = bare.lower()
        if low in v.male_names or low in v.female_names:
            return None if typ == "person" and _own_name(bare, text) else "first name"
        if low in v.org_heads or low in v.group_heads or low in v.roles:
            return None  # "Police", "Authorities": a description, if a vague one
        if bare[:1].isupper() and f" {low} " in f" {text} ":
            return "fragment"
    return None


def speakers(obj: dict) -> set[tuple[str, str | None]]:
    return {
        (s["speaker"]["name"], s["speaker"].get("type")) for s in obj.get("statements") or [] if isinstance(s.get("speaker"), dict) and s["speaker"].get("name")
    }


def _objects(shared: Path, sets: list[str]) -> list[dict]:
    from archive.extract.pipeline import extract
    from archive.readers import read_path

    out = []
    for name in sets:
        folder = shared / "corpus" / "dev" / name
        for line in (folder / "gold.jsonl").read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            for article in read_path(folder / json.loads(line)["file"]).articles:
                ex = extract(article)
                out.append({"article": {"text": article.text, "path": article.path}, "statements": [s.as_dict() for s in ex.statements]})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--sets", nargs="+", default=["conflict", "polnear"])
    ap.add_argument("--pred", type=Path, help="saved `parley extract --json` output instead of extracting here")
    ap.add_argument("--list", action="store_true", help="list the names of each class")
    args = ap.parse_args()
    if args.pred:
        wanted = {p.name for s in args.sets for p in (args.shared / "corpus" / "dev" / s / "docs").iterdir()}
        objs = [json.loads(line) for line in args.pred.read_text(encoding="utf-8").split("\n") if line.strip()]
        objs = [o for o in objs if Path((o.get("article") or {}).get("path") or "").name in wanted]
    else:
        objs = _objects(args.shared, args.sets)
    found: dict[str, Counter] = {}
    total = 0
    for obj in objs:
        text = (obj.get("article") or {}).get("text") or ""
        for name, typ in speakers(obj):
            total += 1
            what = classify(name, typ, text)
            if what is not None:
                found.setdefault(what, Counter())[name] += 1
    bad = sum(sum(c.values()) for c in found.values())
    print(f"{len(objs)} articles, {total} speaker facet values (distinct per article), {bad} name no speaker")
    for what, names in sorted(found.items()):
        print(f"  {what:<11} {sum(names.values()):>4}" + (f"  {', '.join(sorted(names))}" if args.list else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
