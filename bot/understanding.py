"""Reading what people type where the bot offered buttons: an answer among the options on screen
(yes / no / not-sure words, the buttons' labels in every language, their number, typos), and a
country from its name, a misspelling or a place in it (``data/countries.json``).

This is the engine's ``Understanding`` port (flows/ports.py). It lives here because it needs the
translation catalogs and rapidfuzz, which the pure core may not import. It answers only when the
meaning is clear; a guess it is unsure of is a miss, and the engine asks again."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bot.i18n import LANGUAGES, renderer
from flows.render import territories
from flows.steps import Option
from flows.text import Text

# Words that answer a yes/no question, as people type them (Indonesian, English, chat spellings).
YES_WORDS = frozenset(
    [
        "ya",
        "iya",
        "iyaa",
        "iye",
        "yaa",
        "yes",
        "y",
        "yup",
        "yep",
        "yeah",
        "ye",
        "betul",
        "benar",
        "bener",
        "setuju",
        "agree",
        "ok",
        "oke",
        "okay",
        "okey",
        "boleh",
        "mau",
        "sure",
        "sudah",
        "udah",
        "sdh",
        "pernah",
        "ada",
    ]
)
NO_WORDS = frozenset(
    [
        "tidak",
        "tdk",
        "tak",
        "ga",
        "gak",
        "gk",
        "nggak",
        "ngga",
        "nggk",
        "enggak",
        "engga",
        "ndak",
        "nda",
        "no",
        "nope",
        "not",
        "bukan",
        "belum",
        "blm",
        "jangan",
        "tiada",
    ]
)
# Checked before yes and no: "tidak tahu" is not a no.
UNSURE_PHRASES = (
    "tidak tahu",
    "tidak tau",
    "tdk tahu",
    "tdk tau",
    "gak tahu",
    "gak tau",
    "ga tau",
    "ga tahu",
    "nggak tahu",
    "nggak tau",
    "ngga tau",
    "enggak tahu",
    "gatau",
    "gatahu",
    "gktau",
    "kurang tahu",
    "kurang tau",
    "belum tahu",
    "belum tau",
    "tidak yakin",
    "gak yakin",
    "nggak yakin",
    "kurang yakin",
    "tidak pasti",
    "belum pasti",
    "ragu",
    "mungkin",
    "entah",
    "entahlah",
    "not sure",
    "dont know",
    "don t know",
    "do not know",
    "no idea",
    "maybe",
    "unsure",
    "idk",
    "perhaps",
)
PRONOUNS = frozenset({"saya", "aku", "sy", "gue", "gw", "i"})
# Words that name nothing by themselves: a country is never matched from these alone.
STOPWORDS = frozenset(
    [
        "di",
        "ke",
        "dari",
        "yang",
        "dan",
        "atau",
        "saya",
        "aku",
        "kami",
        "dia",
        "ini",
        "itu",
        "ada",
        "sekarang",
        "negara",
        "kota",
        "tinggal",
        "kerja",
        "bekerja",
        "sedang",
        "lagi",
        "masih",
        "sudah",
        "mau",
        "pergi",
        "in",
        "at",
        "to",
        "from",
        "the",
        "a",
        "an",
        "i",
        "am",
        "is",
        "my",
        "we",
        "now",
        "country",
        "live",
        "living",
        "work",
        "working",
        "city",
    ]
)
# Words that carry no choice: "chat aja" is "chat".
FILLERS = frozenset(
    ["aja", "saja", "dong", "deh", "lah", "kok", "yang", "nya", "please", "just", "only", "pls", "tolong"]
)
MAX_ANSWER_WORDS = 8  # a longer text is a sentence, not a tap typed out
MAX_MEANING_WORDS = 3  # "tidak ada", "iya saya mau": a yes or no is short
LABEL_CUTOFF = 85
MAX_COUNTRY_WORDS = 30
NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise(text: str) -> str:
    """Lower case, accents and punctuation gone, single spaces: how typed words are compared."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", plain).strip()


def meaning(words: Sequence[str]) -> str | None:
    """ "yes", "no" or "unsure" when a short answer says so; None otherwise."""
    padded = f" {' '.join(words)} "
    if any(f" {phrase} " in padded for phrase in UNSURE_PHRASES):
        return "unsure"
    rest = [w for w in words if w not in PRONOUNS] or list(words)
    if len(rest) > MAX_MEANING_WORDS:
        return None  # "tidak boleh keluar rumah sama sekali" is a sentence, not a no
    if rest[0] in NO_WORDS:
        return "no"
    if rest[0] in YES_WORDS:
        return "yes"
    return None


