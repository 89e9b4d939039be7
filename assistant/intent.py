"""What a question asks for (definition, calculation, clause wording, …), its parts, and its figures."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

INTENTS = (
    "definition",
    "calculation",
    "example",
    "clause",
    "comparison",
    "choose",
    "steps",
    "risks",
    "negotiation",
    "situation",
    "yes_no",
)

# Section kinds (chunking.section_kind) that answer each intent, best first.
PREFERRED_KINDS = {
    "definition": ("overview", "definition"),
    "calculation": ("worked_example",),
    "example": ("worked_example", "sample_clause"),
    "clause": ("sample_clause", "good_clause"),
    "comparison": ("comparison", "overview"),
    "choose": ("when_to_use", "comparison"),
    "steps": ("steps",),
    "risks": ("pitfalls", "red_flags"),
    "negotiation": ("negotiation", "good_clause", "red_flags"),
    "situation": ("steps", "when_to_use", "body", "good_clause", "interactions"),
    "yes_no": ("body", "overview", "good_clause"),
}

PLAIN_INTENTS = ("definition", "yes_no", "situation")
_I = re.IGNORECASE


def _alternatives(pattern: str) -> list[str]:
    """A pattern's top-level alternatives (its `|` outside groups and character classes)."""
    parts, depth, start, in_class, i = [], 0, 0, False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1  # an escaped character is never a separator
        elif in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return parts + [pattern[start:]]


def _rule(pattern: str, flags: int) -> re.Pattern:
    """`pattern` compiled with its alternatives that open on a word boundary behind one shared
    `\\b`: Python's engine then tries them only where a word starts, not at every character
    (the steps rule: about 20 -> 5 µs a question). It matches wherever the pattern as written does."""
    parts = _alternatives(pattern)
    bounded = [part[2:] for part in parts if part.startswith(r"\b")]
    if len(bounded) > 1:
        pattern = "|".join([part for part in parts if not part.startswith(r"\b")] + [rf"\b(?:{'|'.join(bounded)})"])
    return re.compile(pattern, flags)


