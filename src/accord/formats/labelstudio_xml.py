"""Accord interfaces to Label Studio labeling configs (XML): `to_xml` (docs/labelstudio.md).

The reverse of `accord.formats.labelstudio_config.read_config` for the kinds Label Studio has a
tag for: reading the XML it writes gives the same interface back. Pure.
"""

from __future__ import annotations

from typing import Any

from accord.kinds.interface import Interface


def _xml_attr(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _tag(name: str, attrs: dict[str, str], children: list[str] | None = None) -> str:
    text = " ".join(f'{key}="{_xml_attr(value)}"' for key, value in attrs.items())
    if not children:
        return f"<{name} {text}/>"
    inner = "\n".join("    " + child for child in children)
    return f"<{name} {text}>\n{inner}\n  </{name}>"


def pairwise_objects(field_name: str) -> tuple[str, str]:
    """The two Label Studio Text objects (and data keys) a pairwise over a text_list shows."""
    return f"{field_name}_a", f"{field_name}_b"


def to_xml(interface: Interface) -> str:
    """The Label Studio labeling config of ``interface``; questions of kinds Label Studio has no
    tag for are named in an XML comment at the end (export writes no answer for them)."""
    lines: list[str] = []
    skipped: list[str] = []
    objects = {f.name: f.kind for f in interface.fields}
    pair_targets = {
        getattr(q, "target", None) for q in interface.questions if q.kind == "pairwise"
    } - {None}
    for f in interface.fields:
        lines.extend(_object_xml(f.name, f.kind, f.name in pair_targets))
    for q in interface.questions:
        line = _question_xml(q, objects)
        if line is None:
            skipped.append(f"{q.name} ({q.kind})")
        else:
            lines.append(line)
    body = "\n  ".join(lines)
    tail = f"\n  <!-- not in Label Studio: {', '.join(skipped)} -->" if skipped else ""
    return f"<View>\n  {body}{tail}\n</View>\n"


def _object_xml(name: str, kind: str, pair: bool) -> list[str]:
    if kind in ("text", "markdown"):
        return [_tag("Text", {"name": name, "value": f"${name}"})]
    if kind == "image":
        return [_tag("Image", {"name": name, "value": f"${name}"})]
    if kind == "audio":
        return [_tag("Audio", {"name": name, "value": f"${name}"})]
    if kind == "video":
        return [_tag("Video", {"name": name, "value": f"${name}"})]
    if kind == "chat":
        return [
            _tag(
                "Paragraphs",
                {
                    "name": name,
                    "value": f"${name}",
                    "layout": "dialogue",
                    "nameKey": "role",
                    "textKey": "content",
                },
            )
        ]
    if kind == "text_list" and pair:
        a, b = pairwise_objects(name)
        return [
            _tag("Text", {"name": a, "value": f"${a}"}),
            _tag("Text", {"name": b, "value": f"${b}"}),
        ]
    return [_tag("List", {"name": name, "value": f"${name}"})]


def _options_xml(child: str, options: list[Any]) -> list[str]:
    out = []
    for option in options:
        attrs = {"value": option.label or option.value}
        if option.label:
            attrs["alias"] = option.value
        if option.hint:
            attrs["hint"] = option.hint
        out.append(_tag(child, attrs))
    return out


def _question_xml(q: Any, objects: dict[str, str]) -> str | None:
    base = {"name": q.name}
    required = {"required": "true"} if q.required else {}
    first_text = next((n for n, k in objects.items() if k in ("text", "markdown")), None)
    target = getattr(q, "target", None) or first_text or next(iter(objects))
    if q.kind in ("choice", "image_class"):
        attrs = base | {"toName": target, "choice": "multiple" if q.multiple else "single"}
        return _tag("Choices", attrs | required, _options_xml("Choice", q.options))
    if q.kind == "spans":
        return _tag(
            "Labels", base | {"toName": q.target} | required, _options_xml("Label", q.labels)
        )
    shape_tags = {
        "boxes": "RectangleLabels",
        "polygons": "PolygonLabels",
        "points": "KeyPointLabels",
    }
    if q.kind in shape_tags:
        return _tag(
            shape_tags[q.kind],
            base | {"toName": q.target} | required,
            _options_xml("Label", q.labels),
        )
    if q.kind == "rating":
        if q.min == 1 and q.step == 1 and q.style == "stars":
            return _tag("Rating", base | {"toName": target, "maxRating": str(q.max)} | required)
        return _tag(
            "Number",
            base
            | {"toName": target, "min": str(q.min), "max": str(q.max), "step": f"{q.step:g}"}
            | required,
        )
    if q.kind == "text":
        attrs = base | {"toName": target, "maxSubmissions": "1", "editable": "true"}
        return _tag("TextArea", attrs | required)
    if q.kind == "pairwise":
        if q.target is not None:
            a, b = pairwise_objects(q.target)
            return _tag("Pairwise", base | {"toName": f"{a},{b}"} | required)
        texts = [n for n, k in objects.items() if k in ("text", "markdown")][:2]
        if len(texts) != 2:
            return None
        return _tag("Pairwise", base | {"toName": ",".join(texts)} | required)
    if q.kind == "ranking" and q.target is not None and not q.ties:
        return _tag("Ranker", base | {"toName": q.target} | required)
    return None
