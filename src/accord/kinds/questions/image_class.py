"""``image_class``: labels for a whole image, exactly like ``choice`` but shown over an image.

``{"choice": "cat"}``, or ``{"choices": ["cat", "outdoor"]}`` with ``multiple: true``; the
question names the image field it is about with ``target``. Checks, distance (0/1 for one pick,
Jaccard for several) and consensus (majority vote; per option for several) are the ``choice``
kind's (`accord.kinds.questions.choice`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from accord.kinds.questions.choice import ChoiceKind, ChoiceQuestion


class ImageClassQuestion(ChoiceQuestion):
    kind: Literal["image_class"] = "image_class"  # type: ignore[assignment]
    target: str = Field(description="The image field the labels are about.")


class ImageClassKind(ChoiceKind):
    name = "image_class"
    config: type[ChoiceQuestion] = ImageClassQuestion
    targets = frozenset({"image"})
    target_required = True


KIND = ImageClassKind()
