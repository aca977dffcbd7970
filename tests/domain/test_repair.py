"""bot.library.repair.text: lossless and lossy mojibake repair, and leaving clean text alone."""

from __future__ import annotations

import difflib
from collections import Counter

import pytest

from bench.repair_seeds import share_of_chars  # the measure the benchmark prints
from bot.library.repair.text import Repaired, Vocabulary, looks_mojibaked, repair_text
from tests.support.corrupt import corrupt
from tests.support.seeds import seed_text

CLEAN = [
    "Grace Hopper：程序员说“深度学习”很有趣，《人间词话》【论文】！",
    "François Chollet",
    "naïve",
    "naïve résumé",
    "日本語のテキスト、カタカナ。",
    "👩‍💻 at work 😍 👨‍👩‍👧 family",
    "He said “yes” and it’s fine — mostly…",
    "def f(x: str) -> str:  # returns x['é']",
    "https://example.com/path?q=caf%C3%A9&x=1#frag",
    "İstanbul'da güzel bir gün, Şişli",
    "Straße ½ ° ± × ·",
    "书名是『深度学习』，作者说「好」。",
    "『』and 『引号』 stay",
    "for (int i = 0; i < n; ++i) { s += a[i]; }  // 求和",
    "数学公式 α² + β² = γ²，温度 25°C",
]


_seed = seed_text


def _has_cjk(line: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in line)


def _chars_back(expected: str, got: str) -> int:
    if len(expected) == len(got):
        return sum(a == b for a, b in zip(expected, got, strict=True))
    sm = difflib.SequenceMatcher(None, expected, got, autojunk=False)
    return sum(block.size for block in sm.get_matching_blocks())


def _lines(text: str) -> Counter[str]:
    stripped = (ln.replace("\u200b", "") for ln in text.split("\n"))
    return Counter(ln for ln in stripped if ln.strip())


# --- clean text -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_passes_through_byte_identical(text: str) -> None:
    result = repair_text(text)
    assert result.text.encode("utf-8") == text.encode("utf-8")
    assert not result.changed
    assert result.lines == ()


def test_clean_multiline_text_is_untouched() -> None:
    text = "\n".join(CLEAN) + "\n"
    assert repair_text(text) == Repaired(text=text, lines=())


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_does_not_look_mojibaked(text: str) -> None:
    assert not looks_mojibaked(text)


# --- lossless and lossy repair ----------------------------------------------------------------


def test_lossless_mojibake_is_fixed_with_full_confidence() -> None:
    original = "他说《你好》。"  # no byte of this is one the corruption drops
    broken = original.encode("utf-8").decode("cp1254")
    assert corrupt(original) == broken
    assert looks_mojibaked(broken)
    result = repair_text(broken)
    assert result.text == original
    assert [r.confidence for r in result.lines] == [1.0]


def test_lossy_repair_has_confidence_below_one() -> None:
    original = "深度学习需要很多数据"
    broken = corrupt(original)
    assert len(broken.encode("cp1254")) < len(original.encode("utf-8"))  # bytes were lost
    assert looks_mojibaked(broken)
    result = repair_text(broken)
    assert result.text == original
    (line,) = result.lines
    assert line.line == 0
    assert line.before == broken
    assert line.after == original
    assert 0.0 < line.confidence < 1.0


def test_brackets_and_quotes_pair_up() -> None:
    # 【 and ” always lose a byte; 】 and “ never do.
    original = "【论文】他说“好”，我们一起读、写。"
    assert repair_text(corrupt(original)).text == original


def test_mixed_line_clean_part_kept_and_mojibake_part_repaired() -> None:
    clean_part = "Ada Lovelace：数学家"
    broken = clean_part + corrupt("和研究人员喜欢算法问题")
    result = repair_text(broken)
    assert result.text == clean_part + "和研究人员喜欢算法问题"


def test_damaged_char_between_clean_chinese_is_repaired() -> None:
    broken = "深度" + corrupt("学") + "习"
    assert repair_text(broken).text == "深度学习"


def test_a_run_of_damaged_characters_is_chosen_together() -> None:
    # 同, 重 and 要 all lost a byte, two apart at most: one joint choice, in which every
    # position keeps its likeliest candidates (要 is not the first of its own).
    line = "内存占用同样重要。"
    assert repair_text(corrupt(line)).text == line


def test_a_long_run_of_damaged_characters_keeps_every_candidate_in_play() -> None:
    # 不同权重，听起来: seven damaged characters a step or two apart. Chosen all at once, each
    # could keep only its two likeliest candidates, and 不 was not among 不与中's two.
    line = "图注意力网络给邻居分配不同权重，听起来比平均聚合更合理"
    assert repair_text(corrupt(line)).text == line


def test_zero_width_space_dropped_only_in_repaired_lines_and_zwj_kept() -> None:
    clean_with_zwsp = "这一行\u200b本来就干净"
    broken = corrupt("👩\u200d💻 喜欢\u200b代码")
    result = repair_text(clean_with_zwsp + "\n" + broken)
    first, second = result.text.split("\n")
    assert first == clean_with_zwsp  # untouched line keeps its U+200B
    assert second == "👩\u200d💻 喜欢代码"  # repaired line: U+200B gone, ZWJ kept
    assert [r.line for r in result.lines] == [1]


