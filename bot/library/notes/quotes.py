"""Who said it: speakers before a colon and attributions after a dash (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEAKER = re.compile(r"^(?P<who>[^：:]{1,40}?)\s*[：:]\s*(?P<rest>\S.*)$")
_HANDLE = re.compile(r"^@(?P<who>[^\s@：:]{1,20})\s+(?P<rest>\S.*)$")
# "text — Name", or Chinese "text——Name" (its double dash needs no space before it).
_TRAILING = re.compile(
    r"^(?P<text>.*\S)(?:\s+[-–—]{1,2}|\s*——)\s*(?P<who>[^-–—\s][^-–—]{0,30}?)\s*$"
)
_WHOLE_LINE = re.compile(r"^(?:via\s*[:：]|[-–—]{1,2}|——)\s*(?P<who>\S.{0,30}?)\s*$", re.I)
_WORK = re.compile(r"^(?P<name>.+?)\s*《(?P<work>[^》]+)》$")
_LATIN_NAME = re.compile(r"^[A-Z][A-Za-zÀ-ÿ'.-]*(?:\s+[A-Z][A-Za-zÀ-ÿ'.-]*){0,3}$")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:[-·•][\u4e00-\u9fff]{2,4})?$")
# Words that end in a colon like a speaker but label what follows.
_LABEL_WORDS = (
    "讨论 不要 注意 推荐 摘要 地址 链接 原文 论文 代码 总结 结论 理想 现实 问题 答案 重点"
    " 评论 更新 备注 标题 简介 来源 作者 转自 视频 项目 主页 数据 方法 结果 背景 目标 动机"
    " 思路 优点 缺点 贡献 启发 例如 比如 其中 所以 因此 但是 Note Notes Summary Paper Code"
    " Link Links GitHub Github Abstract Update Via Source Video Slides Demo Project Blog Tips"
)
_LABELS = frozenset(_LABEL_WORDS.split())


@dataclass(frozen=True, slots=True)
class Attribution:
    author: str
    text: str
    work: str = ""


def is_name(text: str) -> bool:
    """A short personal name, Latin or Chinese, not a label word or a sentence.

    >>> is_name("François Chollet"), is_name("王国维"), is_name("讨论"), is_name("AI的需求")
    (True, True, False, False)
    """
    text = text.strip()
    if text in _LABELS:
        return False
    return bool(_LATIN_NAME.match(text) or _CJK_NAME.match(text))


def _is_title_case(text: str) -> bool:
    """English in title case, as a paper's subtitle after "Name:" is, unlike a sentence."""
    if re.search(r"[\u3400-\u9fff]", text):
        return False
    words = re.findall(r"[A-Za-z][A-Za-z'-]{3,}", text)
    return len(words) >= 2 and sum(w[0].isupper() for w in words) * 2 >= len(words)


def split_speaker(line: str) -> Attribution | None:
    """``Speaker：text`` or ``@handle text`` → the speaker and the text.

    ``Perceiver: General Perception with Iterative Attention`` is a title, not a quote.
    """
    match = _SPEAKER.match(line) or _HANDLE.match(line)
    if not match or not (is_name(match["who"]) or match.re is _HANDLE):
        return None
    if _is_title_case(match["rest"]):
        return None
    return Attribution(author=match["who"].strip(), text=match["rest"].strip())


def _name_and_work(who: str) -> tuple[str, str] | None:
    match = _WORK.match(who.strip())
    name, work = (match["name"], match["work"]) if match else (who.strip(), "")
    return (name, work) if is_name(name) else None


def split_attribution(line: str) -> Attribution | None:
    """``text - Name《Work》`` or a line of its own such as ``via:Name`` → name, work, text.

    >>> split_attribution("学而不思则罔，思而不学则殆。——孔子")
    Attribution(author='孔子', text='学而不思则罔，思而不学则殆。', work='')
    """
    whole = _WHOLE_LINE.match(line)
    if whole and (found := _name_and_work(whole["who"])):
        return Attribution(author=found[0], text="", work=found[1])
    trailing = _TRAILING.match(line)
    if trailing and (found := _name_and_work(trailing["who"])):
        return Attribution(author=found[0], text=trailing["text"].strip(), work=found[1])
    return None
