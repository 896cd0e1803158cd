"""Settings: every field declares what it affects, and every key that depends on settings derives from that."""

from __future__ import annotations

import pytest

from matcher.config import SCOPES, Settings, fields_in, fingerprint, regrouping_fields, scope_of


def test_every_setting_declares_a_scope():
    """A new setting without a scope would be silently left out of the index fingerprint, the batch staleness
    key and the service cache key: this fails first."""
    missing = [name for name in Settings.model_fields if not _has_scope(name)]
    assert missing == [], f"settings without a scope (use _scoped('index'|'ranking'|'operational', ...)): {missing}"


def _has_scope(name: str) -> bool:
    try:
        return scope_of(name) in SCOPES
    except KeyError:
        return False


def test_scopes_partition_the_settings():
    groups = [set(fields_in(scope)) for scope in SCOPES]
    assert set().union(*groups) == set(Settings.model_fields)
    assert sum(len(g) for g in groups) == len(Settings.model_fields)


def test_the_index_fingerprint_is_what_an_index_is_built_with():
    assert set(fields_in("index")) == {"model", "query_prompt", "passage_prompt", "stemmer", "embed_title",
                                       "group_threshold", "group_dense_weight", "group_lexical", "group_neighbours",
                                       "group_linkage"}
    base = Settings()
    assert fingerprint(base, "index") == fingerprint(base.model_copy(update={"fusion": "rrf", "home": "x"}), "index")
    assert fingerprint(base, "index") != fingerprint(base.model_copy(update={"stemmer": "snowball"}), "index")


def test_only_the_group_settings_regroup_instead_of_refusing_a_store():
    """A store built under other group settings (or before groups existed) still loads; its next write regroups."""
    assert set(regrouping_fields()) == {n for n in fields_in("index") if n.startswith("group_")}
    assert set(regrouping_fields()) < set(fields_in("index"))


@pytest.mark.parametrize("name", ["recommendation_cache_size", "batch_size", "rate_limit_per_minute", "home"])
def test_operational_settings_change_no_result_key(name):
    """Changing the cache size or a path must not throw away saved batch parts or cached lists."""
    assert scope_of(name) == "operational"
    assert name not in fingerprint(Settings(), "index", "ranking")


@pytest.mark.parametrize("name", ["fusion", "dense_weight", "candidates", "good_match", "mmr_lambda", "prior_maturity"])
def test_ranking_settings_are_in_the_result_key(name):
    assert scope_of(name) == "ranking"
    assert name in fingerprint(Settings(), "index", "ranking")
