"""Code search and note-to-code suggestion over a lexical index (offline, no model).

``LexicalIndex`` ranks documents (a code with its description and inclusion terms) with BM25
plus two nudges: codes whose wording the query covers well rank higher, and, for a generic
query, the "unspecified" code of a family beats its "other" sibling.  Queries pass through
``data/search_synonyms.tsv`` first, so ``DM2 w hyperglycemia`` reads as ``type 2 diabetes
mellitus with hyperglycemia``.

``suggest_codes`` splits a note into clauses, drops negated or uncertain ones (``denies chest
pain``, ``no fever``, ``rule out pneumonia``: outpatient coding does not code uncertain
diagnoses) and keeps the best codes per clause, each with the phrase that supports it; when a
parent code matches, the suggestion names its billable children and the code itself becomes
the family's unspecified billable child.

Indexes are built lazily and cached per table object, once per process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from revcycle.codesets.icd10cm import (
    CODE_RE,
    Icd10CmNotes,
    Icd10CmVersion,
    format_code,
    normalize,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TOKEN_RE = re.compile(r"[a-z0-9]+(?:/[a-z0-9]+)?|[a-z]&[a-z]")
STOPWORDS = _words(
    "a an and as at by for from in into is of on or the to with due "
    "nos nec than that this was were be been has have had"
)
_NOTE_NOISE = _words(
    "patient pt presents presenting reports reported complains complaining c/o noted "
    "today visit seen here follow up f/u came comes states stated assessment plan impression "
    "diagnosis dx days day weeks week months month years year old yo y/o male female man woman "
    "boy girl currently since ago past also has have on off now "
    "worsening worse improving stable controlled continue start started return "
    "recheck check"
)
_NEGATION_TRIGGERS = (
    "no",
    "not",
    "denies",
    "denied",
    "deny",
    "negative",
    "free",
    "absent",
    "r/o",
    "rule",
    "ruled",
    "possible",
    "likely",
    "probable",
    "suspected",
    "suspect",
    "questionable",
)
_NEGATION_END = frozenset({"but", "however", "although", "except", "yet"})
_FAMILY = ("family", "mother", "father", "sister", "brother", "fhx")
_BIG = 3000
_NEUTRAL = frozenset(
    {"unspecified", "other", "type", "site", "not", "specified", "organism", "without",
     "uncomplicated", "encounter"}
)  # fmt: skip
_DEFAULTISH = frozenset({"unspecified", "uncomplicated", "without"})
_LATERAL = frozenset({"right", "left", "bilateral"})
_CONTEXT = _words(
    "neonatal newborn perinatal fetus fetal maternal pregnancy puerperium childbirth delivery "
    "trimester postpartum gestational remission sequela subsequent"
)


def stem(token: str) -> str:
    """A deliberately small stemmer: plurals only (``fractures`` -> ``fracture``)."""
    if len(token) <= 3 or not token.isalpha():
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("sses", "xes", "ches", "shes")):
        return token[:-2]
    if token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower().replace("-", " ").replace("'", ""))


@cache
def synonyms() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Term (as words) -> expansion words, from the bundled table."""
    path = resources.files("revcycle.codesets.data").joinpath("search_synonyms.tsv")
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, expansion = line.split("\t")
        table[tuple(tokenize(term))] = tuple(tokenize(expansion))
    return table


def expand(words: Sequence[str]) -> list[str]:
    """Replace abbreviations and lay terms by their expansion, longest match first."""
    table = synonyms()
    longest = max((len(k) for k in table), default=1)
    out: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            hit = table.get(tuple(words[i : i + n]))
            if hit is not None:
                out.extend(hit)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def query_terms(text: str) -> list[str]:
    return [stem(t) for t in expand(tokenize(text)) if t not in STOPWORDS]


@dataclass(frozen=True, slots=True)
class Hit:
    code: str
    description: str
    billable: bool
    score: float


def _content(text: str) -> frozenset[str]:
    return frozenset(stem(t) for t in tokenize(text) if t not in STOPWORDS)


def _variants(desc: str, extra: str) -> tuple[frozenset[str], ...]:
    out = [_content(desc)]
    plain = re.sub(r"\([^)]*\)", " ", desc)
    if plain != desc:
        out.append(_content(plain))
    out.extend(_content(term) for term in extra.split("\n") if term.strip())
    return tuple(out)


