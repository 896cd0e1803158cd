"""BM25 lexical channel over Indonesian-normalised terms, with exact incremental updates.

Scores are those of bm25s ``method="lucene"`` (the library this replaced, kept as the test oracle):
``idf = ln(1 + (N - df + 0.5) / (df + 0.5))`` and a term scores ``idf * tf / (tf + k1 * (1 - b + b * dl / avgdl))``
(no ``k1 + 1`` factor); a query term given twice counts twice. bm25s can only index from scratch, which at
100k innovations costs seconds and hundreds of MB per edited innovation. Here the term frequencies of every
document are kept as arrays, so :meth:`LexicalIndex.updated` drops and appends documents by NumPy gathers
and recomputes df, avgdl and all scores vectorised, without re-reading any unchanged document's terms.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import chain, compress
from pathlib import Path

import numpy as np
import scipy.sparse as sp

try:  # the sparse product's own kernel, run on slices (see ``scores``); private, so its absence is survived
    from scipy.sparse import _sparsetools
except ImportError:  # pragma: no cover - a SciPy that moved it: the plain sparse product, same scores
    _sparsetools = None

from matcher.errors import StoreError

FORMAT = "matcher-bm25/1"
_DOC_ARRAYS = ("doc_ptr", "doc_terms", "doc_tf")  # memory-mapped on load: only read by updated()
_SCORE_ARRAYS = ("score_ptr", "score_docs", "score_data")  # loaded: read by every query


def _with_terms(vocab: dict[str, int], terms: Iterable[Sequence[str]]) -> dict[str, int]:
    """A copy of ``vocab`` (term -> id, insertion order = id order) extended by the new terms of ``terms``."""
    vocab = dict(vocab)
    for t in dict.fromkeys(chain.from_iterable(terms)):  # C-speed de-duplication, then one step per distinct term
        vocab.setdefault(t, len(vocab))
    return vocab


def _count(terms: Sequence[Sequence[str]], vocab: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct terms per document, their term ids, their frequencies): the CSR rows of a term-frequency matrix."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    ptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    flat = np.fromiter(map(vocab.__getitem__, chain.from_iterable(terms)), dtype=np.int32, count=int(ptr[-1]))
    counts = sp.csr_matrix((np.ones(len(flat), dtype=np.int32), flat, ptr), shape=(len(terms), max(len(vocab), 1)))
    counts.sum_duplicates()  # per-row sort in C: one entry per (document, term), data = tf
    return (np.diff(counts.indptr).astype(np.int64), counts.indices.astype(np.int32, copy=False),
            counts.data.astype(np.int32, copy=False))


def _gather(kept: np.ndarray, mask: np.ndarray, added: np.ndarray) -> np.ndarray:
    """``concatenate([kept[mask], added])`` written into one new array, without the intermediate copy."""
    out = np.empty(int(np.count_nonzero(mask)) + len(added), dtype=kept.dtype)
    np.compress(mask, kept, out=out[: len(out) - len(added)])
    out[len(out) - len(added):] = added
    return out


class LexicalIndex:
    """BM25 over pre-analysed terms; document positions map to int64 record ids through ``ids_``.

    Learned state: ``ids_`` (n,), ``position_`` (id -> position), ``vocab_`` (term -> term id),
    ``doc_ptr_``/``doc_terms_``/``doc_tf_`` (term frequencies, one CSR row per document) and ``matrix_``
    (n x vocabulary BM25 scores, CSC so a query reads only its terms' postings).
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b

    def build(self, ids: np.ndarray | Sequence[int], terms: Sequence[Sequence[str]]) -> LexicalIndex:
        """Index documents given as term lists; ``ids[i]`` is the record id of ``terms[i]``."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        if len(ids) != len(terms):
            raise ValueError("ids and terms differ in length")
        vocab = _with_terms({}, terms)
        return self._fit(ids, vocab, *_count(terms, vocab))

    def updated(
        self, remove_ids: np.ndarray | Sequence[int], add_ids: np.ndarray | Sequence[int],
        add_terms: Sequence[Sequence[str]],
    ) -> LexicalIndex:
        """A new index equal to ``build`` over: this index's documents minus ``remove_ids`` and ``add_ids``
        (replacements), in their order, then ``add_ids`` with ``add_terms`` in the given order.

        Unknown ``remove_ids`` are ignored. This index is left unchanged.
        """
        self._check()
        add_ids = np.ascontiguousarray(add_ids, dtype=np.int64)
        if len(add_ids) != len(add_terms):
            raise ValueError("add_ids and add_terms differ in length")
        gone = np.concatenate([np.asarray(remove_ids, dtype=np.int64).ravel(), add_ids])
        keep = ~np.isin(self.ids_, gone)
        lengths = np.diff(self.doc_ptr_)
        kept_nnz = np.repeat(keep, lengths)
        vocab = _with_terms(self.vocab_, add_terms)
        new_lengths, new_terms, new_tf = _count(add_terms, vocab)
        return type(self)(self.k1, self.b)._fit(
            np.concatenate([self.ids_[keep], add_ids]), vocab, np.concatenate([lengths[keep], new_lengths]),
            _gather(self.doc_terms_, kept_nnz, new_terms), _gather(self.doc_tf_, kept_nnz, new_tf),
        )

    def _fit(
        self, ids: np.ndarray, vocab: dict[str, int], lengths: np.ndarray, terms: np.ndarray, tf: np.ndarray
    ) -> LexicalIndex:
        """Set the state from term frequencies (``lengths[i]`` entries of ``terms``/``tf`` per document)."""
        if len(np.unique(ids)) != len(ids):
            raise ValueError("duplicate ids")
        df = np.bincount(terms, minlength=len(vocab))
        if len(vocab) and not df.all():  # terms no document holds any more: drop them, renumber the rest
            alive = df > 0
            np.take(np.cumsum(alive, dtype=np.int32) - 1, terms, out=terms)
            vocab = {t: i for i, t in enumerate(compress(vocab, alive))}
            df = df[alive]
        n = len(ids)
        doc_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=doc_ptr[1:])
        dl = np.zeros(n, dtype=np.int64)  # tokens per document, repeats included
        if len(tf):
            dl[lengths > 0] = np.add.reduceat(tf, doc_ptr[:-1][lengths > 0], dtype=np.int64)
        avgdl = float(dl.mean()) if n and dl.any() else 1.0
        norm = (self.k1 * (1 - self.b + self.b * dl / avgdl)).astype(np.float32)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)  # rounded to float32 as bm25s does
        score = tf.astype(np.float32)  # nnz-sized float32 buffers, reused in place
        buffer = np.repeat(norm, lengths)
        buffer += score
        score /= buffer
        score *= np.take(idf, terms, out=buffer)
        del buffer
        self.matrix_ = sp.csr_matrix((score, terms, doc_ptr), shape=(n, len(vocab))).tocsc()
        self.ids_, self.vocab_ = ids, vocab
        self.doc_ptr_, self.doc_terms_, self.doc_tf_ = doc_ptr, terms.astype(np.int32, copy=False), tf
        self.position_ = {int(i): p for p, i in enumerate(ids)}
        return self

    def _check(self) -> None:
        if not hasattr(self, "ids_"):
            raise StoreError("lexical index used before it was built or loaded")

    def __len__(self) -> int:
        return len(getattr(self, "ids_", ()))

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every indexed document for one query: float32, shape (len(self),), aligned with ``ids_``.

        Unknown terms are skipped; a repeated term adds its scores once per repeat.
        """
        self._check()
        known = [self.vocab_[t] for t in query_terms if t in self.vocab_]
        if not known:
            return np.zeros(len(self), dtype=np.float32)
        cols, repeats = np.unique(known, return_counts=True)
        # ``matrix_[:, cols] @ repeats``, without copying the query's postings (470k at 100k innovations) into a
        # new matrix first: SciPy's own kernel on each column's slice, in the same order, so the same bits
        if _sparsetools is None:  # pragma: no cover
            return np.asarray(self.matrix_[:, cols] @ repeats.astype(np.float32), dtype=np.float32)
        m, out = self.matrix_, np.zeros(len(self), dtype=np.float32)
        for col, times in zip(cols.tolist(), repeats.astype(np.float32), strict=True):
            a, b = int(m.indptr[col]), int(m.indptr[col + 1])
            _sparsetools.csc_matvec(len(self), 1, np.array([0, b - a], dtype=m.indptr.dtype), m.indices[a:b],
                                    m.data[a:b], times[None], out)
        return out

    def shared_terms(self, doc_id: int, terms: Iterable[str]) -> set[str]:
        """Which of ``terms`` the document ``doc_id`` (a record id) holds; read from the index, so explaining
        a result needs no second analysis of its text."""
        self._check()
        p = self.position_[int(doc_id)]
        held = set(self.doc_terms_[self.doc_ptr_[p] : self.doc_ptr_[p + 1]].tolist())
        return {t for t in terms if self.vocab_.get(t, -1) in held}

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term (0 for terms no document holds); used to weigh explanations."""
        self._check()
        col = self.vocab_.get(term)
        if col is None:
            return 0.0
        df = int(self.matrix_.indptr[col + 1] - self.matrix_.indptr[col])
        return float(np.log(1 + (len(self) - df + 0.5) / (df + 0.5)))

    def save(self, directory: Path) -> None:
        """Plain ``.npy`` arrays, the vocabulary and parameters as JSON, no pickle; written into a fresh folder."""
        self._check()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {"ids": self.ids_, "doc_ptr": self.doc_ptr_, "doc_terms": self.doc_terms_, "doc_tf": self.doc_tf_,
                  "score_ptr": self.matrix_.indptr, "score_docs": self.matrix_.indices,
                  "score_data": self.matrix_.data}
        for name, array in arrays.items():
            np.save(directory / f"{name}.npy", array, allow_pickle=False)
        (directory / "vocab.json").write_text(json.dumps(list(self.vocab_), ensure_ascii=False))
        (directory / "params.json").write_text(
            json.dumps({"format": FORMAT, "k1": self.k1, "b": self.b, "n": len(self), "terms": len(self.vocab_)})
        )

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Read an index written by :meth:`save`; the term-frequency arrays are memory-mapped."""
        directory = Path(directory)
        if not (directory / "params.json").exists():
            raise StoreError(f"lexical index not found at {directory}: run 'matcher index' to build it")
        params = json.loads((directory / "params.json").read_text())
        if params.get("format") != FORMAT:
            raise StoreError(f"the lexical index at {directory} has an older format: run 'matcher index --rebuild'")
        try:
            arrays = {name: np.load(directory / f"{name}.npy", allow_pickle=False) for name in ("ids", *_SCORE_ARRAYS)}
            arrays |= {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in _DOC_ARRAYS}
            terms = json.loads((directory / "vocab.json").read_text())
        except (OSError, ValueError) as e:
            raise StoreError(f"lexical index at {directory} is incomplete ({e}): run 'matcher index --rebuild'") from e
        self = cls(k1=params["k1"], b=params["b"])
        self.ids_, self.vocab_ = arrays["ids"], {t: i for i, t in enumerate(terms)}
        self.doc_ptr_, self.doc_terms_, self.doc_tf_ = (arrays[name] for name in _DOC_ARRAYS)
        self.matrix_ = sp.csc_matrix(
            (arrays["score_data"], arrays["score_docs"], arrays["score_ptr"]), shape=(len(self.ids_), len(terms))
        )
        self.position_ = {int(i): p for p, i in enumerate(self.ids_)}
        return self
