"""What is in a store: counts by sector and province, text lengths, and a 2-D map of the stored vectors.

For the corpus notebook; everything reads the indexed store, so it describes what the matcher actually ranks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from matcher.data.records import SECTORS
from matcher.engine.catalog import province_of
from matcher.research.crosstab import CrossTable, crosstab

if TYPE_CHECKING:
    from matcher.facade import Matcher

NO_SECTOR = "tanpa_sektor"
NATIONAL = "nasional"


def _province_name(matcher: Matcher, code: str) -> str:
    return matcher.regions.province(code).name if code else NATIONAL


def sector_counts(matcher: Matcher) -> CrossTable:
    """Sectors (rows, in the fixed vocabulary order) x ["inovasi", "kesenjangan"]."""
    pairs = [(i.sector or NO_SECTOR, "inovasi") for i in matcher.catalog.innovations]
    pairs += [(g.sector or NO_SECTOR, "kesenjangan") for g in matcher.gaps()]
    return crosstab(pairs, rows=[*SECTORS, NO_SECTOR], cols=["inovasi", "kesenjangan"])


def province_counts(matcher: Matcher) -> CrossTable:
    """Provinces (rows, by code; innovations of national bodies under 'nasional') x ["inovasi", "kesenjangan"]."""
    pairs = [(province_of(i.region_code), "inovasi") for i in matcher.catalog.innovations]
    pairs += [(province_of(g.region_code), "kesenjangan") for g in matcher.gaps()]
    codes = sorted({code for code, _ in pairs})
    table = crosstab(pairs, rows=codes, cols=["inovasi", "kesenjangan"])
    return CrossTable([_province_name(matcher, c) for c in codes], table.cols, table.values)


@dataclass(frozen=True)
class EmbeddingMap:
    """2-D coordinates of stored vectors: row i is ``ids[i]``, an innovation or a gap (``kinds[i]``)."""

    xy: np.ndarray  # shape (n, 2)
    ids: list[str]
    kinds: list[str]  # "inovasi" | "kesenjangan"
    sectors: list[str]
    explained: float | None  # share of variance the two PCA axes keep (None for t-SNE)


def gap_vectors(matcher: Matcher) -> np.ndarray:
    """Stored query vectors of every gap, shape (n_gaps, dim); gaps are embedded when stored."""
    from matcher.facade import QUERY

    return matcher.embedder.embed([g.text for g in matcher.gaps()], QUERY)[0]


def embedding_map(matcher: Matcher, method: Literal["pca", "tsne"] = "pca", seed: int = 0,
                  center_kinds: bool = True) -> EmbeddingMap:
    """Innovations and gaps projected together to 2-D (PCA, or t-SNE from sklearn), coloured later by sector.

    e5 encodes gaps as queries and innovations as passages, and the two prefixes shift each kind to its own
    region: uncentred, the first axis of the map only separates gaps from innovations. ``center_kinds``
    subtracts each kind's mean first, so the axes show topics.
    """
    invs, gaps = matcher.catalog.innovations, matcher.gaps()
    inv_vectors, gap_vecs = matcher.innovation_vectors([i.id for i in invs]), gap_vectors(matcher)
    if center_kinds:
        inv_vectors = inv_vectors - inv_vectors.mean(axis=0) if len(inv_vectors) else inv_vectors
        gap_vecs = gap_vecs - gap_vecs.mean(axis=0) if len(gap_vecs) else gap_vecs
    vectors = np.vstack([inv_vectors, gap_vecs])
    explained = None
    if method == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, random_state=seed).fit(vectors)
        xy, explained = pca.transform(vectors), float(pca.explained_variance_ratio_.sum())
    else:
        from sklearn.manifold import TSNE

        xy = TSNE(n_components=2, perplexity=min(30.0, len(vectors) - 1.0), init="pca",
                  random_state=seed).fit_transform(vectors)
    return EmbeddingMap(
        xy=np.asarray(xy), ids=[i.id for i in invs] + [g.id for g in gaps],
        kinds=["inovasi"] * len(invs) + ["kesenjangan"] * len(gaps),
        sectors=[i.sector or NO_SECTOR for i in invs] + [g.sector or NO_SECTOR for g in gaps],
        explained=explained,
    )
