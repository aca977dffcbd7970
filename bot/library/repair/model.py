"""The repair model on disk: built once into the cache folder, then memory-mapped on first use.

The folder is ``LAMPLIGHT_CACHE_DIR`` (default: the platform's user cache folder for lamplight)
``/repair-model-v<version>``. A build writes into a temporary folder and renames it into place,
under a lock, so processes that start together build it once and never read half a model.
"""

from __future__ import annotations

import fcntl
import functools
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import marisa_trie
import numpy as np
import platformdirs

from bot.library.repair.build import MODEL_VERSION, build_model
from bot.library.repair.charmap import CharMap
from bot.library.repair.confusion import ConfusionModel, Tags
from bot.library.repair.ngram import NgramModel
from bot.library.repair.progress import BUILD_SECONDS, build_step
from bot.library.repair.words import WordModel

__all__ = ["CACHE_ENV", "RepairModel", "default_model", "ensure_model", "load_model", "model_dir"]

CACHE_ENV = "LAMPLIGHT_CACHE_DIR"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RepairModel:
    charmap: CharMap
    chars: NgramModel
    words: WordModel
    confusion: ConfusionModel


def model_dir(cache_dir: Path | None = None) -> Path:
    """Where the model lives (built or not)."""
    if cache_dir is None:
        env = os.environ.get(CACHE_ENV)
        cache_dir = Path(env) if env else platformdirs.user_cache_path("lamplight", appauthor=False)
    return cache_dir / f"repair-model-v{MODEL_VERSION}"


def ensure_model(cache_dir: Path | None = None) -> Path:
    """The model's folder, built first if it is not there yet."""
    target = model_dir(cache_dir)
    if (target / "meta.json").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # The step shows while another process builds it, too: this one waits for that build.
    with build_step(), (target.parent / f".{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it right now
        if not (target / "meta.json").exists():
            log.info(
                "building the mojibake repair model in %s (once, ~%d s)", target, BUILD_SECONDS
            )
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
            try:
                build_model(tmp)
                tmp.rename(target)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
    return target


def load_model(folder: Path) -> RepairModel:
    """Memory-map a built model: pages are read as the repair touches them."""

    def arr(name: str) -> np.ndarray:
        # A plain ndarray view of the mapping: memmap's own indexing is slow per call.
        return np.load(folder / f"{name}.npy")

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    order = meta["order"]
    chars = NgramModel(
        keys=tuple(arr(f"chars{k}_keys") for k in range(1, order + 1)),
        logp=tuple(arr(f"chars{k}_logp") for k in range(1, order + 1)),
        bow=tuple(arr(f"chars{k}_bow") for k in range(1, order + 1)),
        oov_logp=json.loads((folder / "chars_oov.json").read_text(encoding="utf-8")),
    )
    trie = marisa_trie.Trie()
    trie.mmap(str(folder / "words.marisa"))
    words = WordModel(
        trie,
        arr("words_logp"),
        arr("pairs_keys"),
        arr("pairs_disc"),
        arr("words_gamma"),
        unknown_cjk=meta["unknown_cjk"],
        other=meta["other"],
    )
    alphabet = (folder / "alphabet.txt").read_text(encoding="utf-8")
    features = marisa_trie.Trie()
    features.mmap(str(folder / "confusion.marisa"))
    confusion = ConfusionModel(
        meta["confusion"],
        features,
        arr("confusion_weights"),
        Tags(trie, arr("words_tags"), meta["tags"]),
    )
    return RepairModel(charmap=CharMap(alphabet), chars=chars, words=words, confusion=confusion)


@functools.cache
def default_model() -> RepairModel:
    """The model from the cache folder, built on first use; loaded once per process."""
    return load_model(ensure_model())
