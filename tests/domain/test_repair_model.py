"""The repair's language model: a sound n-gram model, built once into the cache folder from
package corpora, loaded only when a line needs guessing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.library.repair import model as repair_model
from bot.library.repair.ngram import BOS, EOS, build_ngram


def _lines(*texts: str) -> list[tuple[np.ndarray, int]]:
    alphabet = sorted(set("".join(texts)))
    ids = {c: i + 3 for i, c in enumerate(alphabet)}
    return [(np.array([ids[c] for c in t], dtype=np.int64), 1) for t in texts]


@pytest.mark.parametrize("history", [(BOS, BOS), (3, 4), (7, 7)])
def test_the_character_model_is_a_probability_distribution(history: tuple[int, int]) -> None:
    lines = _lines("abcab", "abd", "cabba", "dcba")  # ids 3..6 are a..d
    lm = build_ngram(lines, order=3, vocab_size=7)
    nxt = np.array([EOS, 3, 4, 5, 6], dtype=np.int64)  # everything that can follow
    hist = np.array([history] * len(nxt), dtype=np.int64)
    total = float(np.exp(lm.logprob(hist, nxt).astype(np.float64)).sum())
    # What is left goes to characters the model never saw (and BOS, which never follows).
    assert 0.95 < total <= 1.0 + 1e-5


def test_seen_continuations_are_likelier_than_unseen_ones() -> None:
    lm = build_ngram(_lines("abab", "abab", "abc"), order=3, vocab_size=6)
    hist = np.array([[3, 4], [3, 4]], dtype=np.int64)  # after "ab"
    seen_a, unseen_b = lm.logprob(hist, np.array([3, 4], dtype=np.int64))
    assert seen_a > unseen_b


def test_the_model_folder_follows_the_cache_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAMPLIGHT_CACHE_DIR", str(tmp_path))
    assert repair_model.model_dir().parent == tmp_path


def test_the_model_is_built_once_and_never_left_half_built(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    builds: list[Path] = []

    def fake_build(folder: Path) -> None:
        builds.append(folder)
        if len(builds) == 1:
            (folder / "partial.npy").write_bytes(b"")
            raise MemoryError("killed halfway")
        (folder / "meta.json").write_text(json.dumps({}), encoding="utf-8")

    monkeypatch.setattr(repair_model, "build_model", fake_build)
    with pytest.raises(MemoryError):
        repair_model.ensure_model(tmp_path)
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == []
    folder = repair_model.ensure_model(tmp_path)
    assert repair_model.ensure_model(tmp_path) == folder
    assert len(builds) == 2
    assert (folder / "meta.json").exists()


def test_clean_text_never_loads_the_model() -> None:
    # The idle bot stays small: only a line that needs guessing loads the model (and NumPy).
    code = (
        "import sys\n"
        "from bot.library.repair.text import repair_text\n"
        "repair_text('干净的中文 François naïve 👩\\u200d💻')\n"
        "repair_text('他说《你好》。'.encode().decode('cp1254'))\n"
        "print(sorted(m for m in ('numpy', 'marisa_trie', 'bot.library.repair.model') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
