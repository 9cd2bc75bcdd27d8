"""Records for training code: TRL's SFT, preference and KTO datasets, reward-model pairs and
OpenAI's fine-tuning chat JSONL (docs/training_exports.md).

Pure: an `Item` (one annotation, or one task's final answer, with the task's data) goes in,
JSON-ready records come out; what cannot become a record is counted and named in a `Report`,
never written half-right. `TrainingPlan.of` reads from the interface which field is the prompt,
which answer (or field) is the response and which question ranks the candidates, and says
what is missing when the interface has nothing a format needs (`TrainingError`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from accord.kinds import QUESTION_KINDS, Interface
from accord.kinds.base import QuestionConfig

JSONL_FORMATS = ("trl-sft", "trl-preference", "trl-kto", "reward-pairs", "openai-ft")
PROMPT_KINDS = ("chat", "text", "markdown")
RESPONSE_FIELD_KINDS = ("text", "markdown")
OPENAI_ROLES = ("system", "user", "assistant")
MAX_NAMED = 100  # problems named one by one in a report; the rest are counted


class TrainingError(ValueError):
    """The interface has nothing a format needs; the message says what to add or name."""


@dataclass
class Item:
    """One answer to export: an annotation (``annotation_id`` set) or a task's final answer."""

    task_id: int
    external_id: str | None
    data: dict[str, Any]
    result: dict[str, Any]
    annotation_id: int | None = None
    annotator: str | None = None
    review_state: str | None = None
    source: str = "annotation"  # annotation, adjudicated or consensus


@dataclass
class Report:
    """What was written and what was left out, and why (each left-out thing named, up to
    `MAX_NAMED`)."""

    records: int = 0
    answers: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[dict[str, Any]] = field(default_factory=list)

    def skip(self, reason: str, item: Item, detail: str = "", **more: Any) -> None:
        self.skipped[reason] += 1
        if len(self.problems) < MAX_NAMED:
            where = {"task_id": item.task_id, "annotation_id": item.annotation_id}
            self.problems.append({**where, "reason": reason, "detail": detail, **more})

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "answers": self.answers,
            "skipped": dict(sorted(self.skipped.items())),
            "problems": self.problems,
            "problems_left_out": max(0, sum(self.skipped.values()) - len(self.problems)),
        }

    def lines(self) -> list[str]:
        """The report for a person, one line each."""
        out = [f"{self.records} records from {self.answers} answers"]
        out += [f"skipped {n}: {reason}" for reason, n in sorted(self.skipped.items())]
        for p in self.problems:
            ann = f" annotation {p['annotation_id']}" if p.get("annotation_id") else ""
            out.append(f"  task {p['task_id']}{ann}: {p['reason']}: {p['detail']}")
        return out


@dataclass(frozen=True)
class TrainingOptions:
    """What a person may name when the interface does not say it alone."""

    question: str | None = None  # the question the records come from
    prompt: str | None = None  # the field that is the prompt
    response: str | None = None  # the text question (or text field) that is the response
    threshold: float | None = None  # trl-kto from a rating: label = rating >= threshold
    desirable: tuple[str, ...] = ()  # trl-kto from a choice: the values labelled true
    lang: str = "en"  # spacy: the language of spacy.blank
    alignment_mode: str = "strict"  # spacy: how char spans snap to tokens


def _named(interface: Interface, name: str, kinds: tuple[str, ...], what: str) -> Any:
    found = interface.field(name) or next((q for q in interface.questions if q.name == name), None)
    if found is None or found.kind not in kinds:
        raise TrainingError(
            f"{what}: {name!r} is not a {' or '.join(kinds)} of this project's interface"
        )
    return found


def _only(items: list[Any], what: str, option: str, need: str) -> Any:
    if len(items) == 1:
        return items[0]
    if not items:
        raise TrainingError(need)
    names = ", ".join(i.name for i in items)
    raise TrainingError(f"several {what} ({names}): name one with {option}")