def test_line_count_preserved_and_only_changed_lines_listed() -> None:
    lines = ["", "plain ascii", corrupt("人工智能的重要一步"), "", "naïve", corrupt("机器学习")]
    text = "\n".join(lines) + "\n"
    result = repair_text(text)
    assert result.text.count("\n") == text.count("\n")
    assert len(result.text.split("\n")) == len(text.split("\n"))
    assert [r.line for r in result.lines] == [2, 5]
    assert result.changed
    out = result.text.split("\n")
    assert out[2] == "人工智能的重要一步"
    assert out[5] == "机器学习"
    assert out[4] == "naïve"


# --- the owner's notes ------------------------------------------------------------------------


@pytest.mark.seeds
def test_chinese_the_model_never_saw_comes_back() -> None:
    # The model is built from package corpora only; 002-004 are text it never saw.
    original = [ln for prefix in ("002", "003", "004") for ln in _seed(prefix).split("\n")]
    original = [ln for ln in original if _has_cjk(ln)]
    broken = "\n".join(corrupt(ln) for ln in original)
    assert looks_mojibaked(broken)
    repaired = repair_text(broken).text.split("\n")
    assert len(repaired) == len(original)
    expected = [ln.replace("\u200b", "") for ln in original]
    total = sum(len(ln) for ln in expected)
    back = sum(_chars_back(e, g) for e, g in zip(expected, repaired, strict=True))
    exact = sum(e == g for e, g in zip(expected, repaired, strict=True))
    assert back / total >= 0.995, f"{back}/{total} characters back"
    assert exact / len(expected) >= 0.84, f"{exact}/{len(expected)} lines back"


@pytest.mark.seeds
def test_mojibaked_notes_001_match_000_with_the_model_alone() -> None:
    clean, broken = _seed("000"), _seed("001")
    result = repair_text(broken)
    assert len(result.text.split("\n")) == len(broken.split("\n"))
    ref = _lines(clean)
    back = sum((ref & _lines(result.text)).values())
    assert sum(ref.values()) == 181
    # The targets (bench/repair_seeds.py prints the figures).
    assert back >= 166, f"{back}/181 lines of 000 back"
    share = share_of_chars(clean, broken, lambda _: result.text)
    assert share >= 0.998, f"{share:.3%} of 000's characters back"
    assert all(0.0 <= r.confidence <= 1.0 for r in result.lines)
    assert any(r.confidence == 1.0 for r in result.lines)  # lines that lost nothing
    assert any(r.confidence < 1.0 for r in result.lines)  # lines that lost bytes


@pytest.mark.seeds
def test_the_owners_clean_notes_bring_001_back_whole() -> None:
    # With 000 as the owner's vocabulary (as when both are imported), its lines come back.
    clean, broken = _seed("000"), _seed("001")
    result = repair_text(broken, vocabulary=Vocabulary.from_texts([clean]))
    ref = _lines(clean)
    assert sum((ref & _lines(result.text)).values()) == 181


@pytest.mark.seeds
def test_clean_seed_000_is_left_alone() -> None:
    clean = _seed("000")
    assert not looks_mojibaked(clean)
    assert repair_text(clean).text.encode("utf-8") == clean.encode("utf-8")


# --- the owner's vocabulary, confidence and explanations -------------------------------------


def test_names_the_model_lacks_come_back_from_the_owners_vocabulary() -> None:
    original = "我们读了何恺明和李沐的论文"
    assert repair_text(corrupt(original)).text != original  # the model alone cannot know them
    vocabulary = Vocabulary.from_texts(["何恺明：残差网络\n李沐老师讲《动手学深度学习》"])
    assert repair_text(corrupt(original), vocabulary=vocabulary).text == original


def test_a_line_the_owner_has_intact_comes_back_exactly_and_surely() -> None:
    original = "  Ada Lovelace：隐马尔可夫模型与半监督学习  "
    vocabulary = Vocabulary([original.strip()])
    result = repair_text(corrupt(original), vocabulary=vocabulary)
    assert result.text == original
    assert [r.confidence for r in result.lines] == [1.0]


def test_mojibake_lines_are_no_vocabulary() -> None:
    vocabulary = Vocabulary.from_texts(["干净的一行", corrupt("坏掉的一行"), "plain"])
    assert vocabulary.lines == ("干净的一行",)


def test_each_guess_names_its_runner_up_and_margin() -> None:
    original = "深度学习需要很多数据"
    (line,) = repair_text(corrupt(original)).lines
    assert line.choices
    for choice in line.choices:
        assert line.after[choice.index] == choice.chosen
        assert choice.runner_up is not None and choice.runner_up != choice.chosen
        assert choice.margin > 0
        assert choice.alternatives[0][0] == choice.chosen
        assert abs(sum(p for _, p in choice.alternatives) - 1.0) < 1e-6
    assert line.confidence == min(0.99, *(c.probability for c in line.choices))


def test_a_chinese_word_alone_among_latin_text_is_repaired() -> None:
    assert repair_text("### 4.3 cv " + corrupt("历史")).text == "### 4.3 cv 历史"
    # 与, 不 and 中 lose the same byte; alone between Latin words only the choice is in doubt.
    out = repair_text("CPU " + corrupt("与") + " GPU").text
    assert out in ("CPU 与 GPU", "CPU 不 GPU", "CPU 中 GPU")


def test_a_closing_quote_that_lost_its_byte_after_latin_text_is_repaired() -> None:
    broken = corrupt("Pushing the Boundaries” https://example.com")
    assert repair_text(broken).text == "Pushing the Boundaries” https://example.com"


@pytest.mark.parametrize("text", ["café» très…", "«naïve»", "São Paulo não…", "déjà vu"])
def test_accented_letters_before_punctuation_are_not_taken_for_chinese(text: str) -> None:
    assert repair_text(text).text == text
