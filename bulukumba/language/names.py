"""Names as people write them: the one normaliser and the one matcher for every name read.

Four readers meet names typed by people: the importer's column headers (importer/headers.py),
its villages, kecamatan and partners (importer/places.py; an account's partner in
reports/form.py is read the same way), and the public page's "find my village"
(language/search.py). Each reads a name through this module:

- the normaliser: `plain` (lower case ASCII: accents, full-width letters and case folded),
  `words`, `fold` (letters and digits only: 'Bonto-Bahari' -> 'bontobahari'), `bare` (folded,
  without the words written before a name: 'Desa', 'Kel.', 'Kec.'), and `spelling` (a header
  as it is remembered: case and spacing folded, punctuation kept);
- the matcher, on rapidfuzz: `near` (names a slip or two away, in letters: Levenshtein),
  `closest` (the most alike names, for a hint) and `fit` (how well a typed query fits a name).

A name longer than `MAX_NAME` letters is compared with nothing (the longest village name in
Indonesia has 40 letters), so a 50,000-character cell costs what folding it costs.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

#: Most letters of a name that is compared with other names; a longer one matches nothing.
MAX_NAME = 100

#: Words written before a village's name that are not part of it ('Desa', 'Kelurahan', 'Kel.', 'Ds.').
VILLAGE_PREFIXES = ("desa", "kelurahan", "kel", "ds")
#: Words written before a kecamatan's name ('Kecamatan', 'Kec.').
KECAMATAN_PREFIXES = ("kecamatan", "kec")
#: Words written before a regency's name ('Kabupaten', 'Kab.', 'Kota').
REGENCY_PREFIXES = ("kabupaten", "kab", "kota")
#: What a resident may type before a place's name in the public search (a hamlet too).
PLACE_PREFIXES = (*VILLAGE_PREFIXES, "dusun", *KECAMATAN_PREFIXES)


# ---------------------------------------------------------------------------------------------
# The normaliser
# ---------------------------------------------------------------------------------------------

def plain(text: object) -> str:
    """Lower case ASCII, accents and full-width forms folded: 'ＷＡＪＩＢ Désa' -> 'wajib desa'."""
    return unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()


def words(text: object) -> list[str]:
    """The words of a text, letters and digits apart: 'Kel. Tanah-Towa 2' -> ['kel', 'tanah', 'towa', '2']."""
    return re.findall(r"[a-z]+|[0-9]+", plain(text))


#: `plain` gives ASCII: every ASCII character but a-z and 0-9 is dropped by `fold`.
_NOT_LETTERS = str.maketrans("", "", "".join(c for c in map(chr, range(128))
                                             if not ("a" <= c <= "z" or "0" <= c <= "9")))
_FIRST_WORD = re.compile(r"[^a-z0-9]*([a-z]+|[0-9]+)")
_LETTER = re.compile(r"[a-z0-9]")


def fold(text: object) -> str:
    """Letters and digits only: 'Desa/Kelurahan' -> 'desakelurahan', 'Bonto-Bahari' -> 'bontobahari'."""
    return plain(text).translate(_NOT_LETTERS)


def bare(text: object, prefixes: Sequence[str] = PLACE_PREFIXES) -> str:
    """A name folded without the words written before it: 'Desa Tanah Towa' -> 'tanahtowa',
    'Kel. Caile' -> 'caile'; a prefix alone stays ('Desa' -> 'desa')."""
    rest = plain(text)
    while (first := _FIRST_WORD.match(rest)) and first.group(1) in prefixes \
            and _LETTER.search(rest, first.end()):
        rest = rest[first.end():]
    return rest.translate(_NOT_LETTERS)


def spelling(header: object) -> str:
    """How a header spelling is remembered: case, spacing and width folded, punctuation kept
    ('  Nama  Desa/KEL ' -> 'nama desa/kel'); stored with a mapping, so it never changes."""
    return " ".join(unicodedata.normalize("NFKC", str(header)).casefold().split())[:200]


# ---------------------------------------------------------------------------------------------
# The matcher
# ---------------------------------------------------------------------------------------------

def slips(name: str) -> int:
    """Letters a folded name may be off by: one in a short name, two in a long one."""
    return 1 if len(name) <= 7 else 2


def near(name: str, choices: Iterable[str], most: int | None = None) -> list[tuple[int, str]]:
    """The choices at most `most` letters from `name` (default `slips(name)`), closest first:
    [(letters off, choice)]. `name` and `choices` as `fold` or `bare` gives them."""
    if not name or len(name) > MAX_NAME:
        return []
    most = slips(name) if most is None else most
    found = process.extract(name, list(choices), scorer=Levenshtein.distance, score_cutoff=most,
                            limit=None)
    return sorted((int(distance), choice) for choice, distance, _ in found)


def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """How alike two folded names are, 0..1 (1: the same; rapidfuzz's ratio); 0 below `floor`."""
    if len(a) > MAX_NAME or len(b) > MAX_NAME:
        return 0.0
    return fuzz.ratio(a, b, score_cutoff=floor * 100) / 100


def closest(name: str, choices: Sequence[str], n: int = 3, floor: float = 0.6) -> list[str]:
    """Up to `n` of `choices` (names as shown) most like `name`, compared folded, most alike
    first; only those at least `floor` alike."""
    wanted = fold(name)
    if not wanted or len(wanted) > MAX_NAME:
        return []
    found = process.extract(wanted, [fold(c) for c in choices], scorer=fuzz.ratio,
                            score_cutoff=floor * 100, limit=n)
    return [choices[index] for _, _, index in found]


def fit(query: str, name: str, name_words: Sequence[str], floor: float) -> float:
    """How well a typed query fits a name, 0..1, both folded (`name_words`: the name's words):
    the whole name 1, its start 0.95, the start of one of its words 0.9, inside it 0.85;
    otherwise how alike they are (a typo in one word of a longer name counts 0.9 of that
    word's likeness); likeness below `floor` counts 0."""
    if not query or len(query) > MAX_NAME:
        return 0.0
    if query == name:
        return 1.0
    if name.startswith(query) and len(query) >= 3:
        return 0.95
    if len(query) >= 4 and any(w.startswith(query) for w in name_words):
        return 0.9
    if len(query) >= 5 and query in name:
        return 0.85
    score = similarity(query, name, floor)
    if len(query) >= 4 and len(name_words) > 1:  # 'towo' for 'Tanah Towa'
        score = max(score, 0.9 * max(similarity(query, w, min(1.0, floor / 0.9)) for w in name_words))
    return score
