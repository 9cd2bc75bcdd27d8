"""What declared submit checks measure in a text: words, sentences, syllables, reading level,
phrases, and a Markdown outline (headings and fenced code blocks).

Every rule here is mirrored line for line in ``web/src/editor/textStats.ts`` so that the
browser shows the verdict the server will give; both read the cases in
``web/src/editor/fixtures/checks.json`` (tests/kinds/test_checks.py, textStats.test.ts).
The rules, as documented in docs/checks.md:

- A *word character* is a letter, a combining mark, a number (Unicode categories L, M, N) or
  ``_``. A word is a run of word characters; an apostrophe (``'`` or ``’``) or a hyphen between
  two word characters, and a ``.`` or ``,`` between two digits, keep it one word.
- A sentence ends at a run of ``. ! ? …`` (closing quotes and brackets may follow) followed by
  a space or the end of the text, or at ``。！？``. A single ``.`` after a known abbreviation
  (`ABBREVIATIONS`) or after a single letter (an initial) does not end one. Sentences without
  a word are not counted.
- Syllables (English): see `syllables`. Reading ease and grade are Flesch's formulas.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

TERMINATORS = frozenset(".!?…。！？।؟")
WIDE_TERMINATORS = frozenset("。！？")  # end a sentence with no space after them
CLOSERS = frozenset("\"')]}»”’")
JOINERS = frozenset("'’-")
SPACES = frozenset(" \t\n\r\f\v")
ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "inc", "ltd", "co"}
    | {"fig", "approx", "dept", "vol", "al", "cf"}
)
VOWELS = frozenset("aeiouy")

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^ \t`]*)")
HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")


def is_word_char(ch: str) -> bool:
    return ch == "_" or unicodedata.category(ch)[0] in "LMN"


def is_digit(ch: str) -> bool:
    return unicodedata.category(ch) == "Nd"


def is_space(ch: str) -> bool:
    return ch in SPACES or unicodedata.category(ch) in ("Zs", "Zl", "Zp")


def words(text: str) -> list[str]:
    """The words of ``text``, in order."""
    found: list[str] = []
    current: list[str] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if is_word_char(ch) or (
            bool(current) and i < last and is_word_char(text[i + 1]) and _joins(text, i)
        ):
            current.append(ch)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def _joins(text: str, i: int) -> bool:
    ch = text[i]
    if ch in JOINERS:
        return True
    return ch in ".," and is_digit(text[i - 1]) and is_digit(text[i + 1])


def sentences(text: str) -> int:
    """How many sentences ``text`` has (each with at least one word)."""
    count, has_word, word, i, n = 0, False, "", 0, len(text)
    while i < n:
        ch = text[i]
        if is_word_char(ch):
            has_word, word, i = True, word + ch, i + 1
            continue
        if ch not in TERMINATORS:
            word, i = "", i + 1
            continue
        j = i
        while j < n and text[j] in TERMINATORS:
            j += 1
        run = text[i:j]
        while j < n and text[j] in CLOSERS:
            j += 1
        ends = j == n or is_space(text[j]) or any(c in WIDE_TERMINATORS for c in run)
        if ends and run == "." and _abbreviation(word):
            ends = False
        if ends and has_word:
            count, has_word = count + 1, False
        word, i = "", j
    return count + 1 if has_word else count


def _abbreviation(word: str) -> bool:
    if len(word) == 1:
        return unicodedata.category(word)[0] == "L"
    return word.lower() in ABBREVIATIONS


def syllables(word: str) -> int:
    """English syllables of one word, by rule (docs/checks.md, "Reading level"):

    keep the letters a-z of the lowered word (none: 1 syllable); a word of at most 3 letters
    has 1; drop a final "ed" unless after t or d, else a final "es" unless after s, x, z, h
    or c, else a final "e" unless it ends "le" after a consonant; drop a leading "y"; count
    the runs of vowels (a e i o u y), at least 1.
    """
    w = "".join(c for c in word.lower() if "a" <= c <= "z")
    if len(w) <= 3:
        return 1
    ending = w[-2:]
    if (ending == "ed" and w[-3] not in "td") or (ending == "es" and w[-3] not in "sxzhc"):
        w = w[:-2]
    elif w.endswith("e") and not (w.endswith("le") and w[-3] not in VOWELS):
        w = w[:-1]
    if w.startswith("y"):
        w = w[1:]
    runs, inside = 0, False
    for c in w:
        vowel = c in VOWELS
        if vowel and not inside:
            runs += 1
        inside = vowel
    return max(1, runs)


@dataclass(frozen=True)
class Stats:
    words: int
    sentences: int
    syllables: int

    @property
    def ease(self) -> float | None:
        """Flesch reading ease (higher: easier), or None without words."""
        if self.words == 0:
            return None
        per_sentence = self.words / max(1, self.sentences)
        return 206.835 - 1.015 * per_sentence - 84.6 * (self.syllables / self.words)

    @property
    def grade(self) -> float | None:
        """Flesch-Kincaid grade level (US school years), or None without words."""
        if self.words == 0:
            return None
        per_sentence = self.words / max(1, self.sentences)
        return 0.39 * per_sentence + 11.8 * (self.syllables / self.words) - 15.59


def stats(text: str) -> Stats:
    found = words(text)
    return Stats(len(found), sentences(text), sum(syllables(w) for w in found))


def one_decimal(value: float) -> str:
    """``value`` rounded half up to one decimal, written the same way in Python and TS."""
    tenths = math.floor(value * 10 + 0.5)
    sign = "-" if tenths < 0 else ""
    tenths = abs(tenths)
    return f"{sign}{tenths // 10}.{tenths % 10}"


def contains_phrase(text: str, phrase: str, *, ignore_case: bool, whole_word: bool) -> bool:
    """Whether ``phrase`` occurs in ``text``; ``whole_word``: not inside a longer word (at an
    edge of the phrase that is a word character, the text's next character is not one)."""
    hay, needle = (text.lower(), phrase.lower()) if ignore_case else (text, phrase)
    if not needle:
        return True
    start = 0
    while True:
        at = hay.find(needle, start)
        if at < 0:
            return False
        if not whole_word or _bounded(hay, needle, at):
            return True
        start = at + 1


def _bounded(hay: str, needle: str, at: int) -> bool:
    end = at + len(needle)
    if is_word_char(needle[0]) and at > 0 and is_word_char(hay[at - 1]):
        return False
    return not (is_word_char(needle[-1]) and end < len(hay) and is_word_char(hay[end]))


@dataclass(frozen=True)
class CodeBlock:
    language: str  # the info string's first word, lowered ("" when none)
    line: int  # the line of the opening fence, from 1
    code: str


@dataclass(frozen=True)
class Outline:
    headings: list[tuple[int, str]]  # (level 1-6, title)
    blocks: list[CodeBlock]


def outline(text: str) -> Outline:
    """The ATX headings (``# Title``) and fenced code blocks of a Markdown text. A fence left
    open runs to the end of the text; headings inside code blocks are not headings."""
    headings: list[tuple[int, str]] = []
    blocks: list[CodeBlock] = []
    fence: tuple[str, int, str, int] | None = None  # char, length, language, line
    body: list[str] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if fence is not None:
            if _closes(line, fence[0], fence[1]):
                blocks.append(CodeBlock(fence[2], fence[3], "\n".join(body)))
                fence, body = None, []
            else:
                body.append(line)
            continue
        opened = FENCE.match(line)
        if opened and not (opened.group(1)[0] == "`" and "`" in line[opened.end() :]):
            fence = (opened.group(1)[0], len(opened.group(1)), opened.group(2).lower(), number)
            continue
        heading = HEADING.match(line)
        if heading:
            title = CLOSING_HASHES.sub("", heading.group(2) or "")
            headings.append(
                (len(heading.group(1)), " ".join(re.split(r"[ \t]+", title.strip(" \t"))))
            )
    if fence is not None:
        blocks.append(CodeBlock(fence[2], fence[3], "\n".join(body)))
    return Outline(headings, blocks)


def _closes(line: str, char: str, length: int) -> bool:
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return False
    run = len(stripped) - len(stripped.lstrip(char))
    return run >= length and stripped[run:].strip(" \t") == ""
