"""``chat``: a conversation, a list of turns ``{"role": ..., "content": ...}``.

A turn may also carry ``name`` (who spoke) and clips (docs/audio.md, "Spoken dialogues"):
``audio`` and ``video``, each a media reference or object as the ``audio`` and ``video``
fields take (`accord.kinds.fields.audio.audio_problem`, `accord.kinds.fields.video.
video_problem`, both checking references with `accord.kinds.fields.image.reference_problem`).
The clips are signed when a browser reads the task (`accord.media.links`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from accord.kinds.base import DataCheck, FieldConfig, FieldKind, describe
from accord.kinds.fields.audio import audio_problem
from accord.kinds.fields.video import video_problem

TURN_KEYS = frozenset({"role", "content", "name", "audio", "video"})
CLIP_CHECKS = (("audio", audio_problem), ("video", video_problem))


class ChatField(FieldConfig):
    kind: Literal["chat"] = "chat"
    roles: list[str] | None = Field(
        default=None,
        description="Roles a turn may have (e.g. user, assistant, system); unset: any role.",
    )
    min_turns: int = Field(default=1, ge=0, description="Fewest turns a task may carry.")


class ChatKind(FieldKind[ChatField]):
    name = "chat"
    config = ChatField

    def data_check(self, config: ChatField) -> DataCheck:
        roles = frozenset(config.roles) if config.roles else None
        low = config.min_turns

        def check(value: Any) -> str | None:
            if type(value) is not list:
                return f"expected a list of turns, got {describe(value)}"
            if len(value) < low:
                return f"{len(value)} turns, fewer than the field's min_turns {low}"
            for i, turn in enumerate(value):
                problem = _turn_problem(turn, roles)
                if problem:
                    return f"turn [{i}]: {problem}"
            return None

        return check


def _turn_problem(turn: Any, roles: frozenset[str] | None) -> str | None:
    if type(turn) is not dict:
        return f'expected an object {{"role": ..., "content": ...}}, got {describe(turn)}'
    extra = set(turn) - TURN_KEYS
    if extra:
        return (
            f"unknown key {sorted(extra)[0]!r}; a turn has role, content and optionally name, "
            "audio and video"
        )
    role, content = turn.get("role"), turn.get("content")
    if type(role) is not str:
        return f"role: expected a string, got {describe(role)}"
    if roles is not None and role not in roles:
        return f"role {role!r} is not one of {sorted(roles)}"
    if type(content) is not str:
        return f"content: expected a string, got {describe(content)}"
    for key, problem_of in CLIP_CHECKS:
        if key in turn and (problem := problem_of(turn[key])):
            return f"{key}: {problem}"
    return None


KIND = ChatKind()