class LexicalIndex:
    """BM25 over code descriptions; immutable after construction."""

    K1 = 1.2
    B = 0.5

    def __init__(self, system: str, docs: Iterable[tuple[str, str, bool, str]]) -> None:
        """``docs``: (code, description, billable, extra text to index)."""
        self.system = system
        self.codes: list[str] = []
        self.descriptions: list[str] = []
        self.billable: list[bool] = []
        self.terms: list[frozenset[str]] = []
        self.variants: list[tuple[frozenset[str], ...]] = []
        self.by_code: dict[str, int] = {}
        postings: dict[str, list[int]] = {}
        lengths: list[int] = []
        for code, desc, billable, extra in docs:
            doc = len(self.codes)
            self.codes.append(code)
            self.descriptions.append(desc)
            self.billable.append(billable)
            self.by_code[code] = doc
            words = [stem(t) for t in tokenize(desc) if t not in STOPWORDS]
            extra_words = [stem(t) for t in tokenize(extra) if t not in STOPWORDS]
            self.terms.append(frozenset(words) | frozenset(extra_words))
            self.variants.append(_variants(desc, extra))
            lengths.append(len(words))
            for t in set(words) | set(extra_words):
                postings.setdefault(t, []).append(doc)
        n = max(len(self.codes), 1)
        avg = sum(lengths) / n if lengths else 1.0
        self._norm = [
            (self.K1 + 1) / (1 + self.K1 * (1 - self.B + self.B * ln / avg)) for ln in lengths
        ]
        self._postings = postings
        self._idf = {
            t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()
        }
        self._sets: dict[str, frozenset[int]] = {}

    def __len__(self) -> int:
        return len(self.codes)

    def _posting_set(self, term: str) -> frozenset[int]:
        s = self._sets.get(term)
        if s is None:
            s = self._sets[term] = frozenset(self._postings[term])
        return s

    def score_terms(self, terms: Sequence[str]) -> dict[int, float]:
        """BM25 scores by document for the given (already expanded) terms."""
        known = sorted(
            {t for t in terms if t in self._postings}, key=lambda t: len(self._postings[t])
        )
        scores: dict[int, float] = {}
        norm = self._norm
        for term in known:
            idf = self._idf[term]
            posting = self._postings[term]
            if len(posting) > _BIG and scores:
                members = self._posting_set(term)
                for doc in scores:
                    if doc in members:
                        scores[doc] += idf * norm[doc]
            else:
                for doc in posting:
                    scores[doc] = scores.get(doc, 0.0) + idf * norm[doc]
        return scores

    def rank(self, terms: Sequence[str], limit: int = 10) -> list[Hit]:
        scores = self.score_terms(terms)
        if not scores:
            return []
        wanted = set(terms)
        best = sorted(scores.items(), key=lambda kv: -kv[1])[:300]
        ranked: list[tuple[float, int]] = []
        for doc, base in best:
            ranked.append((self._adjust(doc, base, wanted), doc))
        ranked.sort(key=lambda sd: (-sd[0], self.codes[sd[1]]))
        return [
            Hit(self.codes[d], self.descriptions[d], self.billable[d], round(s, 4))
            for s, d in ranked[:limit]
        ]

    def coverage(self, doc: int, wanted: set[str]) -> float:
        """Share of the document's meaningful words that the query names, taking the best of
        the description, the description without its nonessential (parenthesized) words and
        each inclusion term."""
        best = 0.0
        for variant in self.variants[doc]:
            words = variant - _NEUTRAL
            if words:
                best = max(best, len(words & wanted) / len(words))
        return best

    def _adjust(self, doc: int, base: float, wanted: set[str]) -> float:
        score = base * (0.6 + self.coverage(doc, wanted))
        vocab = self.terms[doc]
        defaultish = bool(vocab & _DEFAULTISH) or {"not", "specified"} <= vocab
        if defaultish and not (wanted & _DEFAULTISH):
            score *= 1.08
        sides = wanted & _LATERAL
        if sides and vocab & _LATERAL:
            score *= 1.1 if vocab & sides else 0.7
        if (vocab & _CONTEXT) and not (wanted & _CONTEXT):
            score *= 0.8
        if "other" in vocab and "other" not in wanted:
            score *= 0.92
        if self.billable[doc]:
            score *= 1.05
        return score

    def search(self, text: str, limit: int = 10) -> list[Hit]:
        """Rank codes for free text; a query that is a code puts that code first."""
        hits: list[Hit] = []
        code = normalize(text)
        doc = self.by_code.get(code)
        if doc is None and code.upper() in self.by_code:
            doc = self.by_code[code.upper()]
        if doc is not None:
            hits.append(Hit(self.codes[doc], self.descriptions[doc], self.billable[doc], 1e9))
        for hit in self.rank(query_terms(text), limit):
            if not hits or hit.code != hits[0].code:
                hits.append(hit)
        return hits[:limit]


_CACHE: dict[int, tuple[object, LexicalIndex]] = {}
_CACHE_SIZE = 4


def _remember(table: object, index: LexicalIndex) -> LexicalIndex:
    """Keep the indexes of the last few tables (a reload builds a new one; old ones go)."""
    _CACHE[id(table)] = (table, index)
    while len(_CACHE) > _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    return index


def icd10cm_index(version: Icd10CmVersion, notes: Icd10CmNotes | None = None) -> LexicalIndex:
    """The index of an ICD-10-CM version, built on first use and cached for its lifetime."""
    cached = _CACHE.get(id(version))
    if cached is not None and cached[0] is version:
        return cached[1]
    terms = notes.inclusion_terms if notes else {}
    index = LexicalIndex(
        "icd10cm",
        (
            (c.code, c.long_description, c.billable, "\n".join(terms.get(c.code, ())))
            for c in version.rows()
        ),
    )
    return _remember(version, index)


