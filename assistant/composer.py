"""Compose an answer's blocks from ranked passages: a direct lead, support in the shape the
question asks for (a quoted clause, a worked example, a list, a table), then the best remaining
sentences, without repeats or sentences that point at something the answer does not contain."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .intent import Intent
from .retrieval import STOPWORDS, Hit

SOURCE_PASSAGES = 3  # support sentences come from the best few passages only
DUPLICATE_COSINE = 0.85  # two sentences this similar say the same thing
KNOWN_MATCH = 0.9  # a question this close to a Check yourself / glossary question is that question
ARTICLE_SAYS_IT = 0.8  # an article sentence this close to a glossary definition replaces it
KEEP_RATIO = 0.8  # after the first two, a sentence must score this close to the best one
TOPIC_SENTENCE = 0.03  # bonus for a section's opening sentence (see Composer.score)
# Bonus for a sentence that draws a line, in answer to a yes/no question. (0.04 -> 0.06: no dev or
# held-out lead changed, and "An earthquake ... they say they owe us nothing. Right?" opens with
# "relief should apply only when ..." instead of a cyber-attacks sentence.)
VERDICT = 0.06
# Section kinds shown in their own shape (a quoted clause, a worked example, a list) when the
# question asks for them; others give sentences.
SHAPED_KINDS = (
    "sample_clause",
    "worked_example",
    "steps",
    "pitfalls",
    "red_flags",
    "negotiation",
    "good_clause",
    "comparison",
)
# What a good clause contains and the negotiation points are a run of recommendations, each
# sentence one more term to ask for: shown from the start, not the two that best match the question.
WHOLE_KINDS = ("good_clause", "negotiation")
CALCULATION_SUPPORT = 3  # corpus sentences after a computed answer
LEAD_RUN = 2  # sentences that may follow the lead from its own paragraph
WHOLE_PARAGRAPH = 4  # sentences of a paragraph shown from a section that is what was asked
LIST_ITEMS = 10  # a list or steps block shows at most this many items
KEY_POINTS = 4  # items of the answered article's Key points shown after the lead and support
KEY_POINT_SAID = 0.75  # a key point this close to a sentence already written restates it
# Questions whose answer gains from the article's key points (not wording or calculation requests,
# whose quote or worked figures are the answer).
KEY_POINT_INTENTS = ("definition", "comparison", "situation", "negotiation", "steps", "yes_no", "choose", "risks")
_TERM = re.compile(r"\d+(?:[.,]\d+)*|[a-z][a-z0-9&'-]+")
# A sentence that opens like this leans on the one before it ("This cap ...", "Both models ...").
_LEANS_BACK = re.compile(
    r"^(?!(?-i:IT)\b)(this|these|that|those|it|its|they|their|them|both|all (two|three|four|five)|"
    r"such|the (latter|former|above|same)|here|there|then|so|however|but|also|"
    r"otherwise|in (that|this|such) case|for (that|this) reason|as a result|"
    r"instead|likewise|similarly|by contrast|in contrast|on the other hand|in addition|"
    r"moreover|furthermore|therefore|thus|hence|even so|yet|in turn|other|another)\b",
    re.IGNORECASE,
)
# ... or points at something that follows ("the clause below", "as follows").
_POINTS_ON = re.compile(
    r"\b(below|as follows|the following|following (table|list|clause|example))\b"
    r"|:$|\b(these|this|the following)\.$",
    re.IGNORECASE,
)
# A sentence that draws a line ("can take the code only if ...", "does not excuse ..."): what a
# yes/no question wants to hear before the background.
_VERDICT = re.compile(
    r"\b(cannot|can't|can only|may only|only if|only when|only where|does not|do not|is not|are not|"
    r"must not|need not|no longer|not enough|unless)\b",
    re.IGNORECASE,
)
_SPELL = re.compile(r"\bstands? for\b|\bshort for\b|\bacronym\b|\babbreviat", re.IGNORECASE)
_EXAMPLE_REF = re.compile(r"\b(in|from) the (worked )?example\b", re.IGNORECASE)
_ARITHMETIC = re.compile(r"\d\s*[×x÷/*+−-]\s*\d|=\s*\d|\d\s*=")
# A formula in general terms ("availability % = (agreed service time − downtime) ÷ ...", "the
# charge equals price multiplied by volume"): what "how is it calculated?" asks for.
_FORMULA = re.compile(
    r"[a-z)%] = [(a-z]|\b(formula is|equals?|multiplied by|divided by|calculated as|calculated by)\b", re.IGNORECASE
)
# A negotiating position of the other side ("The vendor will want a short warranty period"): the
# user is almost always the client, whose own position answers "what should we get".
_VENDOR_WANTS = re.compile(
    r"^(in [\w\s-]{3,40} negotiations,? )?the (vendor|supplier|provider)( will| would| may| often| usually)?"
    r"( also)? (wants?|seeks?|asks?|tries|try|argues?|pushes|push|resists?|prefers?|insists?)\b",
    re.IGNORECASE,
)
# ... and in a section of negotiation points, any sentence that opens with what the vendor will or should do.
_VENDOR_OPENS = re.compile(
    r"^(in [\w\s-]{3,40} negotiations,? )?the (vendor|supplier|provider)(, [^,]{3,60},)? (will|would|should|may)\b",
    re.IGNORECASE,
)
# A question about a place or its law: what a section on how practice varies by jurisdiction answers.
_PLACE = re.compile(
    r"\b(jurisdictions?|countr(y|ies)|regulat\w*|laws?|legal(ly)?|courts?|statut\w*|"
    r"britain|british|england|english law|scotland|scottish|ireland|irish|united (kingdom|states)|americans?|"
    r"europe|european|germany|german|france|french|netherlands|dutch|spain|spanish|ital(y|ian)|poland|polish|"
    r"india|indian|china|chinese|canada|canadian|australia|australian|singapore|japan|brazil|mexico|philippines|"
    r"gdpr|tupe|ccpa|hipaa)\b|(?-i:\b(UK|U\.K\.|US|U\.S\.|USA|EU)\b)",  # "US", never "us"
    re.IGNORECASE,
)
_AS_VENDOR = re.compile(r"\b(as|we are|we're) (the|a) (vendor|supplier|provider)\b", re.IGNORECASE)
_CAVEAT = re.compile(r"\billustrative\b|\bnot legal advice\b", re.IGNORECASE)
_DEFINES = re.compile(r"^(an?|the)?\s*[\w /()&'-]{2,60}?\s+(is|are|means|refers to)\s+(an?|the)\b", re.IGNORECASE)


# Words a heading shares with most questions (or that name nothing: "Timing: before or after
# signature" is not what "check a vendor before signing" asks), and words with one stem under
# different names: "the phases of the lifecycle" is answered by "The nine stages of the lifecycle",
# "what to check about a vendor" by "Client due diligence on the provider".
_HEADING_GENERIC = frozenset(
    """key points overview common sample clause example examples worked notes
    practice guide summary introduction check yourself typical good bad illustrative
    before after during""".split()
)
_WHO = re.compile(r"\bwho\b", re.IGNORECASE)
_ROLE = {"role"}
# "What warranties should we get?" asks for the warranties themselves, even in the article named
# "Warranties": the N of "what Ns should ..." is asked like the N of "the N of <subject>" (_FOCUS).
# Only a plural noun right before "should/do/are ...": any word after "what" ("What exit
# assistance obligations ...") took a general section in place of the negotiation points.
_WHAT_NOUN = re.compile(
    r"^(?:what|which) (\w+s) (?:should|do|does|are|must|would|will|can|could|might)\b", re.IGNORECASE
)
_FOCUS = re.compile(r"\b(\w+) (?:of|for) (?:an?|the|our|its|their)\b", re.IGNORECASE)
_SAME_STEM = {
    "phase": "stage",
    "step": "stage",
    "element": "part",
    "component": "part",
    "criterion": "criteria",
    "factor": "criteria",
    "type": "kind",
    "form": "kind",
    "variant": "kind",
    "model": "kind",
    "drawback": "risk",
    "disadvantage": "risk",
    "challenge": "risk",
    "danger": "risk",
    "vendor": "provider",
    "supplier": "provider",
}


@lru_cache(maxsize=32768)
def _terms(text: str) -> frozenset[str]:
    """Content words (and numbers); cached, as the same corpus sentences come up answer after answer."""
    return frozenset(t for t in _TERM.findall(text.lower()) if t not in STOPWORDS)


def _stems(text: str) -> set[str]:
    """Content words reduced to a crude stem (plural -s dropped, synonyms merged), for headings."""
    stems = set()
    for term in _terms(text.replace("-", " ")):  # "fixed-price" is "fixed price"
        if term in _HEADING_GENERIC or term[0].isdigit():
            continue
        if len(term) > 4 and term.endswith("s") and not term.endswith("ss"):
            term = term[:-1]
        stems.add(_SAME_STEM.get(term, term))
    if _WHO.search(text):  # "who should keep track?" asks for a role; "Who owns commitments" names one
        stems |= _ROLE
    return stems


@lru_cache(maxsize=8192)
def _heading_stems(text: str) -> frozenset[str]:
    """`_stems` of an article's title or a section's heading: corpus text, read once."""
    return frozenset(_stems(text))


class Composer:
    """Builds one answer's blocks from ranked hits: a direct lead, then support in the shape the
    question asks for (a quoted clause, a worked example, a list, a table), without repeating
    itself and without sentences that point at something the answer does not contain."""

    def __init__(
        self, question: str, hits: list[Hit], query: np.ndarray, intent: Intent, max_sentences: int, index=None
    ):
        self.hits, self.index = hits, index
        self.max_sentences = max_sentences
        self.focus(question, query, intent, list(range(min(len(hits), SOURCE_PASSAGES))))
        self.blocks: list[dict] = []
        self.used: dict[tuple[int, int], None] = {}  # (hit, sentence) already in the answer
        self.vectors: list[np.ndarray] = []  # of the sentences in the answer, for near-duplicates
        self.lead_docs: set[str] = set()
        self.defined: set[str] = set()  # subjects the answer has already defined

    def focus(self, question: str, query: np.ndarray, intent: Intent, pool: list[int]) -> None:
        """Answer this (part of the) question next, from the hits in `pool`, best first."""
        self.query, self.intent, self.pool = query, intent, pool
        self.asked = _terms(question)
        # "What does SOW stand for?": the sentence that spells the acronym out answers it.
        acronyms = self.index.acronyms if self.index is not None and _SPELL.search(question) else {}
        self.spelled = [acronyms[t].lower() for t in self.asked if t in acronyms]
        self.client_side = not _AS_VENDOR.search(question)
        self.numbers = {t for t in self.asked if t[0].isdigit()}
        self.asks_place = bool(_PLACE.search(question))

    # -- scoring -------------------------------------------------------------------------------
    def terms(self, h: int, s: int) -> frozenset[str]:
        return _terms(self.hits[h].passage.sentences[s])

    def score(self, h: int, s: int) -> float:
        passage = self.hits[h].passage
        traits = _traits(passage.sentences[s])
        shared = self.terms(h, s) & self.asked
        score = (
            float(passage.sentence_vectors[s] @ self.query)
            + 0.1 * len(shared) / max(len(self.asked), 1)
            + (0.1 if shared & self.numbers else 0.0)
            + 0.02 * max(SOURCE_PASSAGES - self.rank(h), 0)
        )  # near-ties go to the better passage
        intents = self.intent.intents
        if ("definition" in intents or intents[0] == "comparison") and traits.defines:
            score += 0.08
        if any(term in passage.sentences[s].lower() for term in self.spelled):
            score += 0.2
        if "calculation" in intents:
            # Asked in general ("how are credits calculated?"), the formula answers before any one
            # case's figures; asked with figures, worked arithmetic does.
            score += (0.1 if self.numbers else 0.05) * traits.arithmetic + (
                0.0 if self.numbers else 0.1
            ) * traits.formula
        if intents[0] == "yes_no" and traits.verdict:
            score += VERDICT
        if self.vendor_position(h, s):
            score -= 0.08  # the other side's position answers only "what will they ask for"
        if passage.kind == "definition":  # the glossary: an article saying it wins
            score -= 0.03
        if passage.kind in ("pitfalls", "red_flags") and "risks" not in intents:
            score -= 0.05  # a mistake to avoid answers "what can go wrong", not what was asked
        if passage.kind == "worked_example" and not {"calculation", "example"} & set(intents):
            score -= 0.05  # one case's figures illustrate an answer; they do not give it
        if passage.kind == "jurisdiction" and not self.asks_place:
            score -= 0.05  # how one country's law differs answers a question about that country
        if s == 0 and passage.ordinal == 1 and passage.parts and passage.parts[0]["type"] == "paragraph":
            score += TOPIC_SENTENCE  # a section's opening sentence states its point; what follows details it
        return score

    def vendor_position(self, h: int, s: int) -> bool:
        """Is sentence s of hit h the vendor's negotiating position, asked about by a client?"""
        traits = _traits(self.hits[h].passage.sentences[s])
        kind = self.hits[h].passage.kind
        return self.client_side and (
            traits.vendor_wants or (traits.vendor_opens and kind in ("negotiation", "red_flags"))
        )

    def rank(self, h: int) -> int:
        return self.pool.index(h) if h in self.pool else len(self.pool)

    def usable(self, h: int, s: int, follows: bool = False) -> bool:
        """May sentence s of hit h stand here? Not a question, a lead-in, a repeat, or a sentence
        leaning on one the answer lacks (unless it `follows` its predecessor)."""
        passage = self.hits[h].passage
        if (h, s) in self.used or passage.kind == "check_yourself":
            return False
        part = _part_of(passage, s)
        if part and part["type"] in ("quote", "table"):
            return False  # clause lines and table rows are shown whole, never as loose sentences
        traits = _traits(passage.sentences[s])
        if traits.subject and traits.subject in self.defined:
            return False  # one definition of a subject per answer
        if traits.fragment or (not follows and traits.leans_back):
            return False
        if traits.example_ref and not self._shows_example(passage.doc_id):
            return False  # "in the worked example, ..." needs that example in the answer
        if traits.points_on:
            following = self.continuation(h, s)  # what it introduces must still be to come
            if not following or any((h, t) in self.used for t in range(following["start"], following["end"])):
                return False
        vector = passage.sentence_vectors[s]
        return not any(float(vector @ v) > DUPLICATE_COSINE for v in self.vectors)

    def _shows_example(self, doc: str) -> bool:
        return any(
            self.hits[h].passage.doc_id == doc and self.hits[h].passage.kind == "worked_example" for h, _ in self.used
        )

    def take(self, h: int, s: int) -> str:
        self.used[(h, s)] = None
        self.vectors.append(self.hits[h].passage.sentence_vectors[s])
        sentence = self.hits[h].passage.sentences[s]
        subject = _traits(sentence).subject
        if subject:
            self.defined.add(subject)
        return sentence

    def sentences_left(self) -> int:
        return self.max_sentences - len(self.used)

    # -- blocks --------------------------------------------------------------------------------
    def continuation(self, h: int, s: int) -> dict | None:
        """The list, table or quote that sentence s of hit h introduces: one that directly follows
        the paragraph s ends ("Most-favoured-customer clauses suffer from four problems.")."""
        parts = self.hits[h].passage.parts or []
        for i, part in enumerate(parts[:-1]):
            if part["end"] - 1 == s and part["type"] == "paragraph":
                following = parts[i + 1]
                return following if following["type"] in ("list", "steps", "table", "quote") else None
        return None

    def paragraph(self, picked: list[tuple[int, int]], title: str | None = None) -> None:
        """A paragraph of sentences (hit, sentence) in the given order; a sentence that
        introduces a list, table or quote is followed by it."""
        run: list[tuple[int, int]] = []
        for h, s in picked:
            run.append((h, s))
            following = self.continuation(h, s)
            if following and not any((h, t) in self.used for t in range(following["start"], following["end"])):
                self._flush(run, title)
                run, title = [], None
                self.shaped(h, following)
        self._flush(run, title)

    def _flush(self, picked: list[tuple[int, int]], title: str | None) -> None:
        if picked:
            text = " ".join(f"{self.take(h, s)} [{h}]" for h, s in picked)
            self.blocks.append(block("paragraph", text=text, hits=[h for h, _ in picked], title=title))

    def shaped(self, h: int, part: dict, title: str | None = None) -> None:
        """A list, steps, table or quote part of hit h as its own block."""
        kind = part["type"]
        for s in range(part["start"], part["end"]):
            self.used[(h, s)] = None
        if kind == "quote":
            self.blocks.append(block("quote", lines=part["lines"], hits=[h], title=title))
        elif kind == "table":
            self.blocks.append(block("table", header=part["header"], rows=part["rows"], hits=[h], title=title))
        else:
            self.blocks.append(block(kind, items=part["items"][:LIST_ITEMS], hits=[h], title=title))

    def _hit_for(self, passage) -> int:
        """The hit index of a passage, added to the hits when retrieval did not bring it."""
        for h, hit in enumerate(self.hits):
            if hit.passage.position == passage.position:
                return h
        self.hits.append(Hit(passage, 0.0, float(self.index.passage_vector(passage.position) @ self.query)))
        return len(self.hits) - 1

    def lead(self, known: tuple[int, str] | None, pool: list[int] | None = None) -> int | None:
        """The sentence that answers directly (from `pool`, by default the answer's); returns its hit."""
        if known is not None:
            h, text = known
            self.blocks.append(block("paragraph", text=f"{text} [{h}]", hits=[h]))
            self.used[(h, -1)] = None
            sentences = self.hits[h].passage.sentences
            for s in (i for i, sentence in enumerate(sentences) if sentence in (text, f"A: {text}")):
                self.take(h, s)  # the same sentence must not come back in the support
            self.lead_docs.add(self.hits[h].passage.doc_id)
            return h
        candidates = sorted(
            (
                (self.score(h, s), h, s)
                for h in (self.pool if pool is None else pool)
                for s in range(len(self.hits[h].passage.sentences))
                if self.usable(h, s)
                and not self.vendor_position(h, s)  # a client's answer opens with its side
                and not _caveat(self.hits[h].passage.sentences[s])  # "illustrative only" answers nothing
            ),
            reverse=True,
        )
        if not candidates:
            return None
        _, h, s = candidates[0]
        self.lead_docs.add(self.hits[h].passage.doc_id)
        picked = [(h, s)]
        part = _part_of(self.hits[h].passage, s)
        kind = self.hits[h].passage.kind
        if part and part["type"] == "list" and kind in WHOLE_KINDS and kind in self.intent.prefers()[:2]:
            # An item of the very list that answers ("what a good security clause contains"):
            # the list leads whole, with the sentence that introduces it.
            self.structured(h, whole=True)
            return h
        # The lead reads on in its own paragraph: the sentences that complete the thought.
        if part and part["type"] == "paragraph":
            vectors = self.hits[h].passage.sentence_vectors
            for nxt in range(s + 1, min(part["end"], s + 1 + LEAD_RUN)):
                if not self.usable(h, nxt, follows=True) or any(
                    float(vectors[nxt] @ vectors[p]) > DUPLICATE_COSINE for _, p in picked
                ):
                    break
                picked.append((h, nxt))
        self.paragraph(picked)
        return h

    def matched_section(self, question: str) -> int | None:
        """The section of an article the answer is about whose heading names what the question
        asks beyond the article's own subject ("the parts of an SLA", "who should attend a QBR");
        added to the hits when retrieval did not bring it. Returns its hit index."""
        if self.index is None or not self.pool:
            return None
        docs = list(dict.fromkeys(self.hits[h].passage.doc_id for h in self.pool[:2]))
        # The subjects of all the articles answered from ("T&M vs fixed price"), not what is asked of them.
        titles = {w for doc in docs for w in _heading_stems(self.index.documents[doc].title)}
        # What is asked beyond the articles' subject, and the N of "the N of <subject>" even
        # when the title names it ("the parts of an SLA" in "What an SLA is and its parts").
        focus = _stems(" ".join(_FOCUS.findall(question) + _WHAT_NOUN.findall(question)))
        asked, title = (_stems(question) - titles) | focus, titles - focus
        best, best_shared = None, 0
        for rank, doc in enumerate(docs):
            positions = self.index.doc_positions.get(doc, [])
            if not positions:
                continue
            seen = set()
            for p in positions:
                passage = self.index.passages[p]
                if passage.anchor in seen or passage.kind in ("overview", "check_yourself", "key_points", "definition"):
                    continue
                seen.add(passage.anchor)
                heading = _heading_stems(passage.section) - title
                # "who" is what is asked, the rest what about: "Roles and tools" before "The obligations register"
                shared = len(asked & heading) + len(asked & heading & _ROLE) - rank  # the first article first
                if shared > best_shared:
                    best, best_shared = passage, shared
        if best is None:
            return None
        for h, hit in enumerate(self.hits):
            if hit.passage.anchor == best.anchor and hit.passage.doc_id == best.doc_id:
                return h
        return self._hit_for(best)

    def define_sides(self) -> None:
        """For "the difference between backsourcing and co-sourcing": each side the answer has not
        yet defined gets the sentence that defines it, from the articles answered (glossary last)."""
        if self.index is None:
            return
        docs = list(dict.fromkeys([*self.lead_docs, *(self.hits[h].passage.doc_id for h in self.pool[:2])]))
        positions = [p for doc in docs for p in self.index.doc_positions.get(doc, ())]
        positions += [self.hits[h].passage.position for h in self.pool]  # the glossary, if retrieved
        for side in self.intent.sides:
            if any(_names(side, subject) for subject in self.defined):
                continue
            found = next(
                (
                    (passage, s)
                    for passage in (self.index.passages[p] for p in positions)
                    if passage.kind != "check_yourself"
                    for s, sentence in enumerate(passage.sentences)
                    if _names(side, _traits(sentence).subject)
                ),
                None,
            )
            if found:
                h = self._hit_for(found[0])
                if self.usable(h, found[1]):
                    self.paragraph([(h, found[1])])

    def key_points(self, doc: str, n: int) -> None:
        """The answered article's key points that bear most on the question, as a short list:
        an article's summary states its rules and recommendations in one sentence each."""
        if self.index is None:
            return
        section = next(
            (
                self.index.passages[p]
                for p in self.index.doc_positions.get(doc, ())
                if self.index.passages[p].kind == "key_points"
            ),
            None,
        )
        if section is None:
            return
        h = self._hit_for(section)
        passage = self.hits[h].passage
        said = np.array(self.vectors) if self.vectors else np.zeros((0, len(self.query)))
        fresh = [  # a key point restating the lead in other words adds nothing
            s
            for s in range(len(passage.sentences))
            if self.usable(h, s) and not (said @ passage.sentence_vectors[s] > KEY_POINT_SAID).any()
        ]
        best = sorted(fresh, key=lambda s: self.score(h, s), reverse=True)[:n]
        if best:
            items = [self.take(h, s) for s in sorted(best)]
            self.blocks.append(block("list", items=items, hits=[h], title="Key points"))

    def support(self, skip: set[int]) -> bool:
        """The best passage whose section kind fits the intent, in its own shape."""
        # Only from the articles the answer is about: the lead's and those of the best two hits.
        about = {self.hits[h].passage.doc_id for h in self.pool[:2]} | self.lead_docs
        for kind in self.intent.prefers():
            if kind not in SHAPED_KINDS:
                continue
            for h in self.pool + [h for h in range(len(self.hits)) if h not in self.pool]:
                hit = self.hits[h]
                if hit.passage.kind == kind and h not in skip and hit.passage.doc_id in about:
                    self.structured(h, whole=kind in WHOLE_KINDS)
                    return True
        return False

    def next_section(self, skip: set[int]) -> None:
        """The best passage of the answer's pool (not one in `skip`, nor a quiz or the key points)
        as a whole section, in its own shape."""
        for h in self.pool:
            if h not in skip and self.hits[h].passage.kind not in ("check_yourself", "key_points"):
                self.structured(h)
                return

    def structured(self, h: int, whole: bool = False) -> None:
        """Blocks for a whole fitting section: quotes verbatim, tables as tables, lists as lists,
        and of its paragraphs the sentences that bear on the question (all of them, up to a few,
        when the section is `whole`ly what was asked)."""
        if self.index is not None and not any(key[0] == h for key in self.used):
            hit = self.hits[h]  # the whole section, not only the part that was retrieved
            self.hits[h] = Hit(self.index.section(hit.passage), hit.score, hit.dense)
        passage = self.hits[h].passage
        title = passage.section.split(" › ")[-1]
        for part in passage.parts or []:
            shown = [(h, s) in self.used for s in range(part["start"], part["end"])]
            if all(shown) or (part["type"] != "paragraph" and any(shown)):
                continue  # already shown, e.g. introduced by a sentence of the lead
            if part["type"] == "paragraph":  # the rest of a paragraph the lead began
                span = range(part["start"], part["end"])
                picked = self._whole(h, span) if whole else self._bearing(h, span)
                self.paragraph(picked, title=title)
            else:
                self.shaped(h, part, title)
            title = None

    def _whole(self, h: int, span: range) -> list[tuple[int, int]]:
        """A paragraph's first few sentences in order, skipping one that leans on a sentence left out."""
        picked: list[tuple[int, int]] = []
        for s in span[:WHOLE_PARAGRAPH]:
            if self.usable(h, s, follows=(h, s - 1) in picked):
                picked.append((h, s))
        return picked

    def _bearing(self, h: int, span: range) -> list[tuple[int, int]]:
        """Sentences of a paragraph worth showing: the caveat before a sample clause, arithmetic
        in a worked example, otherwise the best-scoring few; each with the sentence it leans on."""
        passage = self.hits[h].passage
        keep = []
        for s in span:
            sentence = passage.sentences[s]
            wanted = (
                _caveat(sentence)
                or (passage.kind == "worked_example" and _traits(sentence).arithmetic)
                or passage.kind in ("sample_clause", "steps")
            )
            if wanted:
                keep.append(s)
        if not keep:
            ranked = sorted(span, key=lambda s: self.score(h, s), reverse=True)
            keep = sorted(ranked[:2])
        picked = []
        for s in keep:
            if picked and picked[-1][1] == s - 1 or (s - 1 in span and (h, s - 1) in self.used):
                follows = True
            else:
                follows = False
            if not follows and (
                _traits(passage.sentences[s]).leans_back and s - 1 in span and self.usable(h, s - 1, follows=True)
            ):
                picked.append((h, s - 1))
                follows = True
            if self.usable(h, s, follows=follows or _caveat(passage.sentences[s])):
                picked.append((h, s))
        return picked[:6]

    def fill(self, budget: int | None = None) -> None:
        """Up to the sentence budget: the best remaining sentences of the top passages, read
        passage by passage in their own order."""
        budget = min(self.sentences_left(), budget if budget is not None else self.max_sentences)
        if budget <= 0:
            return
        candidates = sorted(
            ((self.score(h, s), h, s) for h in self.pool for s in range(len(self.hits[h].passage.sentences))),
            reverse=True,
        )
        candidates = [c for c in candidates if (c[1], c[2]) not in self.used]
        best = candidates[0][0] if candidates else 0.0
        written = sum(s >= 0 for _, s in self.used)
        chosen: list[tuple[int, int]] = []
        first: dict[int, float] = {}  # each passage's best chosen score: passages read best first
        for score, h, s in candidates:
            if len(chosen) == budget:
                break
            # Past a short answer, only sentences nearly as relevant as the best one left.
            if written + len(chosen) >= 3 and score < KEEP_RATIO * best:
                break
            follows = (h, s - 1) in self.used or (h, s - 1) in chosen
            if self.usable(h, s, follows=follows):
                chosen.append((h, s))
                first.setdefault(h, score)
                self.vectors.append(self.hits[h].passage.sentence_vectors[s])
        del self.vectors[len(self.vectors) - len(chosen) :]  # `take` adds them again, in order
        chosen.sort(key=lambda c: (-first[c[0]], c[1]))
        self.paragraph(chosen)


