"""Declared submit checks (docs/checks.md): the text measures, each check's verdict, the
consistency checks across questions, and the refusal of bad declarations.

The cases below are also web/src/editor/fixtures/checks.json, which vitest reads to prove
that the browser (web/src/editor/checks.ts, consistency.ts) gives the same verdict with the
same message; ``ACCORD_WRITE_FIXTURES=1`` rewrites that file from the Python results.
Cases marked ``server`` (language, YAML and Python code blocks) only the server runs: the
browser asks it (POST /api/projects/{id}/checks).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from accord.kinds.checks import verdicts
from accord.kinds.consistency import failures
from accord.kinds.interface import InterfaceError, parse_interface
from accord.kinds.text_stats import one_decimal, outline, sentences, stats, syllables, words
from accord.kinds.verdicts import answer_warnings

FIXTURES = Path(__file__).resolve().parents[2] / "web/src/editor/fixtures/checks.json"

TEXTS = [
    "",
    "   ",
    "Hello world.",
    "Don't stop — well-known facts: 3.14 and 1,000 people.",
    "Mr. Smith went to Washington. He met Dr. Jones! Was it fun? Yes...",
    "J. R. R. Tolkien wrote books. E.g. this one.",
    "Il était une fois… une histoire. «Fin.» Voilà",
    "日本語の文章です。二つ目の文！三つ目？",
    "Привет, мир! Как дела?",
    "नमस्ते दुनिया। यह हिन्दी है.",
    "emoji 👍🏽 count 😀 here.",
    'He said "stop." Then he left.',
    "Wait... what?! Really.",
    "The end",
    "line one\nline two\n\nline three.",
    "snake_case_name and x-ray and rock'n'roll",
    "...",
    "The cat sat on the mat. The dog ran.",
    "Notwithstanding the aforementioned considerations, the comprehensive implementation "
    "necessitates extraordinary organizational capabilities.",
]

SYLLABLES = {
    "the": 1,
    "cat": 1,
    "table": 2,
    "make": 1,
    "makes": 1,
    "boxes": 2,
    "jumped": 1,
    "wanted": 2,
    "yellow": 2,
    "beautiful": 3,
    "reading": 2,
    "queue": 1,
    "rhythm": 1,
    "2024": 1,
    "café": 1,
    "simple": 2,
    "places": 2,
    "organization": 5,
}

MARKDOWN = (
    '# Summary\n\nSome words.\n\n## Steps  ##\n\n```json\n{"a": [1, 2]}\n```\n\n'
    "~~~python\ndef f(x):\n    return x\n~~~\n\n```yaml\nkey: [1, 2\n```\n"
)
BAD_JSON = '## Answer\n\n```JSON\n{"a": NaN}\n```\n'
OPEN_FENCE = '# Title\n\n```json\n{"open": true}\n# Not a heading\n'

CHECK_CASES: list[dict[str, Any]] = [
    {"check": {"kind": "words", "min": 3}, "text": "Hello world."},
    {"check": {"kind": "words", "min": 3}, "text": "Don't stop — well-known facts."},
    {"check": {"kind": "words", "max": 2}, "text": "one two three"},
    {"check": {"kind": "words", "min": 1}, "text": ""},
    {"check": {"kind": "words", "min": 1, "max": 1}, "text": "日本語"},
    {"check": {"kind": "words", "min": 2, "message": "Say more."}, "text": "Hi"},
    {"check": {"kind": "sentences", "min": 2}, "text": "Mr. Smith went home. He slept."},
    {"check": {"kind": "sentences", "min": 2}, "text": "Dr. Who is here and e.g. there."},
    {"check": {"kind": "sentences", "max": 1}, "text": "One. Two! Three?"},
    {"check": {"kind": "sentences", "min": 1}, "text": "..."},
    {"check": {"kind": "sentences", "min": 3}, "text": "日本語です。二つ目！三つ目？"},
    {"check": {"kind": "phrases", "required": ["step by step"]}, "text": "Go Step By Step."},
    {
        "check": {"kind": "phrases", "required": ["step by step"], "ignore_case": False},
        "text": "Go Step By Step.",
    },
    {"check": {"kind": "phrases", "forbidden": ["ai"]}, "text": "I said it again."},
    {"check": {"kind": "phrases", "forbidden": ["ai"]}, "text": "As an AI, I cannot."},
    {
        "check": {"kind": "phrases", "forbidden": ["ai"], "whole_word": False},
        "text": "I said it again.",
    },
    {"check": {"kind": "phrases", "forbidden": ["c++"]}, "text": "I like C++ a lot"},
    {"check": {"kind": "phrases", "required": ["naïve", "café"]}, "text": "A NAÏVE idea"},
    {"check": {"kind": "phrases", "required": ["a", "b"], "forbidden": ["c"]}, "text": "c"},
    {"check": {"kind": "phrases", "required": ["x"]}, "text": ""},
    {"check": {"kind": "reading", "min_ease": 60}, "text": "The cat sat on the mat. The dog ran."},
    {"check": {"kind": "reading", "min_ease": 30}, "text": TEXTS[-1]},
    {"check": {"kind": "reading", "max_grade": 8}, "text": TEXTS[-1]},
    {"check": {"kind": "reading", "min_grade": 5.5}, "text": "Go. Run. Stop."},
    {"check": {"kind": "reading", "max_ease": 50}, "text": "I am. You are."},
    {"check": {"kind": "reading", "min_ease": 50}, "text": "..."},
    {"check": {"kind": "markdown", "headings": ["Summary", "## Steps"]}, "text": MARKDOWN},
    {"check": {"kind": "markdown", "headings": ["# Steps"]}, "text": MARKDOWN},
    {"check": {"kind": "markdown", "headings": ["not a heading"]}, "text": OPEN_FENCE},
    {"check": {"kind": "markdown", "code": ["json"]}, "text": MARKDOWN},
    {"check": {"kind": "markdown", "code": ["json"]}, "text": BAD_JSON},
    {"check": {"kind": "markdown", "code": ["json"]}, "text": OPEN_FENCE},
    {"check": {"kind": "markdown", "headings": ["Title"], "code": ["json"]}, "text": "#Title"},
    {"check": {"kind": "markdown", "code": ["yaml"]}, "text": MARKDOWN, "server": True},
    {"check": {"kind": "markdown", "code": ["python"]}, "text": MARKDOWN, "server": True},
    {
        "check": {"kind": "markdown", "code": ["py"]},
        "text": "```py\ndef f(:\n```\n",
        "server": True,
    },
    {
        "check": {"kind": "language", "expected": ["en"]},
        "text": "This is plainly a sentence written in English for testing.",
        "server": True,
    },
    {
        "check": {"kind": "language", "expected": ["en"], "level": "warn"},
        "text": "Dies ist eindeutig ein deutscher Satz, der zum Testen geschrieben wurde.",
        "server": True,
    },
    {"check": {"kind": "language", "expected": ["fr"]}, "text": "Too short", "server": True},
]

CONSISTENCY_CASES: list[dict[str, Any]] = [
    {
        "checks": [{"kind": "differ", "questions": ["chosen", "rejected"]}],
        "result": {"chosen": {"text": "Same  answer "}, "rejected": {"text": "Same answer"}},
    },
    {
        "checks": [{"kind": "differ", "questions": ["chosen", "rejected"]}],
        "result": {"chosen": {"text": "Same"}, "rejected": {"text": "same"}},
    },
    {
        "checks": [{"kind": "differ", "questions": ["chosen", "rejected"], "ignore_case": True}],
        "result": {"chosen": {"text": "Same"}, "rejected": {"text": "same"}},
    },
    {
        "checks": [{"kind": "differ", "questions": ["chosen", "rejected"], "message": "No."}],
        "result": {"chosen": {"text": "x"}},
    },
    {
        "checks": [{"kind": "equal", "questions": ["score", "again"], "level": "warn"}],
        "result": {"score": {"value": 3}, "again": {"value": 3.0}},
    },
    {
        "checks": [{"kind": "equal", "questions": ["score", "again"]}],
        "result": {"score": {"value": 1}, "again": {"value": True}},
    },
    {
        "checks": [{"kind": "required_if", "question": "chosen", "when": "score"}],
        "result": {"score": {"value": 2}, "chosen": {"text": ""}},
    },
    {
        "checks": [{"kind": "required_if", "question": "chosen", "when": "score"}],
        "result": {"chosen": {"text": "fine"}},
    },
]

# A transcript's texts are checked segment by segment, each as a text answer (an empty text
# too); the browser lists every segment's problem and warning (transcript/textCheck.ts).
TRANSCRIPT_CASES: list[dict[str, Any]] = [
    {
        "question": {
            "checks": [
                {"kind": "words", "min": 2},
                {"kind": "phrases", "forbidden": ["um"], "level": "warn"},
            ]
        },
        "texts": ["hello there", "um yes indeed", "one", "um"],
    },
    {"question": {"min_length": 3, "checks": ["trimmed"]}, "texts": ["", "ok", " fine", "fine"]},
    {"question": {"checks": ["trimmed"]}, "texts": ["", "fine"]},
    {"question": {"checks": ["no_placeholder"]}, "texts": ["", "TODO", "a real line"]},
    {
        "question": {
            "rules": [
                {"pattern": "\\d", "must_match": False, "message": "write numbers as words"},
                {"pattern": "(?i)\\buh\\b", "must_match": False, "level": "warn"},
            ]
        },
        "texts": ["I have 2 cats", "uh okay", "Uh, 3 dogs", ""],
    },
    {
        "question": {
            "max_length": 12,
            "checks": [
                {"kind": "words", "min": 1, "level": "warn"},
                {"kind": "reading", "min_ease": 50},
                {"kind": "sentences", "max": 1, "message": "One sentence per segment."},
            ],
        },
        "texts": ["", "Go. Stop.", "Hello there.", "A much longer text"],
    },
]
TRANSCRIPT_DATA = {"audio": {"src": "talk.wav", "duration": 60}}


def transcript_answer(texts: list[str]) -> dict[str, Any]:
    return {
        "segments": [
            {"id": f"s{i + 1}", "start": i, "end": i + 1, "text": t} for i, t in enumerate(texts)
        ]
    }


def transcript_interface(question: dict[str, Any]) -> Any:
    return parse_interface(
        {
            "fields": [{"name": "audio", "kind": "audio"}],
            "questions": [{"name": "said", "kind": "transcript", "target": "audio", **question}],
        }
    )


def transcript_expected(case: dict[str, Any]) -> dict[str, Any]:
    """Each segment's problem as the server words it (the server stops at the first: each is
    checked alone, its path put back at its place), and the submit's warnings."""
    interface = transcript_interface(case["question"])
    answer = transcript_answer(case["texts"])
    problems = []
    for i, segment in enumerate(answer["segments"]):
        alone = {"said": {"segments": [segment | {"start": 0, "end": 1}]}}
        for problem in interface.check_result(alone, TRANSCRIPT_DATA):
            path = problem.path.replace("segments[0]", f"segments[{i}]")
            problems.append({"path": path, "message": problem.message})
    first = interface.check_result({"said": answer}, TRANSCRIPT_DATA)
    assert [(p.path, p.message) for p in first] == [
        (p["path"], p["message"]) for p in problems[:1]
    ]
    return {"problems": problems, "warnings": answer_warnings(interface, {"said": answer})}