class Understanding:
    def __init__(self, countries: Mapping[str, Any], languages: Sequence[str] = LANGUAGES) -> None:
        self.languages = tuple(languages)
        self.exact: dict[str, str] = {}
        self._index_countries(countries)
        self.fuzzy_names = list(self.exact)

    @classmethod
    def from_file(cls, path: Path) -> Understanding:
        return cls(json.loads(path.read_text("utf-8"))["countries"])

    # -- choices -------------------------------------------------------------------------------
    def choice(self, text: str, options: Sequence[Option]) -> str | None:
        norm = normalise(text)
        words = norm.split()
        if not words or len(words) > MAX_ANSWER_WORDS or not options:
            return None
        if norm.isdigit():
            # The buttons' order on screen: "2" is the second one.
            index = int(norm)
            return options[index - 1].id if 1 <= index <= len(options) else None
        labels = [(o.id, label) for o in options for label in self._labels(o.label)]
        exact = {oid for oid, label in labels if label == norm}
        if len(exact) == 1:
            return exact.pop()
        said = meaning(words)
        if said is not None:
            # A yes/no/not-sure answer chooses the option that means it, or nothing: "tidak tahu"
            # must never become the "Tidak" button.
            meant = [o.id for o in options if o.means == said]
            return meant[0] if len(meant) == 1 else None
        return self._closest(norm, words, labels)

    def _closest(self, norm: str, words: list[str], labels: list[tuple[str, str]]) -> str | None:
        scores: dict[str, float] = {}
        # "saya" alone is an answer ("Me"), though inside a sentence it says nothing.
        content = [w for w in words if w not in STOPWORDS and w not in FILLERS] or words
        for oid, label in labels:
            if not label:
                continue
            score = fuzz.ratio(norm, label)
            label_words = set(label.split())
            if len(label) >= 4 and label_words <= set(words):
                score = max(score, 90.0)  # "saya mau lapor kekerasan" holds "kekerasan"
            if content and len(norm) >= 4 and set(content) <= label_words:
                score = max(score, 88.0)  # "paspor" is a word of "paspor ditahan"
            scores[oid] = max(scores.get(oid, 0.0), score)
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] < LABEL_CUTOFF:
            return None
        if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - 3:
            return None  # two options fit about as well: a guess, not an answer
        return ranked[0][0]

    def _labels(self, label: Text) -> tuple[str, ...]:
        return _rendered(label, self.languages)

    # -- countries -------------------------------------------------------------------------------
    def _index_countries(self, countries: Mapping[str, Any]) -> None:
        names: dict[str, set[str]] = {}

        def add(name: str, code: str) -> None:
            norm = normalise(name)
            if norm and not all(w in STOPWORDS for w in norm.split()):
                names.setdefault(norm, set()).add(code)

        for lang in self.languages:
            for code, name in territories(lang).items():
                if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES:
                    add(name, code)
                    # "Myanmar (Burma)": each part is a name too.
                    for part in re.split(r"[()]", name):
                        add(part, code)
        for code, entry in countries.items():
            for name in (entry.get("names") or {}).values():
                add(str(name), code)
            for alias in entry.get("aliases") or ():
                add(str(alias), code)
        self.served = frozenset(countries)
        # A name that could mean two countries means neither.
        self.exact = {name: next(iter(codes)) for name, codes in names.items() if len(codes) == 1}

    def country(self, text: str) -> str | None:
        stripped = text.strip()
        if len(stripped) == 2 and stripped.isupper() and stripped in territories("en"):
            return stripped  # "MY", "HK": the code itself
        words = normalise(text).split()[:MAX_COUNTRY_WORDS]
        found: dict[str, float] = {}
        covered: set[int] = set()  # words inside a longer name already found ("uni emirat arab")
        for size in range(min(4, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                gram_words = words[start : start + size]
                if all(w in STOPWORDS for w in gram_words) or covered.issuperset(range(start, start + size)):
                    continue
                gram = " ".join(gram_words)
                code = self.exact.get(gram)
                if code is not None:
                    found[code] = 100.0
                    covered.update(range(start, start + size))
                    continue
                if len(gram) < 5:
                    continue  # "bali" is not "mali": short words only match exactly
                cutoff = 85.0 if len(gram) >= 7 else 88.0
                match = process.extractOne(gram, self.fuzzy_names, scorer=fuzz.ratio, score_cutoff=cutoff)
                if match is not None:
                    code = self.exact[match[0]]
                    found[code] = max(found.get(code, 0.0), float(match[1]))
        if len(found) > 1:
            # "dari Indonesia ke Kamboja": the other country is where it happens.
            found.pop("ID", None)
        ranked = sorted(found.items(), key=lambda item: -item[1])
        if not ranked:
            return None
        if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - 5:
            return None
        return ranked[0][0]

    def place_named(self, text: str) -> str | None:
        """The country a name right after a place word names ("disekap di kamboja", "trapped in
        Cambodia", "dibawa ke myanmar"; "dikamboja" written as one word too). Exact names only,
        and one country or none: "bos cina" or "majikan arab" say who, not where, and a guess
        here would put the wrong country's numbers on the emergency card."""
        words = normalise(text).split()[:MAX_COUNTRY_WORDS]
        found: set[str] = set()
        for i, word in enumerate(words):
            place, after = word, words[i + 1 : i + 5]
            if word not in PLACE_WORDS:
                place = next((p for p in GLUED_PLACE_WORDS if word.startswith(p)), "")
                if not place or len(word) - len(place) < 4:
                    continue
                after = [word[len(place) :], *words[i + 1 : i + 4]]
            for size in range(len(after), 0, -1):
                code = self.exact.get(" ".join(after[:size]))
                if code is None:
                    continue
                if word not in PLACE_WORDS and code not in self.served:
                    break  # glued, only the countries the bot serves: Malay "dicuba" is "tried"
                if code != "ID" or place not in TOWARDS:
                    found.add(code)  # "mau pulang ke indonesia" is where they want to be
                break
        return found.pop() if len(found) == 1 else None


# Words that say where: Indonesian "di" (in, at) and "ke" (to), English "in", "at", "to".
PLACE_WORDS = frozenset({"di", "ke", "in", "at", "to"})
# Indonesian often writes the place word onto the name ("dimalaysia", "kekamboja").
GLUED_PLACE_WORDS = ("di", "ke")
TOWARDS = frozenset({"ke", "to"})


@lru_cache(maxsize=4096)
def _rendered(label: Text, languages: tuple[str, ...]) -> tuple[str, ...]:
    """A label as it reads in each language, normalised (a name typed by the person is itself)."""
    if isinstance(label, str):
        return (normalise(label),)
    return tuple(dict.fromkeys(normalise(renderer(lang, "plain").text(label)) for lang in languages))
