"""The bundled demo corpus as research code needs it: its records, and a store of it in a throwaway folder.

Notebooks and experiments must never write into the user's ``.matcher/``: ``demo_matcher`` indexes into a
fresh temporary ``MATCHER_HOME`` (and says where), and ``variant`` derives stores under other settings from
it, copying the embedding cache so a stemmer change costs a BM25 rebuild, not a re-embedding.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.config import Settings, fields_in
from matcher.data.loaders import (
    Gap,
    Innovation,
    Judgment,
    load_gaps,
    load_innovations,
    load_qrels,
    load_split,
)
from matcher.data.regions import Regions
from matcher.engine.encoders import Encoder
from matcher.facade import Matcher

# What changes what an index holds; other settings (fusion, weights) apply at query time on the same store.
INDEX_SETTINGS = set(fields_in("index"))


@dataclass(frozen=True)
class DemoCorpus:
    """The bundled corpus: innovations, gaps, relevance judgments and the dev/test split (gap id -> split)."""

    innovations: list[Innovation]
    gaps: list[Gap]
    qrels: list[Judgment]
    split: dict[str, str]

    def gap_ids(self, split: str) -> set[str]:
        return {g for g, s in self.split.items() if s == split}


def demo_corpus(regions: Regions | None = None, corpus_dir: Path | None = None) -> DemoCorpus:
    """Load and validate the bundled corpus (``corpus/`` by default)."""
    base = Path(corpus_dir) if corpus_dir else Settings().corpus_dir
    regions = regions or Regions.load(base / "regions")
    return DemoCorpus(load_innovations(base / "innovations.jsonl", regions), load_gaps(base / "gaps.jsonl", regions),
                      load_qrels(base / "eval" / "qrels.tsv"), load_split(base / "eval" / "split.tsv"))


def demo_matcher(home: Path | None = None, encoder: Encoder | None = None, corpus: DemoCorpus | None = None,
                 progress: bool = True, **settings: Any) -> Matcher:
    """A Matcher over the bundled corpus, indexed into ``home`` (default: a new temporary folder)."""
    home = Path(home) if home else Path(tempfile.mkdtemp(prefix="matcher-demo-"))
    matcher = Matcher(Settings(home=home, **settings), encoder=encoder)
    corpus = corpus or demo_corpus(matcher.regions)
    matcher.index(corpus.innovations, corpus.gaps, progress=progress)
    return matcher


def variant(base: Matcher, corpus: DemoCorpus | None = None, **overrides: Any) -> Matcher:
    """``base``'s store under other settings.

    Query-time settings (fusion, dense weight, ...) share the store. Index settings (stemmer, model, ...) get a
    copy of it in a sibling folder, re-indexed with ``rebuild``; the copied embedding cache means only texts
    never embedded under that model are encoded.
    """
    settings = base.settings.model_copy(update=overrides)
    if not INDEX_SETTINGS & {k for k, v in overrides.items() if getattr(base.settings, k) != v}:
        return Matcher(settings, encoder=base.encoder, regions=base.regions)
    tag = "-".join(f"{k}={v}" for k, v in sorted(overrides.items())).replace("/", "_")
    home = Path(base.settings.home).with_name(f"{Path(base.settings.home).name}-{tag}")
    if not home.exists():
        shutil.copytree(base.settings.home, home)
    same_model = settings.model == base.settings.model
    matcher = Matcher(settings.model_copy(update={"home": home}), encoder=base.encoder if same_model else None,
                      regions=base.regions)
    corpus = corpus or demo_corpus(base.regions)
    matcher.index(corpus.innovations, corpus.gaps, rebuild=True)
    return matcher


def remove_demo_stores(base: Matcher) -> None:
    """Delete a demo store and the variants derived from it (sibling folders named after it)."""
    home = Path(base.settings.home)
    for path in [home, *home.parent.glob(f"{home.name}-*")]:
        shutil.rmtree(path, ignore_errors=True)