class _Traits(NamedTuple):
    defines: bool  # "X is a ...": a definition
    arithmetic: bool  # "12% × 200,000 = 24,000"
    formula: bool  # "availability % = (agreed service time − downtime) ÷ ..."
    subject: str | None  # what it defines
    fragment: bool  # a question or too short to stand alone
    leans_back: bool  # opens by pointing at the sentence before
    example_ref: bool  # points at "the worked example"
    points_on: bool  # introduces what follows ("… four problems:")
    vendor_wants: bool  # the other side's negotiating position
    vendor_opens: bool  # what the vendor will or should do: its position, in negotiation points
    caveat: bool  # "The clause below is illustrative only and is not legal advice": shown with its clause
    verdict: bool  # draws the line a yes/no question asks about ("only when", "unless")


@lru_cache(maxsize=32768)
def _traits(sentence: str) -> _Traits:
    """What a corpus sentence is, read once: the same sentences are weighed for every answer."""
    return _Traits(
        bool(_DEFINES.match(sentence)),
        bool(_ARITHMETIC.search(sentence)),
        bool(_FORMULA.search(sentence)),
        _defined_subject(sentence),
        sentence.endswith("?") or len(sentence.split()) < 4,
        bool(_LEANS_BACK.match(sentence)),
        bool(_EXAMPLE_REF.search(sentence)),
        bool(_POINTS_ON.search(sentence)),
        bool(_VENDOR_WANTS.match(sentence)),
        bool(_VENDOR_OPENS.match(sentence)),
        bool(_CAVEAT.search(sentence)),
        bool(_VERDICT.search(sentence)),
    )


