"""A corrected article replaces its old version without breaking the permalinks of unchanged statements.

A statement's id is ``ARTICLE-SEQ``: the article keeps its id across versions (the first version's),
and each statement of the new version that is also in the old one (same quote, whitespace and case
aside, and same speaker) keeps the old one's position SEQ.  New statements take the positions left
free.  Only when the new version has fewer statements than an unchanged statement's old position
does that statement move; ``align`` says where each old position went (None: the statement is gone).
"""

from __future__ import annotations

from archive.model import Statement


def _key(statement: Statement) -> tuple[str, str | None]:
    return " ".join(statement.quote.split()).casefold(), statement.speaker.name if statement.speaker else None


def align(old: tuple[Statement, ...], new: tuple[Statement, ...]) -> tuple[tuple[Statement, ...], dict[int, int | None]]:
    """The new statements in an order that keeps unchanged ones at their old positions, and the map
    from each old position to its new one (None where the statement is gone)."""
    positions: dict[tuple[str, str | None], list[int]] = {}
    for seq, statement in enumerate(old):
        positions.setdefault(_key(statement), []).append(seq)
    slots: list[Statement | None] = [None] * len(new)
    origin: dict[int, int] = {}  # slot -> old position of the statement placed there
    unplaced: list[tuple[Statement, int | None]] = []
    for statement in new:
        olds = positions.get(_key(statement))
        old_seq = olds.pop(0) if olds else None
        if old_seq is not None and old_seq < len(new):
            slots[old_seq] = statement
            origin[old_seq] = old_seq
        else:
            unplaced.append((statement, old_seq))
    free = iter(i for i, slot in enumerate(slots) if slot is None)
    for statement, old_seq in unplaced:  # in text order
        slot = next(free)
        slots[slot] = statement
        if old_seq is not None:
            origin[slot] = old_seq
    mapping: dict[int, int | None] = dict.fromkeys(range(len(old)))
    for slot, old_seq in origin.items():
        mapping[old_seq] = slot
    return tuple(s for s in slots if s is not None), mapping
