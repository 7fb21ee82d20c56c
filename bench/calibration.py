"""Is a statement's confidence calibrated?  The reliability table of extraction on the gold sets.

    .venv/bin/python bench/calibration.py [--shared ../shared] [--sets conflict polnear meantime seed] [--pred out.jsonl]

Runs the extractor in this process on every doc of the sets (or reads saved ``parley extract --json``
output with ``--pred``), then judges each predicted statement with the scorer's own rules
(``shared/eval/score.py``: quote matched to a required gold statement at half its span, speaker right
by ``speaker_correct``; on cue-only sets such as MEANTIME the cue is matched instead):

* right: matched to a required gold statement, and its speaker right (or the gold has none);
* wrong: matched with a wrong speaker, or matched to nothing where the set's quotes are exhaustive;
* neutral (not counted): matched to optional gold, or unmatched where precision is not scored.

It prints, per confidence bin, how many statements fall in it and the share right, and the share right
among statements of confidence >= 0.8 (the issue's promise: at least 90%).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
PROMISE = 0.8


def scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("parley_score", shared / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _extract_objects(docs: list[dict]) -> dict[str, dict]:
    from archive.extract.pipeline import extract
    from archive.readers import read_path

    out = {}
    for g in docs:
        for article in read_path(Path(g["_path"])).articles:
            ex = extract(article)
            out[g["_path"]] = {
                "article": {"text": article.text},
                "statements": [s.as_dict() for s in ex.statements],
            }
    return out


def judge(sc, g: dict, obj: dict) -> list[tuple[float, bool]]:
    """(confidence, right) for every predicted statement of one doc that is not neutral."""
    layers = set(g.get("layers") or [])
    exhaustive = "quotes" in set(g.get("exhaustive") or [])
    region = tuple(g["region"]) if g.get("region") else None
    stmts, _, _ = sc.normalise_prediction(g, obj, sc.Acc())
    confidences = [s.get("confidence", 0.5) for s in obj.get("statements") or [] if isinstance(s, dict)]
    gold = [s for s in g.get("statements") or []]
    out: list[tuple[float, bool]] = []
    if "quotes" in layers:
        gst = [s for s in gold if s.get("quote") and sc.in_region((s["quote"]["start"], s["quote"]["end"]), region)]
        idx = [k for k, p in enumerate(stmts) if p["span"] and sc.in_region(p["span"], region)]
        if g.get("direct_only"):
            idx = [k for k in idx if stmts[k].get("direct") is True]
        golds = [{"span": (s["quote"]["start"], s["quote"]["end"]), "optional": s.get("optional")} for s in gst]
        _, p2g = sc.greedy_match(golds, [{"span": stmts[k]["span"]} for k in idx], sc.acc_half_of_gold)
        for n, k in enumerate(idx):
            if n not in p2g:
                if exhaustive:
                    out.append((confidences[k], False))
                continue
            s = gst[p2g[n]]
            if s.get("optional"):
                continue
            ok = not s.get("speaker") or "speakers" not in layers or sc.speaker_correct(s["speaker"], stmts[k]["speaker"])[0]
            out.append((confidences[k], ok))
    elif "cues" in layers:
        gc = [s for s in gold if s.get("cue") and sc.in_region((s["cue"]["start"], s["cue"]["end"]), region)]
        idx = [k for k, p in enumerate(stmts) if p["cue"] and sc.in_region(p["cue"], region)]
        golds = [{"span": (s["cue"]["start"], s["cue"]["end"]), "optional": s.get("optional")} for s in gc]
        _, p2g = sc.greedy_match(golds, [{"span": stmts[k]["cue"]} for k in idx], sc.acc_any)
        for n, k in enumerate(idx):
            if n in p2g and not gc[p2g[n]].get("optional") and gc[p2g[n]].get("speaker"):
                out.append((confidences[k], sc.speaker_correct(gc[p2g[n]]["speaker"], stmts[k]["speaker"])[0]))
    return out


def table(judged: list[tuple[float, bool]]) -> list[str]:
    lines = [f"{'confidence':<12} {'n':>5} {'right':>6}"]
    for lo, hi in zip(BINS, BINS[1:]):
        inside = [ok for c, ok in judged if lo <= c < hi]
        share = f"{sum(inside) / len(inside):.3f}" if inside else "  n/a"
        lines.append(f"[{lo:.1f}, {min(hi, 1.0):.1f}{']' if hi > 1 else ')'}  {len(inside):>5} {share:>6}")
    high = [ok for c, ok in judged if c >= PROMISE]
    share = f"{sum(high) / len(high):.3f}" if high else "n/a"
    lines.append(f"confidence >= {PROMISE}: {len(high)} statements, {share} right")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--sets", nargs="+", default=["conflict", "polnear", "meantime", "seed"])
    ap.add_argument("--pred", type=Path, help="saved `parley extract --json` output instead of extracting here")
    args = ap.parse_args()
    sc = scorer(args.shared)
    sets = sc.load_sets([str(args.shared / "corpus" / "dev" / name) for name in args.sets])
    saved: dict[str, dict] = {}
    if args.pred:
        for line in args.pred.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            obj = json.loads(line)
            saved[Path((obj.get("article") or {}).get("path") or "").name] = obj
    everything: list[tuple[float, bool]] = []
    for name, docs in sets:
        objs = {Path(p).name: o for p, o in _extract_objects(docs).items()} if not args.pred else saved
        judged = []
        for g in docs:
            obj = objs.get(Path(g["_path"]).name)
            if obj is not None:
                judged += judge(sc, g, obj)
        print(f"\n{name}")
        print("\n".join(table(judged)))
        everything += judged
    print("\nall sets")
    print("\n".join(table(everything)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