# Checked in this order; a question may match several (the first is its main intent).
_RULES = [
    (
        "clause",
        _rule(
            r"\b(sample|example|model|template|standard|draft|suggested|precedent|boilerplate)\b[\w\s,'-]{0,40}"
            r"\b(wording|clause|language|provision|text)s?\b|\bwording\b|\bhow (do|would|should|can) (i|we|you) "
            r"(word|draft|phrase|write)\b|\bdraft (me )?(a|an|the)\b[\w\s-]{0,30}\bclause|"
            r"\bclause (text|wording|language)\b|\bclause\b[^?]{0,60}\bbe (worded|drafted|phrased|written)\b|"
            r"\bwhat (would|does|should|might|could) (a|an|the|our|my)\b[^?]{0,40}\b(clause|provision)s?\b[^?]{0,60}"
            r"\blook like\b|"
            r"\b(starting point|first draft|skeleton) for (a|an|the|our|my)\b[^?]{0,40}\b(clause|provision)s?\b",
            _I,
        ),
    ),
    (
        "calculation",
        _rule(
            r"\bcalculat|\bformula\b|\bcompute\b|\bwork (it )?out\b|"
            r"\bhow (much|many)\b(?=.*(\d|\b(cost|pay|paid|charge|credit|downtime|price|fee|owe|sav|budget|"
            r"minutes|hours|days|agents|staff|recover|claw|claim|refund|compensat|earn|keep|receiv)))|"
            r"\bwhat (is|gets|would be) (paid|owed|the (credit|downtime|total|cost|price))\b|"
            r"\bdowntime\b.*\d|\d.*\bdowntime\b|\d+(\.\d+)?\s*%.*\b(credit|at[- ]risk|availability|uptime)\b|"
            r"\d[\d,.]*\s*(k|%)?\b.*\bwhat (do|would|will|should) (we|they|i) (owe|pay|get|be (paid|charged))\b|"
            r"\d[\d,.]*.*\bwhat('?s| is| would be) the (bonus|malus|invoice|bill|charge|saving|payback|cost|fee|"
            r"credit|total|score)\b|\bwhat should the (invoice|bill|charge) be\b",
            _I,
        ),
    ),
    (
        "comparison",
        _rule(
            r"\bvs\.?\b|\bversus\b|\bdifferen(ce|t)\b|\bdiffer\b|\bcompared? (to|with)\b|\bdistinguish\b|"
            r"\bsame (thing )?as\b|\bor\b[^?]*\bwhich is (better|cheaper)\b",
            _I,
        ),
    ),
    (
        "choose",
        _rule(
            r"\bwhich (model|option|one|engagement|pricing|approach|type|structure|kind|contract|setup|way)\b|"
            r"\bshould (we|i) (use|choose|go (with|for)|pick|opt)\b|\bbest (fit|option|model|approach)\b|"
            r"\b(fits?|suits?|right for us)\b|\bwhat (model|kind of (contract|model|deal|setup))\b|"
            r"\bmake sense\b|\bright choice\b|\bwhen (is|are|does|do|should)\b[^?]{0,60}\b(use|choose|worth)\b|"
            r"\bwhat (is this|would (that|this) be) called\b|\bwhich is (better|cheaper|best)\b|"
            r"^[\w&/-]+(?: [\w&/-]+){0,3} or [\w&/-]+(?: [\w&/-]+){0,3} (?:for|with) [^?]{3,60}\?|"
            # "Should we rent space in a colocation site or pay a provider to run the servers?"
            r"\b(should|do|would|could) (we|i)\b[^?.]{3,80}\bor (should (we|i) |do (we|i) |to |just )?"
            r"(?!not\b)[^?.]{3,80}\?",
            _I,
        ),
    ),
    (
        "steps",
        _rule(
            r"^how (do|can|should|would) (i|we|you|one)\b|\bsteps?\b|\bhow to\b|\bprocess (for|of)\b|"
            r"\bwhat do (i|we) do\b|\bwhere do (i|we) start\b|\bchecklist\b|\bplaybook\b|"
            r"\bwhat'?s involved\b|\bwhat (should|do) we (check|prepare|plan)\b|\bhow (do|should) we "
            r"(prepare|get ready|set up|run|handle|deal|go about|structure)\b|\bphases\b|\bstages\b",
            _I,
        ),
    ),
    (
        "risks",
        _rule(
            r"\b(?<!at )(?<!at-)risks?\b(?![- ]free)|\bpitfalls?\b|\bred flags?\b|\bwatch (out|for)\b|"
            r"\bgo wrong\b|\bmistakes?\b|\bdrawbacks?\b|\bdisadvantages?\b|\bchallenges?\b|\bweak(ness|nesses)\b|"
            r"\b(why|reasons?)\b[^?]{0,50}\bfail|"
            r"\bdanger|\bdownsides?\b|\bbeware\b|\btraps?\b|\bthe catch\b|\breasons? not to\b",
            _I,
        ),
    ),
    (
        "negotiation",
        _rule(
            r"\bnegotiat|\bask for\b|\bask (a|the|our|an)\b[\w\s-]{0,30}\bto (give|accept|agree)|"
            r"\bpush (back|for)\b|\bleverage\b|\bconcessions?\b|\bbargain|"
            r"\bwhat\b[\w\s-]{0,40}\bshould (we|i|a customer|the client|the customer|our|the contract|it)\b|"
            r"\bshould (we|i|the client|a client) (ask|get|insist|require|include|seek|agree)\b|"
            r"\bcarved? out\b|\binsist on\b|\bcounter[- ]?(offer|propos)|\bhow (long|wide|high|low) should\b|"
            r"\bwhat (notice|cap|term|period|limit)\b[\w\s]{0,30}\b(should|agree)\b|"
            # what a contract, clause or schedule should contain: its good terms, not its definition
            r"\bwhat (should|must|does) (a|an|the|our|this|my)\b[\w\s/&-]{0,60}\b(specify|include|contain|cover|say|"
            r"state|set out|require|address)\b|\bwhat\b[\w\s-]{0,40}\bshould (be|go) (in|into|included|covered|"
            r"written|put)\b|\bhow should\b[\w\s/&-]{0,60}\bbe (defined|drafted|written|worded|"
            r"structured|tied|set|measured|reported|handled)\b|"
            r"\bhow should (the|a|an|our) (contract|clause|agreement|sla|msa|sow|schedule)\b",
            _I,
        ),
    ),
    ("example", _rule(r"\bexamples?\b|\bfor instance\b|\bshow me\b|\billustrat", _I)),
    (
        "yes_no",
        _rule(
            r"^(is|are|can|does|do|should|must|may|will|could|would|has|have|did)\b|\b(right|true|correct|"
            r"allowed|legal|enforceable)\?\s*$",
            _I,
        ),
    ),
    (
        "definition",
        _rule(
            r"^(what('?s| is| are| does| do)|whats|define|definition|meaning|explain|tell me about|"
            r"describe)\b|\bmean(s|ing)?\b|\bstand for\b|^how does\b[^?]*\bwork\b|\bwhat (is|are) the "
            r"(main|typical|key|usual)\b|\bwhat (is|are) (it|this|that) called\b|\bpurpose of\b",
            _I,
        ),
    ),
]
_SITUATION = _rule(
    r"\b(we|our|us|i|my)\b.*\b(have|had|got|are|were|want|need|signed|pay|paid|missed|keeps?|"
    r"told|say|says|said|refus|lost|went|gone|shut)\b|\bwhat (can|should|do) (we|i)\b|"
    r"\bour (options|rights)\b|\bwhat now\b|\bthey (say|said|claim|refuse|won't|keep|want)",
    _I,
)
_ASPECT_SPLIT = re.compile(
    r"(?<=[?.!])\s+(?=\S)|\s*;\s*|\s+(?:and also|also|plus|as well as)\s+|"
    r",?\s+and\s+(?=(?:what|how|which|who|when|where|why|can|should|is|are|do|does)\b)",
    _I,
)
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*(%|percent\b|k\b|m\b)?", _I)
PERIOD = re.compile(
    r"\b(day|week|month|quarter|year|hour|minute)s?\b|\b(daily|weekly|monthly|"
    r"quarterly|annual(ly)?|yearly)\b",
    _I,
)


