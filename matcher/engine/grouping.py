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
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy.sparse as sp

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


def _pairs(a: Iterable[int], b: Iterable[int]) -> np.ndarray:
    """Distinct unordered pairs as rows (low, high), self-pairs dropped: int64, (n, 2), sorted."""
    arr = np.array([list(a), list(b)], dtype=np.int64).T.reshape(-1, 2)
    arr = arr[arr[:, 0] != arr[:, 1]]
    arr.sort(axis=1)
    return np.unique(arr, axis=0) if len(arr) else arr


class Grouping:
    """Links and groups of one catalogue.

    Learned state: ``links_`` (rid -> {linked rid: score}), ``kth_`` (rid -> score of its ``neighbours``-th
    nearest), ``group_of_`` (rid -> group id, the smallest rid of its group; only innovations in a group of two
    or more) and ``scored_`` (pairs scored by the last build or update: what an incremental update saves).
    """

    links_: dict[int, dict[int, float]]
    kth_: dict[int, float]
    group_of_: dict[int, int]
    scored_: int

    def __init__(self, params: GroupParams | None = None):
        self.params = params or GroupParams()

    # ---- building -------------------------------------------------------------------------------------------
    def build(self, source: PairSource, progress: bool = False) -> Grouping:
        """Group the whole catalogue: every innovation's nearest neighbours scored, every component grouped."""
        rids = np.asarray(source.rids, dtype=np.int64)
        self.links_, self.kth_ = {}, {}
        found_a, found_b = [], []
        starts = range(0, len(rids), _CHUNK)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="grouping", unit="block")
        for start in starts:
            block = rids[start : start + _CHUNK]
            near, kth = self._nearest(source, block, self.params.neighbours)
            self.kth_.update(zip(block.tolist(), kth.tolist(), strict=True))
            for rid, others in zip(block.tolist(), near, strict=True):
                found_a.extend([rid] * len(others))
                found_b.extend(others)
        self._link(source, _pairs(found_a, found_b))
        self.group_of_ = {}
        self._regroup(set(self.links_))
        return self

    def updated(self, source: PairSource, changed: Sequence[int], removed: Sequence[int] = ()) -> Grouping:
        """A new grouping after ``changed`` rids were added or edited and ``removed`` rids deleted in ``source``;
        only their pairs are scored and only the groups they touch are formed again. This one is unchanged."""
        self._check()
        new = Grouping(self.params)
        gone = {int(r) for r in (*changed, *removed)}
        new.links_ = {a: {b: s for b, s in nbrs.items() if b not in gone}
                      for a, nbrs in self.links_.items() if a not in gone}
        new.links_ = {a: nbrs for a, nbrs in new.links_.items() if nbrs}
        new.kth_ = {r: k for r, k in self.kth_.items() if r not in gone}
        changed_arr = np.asarray(sorted({int(r) for r in changed}), dtype=np.int64)
        found_a, found_b = [], []
        k = self.params.neighbours
        for start in range(0, len(changed_arr), _CHUNK):
            block = changed_arr[start : start + _CHUNK]
            near, kth = self._nearest(source, block, 2 * k, scores=True)
            for rid, others, kk in zip(block.tolist(), near, kth.tolist(), strict=True):
                new.kth_[rid] = kk
                for rank, (other, score) in enumerate(others):
                    # its own nearest, or it entered an unchanged innovation's nearest (seen from this side)
                    if rank < k or (other not in gone and score >= new.kth_.get(other, np.inf)):
                        found_a.append(rid)
                        found_b.append(other)
        new._link(source, _pairs(found_a, found_b))
        touched = set(changed_arr.tolist())
        for rid in gone:  # the rest of every group a changed or removed innovation was in
            gid = self.group_of_.get(rid)
            if gid is not None:
                touched |= {r for r, g in self.group_of_.items() if g == gid}
        new.group_of_ = {r: g for r, g in self.group_of_.items() if r not in touched and r not in gone}
        new._regroup(touched - {int(r) for r in removed})
        return new

    def _nearest(self, source: PairSource, rids: np.ndarray, k: int, scores: bool = False
                 ) -> tuple[list[list], np.ndarray]:
        """Each rid's k nearest other rids (with their cosine when ``scores``), and the score of its
        ``neighbours``-th nearest (-inf when it has fewer)."""
        found, ids = source.search(source.vectors(rids), k + 1)
        near, kth = [], np.full(len(rids), -np.inf)
        for i, rid in enumerate(rids.tolist()):
            keep = (ids[i] >= 0) & (ids[i] != rid)
            others, values = ids[i][keep][:k].tolist(), found[i][keep][:k].tolist()
            near.append(list(zip(others, values, strict=True)) if scores else others)
            if len(values) >= self.params.neighbours:
                kth[i] = values[self.params.neighbours - 1]
        return near, kth

    def _link(self, source: PairSource, pairs: np.ndarray) -> None:
        """Score candidate pairs and keep those at or above the threshold as links."""
        self.scored_ = len(pairs)
        if not len(pairs):
            return
        scores = pair_scores(source, pairs[:, 0], pairs[:, 1], self.params)
        for (a, b), s in zip(pairs[scores >= self.params.threshold].tolist(),
                             scores[scores >= self.params.threshold].tolist(), strict=True):
            self.links_.setdefault(a, {})[b] = s
            self.links_.setdefault(b, {})[a] = s

    def _regroup(self, seeds: set[int]) -> None:
        """Form again the groups of every component that holds one of ``seeds``."""
        seen: set[int] = set()
        for seed in sorted(seeds):
            if seed in seen or seed not in self.links_:
                continue
            component, todo = {seed}, [seed]
            while todo:
                for other in self.links_[todo.pop()]:
                    if other not in component:
                        component.add(other)
                        todo.append(other)
            seen |= component
            for group in self._split(component):
                if len(group) > 1:
                    gid = min(group)
                    self.group_of_.update(dict.fromkeys(group, gid))

    def _split(self, component: set[int]) -> list[set[int]]:
        """The groups of one connected component under the linkage (deterministic: links strongest first)."""
        if self.params.linkage == "single":
            return [component]
        cluster = {r: frozenset([r]) for r in component}
        edges = sorted({(min(a, b), max(a, b), s) for a in component for b, s in self.links_[a].items()},
                       key=lambda e: (-e[2], e[0], e[1]))
        for a, b, _ in edges:
            ca, cb = cluster[a], cluster[b]
            if ca is cb or not all(q in self.links_[p] for p in ca for q in cb):
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
        a = [x for x, nbrs in self.links_.items() for y in nbrs if x < y]
        b = [y for x, nbrs in self.links_.items() for y in nbrs if x < y]
        s = [self.links_[x][y] for x, y in zip(a, b, strict=True)]
        kth = sorted(self.kth_.items())
        grouped = sorted(self.group_of_.items())
        tmp = Path(path).with_name(Path(path).name + ".tmp.npz")
        np.savez(tmp, link_a=np.array(a, dtype=np.int64), link_b=np.array(b, dtype=np.int64),
                 link_score=np.array(s, dtype=np.float64),
                 kth_rid=np.array([r for r, _ in kth], dtype=np.int64), kth=np.array([v for _, v in kth]),
                 group_rid=np.array([r for r, _ in grouped], dtype=np.int64),
                 group_id=np.array([g for _, g in grouped], dtype=np.int64),
                 params=np.array(json.dumps(asdict(self.params))))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Grouping:
        """Read a grouping written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as f:
                # groups written before the lexical choice existed scored pairs with Jaccard
                self = cls(GroupParams(**{"lexical": "jaccard", **json.loads(str(f["params"]))}))
                self.links_ = {}
                for a, b, s in zip(f["link_a"].tolist(), f["link_b"].tolist(), f["link_score"].tolist(), strict=True):
                    self.links_.setdefault(a, {})[b] = s
                    self.links_.setdefault(b, {})[a] = s
                self.kth_ = dict(zip(f["kth_rid"].tolist(), f["kth"].tolist(), strict=True))
                self.group_of_ = dict(zip(f["group_rid"].tolist(), f["group_id"].tolist(), strict=True))
        except (OSError, KeyError, ValueError) as exc:
            raise StoreError(f"the groups at {path} cannot be read ({exc}): run 'matcher index --rebuild'") from exc
        self.scored_ = 0
        return self
