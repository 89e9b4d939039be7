"""Small text helpers shared by item building and grading: plain text, content words, stems."""

from __future__ import annotations

import re
from functools import lru_cache

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)")
WORD = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*", re.IGNORECASE)

STOPWORDS = frozenset(
    """
a about above after again against all also although am an and any are as at be because been
before being below between both but by can could did do does doing done down during each either
else even ever every few for from further had has have having he her here hers him his how however
i if in into is it its itself just least less let like made make many may me might more most much
must my neither no nor not of off often on once one only or other otherwise our ours out over own
per perhaps rather same several she should since so some such than that the their theirs them then
there these they this those though through thus to too under until up upon us usually very via was
we were what when where whether which while who whom whose why will with within without would yet
you your yours instead usual typically typical mainly mostly main still already always never each
""".split()
)


def plain(markdown: str) -> str:
    """Inline Markdown as plain text: links keep their text, emphasis marks and code ticks go."""
    return re.sub(r"\s+", " ", _EMPHASIS.sub("", _LINK.sub(r"\1", markdown))).strip()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'credits'/'credit', 'capped'/'cap', 'renewal'/'renew'."""
    word = word.lower()
    if word.isdigit() or len(word) <= 3:
        return word
    for suffix, keep in (
        ("ational", "ate"),
        ("isation", "ise"),
        ("ization", "ize"),
        ("iveness", "ive"),
        ("fulness", "ful"),
        ("ements", ""),
        ("ement", ""),
        ("ments", ""),
        ("ment", ""),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ities", ""),
        ("ity", ""),
        ("ness", ""),
        ("ings", ""),
        ("ing", ""),
        ("ies", "y"),
        ("ied", "y"),
        ("ers", ""),
        ("er", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("al", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + keep
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]  # 'capp' (from 'capped') -> 'cap'
    return word.rstrip("e") if len(word) > 4 else word


def words(text: str) -> list[str]:
    """Lower-case words and numbers of a text, thousands separators kept inside numbers."""
    return [w.lower() for w in WORD.findall(text)]


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (no stop words, no single letters), in order, unique."""
    seen: dict[str, None] = {}
    for word in words(text):
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        seen.setdefault(stem(word.replace(",", "")), None)
    return list(seen)