FIELDS = [{"name": "prompt", "kind": "text"}]
QUESTIONS = [
    {"name": "chosen", "kind": "text"},
    {"name": "rejected", "kind": "text"},
    {"name": "score", "kind": "rating"},
    {"name": "again", "kind": "rating"},
]


def text_interface(check: dict[str, Any]) -> Any:
    return parse_interface(
        {"fields": FIELDS, "questions": [{"name": "why", "kind": "text", "checks": [check]}]}
    )


def check_expected(case: dict[str, Any]) -> dict[str, Any]:
    question = text_interface(case["check"]).questions[0]
    (verdict,) = verdicts(question.checks, case["text"])
    return {"ok": verdict.ok, "level": verdict.level, "message": verdict.message}


def consistency_expected(case: dict[str, Any]) -> list[dict[str, Any]]:
    interface = parse_interface(
        {"fields": FIELDS, "questions": QUESTIONS, "checks": case["checks"]}
    )
    return [
        {"path": f.path, "check": f.check, "level": f.level, "message": f.message}
        for f in failures(interface, case["result"], interface.answer_is_empty)
    ]


def stats_expected(text: str) -> dict[str, Any]:
    measured = stats(text)
    return {
        "words": words(text),
        "sentences": sentences(text),
        "syllables": measured.syllables,
        "ease": None if measured.ease is None else one_decimal(measured.ease),
        "grade": None if measured.grade is None else one_decimal(measured.grade),
    }


