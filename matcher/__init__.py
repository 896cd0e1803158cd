"""matcher: recommends proven public-service innovations for Indonesian regencies to replicate.

The public API. Everything below is importable from ``matcher`` directly; submodules are loaded on first
use, so ``import matcher`` (and the CLI) start quickly::

    import matcher
    m = matcher.Matcher()                        # the store in MATCHER_HOME (default .matcher)
    m.match("antrean panjang di puskesmas", k=5)  # innovations for a free text
    matcher.recommend(m, "35.07")                # a regency's list from its stored gaps
    matcher.to_frame(m.match("banjir rob"))      # results as a pandas DataFrame (the ``notebooks`` extra)

Internals (``matcher.engine``, ``matcher.store``, ...) are free to move; code outside the library, the
service included, imports from here, ``matcher.config`` and ``matcher.errors`` only.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # the facade and its results
    "Matcher": "matcher.facade", "Match": "matcher.facade", "IndexReport": "matcher.facade",
    "pinned": "matcher.facade",
    "Settings": "matcher.config", "get_settings": "matcher.config",
    "Filters": "matcher.engine.catalog", "Catalog": "matcher.engine.catalog", "normalize": "matcher.engine.text",
    "TermPair": "matcher.engine.highlights", "GroupInfo": "matcher.engine.groups",
    # records, vocabularies, loaders, regions
    "Innovation": "matcher.data.records", "Gap": "matcher.data.records", "Judgment": "matcher.data.records",
    "SECTORS": "matcher.data.records", "STAGES": "matcher.data.records", "AWARDS": "matcher.data.records",
    "load_innovations": "matcher.data.loaders", "load_gaps": "matcher.data.loaders",
    "load_qrels": "matcher.data.loaders", "load_split": "matcher.data.loaders",
    "parse_innovation": "matcher.data.loaders", "parse_gap": "matcher.data.loaders",
    "Regions": "matcher.data.regions", "Region": "matcher.data.regions", "HUB_PROVINCES": "matcher.data.regions",
    "Outline": "matcher.data.boundaries", "load_boundaries": "matcher.data.boundaries",
    "shortened": "matcher.data.labels",
    # regency recommendations
    "Recommendation": "matcher.recommendations.regency", "RecommendOptions": "matcher.recommendations.regency",
    "recommend": "matcher.recommendations.regency", "recommend_many": "matcher.recommendations.regency",
    "regency_inputs": "matcher.recommendations.regency",
    "recommend_with_fits": "matcher.recommendations.regency", "RegencyInputs": "matcher.recommendations.inputs",
    "band_of": "matcher.recommendations.confidence", "gap_fits": "matcher.recommendations.confidence",
    "GapFit": "matcher.recommendations.confidence", "GapEvidence": "matcher.recommendations.regency",
    # the opportunity map: gaps nothing answers well, per province and sector, and its SVG
    "Opportunities": "matcher.recommendations.opportunities", "opportunities": "matcher.recommendations.opportunities",
    "province_opportunities": "matcher.recommendations.opportunities",
    "hub_summary": "matcher.recommendations.opportunities",
    "opportunity_map": "matcher.recommendations.opportunity_map",
    # evaluation
    "evaluate": "matcher.research.evaluation", "evaluate_regions": "matcher.research.evaluation",
    "EvalResult": "matcher.research.evaluation",
    # research (what the notebooks use): a throwaway demo store, corpus statistics, gap coverage, setting
    # sweeps, two plots, and results as pandas DataFrames (the ``notebooks`` extra)
    "DemoCorpus": "matcher.research.demo", "demo_corpus": "matcher.research.demo",
    "demo_matcher": "matcher.research.demo", "remove_demo_stores": "matcher.research.demo",
    "sector_counts": "matcher.research.corpus_stats", "province_counts": "matcher.research.corpus_stats",
    "embedding_map": "matcher.research.corpus_stats",
    "GapCoverage": "matcher.research.coverage", "gap_coverage": "matcher.research.coverage",
    "coverage_table": "matcher.research.coverage", "uncovered_by_threshold": "matcher.research.coverage",
    "weakest_gaps": "matcher.research.coverage",
    "sweep": "matcher.research.sweeps", "channel_grid": "matcher.research.sweeps",
    "fusion_grid": "matcher.research.sweeps",
    "CrossTable": "matcher.research.crosstab",
    "heatmap": "matcher.research.plots", "scatter_by_group": "matcher.research.plots",
    "to_frame": "matcher.research.frames",
    # replication progress after the shortlist
    "ReplicationStep": "matcher.store.replications", "ReplicationState": "matcher.store.replications",
    "REPLICATION_STAGES": "matcher.store.replications", "ProvinceProgress": "matcher.recommendations.progress",
    "province_progress": "matcher.recommendations.progress",
    "replication_share": "matcher.recommendations.progress",
    # accounts and the store
    "Accounts": "matcher.store.accounts", "Account": "matcher.store.accounts", "Store": "matcher.store.database",
    # batch runs, action plans, backups
    "run_batch": "matcher.batch.run", "draft_plan": "matcher.batch.plan", "write_plan": "matcher.batch.plan",
    "safe_cell": "matcher.batch.files",
    "export_store": "matcher.backup.transfer", "import_store": "matcher.backup.transfer",
}
__all__ = [
    "AWARDS", "Account", "Accounts", "Catalog", "CrossTable", "DemoCorpus", "EvalResult", "Filters", "Gap",
    "GapCoverage", "GapEvidence", "GapFit", "GroupInfo", "HUB_PROVINCES", "IndexReport", "Innovation",
    "Judgment", "Match", "Matcher", "Opportunities", "Outline", "ProvinceProgress", "REPLICATION_STAGES",
    "RecommendOptions", "Recommendation", "RegencyInputs", "Region", "Regions", "ReplicationState", "ReplicationStep",
    "SECTORS", "STAGES", "Settings", "Store", "TermPair", "band_of", "channel_grid", "coverage_table",
    "demo_corpus", "demo_matcher", "draft_plan", "embedding_map", "evaluate", "evaluate_regions",
    "export_store", "fusion_grid", "gap_coverage", "gap_fits", "get_settings", "heatmap", "hub_summary",
    "import_store", "load_boundaries", "load_gaps", "load_innovations", "load_qrels", "load_split",
    "normalize", "opportunities", "opportunity_map", "parse_gap", "parse_innovation", "pinned",
    "province_counts", "province_opportunities", "province_progress", "recommend", "recommend_many",
    "recommend_with_fits",
    "regency_inputs", "remove_demo_stores", "replication_share", "run_batch", "safe_cell", "scatter_by_group",
    "sector_counts", "shortened", "sweep", "to_frame", "uncovered_by_threshold", "weakest_gaps", "write_plan",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'matcher' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:  # what type checkers and IDEs see; at run time the names load lazily
    from matcher.backup.transfer import export_store, import_store
    from matcher.batch.files import safe_cell
    from matcher.batch.plan import draft_plan, write_plan
    from matcher.batch.run import run_batch
    from matcher.config import Settings, get_settings
    from matcher.data.boundaries import Outline, load_boundaries
    from matcher.data.labels import shortened
    from matcher.data.loaders import (
        load_gaps,
        load_innovations,
        load_qrels,
        load_split,
        parse_gap,
        parse_innovation,
    )
    from matcher.data.records import AWARDS, SECTORS, STAGES, Gap, Innovation, Judgment
    from matcher.data.regions import HUB_PROVINCES, Region, Regions
    from matcher.engine.catalog import Catalog, Filters
    from matcher.engine.groups import GroupInfo
    from matcher.engine.highlights import TermPair
    from matcher.engine.text import normalize
    from matcher.facade import IndexReport, Match, Matcher, pinned
    from matcher.recommendations.confidence import GapFit, band_of, gap_fits
    from matcher.recommendations.inputs import RegencyInputs
    from matcher.recommendations.opportunities import (
        Opportunities,
        hub_summary,
        opportunities,
        province_opportunities,
    )
    from matcher.recommendations.opportunity_map import opportunity_map
    from matcher.recommendations.progress import ProvinceProgress, province_progress, replication_share
    from matcher.recommendations.regency import (
        GapEvidence,
        Recommendation,
        RecommendOptions,
        recommend,
        recommend_many,
        recommend_with_fits,
        regency_inputs,
    )
    from matcher.research.corpus_stats import embedding_map, province_counts, sector_counts
    from matcher.research.coverage import (
        GapCoverage,
        coverage_table,
        gap_coverage,
        uncovered_by_threshold,
        weakest_gaps,
    )
    from matcher.research.crosstab import CrossTable
    from matcher.research.demo import DemoCorpus, demo_corpus, demo_matcher, remove_demo_stores
    from matcher.research.evaluation import EvalResult, evaluate, evaluate_regions
    from matcher.research.frames import to_frame
    from matcher.research.plots import heatmap, scatter_by_group
    from matcher.research.sweeps import channel_grid, fusion_grid, sweep
    from matcher.store.accounts import Account, Accounts
    from matcher.store.database import Store
    from matcher.store.replications import REPLICATION_STAGES, ReplicationState, ReplicationStep
