"""The training exports read back by their consumers' own libraries: Hugging Face ``datasets``
for the JSONL formats and Parquet, spaCy for CoNLL (its ``conll_ner_to_docs`` converter) and
``DocBin``; every field checked against the answers the test made."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from accord.db import Database
from tests.api.conftest import Api
from tests.formats.training_data import (
    CHAT,
    PREFERENCE,
    SPANS,
    Team,
    load_json_dataset,
    load_parquet_dataset,
)

PREFERENCE_ANSWERS: dict[str, dict[str, Any]] = {
    "p1": {
        "better": {"choice": "A", "strength": 2},
        "rewrite": {"text": "Apple is a fruit."},
        "quality": {"rating": 5},
    },
    "p2": {"better": {"choice": "tie"}, "rewrite": {"text": "Hello!"}, "quality": {"rating": 3}},
    "p3": {"better": {"choice": "B"}, "rewrite": {"text": ""}, "quality": {"rating": 1}},
}
PREFERENCE_TASKS: list[dict[str, Any]] = [
    {"id": "p1", "prompt": "Name a fruit.", "responses": ["Apple.", "A car."]},
    {"id": "p2", "prompt": "Say hi.", "responses": ["Hi!", "Bye."]},
    {"id": "p3", "prompt": "2+2?", "responses": ["5", "4"]},
]
CHAT_TURNS = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Capital of France?"},
]
CANDIDATES = ["Paris.", "Lyon.", "Paris, France."]
CHAT_ANSWERS: dict[str, dict[str, Any]] = {
    "ann": {
        "order": {"order": [[0, 2], [1]]},
        "reply": {"text": "Paris."},
        "verdict": {"choice": "good"},
    },
    "bo": {
        "order": {"order": [[2], [0], [1]]},
        "reply": {"text": "It is Paris."},
        "verdict": {"choice": "bad"},
    },
}


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


@pytest.fixture
def preference(db: Database, api: Api) -> Team:
    team = Team(db, api, PREFERENCE, overlap=1)
    team.tasks(PREFERENCE_TASKS)
    team.answer(team.ann, PREFERENCE_ANSWERS)
    return team


@pytest.fixture
def chat(db: Database, api: Api) -> Team:
    team = Team(db, api, CHAT, overlap=2)
    team.tasks([{"id": "c1", "chat": CHAT_TURNS, "candidates": CANDIDATES}])
    team.answer(team.ann, {"c1": CHAT_ANSWERS["ann"]})
    team.answer(team.bo, {"c1": CHAT_ANSWERS["bo"]})
    return team


def rows(dataset: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in dataset]


def test_sft_and_openai_from_a_text_prompt_and_written_responses(
    preference: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = [
        {"messages": [user("Name a fruit."), assistant("Apple is a fruit.")]},
        {"messages": [user("Say hi."), assistant("Hello!")]},
    ]  # p3's response is empty: skipped
    for fmt in ("trl-sft", "openai-ft"):
        path = preference.export(fmt, tmp_path / f"{fmt}.jsonl")
        dataset = load_json_dataset(path, tmp_path / "cache", monkeypatch)
        assert list(dataset.features) == ["messages"]
        assert rows(dataset) == expected, fmt
        report = preference.report(fmt)
        assert report["records"] == 2 and report["answers"] == 3
        assert report["skipped"] == {"no response": 1}
        assert report["problems"][0]["detail"] == "rewrite is empty"


def test_preference_and_reward_pairs_from_pairwise_skip_ties(
    preference: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = preference.export("trl-preference", tmp_path / "pref.jsonl")
    dataset = load_json_dataset(path, tmp_path / "cache", monkeypatch)
    assert set(dataset.features) == {"prompt", "chosen", "rejected"}
    assert rows(dataset) == [
        {"prompt": "Name a fruit.", "chosen": "Apple.", "rejected": "A car."},
        {"prompt": "2+2?", "chosen": "4", "rejected": "5"},
    ]
    report = preference.report("trl-preference")
    assert report["skipped"] == {"tie": 1} and report["records"] == 2

    path = preference.export("reward-pairs", tmp_path / "reward.jsonl")
    dataset = load_json_dataset(path, tmp_path / "cache", monkeypatch)
    assert rows(dataset) == [
        {
            "chosen": [user("Name a fruit."), assistant("Apple.")],
            "rejected": [user("Name a fruit."), assistant("A car.")],
            "margin": 2.0,
        },
        {
            "chosen": [user("2+2?"), assistant("4")],
            "rejected": [user("2+2?"), assistant("5")],
            "margin": 1.0,
        },
    ]


def test_kto_from_a_rating_by_the_middle_or_a_threshold(
    preference: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = preference.export("trl-kto", tmp_path / "kto.jsonl")
    dataset = load_json_dataset(path, tmp_path / "cache", monkeypatch)
    assert str(dataset.features["label"].dtype) == "bool"
    # p2 is rated 3, the middle of 1..5: neither; p3 has no response.
    assert rows(dataset) == [
        {"prompt": "Name a fruit.", "completion": "Apple is a fruit.", "label": True}
    ]
    assert preference.report("trl-kto")["skipped"] == {"neutral": 1, "no response": 1}
    path = preference.export("trl-kto", tmp_path / "kto3.jsonl", threshold=3)
    dataset = load_json_dataset(path, tmp_path / "cache3", monkeypatch)
    assert rows(dataset) == [
        {"prompt": "Name a fruit.", "completion": "Apple is a fruit.", "label": True},
        {"prompt": "Say hi.", "completion": "Hello!", "label": True},
    ]
    path = preference.export("trl-kto", tmp_path / "kto6.jsonl", threshold=5.5)
    labels = [r["label"] for r in rows(load_json_dataset(path, tmp_path / "c6", monkeypatch))]
    assert labels == [False, False]


def test_chat_prompts_give_conversational_records_and_rankings_give_pairs(
    chat: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = chat.export("trl-preference", tmp_path / "pref.jsonl")
    dataset = load_json_dataset(path, tmp_path / "cache", monkeypatch)
    got = [
        (r["prompt"], r["chosen"][0]["content"], r["rejected"][0]["content"]) for r in rows(dataset)
    ]
    # ann: [[0, 2], [1]] (0 and 2 tied); bo: [[2], [0], [1]].
    pairs = [(0, 1), (2, 1), (2, 0), (2, 1), (0, 1)]
    assert got == [(CHAT_TURNS, CANDIDATES[a], CANDIDATES[b]) for a, b in pairs]
    assert all(r["chosen"][0]["role"] == "assistant" for r in rows(dataset))
    report = chat.report("trl-preference")
    assert report["skipped"] == {"tie": 1}
    assert report["problems"][0]["detail"] == "items 0 and 2 share place 1"

    path = chat.export("reward-pairs", tmp_path / "reward.jsonl")
    margins = [r["margin"] for r in rows(load_json_dataset(path, tmp_path / "c2", monkeypatch))]
    assert margins == [1.0, 1.0, 1.0, 2.0, 1.0]

    path = chat.export("trl-sft", tmp_path / "sft.jsonl")
    dataset = load_json_dataset(path, tmp_path / "c3", monkeypatch)
    assert rows(dataset) == [
        {"messages": [*CHAT_TURNS, assistant("Paris.")]},
        {"messages": [*CHAT_TURNS, assistant("It is Paris.")]},
    ]
    path = chat.export("openai-ft", tmp_path / "openai.jsonl")
    assert rows(load_json_dataset(path, tmp_path / "c4", monkeypatch)) == rows(dataset)

    path = chat.export("trl-kto", tmp_path / "kto.jsonl", desirable="good")
    dataset = load_json_dataset(path, tmp_path / "c5", monkeypatch)
    assert rows(dataset) == [
        {"prompt": CHAT_TURNS, "completion": [assistant("Paris.")], "label": True},
        {"prompt": CHAT_TURNS, "completion": [assistant("It is Paris.")], "label": False},
    ]


def test_parquet_columns_are_typed_and_hold_every_answer(
    preference: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datasets = pytest.importorskip("datasets")
    path = preference.export("hf-parquet", tmp_path / "p.parquet")
    dataset = load_parquet_dataset(path, tmp_path / "cache", monkeypatch)
    features = dataset.features
    assert features["task_id"] == datasets.Value("int64")
    assert features["prompt"] == datasets.Value("string")
    assert features["responses"] == datasets.List(datasets.Value("string"))
    assert features["quality"] == datasets.Value("int64")
    assert features["better"] == {
        "choice": datasets.Value("string"),
        "strength": datasets.Value("int64"),
    }
    got = rows(dataset)
    assert [r["external_id"] for r in got] == ["p1", "p2", "p3"]
    assert {r["annotator"] for r in got} == {"ann@example.com"}
    assert all(r["source"] == "annotation" and r["review_state"] is None for r in got)
    for row, task in zip(got, PREFERENCE_TASKS, strict=True):
        answer = PREFERENCE_ANSWERS[task["id"]]
        assert row["prompt"] == task["prompt"] and row["responses"] == task["responses"]
        assert row["better"] == {"strength": None, **answer["better"]}
        assert row["quality"] == answer["quality"]["rating"]
        assert row["rewrite"] == (answer["rewrite"]["text"] or None)  # "" is an empty answer


def test_parquet_of_chats_and_rankings_with_ties(
    chat: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datasets = pytest.importorskip("datasets")
    path = chat.export("hf-parquet", tmp_path / "c.parquet")
    dataset = load_parquet_dataset(path, tmp_path / "cache2", monkeypatch)
    assert dataset.features["order"] == datasets.List(datasets.List(datasets.Value("int64")))
    got = rows(dataset)
    assert [r["annotator"] for r in got] == ["ann@example.com", "bo@example.com"]
    assert got[0]["chat"] == [{**t, "name": None} for t in CHAT_TURNS]
    assert got[0]["candidates"] == CANDIDATES
    for row, who in zip(got, ("ann", "bo"), strict=True):
        assert row["order"] == CHAT_ANSWERS[who]["order"]["order"]
        assert row["reply"] == CHAT_ANSWERS[who]["reply"]["text"]
        assert row["verdict"] == CHAT_ANSWERS[who]["verdict"]["choice"]


def test_parquet_is_written_in_row_groups(db: Database, api: Api, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from accord.formats import hf_parquet

    team = Team(db, api, PREFERENCE, overlap=1)
    team.tasks([{"id": f"t{i}", "prompt": f"q{i}", "responses": ["a", "b"]} for i in range(7)])
    team.answer(team.ann, {f"t{i}": {"quality": {"rating": 1 + i % 5}} for i in range(7)})
    original = hf_parquet.parquet_chunks

    def small_groups(*args: Any, **kwargs: Any) -> Any:
        return original(*args, **{**kwargs, "row_group": 3})

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hf_parquet, "parquet_chunks", small_groups)
        path = team.export("hf-parquet", tmp_path / "g.parquet")
    file = pq.ParquetFile(path)
    assert file.metadata.num_row_groups == 3 and file.metadata.num_rows == 7
    assert file.read().column("quality").to_pylist() == [1 + i % 5 for i in range(7)]


SPAN_TASKS = [
    {"id": "s1", "text": "Alice met Bob in Paris."},
    {"id": "s2", "text": "New York City is big."},
]
SPAN_ANSWERS: dict[str, dict[str, Any]] = {
    "s1": {
        "entities": {
            "spans": [
                {"start": 0, "end": 5, "label": "PER"},
                {"start": 10, "end": 12, "label": "PER"},  # "Bo": inside the token "Bob"
                {"start": 17, "end": 22, "label": "LOC"},
            ]
        },
        "topic": {"choices": ["news"]},
    },
    "s2": {"entities": {"spans": [{"start": 0, "end": 13, "label": "LOC"}]}},
}


@pytest.fixture
def spans(db: Database, api: Api) -> Team:
    team = Team(db, api, SPANS, overlap=1)
    team.tasks(SPAN_TASKS)
    team.answer(team.ann, SPAN_ANSWERS)
    return team


def test_conll_is_iob2_and_names_spans_off_token_boundaries(spans: Team, tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    from spacy.training.converters.conll_ner_to_docs import conll_ner_to_docs

    path = spans.export("conll", tmp_path / "out.conll")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("-DOCSTART- -X- O O\n\nAlice _ _ B-PER\nmet _ _ O\nBob _ _ O\n")
    docs = list(conll_ner_to_docs(text, no_print=True))  # type: ignore[no-untyped-call]
    assert [[t.text for t in d] for d in docs] == [
        ["Alice", "met", "Bob", "in", "Paris", "."],
        ["New", "York", "City", "is", "big", "."],
    ]
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [
        [("Alice", "PER"), ("Paris", "LOC")],
        [("New York City", "LOC")],
    ]
    report = spans.report("conll")
    assert report["skipped"] == {"span off token boundaries": 1}
    (problem,) = report["problems"]
    assert problem["task_id"] and problem["span"] == 1 and problem["question"] == "entities"
    assert "'Bo' (10..12): its end is inside a token" in problem["detail"]


def _docbin(path: Path, lang: str = "en") -> list[Any]:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank(lang)
    docs: list[Any] = []
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        assert names == ["part-00001.spacy"]
        for name in names:
            part = path.with_name(name)
            part.write_bytes(archive.read(name))
            docs += list(DocBin().from_disk(part).get_docs(nlp.vocab))
    return docs


def test_spacy_docbin_with_strict_and_expanded_alignment(spans: Team, tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    docs = _docbin(spans.export("spacy", tmp_path / "strict.spacy.zip"))
    assert [d.text for d in docs] == [t["text"] for t in SPAN_TASKS]
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [
        [("Alice", "PER"), ("Paris", "LOC")],
        [("New York City", "LOC")],
    ]
    assert [(s.text, s.label_) for s in docs[0].spans["entities"]] == [
        ("Alice", "PER"),
        ("Paris", "LOC"),
    ]
    assert docs[0].user_data["annotator"] == "ann@example.com"
    assert docs[0].user_data["external_id"] == "s1"
    report = spans.report("spacy")
    assert report["skipped"] == {"span off token boundaries": 1}
    assert "'Bo'" in report["problems"][0]["detail"]

    docs = _docbin(spans.export("spacy", tmp_path / "e.spacy.zip", alignment_mode="expand"))
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("Alice", "PER"),
        ("Bob", "PER"),
        ("Paris", "LOC"),
    ]
    assert spans.report("spacy", alignment_mode="expand")["skipped"] == {}


def test_docbin_parts_hold_a_bounded_number_of_docs(spans: Team, tmp_path: Path) -> None:
    pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    from accord.formats import spacy_docbin

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spacy_docbin, "PART_DOCS", 1)
        path = spans.export("spacy", tmp_path / "parts.spacy.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["part-00001.spacy", "part-00002.spacy"]
        sizes = [len(DocBin().from_bytes(archive.read(n))) for n in sorted(archive.namelist())]
    assert sizes == [1, 1]
