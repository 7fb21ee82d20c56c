"""A search's time budget: a deadline made when its work starts and checked at cheap points of it.

Whoosh has no cancellation, and its own ``TimeLimitCollector`` needs a timer thread per search and
SIGALRM (main thread only), so the work checks the clock itself: every few hundred words of a
vocabulary scan (``index.query.bound_expansions``), at every query node of the array evaluator
(``index.fastsearch``) and every thousand postings of Whoosh's matchers (``guard``).  Over the
budget, ``SearchTimeout`` stops the request; a thread is held at most a moment past the budget.
"""

from __future__ import annotations

import time

from whoosh import query as Q
from whoosh.matching.wrappers import WrappingMatcher

from index.errors import SearchTimeout

DEFAULT_BUDGET = 3.0  # seconds of query work per request (PARLEY_SEARCH_BUDGET)
_EVERY = 1024  # matcher steps between two looks at the clock (a look costs about what a step does)


class Deadline:
    """When a request's query work must have ended; ``check`` raises SearchTimeout after it."""

    __slots__ = ("budget", "ends")

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.ends = time.monotonic() + budget

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise SearchTimeout(self.budget)

    @property
    def expired(self) -> bool:
        return time.monotonic() > self.ends


def budget_setting(value) -> float:
    """The ``budget`` of the ``[search]`` settings as seconds (``DEFAULT_BUDGET`` when unset)."""
    if value is None or value == "":
        return DEFAULT_BUDGET
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"the search budget must be a number of seconds, not {value!r}") from None
    if not 0 < seconds < float("inf"):
        raise ValueError(f"the search budget must be more than 0 seconds, not {value!r}")
    return seconds


def guard(query: Q.Query, deadline: Deadline | None) -> Q.Query:
    """``query`` for Whoosh's matchers, checking ``deadline`` as they step (the same matches and scores)."""
    return query if deadline is None else _Guarded(query, deadline)


class _Guarded(Q.WrappingQuery):
    def __init__(self, child: Q.Query, deadline: Deadline) -> None:
        super().__init__(child)
        self.deadline = deadline

    def _rewrap(self, child: Q.Query) -> Q.Query:
        return _Guarded(child, self.deadline)

    def matcher(self, searcher, context=None):
        self.deadline.check()
        return _GuardedMatcher(self.child.matcher(searcher, context), self.deadline)


class _GuardedMatcher(WrappingMatcher):
    """Forwards everything to its child (boost 1: scores unchanged); looks at the clock every ``_EVERY`` steps."""

    def __init__(self, child, deadline: Deadline, boost: float = 1.0) -> None:
        super().__init__(child, boost)
        self.deadline = deadline
        self.steps = 0

    def copy(self):
        return _GuardedMatcher(self.child.copy(), self.deadline)

    def _replacement(self, newchild):
        return _GuardedMatcher(newchild, self.deadline)

    def _step(self) -> None:
        self.steps += 1
        if self.steps >= _EVERY:
            self.steps = 0
            self.deadline.check()

    def next(self):
        self._step()
        return self.child.next()

    def skip_to(self, id):
        self._step()
        return self.child.skip_to(id)

    def skip_to_quality(self, minquality):
        self._step()
        return self.child.skip_to_quality(minquality)

    def all_ids(self):
        for n, docnum in enumerate(self.child.all_ids()):
            if not n % _EVERY:
                self.deadline.check()
            yield docnum
