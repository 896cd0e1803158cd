"""Near-duplicate groups: innovations that are the same idea in different places, found and kept up to date.

A pair's score is ``w * dense + (1 - w) * lexical``: the cosine of the two stored vectors and the overlap of their
distinct analysed terms, either the overlap coefficient (shared terms over the smaller set: a short description
wholly inside a longer one counts fully) or the Jaccard index (shared over all). Neither depends on the rest of
the catalogue, so an edit elsewhere never moves a pair's score. Candidate pairs come from each innovation's ``neighbours`` nearest vectors (FAISS), never from all
pairs; a pair scoring at least ``threshold`` is a *link*. Groups are the link graph's connected components, split
by the linkage: ``single`` keeps a component whole, ``complete`` merges two parts only when every pair across them
is linked, so a chain of look-alikes (A like B, B like C) does not make A and C one group.

:meth:`Grouping.updated` re-scores only the changed innovations' pairs and re-groups only the components they
touch. It equals a full pass (:meth:`Grouping.build`) whenever no innovation's ``neighbours`` nearest change
except by the changed innovations themselves: each innovation's ``neighbours``-th nearest score is kept
(``kth_``), so a changed innovation that enters an unchanged one's nearest is found from its own side.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from matcher.engine.links import LinkGraph, Links, distinct_pairs, union_pairs
from matcher.errors import StoreError

LINKAGES = ("single", "complete")
LEXICAL = ("overlap", "jaccard")
GROUPS_FILE = "groups.npz"
_CHUNK = 4096  # searches per FAISS call, and pairs scored per block (bounded memory at 100k)


@dataclass(frozen=True)
class GroupParams:
    """How pairs are scored and grouped; the defaults were chosen on the dev half of
    ``corpus/eval/duplicate_pairs.tsv`` (README, "Near-duplicate groups")."""

    threshold: float = 0.763
    dense_weight: float = 0.7
    neighbours: int = 20
    linkage: str = "single"
    lexical: str = "overlap"

    def __post_init__(self) -> None:
        if self.linkage not in LINKAGES:
            raise ValueError(f"unknown linkage {self.linkage!r}; expected one of {LINKAGES}")
        if self.lexical not in LEXICAL:
            raise ValueError(f"unknown lexical overlap {self.lexical!r}; expected one of {LEXICAL}")


class PairSource(Protocol):
    """What grouping reads of a catalogue, keyed by int64 record ids (rids)."""

    rids: np.ndarray  # every rid of the catalogue

    def vectors(self, rids: np.ndarray) -> np.ndarray:
        """Stored normalised vectors: float32, (len(rids), dim)."""

    def terms(self, rids: np.ndarray) -> sp.csr_matrix:
        """Binary rows of distinct analysed terms: (len(rids), vocabulary)."""

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rids) of the k nearest stored vectors of each row; -1 where there are fewer."""


def pair_scores(source: PairSource, a: np.ndarray, b: np.ndarray, params: GroupParams) -> np.ndarray:
    """Score of each pair (a[i], b[i]): float64, shape (len(a),). Computed the same way whichever side found the
    pair, so a full pass and an update agree to the last bit."""
    dense_weight = params.dense_weight
    out = np.empty(len(a), dtype=np.float64)
    for start in range(0, len(a), _CHUNK):
        pa, pb = a[start : start + _CHUNK], b[start : start + _CHUNK]
        dense = np.einsum("ij,ij->i", source.vectors(pa), source.vectors(pb)).astype(np.float64)
        ta, tb = source.terms(pa), source.terms(pb)
        shared = np.asarray(ta.multiply(tb).sum(axis=1)).ravel()
        na, nb = np.diff(ta.indptr), np.diff(tb.indptr)
        # overlap coefficient: shared over the smaller set; Jaccard: shared over the union
        below = np.minimum(na, nb) if params.lexical == "overlap" else na + nb - shared
        lexical = np.divide(shared, below, out=np.zeros(len(pa)), where=below > 0)
        out[start : start + _CHUNK] = dense_weight * dense + (1 - dense_weight) * lexical
    return out


@dataclass
class _Nearest:
    """One search of a block of rids: ``ids``/``scores`` (rows, columns) as searched, ``keep`` marking each
    row's first k other rids, ``rank`` a kept cell's place among them, ``kth`` the score of each row's
    ``neighbours``-th nearest (-inf when it has fewer)."""

    ids: np.ndarray
    scores: np.ndarray
    keep: np.ndarray
    rank: np.ndarray
    kth: np.ndarray