def procedure_index(system: str, table: object, rows: Iterable[tuple[str, str]]) -> LexicalIndex:
    """Index of a HCPCS or CPT table (``rows``: code, description), cached per table."""
    cached = _CACHE.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    index = LexicalIndex(system, ((c, d, True, "") for c, d in rows))
    return _remember(table, index)


# --- suggestion ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A candidate ICD-10-CM code with the note phrase that supports it."""

    code: str
    description: str
    billable: bool
    score: float
    phrase: str
    children: tuple[str, ...] = ()


_CLAUSE_SPLIT = re.compile(r"(?<!\d)[.;:\n!?]+(?!\d)|\s+-\s+")


def clauses(note: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_SPLIT.split(note) if c and c.strip()]


def affirmed_words(clause: str) -> list[str]:
    """The clause's words that are asserted about the patient.

    Words after a negation or uncertainty trigger are dropped up to ``but``/``however``;
    a clause about a relative is dropped entirely.
    """
    if any(w in _FAMILY for w in tokenize(clause)):
        return []
    out: list[str] = []
    for segment in clause.split(","):  # a negation's scope ends at a comma
        negated = False
        for w in tokenize(segment):
            if w in _NEGATION_END:
                negated = False
            elif w in _NEGATION_TRIGGERS:
                negated = True
            elif not negated:
                out.append(w)
    return out


def suggest_codes(
    note: str,
    version: Icd10CmVersion,
    notes: Icd10CmNotes | None = None,
    limit: int = 10,
) -> list[Suggestion]:
    index = icd10cm_index(version, notes)
    found: dict[str, Suggestion] = {}
    for clause in clauses(note):
        words = [w for w in affirmed_words(clause) if w not in _NOTE_NOISE]
        terms = [stem(t) for t in expand(words) if t not in STOPWORDS]
        remaining = {t for t in terms if not t.isdigit() or t in {"1", "2"}}
        for _ in range(4):  # a clause may name several conditions: cover them greedily
            if not remaining:
                break
            hits = index.rank(sorted(remaining), 20)
            kept = [
                h
                for h in hits
                if index.coverage(index.by_code[h.code], remaining) >= 0.5
                and not "V00" <= h.code[:3] <= "Y99"
            ][:3]
            if not kept:
                break
            for rank, hit in enumerate(kept):
                doc_terms = index.terms[index.by_code[hit.code]]
                phrase = supporting_phrase(clause, doc_terms)
                score = hit.score * (1.0 if rank == 0 else 0.6)
                suggestion = _billable_suggestion(hit, version, phrase, score, set(terms))
                prior = found.get(suggestion.code)
                if prior is None or prior.score < suggestion.score:
                    found[suggestion.code] = suggestion
            remaining -= index.terms[index.by_code[kept[0].code]]
    ranked = sorted(found.values(), key=lambda s: (-s.score, s.code))
    return ranked[:limit]


_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[/&][A-Za-z0-9]+)?")


def supporting_phrase(clause: str, doc_terms: frozenset[str]) -> str:
    """The shortest stretch of ``clause`` holding every word that matched the code."""
    spans = []
    for m in _WORD_RE.finditer(clause):
        word = m.group(0).lower()
        if word in STOPWORDS or word in _NOTE_NOISE:
            continue
        stems = {stem(t) for t in expand([word])}
        if stems & doc_terms:
            spans.append((m.start(), m.end()))
    if not spans:
        return clause
    return clause[spans[0][0] : spans[-1][1]]


def _child_rank(child_desc: str, terms: set[str]) -> tuple[int, int, int, int, int]:
    text = child_desc.lower()
    words = _content(text)
    sides = terms & _LATERAL
    clash = 1 if sides and (words & _LATERAL) and not (words & sides) else 0
    fit = clash * 100 - len(words & terms)
    initial = "initial encounter" in text or ("subsequent" not in text and "sequela" not in text)
    defaults = text.count("without") + text.count("not intractable") + text.count("uncomplicated")
    return (
        fit,
        0 if initial else 1,
        0 if text.endswith("unspecified") else 1,
        -defaults,
        len(text),
    )


def _billable_suggestion(
    hit: Hit, version: Icd10CmVersion, phrase: str, score: float, terms: set[str]
) -> Suggestion:
    if hit.billable:
        return Suggestion(hit.code, hit.description, True, score, phrase)
    children = version.billable_children(hit.code, limit=500)
    if not children:
        return Suggestion(hit.code, hit.description, False, score, phrase)
    depth = min(len(c.code) for c in children)
    nearest = [c for c in children if len(c.code) == depth]
    pick = min(nearest, key=lambda c: _child_rank(c.long_description, terms))
    return Suggestion(
        pick.code,
        pick.long_description,
        True,
        score * 0.95,
        phrase,
        tuple(c.code for c in children[:25]),
    )


def looks_like_icd10cm(text: str) -> bool:
    return CODE_RE.fullmatch(normalize(text)) is not None


def display(code: str, system: str) -> str:
    return format_code(code) if system in ("icd10cm",) else code