def _defined_subject(sentence: str) -> str | None:
    """The subject a sentence defines ("Rural sourcing is ..." -> "rural sourcing"), if any."""
    match = _DEFINES.match(sentence)
    return (
        match.group(0).rsplit(" ", 2)[0].lower().removeprefix("a ").removeprefix("an ").removeprefix("the ")
        if match
        else None
    )


def _names(side: str, subject: str | None) -> bool:
    """Does a defined subject ("co-sourcing", "service level agreement (sla)") name this side of a
    comparison ("co-sourcing", "SLA", "service credits")? Spelling, hyphens and plurals aside."""
    if not subject:
        return False

    def key(text: str) -> str:
        return re.sub(r"[^a-z0-9&]", "", text.lower()).removesuffix("s")

    spelled, _, short = subject.partition("(")
    return key(side) in {key(subject), key(spelled), key(short)}


def _part_of(passage, s: int) -> dict | None:
    return next((p for p in passage.parts or [] if p["start"] <= s < p["end"]), None)


def block(kind: str, hits: list[int], title: str | None = None, **content) -> dict:
    """A block with its content; `hits` are turned into citation numbers by `number_blocks`."""
    made = {"type": kind, **content, "citations": list(dict.fromkeys(hits))}
    if title:
        made["title"] = title
    return made


