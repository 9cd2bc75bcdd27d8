"""The ``chat`` field kind: a list of turns with a role and content."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.kinds import FIELD_KINDS
from tests.kinds.fuzz import field, near

KIND = FIELD_KINDS["chat"]

CHAT = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": "Hello!", "name": "bot"},
]


def test_accepts_a_chat() -> None:
    assert KIND.data_check(field("chat"))(CHAT) is None


def test_roles_restrict_turns() -> None:
    check = KIND.data_check(field("chat", roles=["user", "assistant"]))
    assert check(CHAT) == "turn [0]: role 'system' is not one of ['assistant', 'user']"
    assert check(CHAT[1:]) is None


def test_min_turns() -> None:
    check = KIND.data_check(field("chat", min_turns=4))
    assert check(CHAT) == "3 turns, fewer than the field's min_turns 4"
    assert KIND.data_check(field("chat", min_turns=0))([]) is None


def test_turn_problems_say_which_turn() -> None:
    check = KIND.data_check(field("chat"))
    assert check([{"role": "user"}]) == "turn [0]: content: expected a string, got null"
    assert check([{"role": 1, "content": "x"}]) == "turn [0]: role: expected a string, got a number"
    assert check([CHAT[0], "hi"]) == (
        'turn [1]: expected an object {"role": ..., "content": ...}, got a string'
    )
    assert check([{"role": "user", "content": "x", "at": 1}]) == (
        "turn [0]: unknown key 'at'; a turn has role, content and optionally name, audio and video"
    )
    assert check({"role": "user"}) == "expected a list of turns, got an object"


def test_turns_carry_audio_and_video_clips() -> None:
    check = KIND.data_check(field("chat"))
    spoken = [
        {"role": "user", "content": "", "audio": "s3://bucket/q.wav"},
        {
            "role": "assistant",
            "content": "Sure.",
            "audio": {"src": "file:///m/a.wav", "duration": 2},
        },
        {
            "role": "user",
            "content": "Look",
            "video": {"src": "https://cdn.example/v.mp4", "fps": 25},
        },
    ]
    assert check(spoken) is None


def test_a_bad_clip_is_refused_with_its_turn_and_key() -> None:
    check = KIND.data_check(field("chat"))
    assert check([CHAT[1], {"role": "user", "content": "", "audio": "q.wav"}]) == (
        "turn [1]: audio: 'q.wav' is not a media reference; use s3://bucket/key, "
        "file:///abs/path (inside the storage's media/ folder) or http(s)://host/path"
    )
    assert check([{"role": "user", "content": "", "video": {"src": "s3://b/v.mp4", "fps": 0}}]) == (
        "turn [0]: video: fps: expected a positive number of frames a second, got a number"
    )
    assert check([{"role": "user", "content": "", "audio": {"duration": 3}}]) == (
        "turn [0]: audio: src: missing; give the media reference"
    )
    assert check([{"role": "user", "content": "", "audio": 3}]).startswith(
        "turn [0]: audio: expected a media reference"
    )


turns = st.lists(
    near(
        st.fixed_dictionaries(
            {"role": near(st.sampled_from(["user", "assistant"])), "content": near(st.text())}
        )
    ),
    max_size=4,
)


@settings(max_examples=200, deadline=None)
@given(near(turns))
def test_any_json_gets_none_or_a_reason(value: Any) -> None:
    result = KIND.data_check(field("chat", roles=["user", "assistant"]))(value)
    assert result is None or isinstance(result, str)
