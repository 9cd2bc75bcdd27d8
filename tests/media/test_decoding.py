"""The reason a decoder's failure gives a person, and a decoding's time budget."""

from __future__ import annotations

import io
import time

import av
import pytest

from accord.media.decoding import Deadline, reason


def test_a_reason_leaves_out_ffmpegs_error_number_and_the_servers_path() -> None:
    with pytest.raises(av.FFmpegError) as garbage:
        av.open(io.BytesIO(b"garbage" * 100))
    assert reason(garbage.value) == "Invalid data found when processing input"
    missing = FileNotFoundError(2, "No such file or directory", "/srv/accord/data/media/x.wav")
    assert reason(missing) == "No such file or directory"
    assert reason(ValueError("")) == "ValueError"
    assert len(reason(ValueError("x" * 500))) == 200


def test_a_deadline_raises_what_it_is_told_once_its_time_is_up() -> None:
    Deadline(60, lambda seconds: ValueError(f"over {seconds:g} s")).check()  # in time: nothing
    late = Deadline(0.001, lambda seconds: ValueError(f"over {seconds:g} s"))
    time.sleep(0.01)
    with pytest.raises(ValueError, match=r"over 0\.001 s"):
        late.check()