def number_blocks(blocks: list[dict], hits: list[Hit]) -> dict[int, int]:
    """Renumber hit indices in blocks to citation numbers: quoted hits first, in reading order."""
    numbers: dict[int, int] = {}
    for block in blocks:
        for h in block["citations"]:
            numbers.setdefault(h, len(numbers) + 1)
    for h in range(len(hits)):
        numbers.setdefault(h, len(numbers) + 1)
    for block in blocks:
        block["citations"] = [numbers[h] for h in block["citations"]]
        if block["type"] == "paragraph":
            block["text"] = re.sub(r"\[(\d+)\]", lambda m: f"[{numbers[int(m.group(1))]}]", block["text"])
    return numbers


def plain_text(blocks: list[dict]) -> str:
    """The answer as plain text: every sentence, item, quoted line and row followed by its [n]."""
    lines = []
    for block in blocks:
        marks = " ".join(f"[{n}]" for n in block["citations"])
        kind = block["type"]
        if kind == "paragraph":
            lines.append(block["text"])
        elif kind in ("list", "steps"):
            lines += [
                f"{f'{i}.' if kind == 'steps' else '-'} {item} {marks}"
                for i, item in enumerate(block["items"], start=1)
            ]
        elif kind == "quote":
            lines += [f"> {line} {marks}" for line in block["lines"]]
        elif kind == "table":
            lines += [
                "; ".join(f"{h}: {c}" for h, c in zip(block["header"], row) if c) + f". {marks}"
                for row in block["rows"]
            ]
    return "\n".join(lines)