class Grouping:
    """Links and groups of one catalogue.

    Learned state: ``links_`` (:class:`~matcher.engine.links.Links`: each link once, with its score),
    ``kth_rid_``/``kth_`` (sorted rids and the score of each one's ``neighbours``-th nearest), ``group_of_`` (rid
    -> group id, the smallest rid of its group; only innovations in a group of two or more) and ``scored_`` (pairs
    scored by the last build or update: what an incremental update saves).
    """

    links_: Links
    kth_rid_: np.ndarray
    kth_: np.ndarray
    group_of_: dict[int, int]
    scored_: int

    def __init__(self, params: GroupParams | None = None):
        self.params = params or GroupParams()

    # ---- building -------------------------------------------------------------------------------------------
    def build(self, source: PairSource, progress: bool = False) -> Grouping:
        """Group the whole catalogue: every innovation's nearest neighbours scored, every component grouped.
        Candidate pairs are gathered as arrays, deduplicated block by block (bounded memory at 100k)."""
        rids = np.asarray(source.rids, dtype=np.int64)
        self.links_ = Links.empty()
        kth = np.full(len(rids), -np.inf)
        found = []
        starts = range(0, len(rids), _CHUNK)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="grouping", unit="block")
        for start in starts:
            block = rids[start : start + _CHUNK]
            near = self._nearest(source, block, self.params.neighbours)
            kth[start : start + len(block)] = near.kth
            rows, cols = np.nonzero(near.keep)
            found.append(distinct_pairs(block[rows], near.ids[rows, cols]))
        order = np.argsort(rids, kind="stable")
        self.kth_rid_, self.kth_ = rids[order], kth[order]
        self._link(source, union_pairs(found))
        self.group_of_ = {}
        self._regroup(self.links_.graph(), None)
        return self

    def updated(self, source: PairSource, changed: Sequence[int], removed: Sequence[int] = ()) -> Grouping:
        """A new grouping after ``changed`` rids were added or edited and ``removed`` rids deleted in ``source``;
        only their pairs are scored and only the groups they touch are formed again. This one is unchanged."""
        self._check()
        new = Grouping(self.params)
        gone_set = {int(r) for r in (*changed, *removed)}
        gone = np.asarray(sorted(gone_set), dtype=np.int64)
        new.links_ = self.links_.without(gone)
        kept = ~np.isin(self.kth_rid_, gone)
        kth_rid, kth = self.kth_rid_[kept], self.kth_[kept]
        changed_arr = np.asarray(sorted({int(r) for r in changed}), dtype=np.int64)
        new_kth = np.full(len(changed_arr), -np.inf)
        found = []
        k = self.params.neighbours
        for start in range(0, len(changed_arr), _CHUNK):
            block = changed_arr[start : start + _CHUNK]
            near = self._nearest(source, block, 2 * k)
            new_kth[start : start + len(block)] = near.kth
            at = np.searchsorted(kth_rid, near.ids).clip(max=max(len(kth_rid) - 1, 0))
            listed = (kth_rid[at] == near.ids) if len(kth_rid) else np.zeros(near.ids.shape, dtype=bool)
            other_kth = np.where(listed, kth[at] if len(kth) else np.inf, np.inf)
            # its own nearest, or it entered an unchanged innovation's nearest (seen from this side)
            hit = near.keep & ((near.rank < k) | (~np.isin(near.ids, gone) & (near.scores >= other_kth)))
            rows, cols = np.nonzero(hit)
            found.append(distinct_pairs(block[rows], near.ids[rows, cols]))
        all_kth_rid = np.concatenate([kth_rid, changed_arr])
        order = np.argsort(all_kth_rid, kind="stable")
        new.kth_rid_, new.kth_ = all_kth_rid[order], np.concatenate([kth, new_kth])[order]
        new._link(source, union_pairs(found))
        touched = set(changed_arr.tolist())
        gids = {self.group_of_[r] for r in gone_set if r in self.group_of_}
        # the rest of every group a changed or removed innovation was in
        touched |= {r for r, g in self.group_of_.items() if g in gids}
        new.group_of_ = {r: g for r, g in self.group_of_.items() if r not in touched and r not in gone_set}
        seeds = touched - {int(r) for r in removed}
        new._regroup(new.links_.graph(), np.asarray(sorted(seeds), dtype=np.int64))
        return new

    def _nearest(self, source: PairSource, rids: np.ndarray, k: int) -> _Nearest:
        """Each rid's k nearest other rids, and the score of its ``neighbours``-th nearest."""
        scores, ids = source.search(source.vectors(rids), k + 1)
        keep = (ids >= 0) & (ids != rids[:, None])
        rank = np.cumsum(keep, axis=1) - 1
        keep &= rank < k
        kth = np.full(len(rids), -np.inf)
        rows, cols = np.nonzero(keep & (rank == self.params.neighbours - 1))
        kth[rows] = scores[rows, cols]
        return _Nearest(ids, scores, keep, rank, kth)

    def _link(self, source: PairSource, pairs: np.ndarray) -> None:
        """Score candidate pairs and add those at or above the threshold to the links."""
        self.scored_ = len(pairs)
        if not len(pairs):
            return
        scores = pair_scores(source, pairs[:, 0], pairs[:, 1], self.params)
        linked = scores >= self.params.threshold  # pairs are distinct, (low, high) and sorted: links as they are
        self.links_ = self.links_.plus(Links.of_sorted(pairs[linked, 0], pairs[linked, 1], scores[linked]))

    def _regroup(self, graph: LinkGraph, seeds: np.ndarray | None) -> None:
        """Form again the groups of every component that holds one of ``seeds`` (None: every component)."""
        count, labels = graph.components()
        if seeds is None:
            wanted = np.ones(count, dtype=bool)
        else:
            seeds = seeds[np.isin(seeds, graph.nodes)]
            wanted = np.zeros(count, dtype=bool)
            wanted[labels[np.searchsorted(graph.nodes, seeds)]] = True
        if self.params.linkage == "single":  # a component is a group; its id its smallest rid (nodes are sorted)
            _, first = np.unique(labels, return_index=True)
            mine = wanted[labels]
            self.group_of_.update(zip(graph.nodes[mine].tolist(), graph.nodes[first][labels[mine]].tolist(),
                                      strict=True))
            return
        order = np.argsort(labels, kind="stable")
        bounds = np.searchsorted(labels[order], np.arange(count + 1))
        for label in np.flatnonzero(wanted).tolist():
            positions = order[bounds[label] : bounds[label + 1]]
            for group in self._split(graph.adjacency(positions)):
                if len(group) > 1:
                    self.group_of_.update(dict.fromkeys(group, min(group)))

    @staticmethod
    def _split(links: dict[int, dict[int, float]]) -> list[set[int]]:
        """The complete-linkage groups of one connected component, given as its rid -> {linked rid: score}
        (deterministic: links strongest first)."""
        cluster = {r: frozenset([r]) for r in links}
        edges = sorted({(min(a, b), max(a, b), s) for a in links for b, s in links[a].items()},
                       key=lambda e: (-e[2], e[0], e[1]))
        for a, b, _ in edges:
            ca, cb = cluster[a], cluster[b]
            if ca is cb or not all(q in links[p] for p in ca for q in cb):
                continue
            merged = ca | cb
            cluster.update(dict.fromkeys(merged, merged))
        return [set(c) for c in {id(c): c for c in cluster.values()}.values()]

    # ---- reading --------------------------------------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "links_"):
            raise StoreError("grouping used before it was built or loaded")

    def groups(self) -> list[list[int]]:
        """Every group of two or more, as sorted rids, ordered by their smallest rid."""
        self._check()
        out: dict[int, list[int]] = {}
        for rid, gid in self.group_of_.items():
            out.setdefault(gid, []).append(rid)
        return [sorted(out[g]) for g in sorted(out)]

    def save(self, path: Path) -> None:
        """Links, neighbour scores and groups as plain arrays (no pickle); written to a temporary name first."""
        self._check()
        group_rid = np.fromiter(self.group_of_.keys(), dtype=np.int64, count=len(self.group_of_))
        group_id = np.fromiter(self.group_of_.values(), dtype=np.int64, count=len(self.group_of_))
        order = np.argsort(group_rid, kind="stable")
        tmp = Path(path).with_name(Path(path).name + ".tmp.npz")
        np.savez(tmp, link_a=self.links_.a, link_b=self.links_.b, link_score=self.links_.score,
                 kth_rid=self.kth_rid_, kth=self.kth_, group_rid=group_rid[order], group_id=group_id[order],
                 params=np.array(json.dumps(asdict(self.params))))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Grouping:
        """Read a grouping written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as f:
                # groups written before the lexical choice existed scored pairs with Jaccard
                self = cls(GroupParams(**{"lexical": "jaccard", **json.loads(str(f["params"]))}))
                self.links_ = Links(f["link_a"], f["link_b"], f["link_score"])
                order = np.argsort(f["kth_rid"], kind="stable")
                self.kth_rid_, self.kth_ = f["kth_rid"].astype(np.int64)[order], f["kth"].astype(np.float64)[order]
                self.group_of_ = dict(zip(f["group_rid"].tolist(), f["group_id"].tolist(), strict=True))
        except (OSError, KeyError, ValueError) as exc:
            raise StoreError(f"the groups at {path} cannot be read ({exc}): run 'matcher index --rebuild'") from exc
        self.scored_ = 0
        return self
