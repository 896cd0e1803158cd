"""Vectors of texts, each embedded once: a cache in SQLite keyed by model, kind and text hash.

Re-indexing an unchanged catalogue, a stemmer change or a restored export embeds nothing; a regency's stored
gaps are embedded when saved, so recommendations never wait for the encoder.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from matcher.data.records import Innovation, text_hash
from matcher.engine.encoders import Encoder
from matcher.engine.text import clean_for_dense
from matcher.store.query_cache import VectorLRU

if TYPE_CHECKING:
    from matcher.store.database import Store

Kind = Literal["passage", "query"]
PASSAGE: Kind = "passage"
QUERY: Kind = "query"


class EmbeddingCache:
    """The ``embeddings`` table."""

    def __init__(self, store: Store):
        self._store = store

    def get(self, model: str, kind: str, hashes: Sequence[str], dim: int) -> tuple[np.ndarray, np.ndarray]:
        """Vectors already embedded for these text hashes: ``(vectors, found)`` of shapes (len(hashes), dim)
        and (len(hashes),); rows not found are zero. Rows go straight into one array: at 100k texts a dict of
        small arrays held twice the memory."""
        out = np.zeros((len(hashes), dim), dtype=np.float32)
        found = np.zeros(len(hashes), dtype=bool)
        rows_of: dict[str, list[int]] = {}
        for i, h in enumerate(hashes):
            rows_of.setdefault(h, []).append(i)
        sql = "SELECT text_hash, vector FROM embeddings WHERE model = ? AND kind = ? AND text_hash IN ({})"
        for h, blob in self._store.rows_in(sql, (model, kind), list(rows_of)):
            if len(blob) == 4 * dim:
                at = rows_of[h]
                out[at] = np.frombuffer(blob, dtype=np.float32)
                found[at] = True
        return out, found

    def put(self, model: str, kind: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
        with self._store.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings(model, kind, text_hash, vector) VALUES (?, ?, ?, ?)",
                [(model, kind, h, np.asarray(v, dtype=np.float32).tobytes())
                 for h, v in zip(hashes, vectors, strict=False)],
            )


class Embedder:
    """An encoder behind the cache: only texts never seen before reach the encoder.

    ``load`` returns the encoder when ``encoder`` is None, on first use: listing records never loads the model.
    """

    def __init__(self, cache: EmbeddingCache, encoder: Encoder | None, load: Callable[[], Encoder],
                 embed_title: bool = False, memory_size: int = 4096):
        self.cache, self.embed_title = cache, embed_title
        self.query_vectors = VectorLRU(memory_size)  # free texts' vectors: never written to the store
        self._encoder = encoder
        self._load = load

    @property
    def encoder(self) -> Encoder:
        """The dense encoder, loaded on first use (loading takes a moment; listing records needs none)."""
        if self._encoder is None:
            self._encoder = self._load()
        return self._encoder

    def passage_text(self, innovation: Innovation) -> str:
        """What the dense encoder sees of an innovation: the description alone by default.

        Titles are mostly acronyms ("SI BUNDA CERIA"); on the dev split they pulled e5 vectors off topic
        (nDCG@10 0.795 without the title, 0.751 with it). BM25 still indexes title and description.
        """
        return clean_for_dense(innovation.text if self.embed_title else innovation.description)

    def embed(self, texts: Sequence[str], kind: Kind, progress: bool = False,
              persist: bool = True) -> tuple[np.ndarray, int]:
        """Vectors of texts as ``kind`` (PASSAGE or QUERY), embedding only those not in the cache:
        ``(vectors (len(texts), dim) float32, how many texts were sent to the encoder)``.

        ``persist=False`` (free texts): new vectors go to the bounded in-memory ``query_vectors``, not the store,
        so anonymous reads never grow the database."""
        enc = self.encoder
        texts = [clean_for_dense(t) for t in texts]  # invisible characters must not move a vector
        hashes = [text_hash(t) for t in texts]
        vectors, found = self.cache.get(enc.model_id, kind, hashes, enc.dim)
        memory = f"{enc.model_id}:{kind}:"
        if not persist:
            for i in np.flatnonzero(~found):
                kept = self.query_vectors.get(memory + hashes[i])
                if kept is not None:
                    vectors[i], found[i] = kept, True
        missing = np.flatnonzero(~found)
        first: dict[str, str] = {}  # each new text once
        for i in missing:
            first.setdefault(hashes[i], texts[i])
        todo = list(first)
        if todo:
            encode = enc.encode_queries if kind == QUERY else enc.encode_passages
            fresh = encode([first[h] for h in todo], progress=progress)
            if persist:
                self.cache.put(enc.model_id, kind, todo, fresh)
            else:
                for h, v in zip(todo, fresh, strict=True):
                    self.query_vectors.put(memory + h, v)
            row = {h: j for j, h in enumerate(todo)}
            vectors[missing] = fresh[[row[hashes[i]] for i in missing]]
        return vectors, len(todo)