@dataclass(frozen=True)
class TrainingPlan:
    """Where each part of a record comes from, for one format."""

    fmt: str
    prompt: Any = None  # a field config (chat, text or markdown)
    response: Any = None  # a text question or a text field; None: the chat is the record
    question: Any = None  # pairwise, ranking, rating or choice (by format)
    options: TrainingOptions = TrainingOptions()

    @classmethod
    def of(cls, interface: Interface, fmt: str, options: TrainingOptions) -> TrainingPlan:
        prompt = _prompt(interface, options)
        if fmt in ("trl-sft", "openai-ft"):
            response = _response(interface, options, required=prompt.kind != "chat", fmt=fmt)
            return cls(fmt, prompt, response, None, options)
        if fmt in ("trl-preference", "reward-pairs"):
            return cls(fmt, prompt, None, _candidates(interface, options, fmt), options)
        if fmt == "trl-kto":
            response = _response(interface, options, required=True, fmt=fmt)
            return cls(fmt, prompt, response, _judgement(interface, options), options)
        raise TrainingError(f"{fmt} is not a training format of " + ", ".join(JSONL_FORMATS))

    @property
    def conversational(self) -> bool:
        return bool(self.prompt.kind == "chat")

    def records(self, item: Item, report: Report) -> Iterator[dict[str, Any]]:
        report.answers += 1
        if self.fmt in ("trl-sft", "openai-ft"):
            yield from self._sft(item, report)
        elif self.fmt == "trl-kto":
            yield from self._kto(item, report)
        else:
            yield from self._pairs(item, report)

    # -- the prompt and the response -------------------------------------------------------

    def _messages(self, item: Item, report: Report) -> list[dict[str, str]] | None:
        value = item.data.get(self.prompt.name)
        if self.prompt.kind == "chat":
            if not isinstance(value, list) or not value:
                report.skip("no prompt", item, f"the task has no {self.prompt.name}")
                return None
            return [{"role": str(t["role"]), "content": str(t["content"])} for t in value]
        if not isinstance(value, str) or not value:
            report.skip("no prompt", item, f"the task has no {self.prompt.name}")
            return None
        return [{"role": "user", "content": value}]

    def _response_text(self, item: Item, report: Report) -> str | None:
        name = self.response.name
        if isinstance(self.response, QuestionConfig):  # what the annotator wrote
            answer = item.result.get(name)
            text = answer.get("text") if isinstance(answer, dict) else None
        else:
            text = item.data.get(name)
        if not isinstance(text, str) or not text.strip():
            report.skip("no response", item, f"{name} is empty")
            return None
        return text

    # -- formats ---------------------------------------------------------------------------

    def _sft(self, item: Item, report: Report) -> Iterator[dict[str, Any]]:
        messages = self._messages(item, report)
        if messages is None:
            return
        if self.response is not None:
            text = self._response_text(item, report)
            if text is None:
                return
            messages = [*messages, {"role": "assistant", "content": text}]
        if self.fmt == "openai-ft":
            odd = next((m["role"] for m in messages if m["role"] not in OPENAI_ROLES), None)
            if odd is not None:
                report.skip("role", item, f"role {odd!r} is not system, user or assistant")
                return
            if messages[-1]["role"] != "assistant":
                report.skip("no response", item, "the conversation does not end with assistant")
                return
        report.records += 1
        yield {"messages": messages}

    def _kto(self, item: Item, report: Report) -> Iterator[dict[str, Any]]:
        label = self._label(item, report)
        if label is None:
            return
        messages = self._messages(item, report)
        text = self._response_text(item, report) if messages is not None else None
        if messages is None or text is None:
            return
        report.records += 1
        yield {**self._prompt_and(messages, "completion", text), "label": label}

    def _label(self, item: Item, report: Report) -> bool | None:
        q = self.question
        answer: Any = item.result.get(q.name)
        if QUESTION_KINDS[q.kind].is_empty(answer):
            report.skip("no answer", item, f"{q.name} is not answered")
            return None
        if q.kind == "rating":
            rating = float(answer["rating"])
            if self.options.threshold is not None:
                return rating >= self.options.threshold
            middle = (q.min + q.max) / 2
            if math.isclose(rating, middle):
                report.skip("neutral", item, f"{q.name} is {rating:g}, the middle of the scale")
                return None
            return bool(rating > middle)
        picks = answer.get("choices") if "choices" in answer else [answer.get("choice")]
        return any(p in self.options.desirable for p in picks)

    def _pairs(self, item: Item, report: Report) -> Iterator[dict[str, Any]]:
        q = self.question
        answer: Any = item.result.get(q.name)
        if QUESTION_KINDS[q.kind].is_empty(answer):
            report.skip("no answer", item, f"{q.name} is not answered")
            return
        candidates = item.data.get(q.target)
        if not isinstance(candidates, list):
            report.skip("no candidates", item, f"the task has no {q.target}")
            return
        messages = self._messages(item, report)
        if messages is None:
            return
        for better, worse, margin in _preferences(q.kind, answer, item, report):
            chosen, rejected = str(candidates[better]), str(candidates[worse])
            report.records += 1
            if self.fmt == "reward-pairs":
                yield {
                    "chosen": [*messages, {"role": "assistant", "content": chosen}],
                    "rejected": [*messages, {"role": "assistant", "content": rejected}],
                    "margin": float(margin),
                }
            else:
                yield {
                    **self._prompt_and(messages, "chosen", chosen),
                    **self._prompt_and(messages, "rejected", rejected, prompt=False),
                }

    def _prompt_and(
        self, messages: list[dict[str, str]], key: str, text: str, prompt: bool = True
    ) -> dict[str, Any]:
        """``prompt`` and ``key`` in TRL's standard form (strings) for a text prompt, its
        conversational form (lists of messages) for a chat."""
        out: dict[str, Any] = {}
        if self.conversational:
            if prompt:
                out["prompt"] = messages
            out[key] = [{"role": "assistant", "content": text}]
        else:
            if prompt:
                out["prompt"] = messages[0]["content"]
            out[key] = text
        return out