# The two subjects a comparison names: "the difference between X and Y", "X vs Y", "how does X differ from Y".
_SIDES = (
    re.compile(r"\bdifferen(?:ce|ces) between (.+?) and (.+?)(?:[?.!,;]|$)", _I),
    re.compile(r"\bhow (?:does|do|is|are) (.+?) (?:differ|different) from (.+?)(?:[?.!,;]|$)", _I),
    re.compile(r"^(?:(?:what(?:'s| is)|explain) )?(.+?) (?:vs\.?|versus) (.+?)(?:[?.!,;]|$)", _I),
)
_ARTICLE = re.compile(r"^(?:an?|the|our|a typical)\s+", _I)


def sides(question: str) -> list[str]:
    """The two subjects a comparison question names, without articles; none if it names no two."""
    for rule in _SIDES:
        match = rule.search(" ".join(question.split()))
        if match:
            return [_ARTICLE.sub("", side.strip()) for side in match.groups()]
    return []


@dataclass
class Intent:
    """A question's intents (main one first), its aspects to answer, and the figures in it."""

    intents: list[str]
    aspects: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)  # the two subjects a comparison names

    @property
    def main(self) -> str:
        return self.intents[0]

    def shaped_kinds(self) -> list[str]:
        """Section kinds worth ranking up in retrieval: those of intents that ask for a shape
        (wording, a worked example, steps, a list, a table). A definition or a yes/no question is
        better served by the plain ranking, which already favours sections named by its terms."""
        return list(
            dict.fromkeys(
                kind for intent in self.intents if intent not in PLAIN_INTENTS for kind in PREFERRED_KINDS[intent]
            )
        )

    def prefers(self) -> list[str]:
        """Section kinds that answer this question, for all its intents, best first."""
        return list(dict.fromkeys(kind for intent in self.intents for kind in PREFERRED_KINDS[intent]))


def classify(question: str) -> Intent:
    """Rules over what the question asks (its asking sentences, read first), then over the whole;
    a first-person story that asks nothing the rules recognise is a situation."""
    text = " ".join(question.split())
    asks = [a for a in aspects(text, limit=5)]
    ask = asks[-1] if asks else text
    asking = " ".join(p for p in re.split(r"(?<=[.!?])\s+", text) if p.endswith("?")) or ask
    found = [name for name, rule in _RULES if rule.search(asking)]
    if asking != text:  # else every rule that matches the whole has matched already
        found += [name for name, rule in _RULES if name not in found and rule.search(text)]
    words = len(text.split())
    story = bool(_SITUATION.search(text)) and words >= 14
    if story and (not found or found[0] == "definition" and not _RULES[-1][1].search(asking)):
        found.insert(0, "situation")
    if not found:
        found = ["definition"] if words <= 8 or re.match(r"(what|how|why|who)\b", text, _I) else ["situation"]
    return Intent(
        intents=list(dict.fromkeys(found)),
        aspects=asks[:3],  # what aspects(text) gives, its default limit being 3
        numbers=[m.group(0).strip() for m in NUMBER.finditer(text)],
        periods=[m.group(0).lower() for m in PERIOD.finditer(text)],
        sides=sides(text),
    )


def aspects(question: str, limit: int = 3) -> list[str]:
    """The separate asks of a multi-part question (sentences that ask, 'also …'), at most `limit`.

    A one-part question is its own single aspect. Statements of the situation stay with the ask
    that follows them, so each aspect carries its context.
    """
    pieces = [p.strip() for p in _ASPECT_SPLIT.split(question) if p and p.strip()]
    asks, context = [], []
    for piece in pieces:
        if piece.endswith("?") or re.match(
            r"(what|how|which|who|when|where|why|can|should|is|are|do|does)\b", piece, _I
        ):
            asks.append(" ".join(context + [piece]) if not asks else piece)
            context = []
        else:
            context.append(piece)
    if context:
        asks = asks[:-1] + [" ".join(asks[-1:] + context)] if asks else [" ".join(context)]
    return [a for a in asks if len(a.split()) >= 2][:limit] or [question]