def _fixture_text() -> str:
    fixture = {
        "stats": [{"text": t, "expected": stats_expected(t)} for t in TEXTS],
        "syllables": [{"word": w, "expected": syllables(w)} for w in SYLLABLES],
        "checks": [case | {"expected": check_expected(case)} for case in CHECK_CASES],
        "questions": QUESTIONS,
        "consistency": [c | {"expected": consistency_expected(c)} for c in CONSISTENCY_CASES],
        "transcripts": [c | {"expected": transcript_expected(c)} for c in TRANSCRIPT_CASES],
    }
    return json.dumps(fixture, indent=1, ensure_ascii=False) + "\n"


def test_fixtures_match_the_python_checks() -> None:
    text = _fixture_text()
    if os.environ.get("ACCORD_WRITE_FIXTURES") == "1":
        FIXTURES.parent.mkdir(exist_ok=True)
        FIXTURES.write_text(text, encoding="utf-8")
    assert json.loads(FIXTURES.read_text(encoding="utf-8")) == json.loads(text), (
        "checks.json is out of date: run with ACCORD_WRITE_FIXTURES=1 and check the diff"
    )


@pytest.mark.parametrize(("word", "count"), SYLLABLES.items())
def test_syllables_by_the_documented_rule(word: str, count: int) -> None:
    assert syllables(word) == count


