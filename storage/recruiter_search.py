"""Recruiter search: an in-memory index of the registry answering /cek by licence number or name.

Illegal recruiters use names that look like licensed ones, so only two things are "found" (SPEC
section 5): the same licence number (spaces and case ignored; FACTS.md: no official pattern, so
none is checked) or the same name once case, "PT", punctuation, spaces, legal suffixes such as
"Tbk" or "(Persero)" and the sample's "(CONTOH)" mark are set aside. Everything else is at most
"close" (the whole name one letter away: a typo, or a lookalike, for the person to compare) or
"similar".

Similar names match word by word: each word of the query may carry a typo (about one edit per
five letters, so "samudera" finds "samudra" but "jaya" never finds "daya"), candidates must contain
most of the query's words, and the closest whole names rank first. Matching words against the
vocabulary rather than the query against every name, and finding a word's look-alikes through a
deletion index rather than by comparing it with the whole vocabulary, keeps a search over 50,000
companies around a millisecond.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import func
from sqlmodel import Session, col, select

from flows.ports import Recruiter, RegistryAnswer
from storage.recruiter_table import RecruiterRow

MAX_QUERY = 200
# Optimal string alignment counts a swapped pair of letters as one typo, as people make them.
WORD_SIMILARITY = 0.8
# Share of the query's words a name must contain: both of two, two of three, three of four.
WORDS_REQUIRED = 0.6

# Below this many letters a name one letter away is too likely to be another name altogether.
MIN_CLOSE_KEY = 4

# "P.T." loses its dots to the punctuation rule below and would leave two stray letters behind.
_DOTTED_PT = re.compile(r"\bp\s*\.\s*t\b\.?")
_PERSEROAN = re.compile(r"\bperseroan terbatas\b")
# The shipped sample marks every fictional company "(CONTOH)" (example): the mark is not part of
# the name a person types.
_SAMPLE_MARK = re.compile(r"\(\s*contoh\s*\)")
# Apostrophes join a word ("Sya'ban"), every other mark separates words ("Karya-Mandiri").
_APOSTROPHES = re.compile(r"['’`´]")
_PUNCTUATION = re.compile(r"[\W_]+")
# Not searched as words: they are in almost every name and tell nothing apart.
_LEGAL_FORMS = frozenset({"pt", "tbk", "cv", "persero", "perseroda"})
# Set aside when deciding whether two names are the same: "PT" and the suffixes of a company
# listed on the stock exchange or owned by the state. A CV is another legal form than a PT: a
# "CV" with a licensed PT's name is a lookalike, not that company.
_SAME_NAME_IGNORES = frozenset({"pt", "tbk", "persero", "perseroda"})
# Words up to this long go into the deletion index: at most two typos each (see _typo_allowance),
# so at most 121 variants a word. Longer words are rare and are compared one by one instead, which
# also bounds the work a 200-letter query word can cause.
_INDEXED_LENGTH = 15
# Queries of up to this many words narrow the names by set intersections before counting.
_NARROWED_WORDS = 8
# Up to this many names are measured against the query one by one for "did you mean"; beyond,
# looking up the words one edit away first is cheaper.
_FEW_NAMES = 200


def registry_fingerprint(session: Session) -> tuple[object, ...]:
    """Changes whenever an import adds, updates or removes rows: their count, the newest import
    time and the highest id."""
    row = session.exec(
        select(func.count(), func.max(RecruiterRow.imported_at), func.max(RecruiterRow.id))
    ).one()
    return tuple(row)


def normalise_name(name: str) -> str:
    """Company name as its words are searched: no accents, lower case, no legal form, no
    punctuation."""
    return _without(_plain_words(name), _LEGAL_FORMS)


def name_key(name: str) -> str:
    """Company name as two names are the same or not: its letters and digits, in order, without
    "PT" and legal suffixes; spaces and punctuation do not count ("Layang-Layang" is "Layang
    Layang" is "Layanglayang")."""
    return _key(_plain_words(name))


def _key(words: list[str]) -> str:
    return _without(words, _SAME_NAME_IGNORES).replace(" ", "")


def _plain_words(name: str) -> list[str]:
    """The words of a name: folded, without accents, the sample's mark or punctuation."""
    # Compatibility forms can decompose to capitals ("ℌ" to "H") and folding can expand a letter,
    # so the text is folded between two decompositions; accents go last.
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    text = _SAMPLE_MARK.sub(" ", "".join(c for c in folded if not unicodedata.combining(c)))
    return _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", _DOTTED_PT.sub(" ", text))).split()


def _without(words: list[str], ignored: frozenset[str]) -> str:
    kept = " ".join(word for word in words if word not in ignored)
    # Until nothing changes: taking one "perseroan terbatas" out can close another one up.
    while "perseroan terbatas" in kept:
        shorter = " ".join(_PERSEROAN.sub(" ", kept).split())
        if shorter == kept:
            break
        kept = shorter
    return kept


def licence_key(text: str) -> str:
    """A licence number as it is matched: no whitespace anywhere, upper case."""
    return "".join(text.split()).upper()


def to_recruiter(row: RecruiterRow) -> Recruiter:
    return Recruiter(
        name=row.name,
        license_number=row.license_number,
        status=row.status,
        valid_until=row.valid_until,
        province=row.province,
        city=row.city,
        destinations=tuple(d.strip() for d in row.destinations.split(";") if d.strip()),
        source=row.source,
    )


@dataclass(frozen=True, repr=False, eq=False)  # 50,000 companies make a poor repr
class RegistryIndex:
    """Implements ``flows.ports.RecruiterLookup``; build it once per import and share it."""

    recruiters: tuple[Recruiter, ...]
    names: tuple[str, ...]  # normalised, parallel to ``recruiters``
    keys: tuple[str, ...]  # ``name_key`` of each, parallel to ``recruiters``
    by_licence: dict[str, tuple[int, ...]]
    by_key: dict[str, tuple[int, ...]]
    by_word_count: dict[int, frozenset[int]]  # how many words a normalised name has -> positions
    postings: dict[str, frozenset[int]]  # word -> positions of the names holding it
    vocabulary: tuple[str, ...]
    by_length: dict[int, tuple[str, ...]]  # the vocabulary by word length
    # Every string a vocabulary word of at most _INDEXED_LENGTH letters becomes with up to its typo
    # allowance of deletions, and at least one -> those words (a "SymSpell" deletion neighbourhood).
    neighbours: dict[str, tuple[str, ...]]
    updated_at: date | None
    is_sample: bool

    @classmethod
    def from_rows(cls, rows: Iterable[RecruiterRow]) -> RegistryIndex:
        rows = list(rows)  # walked more than once
        by_licence: defaultdict[str, list[int]] = defaultdict(list)
        by_key: defaultdict[str, list[int]] = defaultdict(list)
        by_word_count: defaultdict[int, list[int]] = defaultdict(list)
        postings: defaultdict[str, list[int]] = defaultdict(list)
        names, keys = [], []
        for position, row in enumerate(rows):
            by_licence[licence_key(row.license_number)].append(position)
            words = _plain_words(row.name)
            name = _without(words, _LEGAL_FORMS)
            names.append(name)
            keys.append(_key(words))
            by_key[keys[-1]].append(position)
            by_word_count[len(name.split())].append(position)
            for word in dict.fromkeys(name.split()):
                postings[word].append(position)
        dates = [row.updated_at for row in rows if row.updated_at is not None]
        return cls(
            recruiters=tuple(to_recruiter(row) for row in rows),
            names=tuple(names),
            keys=tuple(keys),
            by_licence={key: tuple(found) for key, found in by_licence.items()},
            by_key={key: tuple(found) for key, found in by_key.items() if key},
            by_word_count={count: frozenset(found) for count, found in by_word_count.items()},
            postings={word: frozenset(found) for word, found in postings.items()},
            vocabulary=tuple(postings),
            by_length=_by_length(postings),
            neighbours=_neighbours(postings),
            updated_at=max(dates, default=None),
            is_sample=any(row.is_sample for row in rows),
        )

    @classmethod
    def load(cls, session: Session) -> RegistryIndex:
        return cls.from_rows(session.exec(select(RecruiterRow).order_by(col(RecruiterRow.id))))

    def search(self, query: str, limit: int = 3) -> RegistryAnswer:
        query = query[:MAX_QUERY]
        limit = max(limit, 0)
        licensed = self.by_licence.get(licence_key(query), ()) if query.strip() else ()
        if licensed:
            return self._answer(found=licensed[:limit], by_licence=True)
        key = name_key(query)
        same = self.by_key.get(key, ())
        if same:
            return self._answer(found=same[:limit])
        ranked = self._by_name(query, limit)
        words = normalise_name(query).split()
        close = [
            position
            for position in dict.fromkeys([*ranked, *sorted(self._one_letter_away(words, key))])
            if OSA.distance(key, self.keys[position], score_cutoff=1) <= 1
        ][:limit]
        similar = [position for position in ranked if position not in close][: limit - len(close)]
        return self._answer(close=close, similar=similar)

    def _answer(
        self,
        *,
        found: Sequence[int] = (),
        close: Sequence[int] = (),
        similar: Sequence[int] = (),
        by_licence: bool = False,
    ) -> RegistryAnswer:
        def companies(positions: Sequence[int]) -> tuple[Recruiter, ...]:
            return tuple(self.recruiters[i] for i in positions)

        return RegistryAnswer(
            companies(found),
            self.updated_at,
            self.is_sample,
            companies(close),
            companies(similar),
            by_licence=by_licence,
        )

    def _one_letter_away(self, words: list[str], key: str) -> set[int]:
        """Names that may be one letter away from the query: as many words, all but one of them
        the query's own, that one within one edit. The word search above misses such names when
        the changed word is short ("jata" for "jaya" is no typo there) and the name has few other
        words; "did you mean" must not. The caller measures the whole name."""
        count = self.by_word_count.get(len(words))
        if len(key) < MIN_CLOSE_KEY or not count:
            return set()
        found: set[int] = set()
        for i, word in enumerate(words):
            rest = words[:i] + words[i + 1 :]
            if not all(other in self.postings for other in rest):
                continue
            names = count.intersection(*(self.postings[other] for other in rest))
            if len(names) > _FEW_NAMES:
                # Common words left many: keep those holding a word one edit from this one.
                names &= set().union(*(self.postings[match] for match in self._close(word)))
            found |= names
        return found

    def _close(self, word: str) -> list[str]:
        """The vocabulary words at most one edit from ``word``, the word itself included."""
        if len(word) <= _INDEXED_LENGTH:
            candidates = {
                match for variant in _deletions(word, 1) for match in self.neighbours.get(variant, ())
            }
            if len(word) == _INDEXED_LENGTH:
                candidates.update(self.by_length.get(_INDEXED_LENGTH + 1, ()))
        else:
            candidates = {
                w for length in range(len(word) - 1, len(word) + 2) for w in self.by_length.get(length, ())
            }
        return [match for match in candidates if OSA.distance(word, match, score_cutoff=1) <= 1]

    def _within_reach(self, length: int, shortest: int = 0) -> list[str]:
        """The words of at least ``shortest`` letters that are long enough and short enough to be
        within the typo allowance of a word of ``length`` letters: an edit distance is at least the
        difference in length, so the others cannot reach WORD_SIMILARITY."""
        return [
            word
            for other, words in self.by_length.items()
            if other >= shortest and abs(other - length) <= (1 - WORD_SIMILARITY) * max(other, length) + 1e-9
            for word in words
        ]

    def _similar(self, word: str) -> list[str]:
        """The vocabulary words within the typo allowance of ``word``, the word itself included."""
        if len(word) <= _INDEXED_LENGTH:
            # A word within the allowance shares a deletion variant with ``word`` (see
            # _neighbours); the variants give a few dozen candidates instead of the vocabulary.
            candidates = {
                match
                for variant in _deletions(word, _typo_allowance(len(word)))
                for match in self.neighbours.get(variant, ())
            }
            candidates.update(self._within_reach(len(word), shortest=_INDEXED_LENGTH + 1))
        else:
            candidates = set(self._within_reach(len(word)))
        # The same scorer decides as before the index existed: the index only narrows the choice.
        similar = process.extract(
            word, list(candidates), scorer=OSA.normalized_similarity, score_cutoff=WORD_SIMILARITY, limit=None
        )
        return [match for match, _, _ in similar]

    def _by_name(self, query: str, limit: int) -> list[int]:
        normalised = normalise_name(query)
        words = list(dict.fromkeys(normalised.split()))
        if not words or limit < 1:
            return []
        # The names holding each query word, typos allowed; set operations run in C.
        holding = [
            set().union(*(self.postings[match] for match in similar))
            for similar in map(self._similar, words)
            if similar
        ]
        required = math.ceil(WORDS_REQUIRED * len(words))
        tiers: defaultdict[int, list[int]] = defaultdict(list)
        for position, count in _counts(holding, required).items():
            tiers[count].append(position)
        # More query words present ranks first; within a tier the whole name closest to the query
        # (fewest extra words, same order, fewest typos) wins.
        ranked: list[int] = []
        for count in sorted(tiers, reverse=True):
            choices = {position: self.names[position] for position in sorted(tiers[count])}
            best = process.extract(normalised, choices, scorer=fuzz.ratio, limit=limit - len(ranked))
            ranked.extend(position for _, _, position in best)
            if len(ranked) >= limit:
                break
        return ranked


def _by_length(words: Iterable[str]) -> dict[int, tuple[str, ...]]:
    grouped: defaultdict[int, list[str]] = defaultdict(list)
    for word in words:
        grouped[len(word)].append(word)
    return {length: tuple(found) for length, found in grouped.items()}


def _counts(holding: list[set[int]], required: int) -> Counter[int]:
    """How many of the sets in ``holding`` hold each position that is in at least ``required`` of
    them. Common words ("jaya", "karya") are held by thousands of names, few of which hold
    enough of the other words: counting all of them, and walking the counts in Python, was most
    of a search's time. Narrowing with set intersections first leaves a few hundred to count."""
    if len(holding) < required or required < 1:
        return Counter()
    if len(holding) == 1:
        return Counter(dict.fromkeys(holding[0], 1))
    if len(holding) > _NARROWED_WORDS:
        # n * required intersections would cost more than counting everything.
        every: Counter[int] = Counter()
        for found in holding:
            every.update(found)
        return Counter({position: count for position, count in every.items() if count >= required})
    at_least: list[set[int]] = [set() for _ in range(required + 1)]  # [k]: held by k or more so far
    for found in holding:
        for k in range(required, 1, -1):
            at_least[k] |= at_least[k - 1] & found
        at_least[1] |= found
    enough = at_least[required]
    counts: Counter[int] = Counter()
    for found in holding:
        counts.update(found & enough)
    return counts


@functools.cache
def _typo_allowance(length: int) -> int:
    """Most edits a word of ``length`` letters can take and stay WORD_SIMILARITY alike to a word
    no longer than itself. Asked of the scorer itself: its cutoff applies to 1 - similarity after
    rounding, so exactly 0.8 fails and a five-letter word allows no typo at all."""
    return max(
        (
            edits
            for edits in range(length)
            if OSA.normalized_similarity(
                "a" * length, "b" * edits + "a" * (length - edits), score_cutoff=WORD_SIMILARITY
            )
        ),
        default=0,
    )


def _deletions(word: str, most: int) -> set[str]:
    """``word`` and every string made from it by deleting up to ``most`` letters."""
    found = {word}
    level = {word}
    for _ in range(most):
        level = {variant[:i] + variant[i + 1 :] for variant in level for i in range(len(variant))}
        found |= level
    return found


def _neighbours(words: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The deletion index. Two words within the typo allowance of the longer one share a variant
    made of at most each word's own allowance of deletions: a substitution or a swap of two
    letters costs one deletion on each side, an extra letter one on its side only, and the
    shorter word needs no more than its own allowance because it is short by at least as many
    insertions as its allowance is smaller than the longer word's (the allowance grows by at most
    one a letter). So looking up the query word's variants finds every match, and a few more
    that the scorer then turns away. Every word also has its one-deletion variants, so that words
    one edit apart find each other even where that is no typo (``RegistryIndex._close``)."""
    grouped: defaultdict[str, list[str]] = defaultdict(list)
    for word in words:
        if len(word) <= _INDEXED_LENGTH:
            for variant in _deletions(word, max(_typo_allowance(len(word)), 1)):
                grouped[variant].append(word)
    return {variant: tuple(found) for variant, found in grouped.items()}
