"""Results as pandas DataFrames, for notebooks: ``matcher.to_frame(m.match("..."))``.

pandas is not a dependency of matcher. It comes with the ``notebooks`` extra and is imported on first use,
so the library, the CLI and the service never load it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.data.records import Innovation
from matcher.engine.search import Match
from matcher.recommendations.regency import Recommendation
from matcher.research.crosstab import CrossTable
from matcher.research.evaluation import EvalResult
from matcher.research.sweeps import Point

if TYPE_CHECKING:
    import pandas as pd

INSTALL = "pip install -e '.[notebooks]'"

Frameable = CrossTable | EvalResult | Mapping[str, EvalResult] | Iterable[Any]


def _pandas() -> Any:
    """The pandas module, or an ImportError that says which extra to install."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(f"matcher.to_frame needs pandas, which matcher does not install by default: "
                          f"{INSTALL}") from exc
    return pandas


def to_frame(data: Frameable) -> pd.DataFrame:
    """One DataFrame per kind of result, one row per item, in the order given:

    - ``list[Match]`` (``Matcher.match``): rank, innovation_id, title, sector, region_code, score, dense,
      lexical, matched_terms, best_sentence;
    - ``list[Recommendation]`` (``matcher.recommend``): rank, innovation_id, title, sector, region_code,
      origin, distance_km, score, one column per score part (relevance, maturity, ...), gaps (ids answered,
      best first);
    - ``EvalResult`` (``matcher.evaluate``, ``matcher.evaluate_regions``): indexed by query (a gap id, or a
      region code), columns ndcg, recall, mrr; their means are the result's ``ndcg``, ``recall``, ``mrr``;
    - ``{name: EvalResult}``: indexed by name, columns ndcg, recall, mrr, queries, k;
    - ``CrossTable``: its rows x cols (integers when every cell is a whole number, as counts are);
    - any other list of records (``GapCoverage``, sweep points, ``Innovation``, ``Gap``): one column per field
      (sweep points add ``label``).
    """
    pd = _pandas()
    if isinstance(data, CrossTable):
        counts = np.isfinite(data.values).all() and (data.values == np.round(data.values)).all()
        return pd.DataFrame(data.values.astype(int) if counts else data.values, index=list(data.rows),
                            columns=list(data.cols))
    if isinstance(data, EvalResult):
        frame = pd.DataFrame.from_dict(data.per_query, orient="index", columns=["ndcg", "recall", "mrr"])
        return frame.rename_axis("query")
    if isinstance(data, Mapping):
        return pd.DataFrame.from_dict({name: _summary(r) for name, r in data.items()}, orient="index")
    return pd.DataFrame([_row(item) for item in data])


def _summary(result: EvalResult) -> dict[str, float | int]:
    return {"ndcg": result.ndcg, "recall": result.recall, "mrr": result.mrr, "queries": result.queries,
            "k": result.k}


def _innovation(inv: Innovation) -> dict[str, Any]:
    return {"innovation_id": inv.id, "title": inv.title, "sector": inv.sector, "region_code": inv.region_code}


def _row(item: Any) -> dict[str, Any]:
    if isinstance(item, Match):
        return {"rank": item.rank, **_innovation(item.innovation), "score": item.score, "dense": item.dense,
                "lexical": item.lexical, "matched_terms": item.matched_terms, "best_sentence": item.best_sentence}
    if isinstance(item, Recommendation):
        return {"rank": item.rank, **_innovation(item.innovation), "origin": item.origin_name,
                "distance_km": item.distance_km, "score": item.score, **item.parts,
                "gaps": [g.gap_id for g in item.gaps]}
    if isinstance(item, Point):
        return {**dataclasses.asdict(item), "label": item.label}
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return dataclasses.asdict(item)
    raise TypeError(f"to_frame takes matcher results, not {type(item).__name__}")