def test_words_and_sentences() -> None:
    assert words("Don't stop — well-known facts: 3.14 and 1,000 people.") == [
        *("Don't", "stop", "well-known", "facts", "3.14", "and", "1,000", "people"),
    ]
    assert words("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]  # combining marks stay in words
    assert sentences("Mr. Smith went to Washington. He met Dr. Jones! Was it fun? Yes...") == 4
    assert sentences("J. R. R. Tolkien wrote books. E.g. this one.") == 2
    assert sentences("") == 0 and sentences("...") == 0
    assert sentences("日本語の文章です。二つ目の文！三つ目？") == 3
    assert sentences('He said "stop." Then he left.') == 2


def test_reading_level_is_flesch() -> None:
    measured = stats("The cat sat on the mat. The dog ran.")
    assert (measured.words, measured.sentences, measured.syllables) == (9, 2, 9)
    assert measured.ease == pytest.approx(206.835 - 1.015 * 4.5 - 84.6)
    assert measured.grade == pytest.approx(0.39 * 4.5 + 11.8 - 15.59)
    assert one_decimal(0.25) == "0.3" and one_decimal(-1.26) == "-1.3" and one_decimal(7) == "7.0"


def test_markdown_outline() -> None:
    found = outline(MARKDOWN)
    assert found.headings == [(1, "Summary"), (2, "Steps")]
    assert [(b.language, b.line) for b in found.blocks] == [
        ("json", 7),
        ("python", 11),
        ("yaml", 16),
    ]
    assert outline(OPEN_FENCE).headings == [(1, "Title")]


def test_server_only_code_blocks() -> None:
    yaml_case = check_expected({"check": {"kind": "markdown", "code": ["yaml"]}, "text": MARKDOWN})
    assert not yaml_case["ok"] and "yaml code block on line 16" in yaml_case["message"]
    assert check_expected({"check": {"kind": "markdown", "code": ["python"]}, "text": MARKDOWN})[
        "ok"
    ]


def test_language() -> None:
    english = "This is plainly a sentence written in English for testing."
    german = "Dies ist eindeutig ein deutscher Satz, der zum Testen geschrieben wurde."
    assert check_expected({"check": {"kind": "language", "expected": ["en"]}, "text": english})[
        "ok"
    ]
    found = check_expected({"check": {"kind": "language", "expected": ["en"]}, "text": german})
    assert not found["ok"] and "looks written in de" in found["message"]


BAD = [
    ({"kind": "words", "min": 5, "max": 2}, "min 5 is above max 2"),
    ({"kind": "words"}, "set min, max or both"),
    ({"kind": "sentences", "min": -1}, "greater than or equal to 0"),
    ({"kind": "reading"}, "set min_ease"),
    ({"kind": "reading", "min_grade": 9, "max_grade": 3}, "min_grade 9 is above max_grade 3"),
    ({"kind": "phrases"}, "needs required or forbidden"),
    ({"kind": "phrases", "required": [""]}, "at least 1 character"),
    ({"kind": "markdown", "code": ["rust"]}, "'json', 'yaml' or 'python'"),
    ({"kind": "markdown"}, "needs headings or code"),
    ({"kind": "language", "expected": ["xx"]}, "unknown language code 'xx'"),
    ({"kind": "language", "expected": ["en"], "min_confidence": 2}, "less than or equal to 1"),
    ({"kind": "words", "min": 1, "level": "stop"}, "'block' or 'warn'"),
    ({"kind": "words", "min": 1, "extra": 1}, "Extra inputs"),
    ({"kind": "nope"}, "unknown check 'nope'"),
    ("bogus", "unknown check 'bogus'"),
]


@pytest.mark.parametrize(("check", "says"), BAD)
def test_bad_checks_are_refused_with_the_path(check: Any, says: str) -> None:
    with pytest.raises(InterfaceError) as caught:
        text_interface(check)
    problem = caught.value.problems[0]
    assert problem.path == "questions[0].checks"
    assert says in problem.message and problem.message.startswith("[0]")


def test_bad_consistency_checks_are_refused() -> None:
    def refused(check: dict[str, Any]) -> str:
        with pytest.raises(InterfaceError) as caught:
            parse_interface({"fields": FIELDS, "questions": QUESTIONS, "checks": [check]})
        return str(caught.value)

    assert "'nope' is not a question" in refused(
        {"kind": "differ", "questions": ["chosen", "nope"]}
    )
    assert "named twice" in refused({"kind": "equal", "questions": ["chosen", "chosen"]})
    assert "at least 2 items" in refused({"kind": "differ", "questions": ["chosen"]})
    assert "'ghost' is not a question" in refused(
        {"kind": "required_if", "question": "ghost", "when": "score"}
    )
    assert "kind" in refused({"kind": "bigger", "questions": ["chosen", "rejected"]})


def test_rule_patterns_stay_linear_time_and_take_a_level() -> None:
    rule = {"pattern": "(a+)+$", "must_match": False, "level": "warn"}
    interface = parse_interface(
        {"fields": FIELDS, "questions": [{"name": "why", "kind": "text", "rules": [rule]}]}
    )
    assert interface.check_result({"why": {"text": "a" * 50_000 + "b"}}, {}) == []
    with pytest.raises(InterfaceError):
        parse_interface(
            {
                "fields": FIELDS,
                "questions": [{"name": "why", "kind": "text", "rules": [{"pattern": "(a)\\1"}]}],
            }
        )


def test_old_configs_keep_blocking() -> None:
    interface = parse_interface(
        {
            "fields": FIELDS,
            "questions": [{"name": "why", "kind": "text", "checks": ["no_placeholder"]}],
        }
    )
    (problem,) = interface.check_result({"why": {"text": "TODO"}}, {})
    assert problem.path == "result.why.text" and "placeholder" in problem.message
