"""Real English words a search correction must leave alone.

The page script (``search.js``) corrects a word the index does not know to a word one slip
away ("refnd" → "refund"). A correctly spelled word the index happens not to have is not a
slip: "tracking" must not become "crack", nor "never" "sever". The words of the language come
from the pinned ``english-words`` package (Webster's Second and GCIDE word lists, public
domain). Only the real words the script could correct are shipped: those one slip away from
the start of an index word, a few thousand instead of a few hundred thousand. The slips are
every letter left out, added, changed or swapped, a superset of the ones the script tries.
"""

from collections.abc import Iterable, Iterator
from functools import cache

from english_words import get_english_words_set

LETTERS = "abcdefghijklmnopqrstuvwxyz'"
SHORTEST = 3  # the script corrects words of four letters or more, and their stems of three


@cache
def english() -> frozenset[str]:
    """Every word of the two word lists, in lower case."""
    return frozenset(get_english_words_set(["web2", "gcide"], lower=True, alpha=True))


def one_slip_away(word: str) -> Iterator[str]:
    """Every string one slip away from `word`: a letter left out, added, changed, swapped."""
    for i in range(len(word) + 1):
        before, after = word[:i], word[i:]
        for letter in LETTERS:
            yield before + letter + after
        if after:
            yield before + after[1:]
            for letter in LETTERS:
                yield before + letter + after[1:]
            if len(after) > 1:
                yield before + after[1] + after[0] + after[2:]


def real_words_near(vocabulary: Iterable[str]) -> list[str]:
    """The real words one slip away from the start of a word of `vocabulary`, sorted."""
    starts = {word[:end] for word in vocabulary for end in range(SHORTEST, len(word) + 1)}
    near = {slip for start in starts for slip in one_slip_away(start)}
    return sorted(word for word in near & english() if len(word) >= SHORTEST)
