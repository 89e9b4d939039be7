"""Full-text ranking in memory: an FTS5 table's postings, read once when the index is built,
ranked per question with FTS5's own bm25 (same tokens, same scores) and no SQL.

SQLite's `match` and `bm25()` were a third of the Python time per answer (bench/bench_answer.py
--profile, docs/benchmarks.md); the FTS5 tables stay in passages.db, and the postings here are
taken from them (`fts5vocab`), so both rank alike (tests/test_fulltext.py checks it).
"""

from __future__ import annotations

import functools
import math
import re
import sqlite3
import threading
import unicodedata
from pathlib import Path

import numpy as np
import Stemmer

K1, B = 1.2, 0.75  # FTS5's bm25 constants
_TOKEN = re.compile(r"[^\W_]+")  # unicode61: runs of letters and digits
_ARRAYS = ("terms", "starts", "rows", "columns", "offsets", "df", "sizes", "count")
_ORIGINAL_PORTER = Stemmer.Stemmer("porter")  # Snowball's "porter": Porter's original algorithm
_STEMMER_LOCK = threading.Lock()  # a PyStemmer stemmer is not safe to share between threads
# The two rules Porter added to step 2 after publishing it, which SQLite's porter has: 'bli' ->
# 'ble' (for 'abli' -> 'able') and 'logi' -> 'log'; steps 3-5 then go on as on any word.
_LATER_RULES = (("bli", "ble"), ("logi", "log"))


def _vowel(word: str, i: int) -> bool:
    return word[i] in "aeiou" or (word[i] == "y" and i > 0 and not _vowel(word, i - 1))


def _measure(stem: str) -> int:
    """Porter's m: how many vowel-consonant sequences the stem has."""
    kinds = "".join("v" if _vowel(stem, i) else "c" for i in range(len(stem)))
    return kinds.count("vc")


def _porter(word: str) -> str:
    """Porter's algorithm as SQLite's porter tokenizer applies it (the original and the two rules)."""
    with _STEMMER_LOCK:
        stem = _ORIGINAL_PORTER.stemWord(word)
        for suffix, replacement in _LATER_RULES:
            if stem.endswith(suffix) and _measure(stem[: -len(suffix)]) > 0:
                return _ORIGINAL_PORTER.stemWord(stem[: -len(suffix)] + replacement)
        return stem


@functools.lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    folded = "".join(c for c in unicodedata.normalize("NFD", token.lower()) if not unicodedata.combining(c))
    # SQLite's porter leaves tokens under 3 or over 64 bytes as they are.
    return _porter(folded) if 3 <= len(folded.encode()) <= 64 else folded


def tokens(text: str) -> list[str]:
    """A text's tokens as FTS5's `porter` tokenizer (over unicode61) indexes them."""
    return [_stem(token) for token in _TOKEN.findall(text)]


@functools.lru_cache(maxsize=65536)
def _phrase(term: str) -> tuple[str, ...]:
    return tuple(tokens(term))


