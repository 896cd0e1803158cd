"""BM25 lexical channel (bm25s) over Indonesian-normalised terms.

The index is built from term lists (see :class:`matcher.text.Analyzer`), which the store keeps per innovation,
so an update re-scores the sparse matrix from stored terms without re-analysing any text.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from matcher.errors import StoreError


class LexicalIndex:
    """BM25 over pre-analysed terms; positions are mapped to int64 record ids through ``ids_``."""

    def __init__(self, k1: float = 1.2, b: float = 0.75, method: str = "lucene"):
        self.k1 = k1
        self.b = b
        self.method = method

    def build(self, ids: np.ndarray, terms: list[list[str]]) -> LexicalIndex:
        """Index documents given as term lists; ``ids[i]`` is the record id of ``terms[i]``."""
        import bm25s

        if len(ids) != len(terms):
            raise ValueError("ids and terms differ in length")
        self.ids_ = np.ascontiguousarray(ids, dtype=np.int64)
        self.retriever_ = bm25s.BM25(k1=self.k1, b=self.b, method=self.method)
        if len(terms):
            self.retriever_.index([list(t) for t in terms], show_progress=False)
        self.position_ = {int(i): p for p, i in enumerate(self.ids_)}
        return self

    def _check(self) -> None:
        if not hasattr(self, "ids_"):
            raise StoreError("lexical index used before it was built or loaded")

    def __len__(self) -> int:
        return len(getattr(self, "ids_", ()))

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every indexed document for one query: shape (len(self),), aligned with ``ids_``."""
        self._check()
        known = [t for t in query_terms if t in self.retriever_.vocab_dict] if len(self) else []
        if not known:
            return np.zeros(len(self), dtype=np.float32)
        return np.asarray(self.retriever_.get_scores(known), dtype=np.float32)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a term (0 for unknown terms); used to weigh explanations."""
        self._check()
        if not len(self) or term not in self.retriever_.vocab_dict:
            return 0.0
        df = self._df(term)
        return float(np.log(1 + (len(self) - df + 0.5) / (df + 0.5)))

    def _df(self, term: str) -> int:
        col = self.retriever_.vocab_dict[term]
        indptr = self.retriever_.scores["indptr"]
        return int(indptr[col + 1] - indptr[col])

    def save(self, directory: Path) -> None:
        """Plain files (bm25s arrays + JSON), no pickle; the store swaps the folder atomically."""
        self._check()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "ids.npy", self.ids_)
        (directory / "params.json").write_text(
            json.dumps({"k1": self.k1, "b": self.b, "method": self.method, "n": len(self)})
        )
        if len(self):
            self.retriever_.save(str(directory / "bm25"), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Read an index written by :meth:`save`."""
        import bm25s

        directory = Path(directory)
        if not (directory / "params.json").exists():
            raise StoreError(f"lexical index not found at {directory}: run 'matcher index' to build it")
        params = json.loads((directory / "params.json").read_text())
        self = cls(k1=params["k1"], b=params["b"], method=params["method"])
        self.ids_ = np.load(directory / "ids.npy")
        if len(self.ids_):
            self.retriever_ = bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
        else:
            self.retriever_ = bm25s.BM25(k1=self.k1, b=self.b, method=self.method)
        self.position_ = {int(i): p for p, i in enumerate(self.ids_)}
        return self
