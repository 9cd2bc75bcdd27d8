"""Make the Label Studio fixtures of tests/fixtures/labelstudio/ with Label Studio itself.

    python -m tools.labelstudio_fixtures [--out tests/fixtures/labelstudio]

Label Studio (the version of `bench.label_studio`, installed by it into bench/out/, started
offline) gets one project per case: text classification, NER, pairwise, ranking, rating, image
boxes and polygons. Each gets a few tasks, annotations by two people (the owner and an
annotator who signs up through the form), model predictions, and where it shows something a
draft or a skipped (cancelled) annotation, all through Label Studio's HTTP API. Its own JSON
exports are saved byte for byte beside the config (``<case>/config.xml``): the full one
(``<case>/export.json``, an export snapshot made as its Export dialog makes it: predictions and
drafts in full, authors with their emails) and the quick one (``<case>/export_quick.json``,
``GET /api/projects/{id}/export?exportType=JSON``: predictions and drafts as ids, authors as
user ids).

With ``--load-back DIR`` it goes the other way: Accord's Label Studio exports (``DIR/<case>/
export.json`` with ``config.xml``) are loaded into Label Studio (its import refuses any
annotation by an email it does not know: the owner and ``annotator@example.com`` exist) and
Label Studio's export of each is saved beside them as ``label_studio_export.json``.

The results posted are written here the way Label Studio's editor writes them (percent
coordinates with original_width/height, UTF-16 text offsets); Label Studio stores and exports
them. The images are tiny PNGs drawn here with numpy and PIL and uploaded through Label
Studio's own import, so their paths are Label Studio's (``/data/upload/...``).
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from bench.label_studio import (
    LabelStudio,
    ensure_installed,
    label_studio,
    make_template,
    sign_up,
)

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "labelstudio"
ANNOTATOR = "annotator@example.com"


def utf16(text: str, index: int) -> int:
    """The UTF-16 offset of code point ``index`` (what Label Studio's editor counts)."""
    return index + sum(1 for c in text[:index] if ord(c) >= 0x10000)


def region(
    rid: str, from_name: str, to_name: str, kind: str, value: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": from_name,
        "to_name": to_name,
        "type": kind,
        "value": value,
        "origin": "manual",
        **extra,
    }


# --- the cases ----------------------------------------------------------------------------


def text_classification() -> dict[str, Any]:
    config = """<View>
  <Header value="How does the review feel?"/>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single" required="true">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
    <Choice value="Neutral"/>
  </Choices>
  <Choices name="topics" toName="text" choice="multiple">
    <Choice value="price"/>
    <Choice value="service"/>
    <Choice value="food"/>
  </Choices>
</View>"""
    texts = ["Great food, friendly staff.", "Too expensive for what it is.", "It was fine."]

    def answer(i: int, who: int) -> list[dict[str, Any]]:
        feel = ["Positive", "Negative", "Neutral"][(i + who) % 3 if who else i]
        topics = [["food", "service"], ["price"], []][i]
        out = [region(f"s{i}{who}", "sentiment", "text", "choices", {"choices": [feel]})]
        if topics:
            out.append(region(f"t{i}{who}", "topics", "text", "choices", {"choices": topics}))
        return out

    return {
        "config": config,
        "tasks": [{"text": t} for t in texts],
        "answer": answer,
        "predict": lambda i: answer(i, 0),
        "cancel": 2,
        "draft": 1,
    }


NER_TEXTS = [
    "Ada Lovelace worked with Charles Babbage in London.",
    "Grace Hopper 🚀 joined the Navy and later Remington Rand.",
]
NER_SPANS = [
    [(0, 12, "PER"), (25, 40, "PER"), (44, 50, "LOC")],
    [(0, 12, "PER"), (26, 30, "ORG"), (41, 55, "ORG")],
]


def ner() -> dict[str, Any]:
    config = """<View>
  <Labels name="label" toName="text">
    <Label value="PER" background="red"/>
    <Label value="ORG" background="darkorange"/>
    <Label value="LOC" background="orange"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>"""

    def answer(i: int, who: int) -> list[dict[str, Any]]:
        text = NER_TEXTS[i]
        spans = NER_SPANS[i] if who == 0 else NER_SPANS[i][:1]
        return [
            region(
                f"n{i}{who}{k}",
                "label",
                "text",
                "labels",
                {
                    "start": utf16(text, s),
                    "end": utf16(text, e),
                    "text": text[s:e],
                    "labels": [label],
                },
            )
            for k, (s, e, label) in enumerate(spans)
        ]

    return {
        "config": config,
        "tasks": [{"text": t} for t in NER_TEXTS],
        "answer": answer,
        "predict": lambda i: answer(i, 0),
    }


def pairwise() -> dict[str, Any]:
    config = """<View>
  <Header value="Which answer is better?"/>
  <Text name="prompt" value="$prompt"/>
  <Pairwise name="comparison" toName="answer_a,answer_b" required="true"/>
  <Text name="answer_a" value="$answer_a"/>
  <Text name="answer_b" value="$answer_b"/>
</View>"""
    tasks = [
        {"prompt": "Name a fruit.", "answer_a": "An apple.", "answer_b": "A car."},
        {"prompt": "2 + 2?", "answer_a": "5", "answer_b": "4"},
    ]

    def answer(i: int, who: int) -> list[dict[str, Any]]:
        side = ["left", "right"][i] if who == 0 else "left"
        return [region(f"p{i}{who}", "comparison", "comparison", "pairwise", {"selected": side})]

    return {"config": config, "tasks": tasks, "answer": answer, "predict": lambda i: answer(i, 0)}


def ranking() -> dict[str, Any]:
    config = """<View>
  <Text name="prompt" value="$prompt"/>
  <List name="answers" value="$items" title="Responses"/>
  <Ranker name="rank" toName="answers"/>
</View>"""
    tasks = [
        {
            "prompt": "Describe the sea.",
            "items": [
                {"id": "r1", "title": "model-a", "body": "Blue and wide."},
                {"id": "r2", "title": "model-b", "body": "Salty water covering most of Earth."},
                {"id": "r3", "title": "model-c", "body": "Wet."},
            ],
        },
        {
            "prompt": "Say hello.",
            "items": [
                {"id": "h1", "title": "model-a", "body": "Hello!"},
                {"id": "h2", "title": "model-b", "body": "Hi there."},
            ],
        },
    ]
    orders = [[["r2", "r1", "r3"], ["r1", "r2", "r3"]], [["h1", "h2"], ["h2", "h1"]]]

    def answer(i: int, who: int) -> list[dict[str, Any]]:
        return [
            region(f"k{i}{who}", "rank", "answers", "ranker", {"ranker": {"rank": orders[i][who]}})
        ]

    return {"config": config, "tasks": tasks, "answer": answer, "predict": lambda i: answer(i, 1)}


def rating() -> dict[str, Any]:
    config = """<View>
  <Text name="text" value="$text"/>
  <Rating name="quality" toName="text" maxRating="5" icon="star" size="medium"/>
  <TextArea name="comment" toName="text" rows="2" maxSubmissions="1"/>
</View>"""
    texts = ["The summary covers every point.", "The summary misses the conclusion."]

    def answer(i: int, who: int) -> list[dict[str, Any]]:
        stars = [5, 2][i] - who
        out = [region(f"q{i}{who}", "quality", "text", "rating", {"rating": stars})]
        if who == 0:
            out.append(
                region(
                    f"c{i}{who}",
                    "comment",
                    "text",
                    "textarea",
                    {"text": [["Complete.", "Misses the end."][i]]},
                )
            )
        return out

    return {
        "config": config,
        "tasks": [{"text": t} for t in texts],
        "answer": answer,
        "predict": lambda i: answer(i, 0)[:1],
    }


IMAGE_SIZES = [(64, 48), (40, 40)]


def image_shapes() -> dict[str, Any]:
    config = """<View>
  <Image name="image" value="$image" zoom="true"/>
  <RectangleLabels name="box" toName="image">
    <Label value="square" background="green"/>
    <Label value="disc" background="blue"/>
  </RectangleLabels>
  <PolygonLabels name="outline" toName="image" strokeWidth="2">
    <Label value="triangle" background="red"/>
  </PolygonLabels>
</View>"""

    def answer(i: int, who: int) -> list[dict[str, Any]]:
        width, height = IMAGE_SIZES[i]
        size = {"original_width": width, "original_height": height, "image_rotation": 0}
        shift = 0.0 if who == 0 else 1.5
        boxes = [
            region(
                f"b{i}{who}0",
                "box",
                "image",
                "rectanglelabels",
                {
                    "x": 12.5 + shift,
                    "y": 25.0,
                    "width": 25.0,
                    "height": 33.33333333333333,
                    "rotation": 0,
                    "rectanglelabels": ["square"],
                },
                **size,
            ),
            region(
                f"b{i}{who}1",
                "box",
                "image",
                "rectanglelabels",
                {
                    "x": 50.0,
                    "y": 10.0,
                    "width": 20.0,
                    "height": 30.0,
                    "rotation": 30,
                    "rectanglelabels": ["disc"],
                },
                **size,
            ),
            region(
                f"g{i}{who}0",
                "outline",
                "image",
                "polygonlabels",
                {
                    "points": [[60.0, 80.0], [90.0, 80.0], [75.0 + shift, 55.0]],
                    "closed": True,
                    "polygonlabels": ["triangle"],
                },
                **size,
            ),
        ]
        return boxes

    def predict(i: int) -> list[dict[str, Any]]:
        out = answer(i, 0)[:1]
        out[0] = out[0] | {"score": 0.91}
        return out

    return {"config": config, "images": IMAGE_SIZES, "answer": answer, "predict": predict}


CASES: dict[str, Callable[[], dict[str, Any]]] = {
    "text_classification": text_classification,
    "ner": ner,
    "pairwise": pairwise,
    "ranking": ranking,
    "rating": rating,
    "image_shapes": image_shapes,
}


# --- driving Label Studio -----------------------------------------------------------------


def png(width: int, height: int, seed: int) -> bytes:
    """A tiny picture: a square, a disc and a triangle on a plain ground."""
    rng = np.random.default_rng(seed)
    pixels = np.full((height, width, 3), 230, dtype=np.uint8)
    pixels[height // 4 : height // 4 + height // 3, width // 8 : width // 8 + width // 4] = (
        rng.integers(0, 120, 3, dtype=np.uint8)
    )
    yy, xx = np.mgrid[:height, :width]
    disc = (xx - width * 0.6) ** 2 + (yy - height * 0.25) ** 2 < (min(width, height) * 0.12) ** 2
    pixels[disc] = (20, 40, 200)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def make_case(
    server: LabelStudio, annotator_token: str, name: str, case: dict[str, Any], out: Path
) -> None:
    with server.client() as http, server.client(annotator_token) as other:
        got = http.post("/api/projects/", json={"title": name, "label_config": case["config"]})
        got.raise_for_status()
        project = int(got.json()["id"])
        if "images" in case:
            for i, (w, h) in enumerate(case["images"]):
                files = {"file": (f"shape{i}.png", png(w, h, i), "image/png")}
                http.post(f"/api/projects/{project}/import", files=files).raise_for_status()
        else:
            body = json.dumps([{"data": data} for data in case["tasks"]]).encode()
            http.post(
                f"/api/projects/{project}/import",
                files={"file": ("tasks.json", body, "application/json")},
            ).raise_for_status()
        tasks = http.get("/api/tasks/", params={"project": project, "page_size": 100})
        tasks.raise_for_status()
        ids = sorted(t["id"] for t in tasks.json()["tasks"])
        for i, task_id in enumerate(ids):
            for who, client in enumerate((http, other)):
                cancelled = case.get("cancel") == i and who == 1
                annotation = {
                    "result": [] if cancelled else case["answer"](i, who),
                    "lead_time": 10.5 + i + who,
                    "was_cancelled": cancelled,
                }
                client.post(
                    f"/api/tasks/{task_id}/annotations/", json=annotation
                ).raise_for_status()
            http.post(
                "/api/predictions/",
                json={
                    "task": task_id,
                    "result": case["predict"](i),
                    "score": 0.8 - 0.1 * i,
                    "model_version": "fixture-model-1",
                },
            ).raise_for_status()
            if case.get("draft") == i:
                other.post(
                    f"/api/tasks/{task_id}/drafts",
                    json={"result": case["answer"](i, 1), "lead_time": 3.0},
                ).raise_for_status()
        export = _snapshot(http, project)
        quick = http.get(
            f"/api/projects/{project}/export",
            params={"exportType": "JSON", "download_all_tasks": "true"},
        )
        quick.raise_for_status()
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.xml").write_text(case["config"] + "\n")
    (folder / "export.json").write_bytes(export)
    (folder / "export_quick.json").write_bytes(quick.content)
    print(f"{name}: {len(json.loads(export))} tasks -> {folder}", flush=True)


def _snapshot(http: Any, project: int) -> bytes:
    """Label Studio's full JSON export (an export snapshot, what its Export dialog makes):
    predictions and drafts in full, each annotation's author with their email."""
    options = {
        "title": "fixture",
        "task_filter_options": {"only_with_annotations": False},
        "annotation_filter_options": {"usual": True, "skipped": True, "ground_truth": True},
        "serialization_options": {
            "drafts": {"only_id": False},
            "predictions": {"only_id": False},
            "annotations__completed_by": {"only_id": False},
        },
    }
    made = http.post(f"/api/projects/{project}/exports/", json=options)
    made.raise_for_status()
    snapshot = int(made.json()["id"])
    got = http.get(
        f"/api/projects/{project}/exports/{snapshot}/download", params={"exportType": "JSON"}
    )
    got.raise_for_status()
    return bytes(got.content)


def load_back(server: LabelStudio, folder: Path) -> None:
    """Load each ``<case>/export.json`` of ``folder`` (Accord's ``--format labelstudio``) into a
    new Label Studio project made with ``<case>/config.xml`` (``accord projects
    labelstudio-config``), and save Label Studio's own export of it as
    ``<case>/label_studio_export.json``: the way back, checked by Label Studio itself."""
    with server.client() as http:
        for case in sorted(p for p in folder.iterdir() if (p / "config.xml").exists()):
            made = http.post(
                "/api/projects/",
                json={"title": case.name, "label_config": (case / "config.xml").read_text()},
            )
            made.raise_for_status()
            project = int(made.json()["id"])
            body = (case / "export.json").read_bytes()
            got = http.post(
                f"/api/projects/{project}/import",
                files={"file": ("tasks.json", body, "application/json")},
            )
            got.raise_for_status()
            (case / "label_studio_export.json").write_bytes(_snapshot(http, project))
            found = got.json()
            print(
                f"{case.name}: Label Studio imported {found['task_count']} tasks, "
                f"{found['annotation_count']} annotations, {found['prediction_count']} "
                "predictions",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument(
        "--load-back",
        type=Path,
        default=None,
        help="instead: load Accord's Label Studio exports (DIR/<case>/export.json and "
        "config.xml) into Label Studio and save its export of each beside them",
    )
    args = parser.parse_args()
    ensure_installed()
    with tempfile.TemporaryDirectory(prefix="accord-ls-fixtures-") as tmp:
        template, token, _ = make_template(Path(tmp))
        with label_studio(template, token) as server:
            annotator = sign_up(server, ANNOTATOR)
            if args.load_back is not None:
                load_back(server, args.load_back)
                return
            for name in args.only.split(","):
                make_case(server, annotator, name, CASES[name](), args.out)
    print(f"fixtures written under {args.out}")


if __name__ == "__main__":
    main()