def compose(
    question: str,
    hits: list[Hit],
    query: np.ndarray,
    intent: Intent,
    max_sentences: int,
    known: tuple[int, str] | None,
    index=None,
    aspects: list[tuple[str, np.ndarray, Intent, list[int]]] = (),
) -> list[dict]:
    """The answer's blocks (with hit indices as citations); `hits` may be widened to whole sections.

    `aspects` are the separate asks of a multi-part question, each (text, vector, intent, the
    hits retrieved for it): each gets its own lead and support, in the order asked.
    """
    composer = Composer(question, hits, query, intent, max_sentences, index)
    if not aspects:
        _answer_part(composer, question, known, max_sentences)
    for text, vector, aspect_intent, pool in aspects:
        composer.focus(text, vector, aspect_intent, pool)
        _answer_part(composer, text, None, max(3, max_sentences // len(aspects)))
    return [b for b in composer.blocks if b.get("text") or b.get("items") or b.get("lines") or b.get("rows")]


def _answer_part(composer: Composer, question: str, known: tuple[int, str] | None, budget: int) -> None:
    """A lead that answers directly, then support in the shape the intent asks for."""
    main = composer.intent.main
    if main == "clause" and composer.support(skip=set()):
        composer.fill(2)  # the wording first, then what a good clause of this kind does
        return
    before = len(composer.used)
    top = composer.pool[:1]
    if main == "choose" and known is None and top and composer.hits[top[0]].passage.kind == "when_to_use":
        # "Which model fits?": retrieval's best section says when to use an option; the lead comes
        # from it, not from a comparison's framing sentence further down ("X differ from Y on ...").
        lead = composer.lead(None, pool=top)
    else:
        lead = composer.lead(known)
    if lead is None:
        return
    if main == "comparison":  # "T&M vs fixed price": the other side gets its own lead
        lead_doc = composer.hits[lead].passage.doc_id
        other = [h for h in composer.pool[:2] if composer.hits[h].passage.doc_id != lead_doc]
        if other:
            composer.lead(None, pool=other)
        composer.define_sides()
    matched = composer.matched_section(question) if main not in ("clause", "calculation") else None
    if matched is not None and not any(key[0] == matched for key in composer.used):
        composer.structured(matched, whole=True)
    else:
        shown = composer.support(skip=set() if main == "calculation" else {lead})
        if not shown and main == "negotiation":
            # An article with no negotiation points, good-clause list or red flags ("how should
            # severity levels be defined?"): the answer's next best section in their place. (The
            # same for every intent but definitions and situations: +1 plain, +2 situational,
            # median answer 191 -> 212 words; with yes/no: +13 words.)
            composer.next_section(skip={lead})
    # "How is availability calculated?" with no figures: the key points carry the article's figures.
    if main in KEY_POINT_INTENTS or (main == "calculation" and not composer.numbers):
        composer.key_points(composer.hits[lead].passage.doc_id, KEY_POINTS)
    written = len(composer.used) - before
    composer.fill(max(budget - written, 0))


def _caveat(sentence: str) -> bool:
    """A clause's caveat ("The clause below is illustrative only and is not legal advice"), shown with it."""
    return _traits(sentence).caveat