class FullText:
    """One FTS5 table in memory: where each term occurs (row, column, offset), and each row's size."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.terms = {term: i for i, term in enumerate(arrays["terms"].tolist())}
        self.starts, self.rows, self.columns, self.offsets = (arrays[k] for k in _ARRAYS[1:5])
        self.df = arrays["df"]  # rows holding each term
        self.count = int(arrays["count"])  # rows in the table
        self.width = int(self.columns.max()) + 1 if len(self.columns) else 1
        sizes = arrays["sizes"].astype(np.float64)  # tokens per row (all columns), by rowid
        average = sizes.sum() / max(self.count, 1)
        # bm25's length normalisation, per row; written as FTS5 writes it, so scores agree to the bit.
        self._norm = K1 * (1 - B + B * sizes / average) if average else np.ones_like(sizes)
        # Each term's rows and its count in each column of them: what a one-word term needs.
        first = np.ones(len(self.rows), dtype=bool)  # occurrences run term by term, row by row
        first[1:] = (self.rows[1:] != self.rows[:-1]) | np.isin(np.arange(1, len(self.rows)), self.starts)
        self._posting_rows = self.rows[first]
        self._posting_counts = _counts(np.cumsum(first) - 1, self.columns, len(self._posting_rows), self.width)
        self._posting_starts = np.concatenate([[0], np.cumsum(self.df)])
        self._matching: dict[str, int] = {}
        self._saturated: dict[tuple[float, ...], np.ndarray] = {}  # per column weights: see _saturation
        self._scored: dict[tuple[float, ...], np.ndarray] = {}  # per column weights: see _scores

    def _keys(self, token: str, shift: int = 0) -> np.ndarray | None:
        """(row, column, offset - shift) of each occurrence of a token, packed in one int64."""
        i = self.terms.get(token)
        if i is None:
            return None
        at = slice(self.starts[i], self.starts[i + 1])
        return ((self.rows[at].astype(np.int64) * self.width + self.columns[at]) << 32) + self.offsets[at] - shift

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray, slice | None]:
        """The rows holding a query term, its count in each of their columns, and for a one-word
        term where its postings are kept. A term of several tokens ("t&m") is a phrase: its
        tokens one after another, as FTS5 reads it."""
        phrase = _phrase(term)
        if len(phrase) == 1 and phrase[0] in self.terms:
            i = self.terms[phrase[0]]
            at = slice(self._posting_starts[i], self._posting_starts[i + 1])
            return self._posting_rows[at], self._posting_counts[at], at
        keys = self._keys(phrase[0]) if phrase else None
        for shift, token in enumerate(phrase[1:], start=1):
            following = self._keys(token, shift)
            keys = keys[np.isin(keys, following)] if keys is not None and following is not None else None
        if keys is None:
            return np.zeros(0, np.int32), np.zeros((0, self.width)), None
        cells = keys >> 32
        rows, group = np.unique(cells // self.width, return_inverse=True)
        return rows, _counts(group, cells % self.width, len(rows), self.width), None

    def rows_matching(self, term: str) -> int:
        """How many rows hold the term (cached: a question's words recur)."""
        if term not in self._matching:
            self._matching[term] = len(self.postings(term)[0])
        return self._matching[term]

    def search(self, terms: list[str], weights: tuple[float, ...], limit: int) -> list[tuple[int, float]]:
        """(rowid, bm25) of the best `limit` rows holding any of the terms, best first, as
        `select rowid, bm25(table, *weights) from table where table match '"a" OR "b"' order by 2`
        returns them (ties by rowid)."""
        found, parts = [], []
        for term in terms:
            rows, counts, at = self.postings(term)
            if not len(rows):
                continue
            found.append(rows)
            if at:  # a one-word term: its scores are computed once per set of weights (`_scores`)
                parts.append(self._scores(weights)[at])
            else:
                parts.append(_idf(self.count, len(rows)) * self._saturation(weights, rows, counts))
        if not found:
            return []
        found_rows = np.concatenate(found)
        # bincount adds each row's parts in term order from 0.0, as FTS5 sums its phrases' scores.
        scores = np.bincount(found_rows, weights=np.concatenate(parts), minlength=len(self._norm))
        matched = np.zeros(len(self._norm), dtype=bool)
        matched[found_rows] = True
        rows = np.flatnonzero(matched)
        if len(rows) > limit:  # sort only the rows that can make the cut (ties at it included)
            cut = -np.partition(-scores[rows], limit - 1)[limit - 1]
            rows = rows[scores[rows] >= cut]
        best = rows[np.lexsort((rows, -scores[rows]))][:limit]
        return list(zip(best.tolist(), (-scores[best]).tolist()))

    def _scores(self, weights: tuple[float, ...]) -> np.ndarray:
        """idf x saturation of every kept posting: a one-word term's part of bm25 for each of its
        rows, the same bits `search` would compute term by term."""
        if weights not in self._scored:
            # Each term's idf through `_idf` (math.log), so the same bits as for a phrase.
            idf = np.array([_idf(self.count, n) for n in self.df.tolist()], dtype=np.float64)
            self._scored[weights] = np.repeat(idf, self.df) * self._saturation(weights)
        return self._scored[weights]

    def _saturation(self, weights: tuple[float, ...], rows=None, counts=None) -> np.ndarray:
        """bm25's term-frequency part, f (k1 + 1) / (f + k1 (1 - b + b |D| / avgdl)), with f the
        weighted count: of the given postings, or of every kept posting (computed once per weights)."""
        if rows is None and weights in self._saturated:
            return self._saturated[weights]
        column_weights = np.ones(self.width)
        column_weights[: len(weights)] = weights[: self.width]
        if rows is None:
            rows, counts = self._posting_rows, self._posting_counts
        frequency = counts @ column_weights  # whole numbers times weights: exact, as FTS5's sum
        saturation = (frequency * (K1 + 1.0)) / (frequency + self._norm[rows])
        if rows is self._posting_rows:
            self._saturated[weights] = saturation
        return saturation


def _idf(count: int, matching: int) -> float:
    """FTS5's idf of a term found in `matching` of `count` rows (never below a tiny positive)."""
    idf = math.log((count - matching + 0.5) / (matching + 0.5))
    return idf if idf > 0.0 else 1e-6


def _counts(group: np.ndarray, columns: np.ndarray, groups: int, width: int) -> np.ndarray:
    """A (groups x width) table of how many occurrences each group has in each column."""
    return np.bincount(group * width + columns, minlength=groups * width).reshape(groups, width).astype(np.float64)


def read_fts(db: sqlite3.Connection, table: str) -> dict[str, np.ndarray]:
    """An FTS5 table's postings, as its own tokenizer indexed them (through `fts5vocab`)."""
    vocabulary = f"temp.{table}_instances"
    db.execute(f"create virtual table {vocabulary} using fts5vocab(main, {table}, instance)")
    names = [d[0] for d in db.execute(f"select * from {table} limit 0").description]
    found = db.execute(f"select term, doc, col, offset from {vocabulary} order by term, doc, col, offset").fetchall()
    db.execute(f"drop table {vocabulary}")
    terms = list(dict.fromkeys(term for term, *_ in found))
    ids = {term: i for i, term in enumerate(terms)}
    term_ids = np.array([ids[term] for term, *_ in found], dtype=np.int64)
    rows = np.array([doc for _, doc, _, _ in found], dtype=np.int64)
    size = max(int(db.execute(f"select max(rowid) from {table}").fetchone()[0] or 0), int(rows.max(initial=0))) + 1
    firsts = np.ones(len(found), dtype=bool)  # the first occurrence of a term in a row
    firsts[1:] = (term_ids[1:] != term_ids[:-1]) | (rows[1:] != rows[:-1])
    return {
        "terms": np.array(terms, dtype=str),
        "starts": np.searchsorted(term_ids, np.arange(len(terms) + 1)),
        "rows": rows.astype(np.int32),
        "columns": np.array([names.index(col) for _, _, col, _ in found], dtype=np.int8),
        "offsets": np.array([offset for *_, offset in found], dtype=np.int32),
        "df": np.bincount(term_ids[firsts], minlength=len(terms)),
        "sizes": np.bincount(rows, minlength=size),
        "count": np.array(db.execute(f"select count(*) from {table}").fetchone()[0]),
    }


def write(path: Path, db: sqlite3.Connection, tables: list[str]) -> None:
    """The postings of `tables` into one .npz file beside the store."""
    arrays = {f"{table}.{name}": array for table in tables for name, array in read_fts(db, table).items()}
    with open(path, "wb") as out:
        np.savez(out, **arrays)


def load(path: Path) -> dict[str, FullText]:
    """The tables `write` stored, by name."""
    with np.load(path, allow_pickle=False) as stored:
        tables = dict.fromkeys(name.split(".")[0] for name in stored.files)
        return {table: FullText({name: stored[f"{table}.{name}"] for name in _ARRAYS}) for table in tables}