def _preferences(
    kind: str, answer: dict[str, Any], item: Item, report: Report
) -> Iterator[tuple[int, int, float]]:
    """(better index, worse index, margin) of a pairwise or ranking answer; ties skipped and
    counted."""
    if kind == "pairwise":
        choice = answer.get("choice")
        if choice == "tie":
            report.skip("tie", item, "pairwise answer is a tie")
            return
        strength = answer.get("strength")
        margin = float(strength) if strength is not None else 1.0
        yield (0, 1, margin) if choice == "A" else (1, 0, margin)
        return
    order = answer.get("order") or []
    groups = [g if isinstance(g, list) else [g] for g in order]
    for gi, group in enumerate(groups):
        for a in range(len(group)):
            for b in range(a + 1, len(group)):
                report.skip("tie", item, f"items {group[a]} and {group[b]} share place {gi + 1}")
        for gj in range(gi + 1, len(groups)):
            for better in group:
                for worse in groups[gj]:
                    yield int(better), int(worse), float(gj - gi)


def _prompt(interface: Interface, options: TrainingOptions) -> Any:
    if options.prompt:
        return _named(interface, options.prompt, PROMPT_KINDS, "prompt")
    chats = [f for f in interface.fields if f.kind == "chat"]
    if chats:
        return _only(chats, "chat fields", "prompt=<field>", "")
    answer = options.response or "response"  # the response's field is not the prompt
    texts = [f for f in interface.fields if f.kind in ("text", "markdown") and f.name != answer]
    named = [f for f in texts if f.name == "prompt"]
    return _only(
        named or texts,
        "text fields",
        "prompt=<field>",
        "training records need a prompt: a chat field, or a text or markdown field "
        "(this project has none)",
    )


def _response(interface: Interface, options: TrainingOptions, *, required: bool, fmt: str) -> Any:
    if options.response:
        return _named(interface, options.response, ("text", "markdown"), "response")
    answers = [q for q in interface.questions if q.kind == "text"]
    if answers:
        return _only(answers, "text questions", "response=<question>", "")
    named = [f for f in interface.fields if f.name == "response" and f.kind in RESPONSE_FIELD_KINDS]
    if named:
        return named[0]
    if not required:
        return None  # the chat itself is the record
    raise TrainingError(
        f"{fmt} needs a response: a text question (what annotators write), or a text field "
        "named response (or name one with response=<question or field>); this project has "
        "neither"
    )


def _candidates(interface: Interface, options: TrainingOptions, fmt: str) -> Any:
    kinds = ("pairwise", "ranking")
    if options.question:
        q = _named(interface, options.question, kinds, "question")
    else:
        q = _only(
            [q for q in interface.questions if q.kind in kinds],
            "pairwise or ranking questions",
            "question=<name>",
            f"{fmt} needs a pairwise or ranking question whose target is a text_list field "
            "of the candidate responses; this project has none",
        )
    if getattr(q, "target", None) is None:
        raise TrainingError(
            f"{fmt}: question {q.name!r} has no target: its answers name no responses; it "
            "needs target: <a text_list field of the candidates>"
        )
    return q


def _judgement(interface: Interface, options: TrainingOptions) -> Any:
    kinds = ("rating", "choice")
    if options.question:
        q = _named(interface, options.question, kinds, "question")
    else:
        q = _only(
            [q for q in interface.questions if q.kind in kinds],
            "rating or choice questions",
            "question=<name>",
            "trl-kto needs a rating question (label: above the middle of the scale, or at "
            "least threshold=) or a choice question (label: one of desirable=); this project "
            "has neither",
        )
    if q.kind == "choice":
        values = {o.value for o in q.options}
        if not options.desirable:
            raise TrainingError(
                f"trl-kto from the choice question {q.name!r} needs desirable=<values>: the "
                f"options labelled true (of {', '.join(sorted(values))})"
            )
        unknown = [v for v in options.desirable if v not in values]
        if unknown:
            raise TrainingError(
                f"desirable: {', '.join(unknown)} is not an option of {q.name!r} "
                f"({', '.join(sorted(values))})"
            )
    return q
