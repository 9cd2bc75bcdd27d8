"""Label Studio labeling configs (XML) to Accord interfaces, and back (docs/labelstudio.md).

`read_config` turns a config into an interface dict (fields and questions) and a list of
problems: every tag or attribute whose meaning Accord cannot keep is named there (tag, name,
why), never dropped in silence. `to_xml` (`accord.formats.labelstudio_xml`, imported here)
writes the config of an Accord interface for the kinds that map back. Pure: no database, no
network.

The XML is parsed with the standard library's expat parser after refusing any document type
declaration (so no entity can expand) and any text above `MAX_BYTES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from accord.formats.labelstudio_xml import pairwise_objects, to_xml

__all__ = ["ConfigError", "Translation", "pairwise_objects", "read_config", "to_xml"]

MAX_BYTES = 1_000_000  # a real config is a few kilobytes
MAX_TAGS = 5_000
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
RESERVED = frozenset({"id", "predictions", "priority"})

# Object tags (what a task shows) -> Accord field kind.
OBJECTS = {
    "text": "text",
    "hypertext": "text",
    "image": "image",
    "audio": "audio",
    "audioplus": "audio",
    "video": "video",
    "paragraphs": "chat",
    "list": "text_list",
}
# Tags that only arrange or decorate: no meaning for the data or the answers.
LAYOUT = frozenset({"view", "header", "style", "filter", "collapse", "panel", "choice", "label"})
# Attributes that only change how things look or behave while labelling.
COSMETIC = frozenset(
    {
        "name",
        "toname",
        "value",
        "required",
        "choice",
        "showinline",
        "layout",
        "hotkey",
        "background",
        "selectedcolor",
        "fillcolor",
        "strokecolor",
        "strokewidth",
        "opacity",
        "zoom",
        "zoomcontrol",
        "rotatecontrol",
        "brightnesscontrol",
        "contrastcontrol",
        "showlabels",
        "granularity",
        "canrotate",
        "maxwidth",
        "width",
        "height",
        "size",
        "icon",
        "placeholder",
        "rows",
        "editable",
        "showsubmitbutton",
        "transcription",
        "smart",
        "smartonly",
        "snap",
        "pointsize",
        "pointstyle",
        "style",
        "classname",
        "selectionmode",
        "savetextresult",
        "encoding",
        "valuetype",
        "hint",
        "alias",
        "selected",
        "namekey",
        "textkey",
        "audiokey",
        "contextscroll",
        "sync",
        "title",
        "visiblewhen",
        "whentagname",
        "whenchoicevalue",
        "whenlabelvalue",
        "whenrole",
        "leadtime",
        "maxusages",
        "defaultvalue",
        "mode",
        "timeformat",
        "hotkeys",
        "sortedhighlightcolor",
        "inline",
        "crosshair",
        "horizontalalignment",
        "verticalalignment",
        "defaultzoom",
        "negativezoom",
        "decoder",
        "playerheight",
        "framerate",
        "muted",
        "autoplay",
        "showlabel",
        "showscore",
        "allowempty",
        "cursorsize",
        "cursorposition",
        "spellcheck",
        "skipduplicates",
        "maxsubmissions",
        "minsubmissions",
        "fontsize",
        "cols",
        "flatten",
        "leafsonly",
        "defaultzoomlevel",
        "volume",
        "speed",
        "waveheight",
        "mintwidth",
    }
)
LABEL_TAGS = {
    "rectanglelabels": "boxes",
    "rectangle": "boxes",
    "polygonlabels": "polygons",
    "polygon": "polygons",
    "keypointlabels": "points",
    "keypoint": "points",
}


@dataclass
class Translation:
    """What a Label Studio config becomes in Accord.

    ``interface``: the Accord interface (a dict `accord.kinds.interface.parse_interface`
    reads); ``problems``: one line per tag or attribute that could not be kept ("Tag 'name':
    why"); ``names``: Label Studio object/control names -> Accord field/question names, for
    every name (equal where nothing changed); ``data_keys``: Accord field name -> the key of
    Label Studio's task ``data`` it reads; ``objects``: Label Studio object name -> its tag
    (lower case) and attributes, which converting data and answers needs; ``notes``: what
    changed only in presentation (HyperText shown as text, conditional display); ``pairs``:
    the text_list fields made of the two texts a Pairwise compares (field -> their data keys).
    """

    interface: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    data_keys: dict[str, str] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # text_list fields made of two Label Studio texts a Pairwise compares: field -> data keys
    pairs: dict[str, tuple[str, str]] = field(default_factory=dict)


class ConfigError(ValueError):
    """The XML cannot be read at all (not XML, too large, a document type declaration)."""


def parse_xml(xml: str) -> ElementTree.Element:
    """The root element of ``xml``, refusing what could expand or exhaust memory."""
    if len(xml.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ConfigError(f"the labeling config is larger than {MAX_BYTES:,} bytes")
    upper = xml.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise ConfigError(
            "the labeling config has a document type declaration (<!DOCTYPE or <!ENTITY); "
            "remove it, a Label Studio config needs none"
        )
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise ConfigError(
            f"the labeling config is not well-formed XML at line {line}, column {column + 1}: {exc}"
        ) from None
    if sum(1 for _ in root.iter()) > MAX_TAGS:
        raise ConfigError(f"the labeling config has more than {MAX_TAGS:,} tags")
    return root


def _attrs(element: ElementTree.Element) -> dict[str, str]:
    return {key.lower(): value for key, value in element.attrib.items()}


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


class _Reader:
    def __init__(self) -> None:
        self.fields: list[dict[str, Any]] = []
        self.questions: list[dict[str, Any]] = []
        self.out = Translation(interface={})
        self.taken: set[str] = set()
        self.used: set[str] = set()  # objects a control other than Pairwise works on
        self.paired: set[str] = set()  # objects a Pairwise compares

    def problem(self, tag: str, name: str, why: str) -> None:
        self.out.problems.append(f"<{tag}> {name!r}: {why}")

    def unique(self, wanted: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_]", "_", wanted)[:60] or "x"
        if not NAME.match(base):
            base = f"x_{base}"[:60]
        name, n = base, 2
        while name in self.taken or name in RESERVED:
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name)
        return name

    # --- objects ---------------------------------------------------------------------------

    def read_object(self, element: ElementTree.Element, tag: str) -> None:
        attrs = _attrs(element)
        name = attrs.get("name", "")
        value = attrs.get("value", "")
        if not name:
            self.problem(element.tag, "", "has no name; Label Studio needs one too")
            return
        if not value.startswith("$") or not NAME.match(value[1:].split(".")[0] or "?"):
            self.problem(
                element.tag,
                name,
                f"value {value!r} is not a task data key ($key); only "
                "objects that read the task's data are imported",
            )
            return
        key = value[1:]
        if "." in key or "[" in key:
            self.problem(element.tag, name, f"value {value!r} reads inside a key; not supported")
            return
        accord = self.unique(key)
        kind = OBJECTS[tag]
        spec: dict[str, Any] = {"name": accord, "kind": kind}
        if tag == "hypertext":
            self.out.notes.append(f"<{element.tag}> {name!r}: shown as plain text, not as HTML")
        if tag == "paragraphs":
            self.out.notes.append(
                f"<{element.tag}> {name!r}: a chat field; each paragraph's "
                f"{attrs.get('namekey', 'author')!r} becomes role and "
                f"{attrs.get('textkey', 'text')!r} content"
            )
        self.fields.append(spec)
        self.out.names[name] = accord
        self.out.data_keys[accord] = key
        self.out.objects[name] = {"tag": tag, "attrs": attrs, "field": accord}
        self.unknown_attrs(element, attrs)

    def unknown_attrs(self, element: ElementTree.Element, attrs: dict[str, str]) -> None:
        for key in attrs:
            if key not in COSMETIC and key not in MEANING_KEPT:
                self.problem(
                    element.tag,
                    attrs.get("name", ""),
                    f"attribute {key!r} is not supported; it is left out",
                )

    # --- controls --------------------------------------------------------------------------

    def read_control(self, element: ElementTree.Element, tag: str) -> None:
        attrs = _attrs(element)
        name = attrs.get("name", "")
        if not name:
            self.problem(element.tag, "", "has no name; Label Studio needs one too")
            return
        targets = [t.strip() for t in attrs.get("toname", "").split(",") if t.strip()]
        known = [t for t in targets if t in self.out.objects]
        if not targets or len(known) != len(targets):
            missing = [t for t in targets if t not in self.out.objects] or ["(none)"]
            self.problem(
                element.tag,
                name,
                f"toName {', '.join(missing)} is not an object this config imports",
            )
            return
        if _truthy(attrs.get("perregion")):
            self.problem(
                element.tag,
                name,
                "perRegion (an answer per region) has no Accord "
                "equivalent; the question is left out",
            )
            return
        builder = BUILDERS.get(tag)
        spec = builder(self, element, attrs, known) if builder else None
        if spec is None:
            return
        spec["name"] = self.unique(name)
        if _truthy(attrs.get("required")):
            spec["required"] = True
        if attrs.get("visiblewhen") or attrs.get("whentagname"):
            self.out.notes.append(
                f"<{element.tag}> {name!r}: shown only under a condition in Label Studio; "
                "Accord shows it always"
            )
        self.questions.append(spec)
        self.out.names[name] = spec["name"]
        (self.paired if tag == "pairwise" else self.used).update(known)
        self.unknown_attrs(element, attrs)

    def target(self, known: list[str]) -> tuple[str, str]:
        obj = self.out.objects[known[0]]
        return obj["field"], obj["tag"]


def _options(element: ElementTree.Element, child: str) -> list[dict[str, str]]:
    options: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in element.iter():
        if item.tag.lower() != child:
            continue
        attrs = _attrs(item)
        value = attrs.get("alias") or attrs.get("value", "")
        if not value or value in seen:
            continue
        seen.add(value)
        option = {"value": value[:200]}
        if attrs.get("alias") and attrs.get("value") and attrs["value"] != value:
            option["label"] = attrs["value"][:500]
        if attrs.get("hint"):
            option["hint"] = attrs["hint"][:2000]
        options.append(option)
    return options


def _choices(
    reader: _Reader, element: ElementTree.Element, attrs: dict[str, str], known: list[str]
) -> dict[str, Any] | None:
    field_name, tag = reader.target(known)
    if attrs.get("value"):
        reader.problem(
            element.tag,
            attrs["name"],
            f"options read from the task's data "
            f"(value={attrs['value']!r}) are not supported; list each <Choice>",
        )
        return None
    options = _options(element, "choice")
    if not options:
        reader.problem(element.tag, attrs["name"], "has no <Choice>; nothing to ask")
        return None
    nested = any(
        item.tag.lower() == "choice" and any(c.tag.lower() == "choice" for c in item)
        for item in element.iter()
    )
    if nested:
        reader.problem(element.tag, attrs["name"], "nested choices are not supported")
        return None
    multiple = attrs.get("choice", "single").lower() == "multiple"
    spec: dict[str, Any] = {"kind": "image_class" if tag == "image" else "choice"}
    if tag == "image":
        spec["target"] = field_name
    spec["options"] = options
    if multiple:
        spec["multiple"] = True
        spec["min_choices"] = 0
    return spec


def _labels(
    reader: _Reader, element: ElementTree.Element, attrs: dict[str, str], known: list[str]
) -> dict[str, Any] | None:
    field_name, tag = reader.target(known)
    if tag != "text":
        why = (
            "spans over HTML (XPath offsets) are not supported"
            if tag == "hypertext"
            else f"labels on a <{tag}> object are not supported"
        )
        reader.problem(element.tag, attrs["name"], why)
        return None
    options = _options(element, "label")
    if not options:
        reader.problem(element.tag, attrs["name"], "has no <Label>; nothing to mark")
        return None
    if attrs.get("choice", "single").lower() == "multiple":
        reader.problem(
            element.tag,
            attrs["name"],
            'choice="multiple" (several labels on one '
            "span) is not supported: an Accord span has one label",
        )
        return None
    return {"kind": "spans", "target": field_name, "labels": options, "overlap": True}


def _shapes(
    reader: _Reader, element: ElementTree.Element, attrs: dict[str, str], known: list[str]
) -> dict[str, Any] | None:
    field_name, tag = reader.target(known)
    lower = element.tag.lower()
    if tag != "image":
        reader.problem(element.tag, attrs["name"], f"drawn on a <{tag}>; only images are supported")
        return None
    if lower.endswith("labels"):
        options = _options(element, "label")
        if not options:
            reader.problem(element.tag, attrs["name"], "has no <Label>; nothing to draw")
            return None
    else:
        options = [{"value": attrs["name"][:200]}]
        reader.out.notes.append(
            f"<{element.tag}> {attrs['name']!r}: unlabelled shapes take the label {attrs['name']!r}"
        )
    spec: dict[str, Any] = {"kind": LABEL_TAGS[lower], "target": field_name, "labels": options}
    if spec["kind"] == "boxes":
        spec["rotation"] = True
    if spec["kind"] == "polygons":
        spec["self_intersection"] = "allow"
    return spec


def _rating(
    reader: _Reader, element: ElementTree.Element, attrs: dict[str, str], known: list[str]
) -> dict[str, Any] | None:
    try:
        top = int(attrs.get("maxrating", "5"))
    except ValueError:
        reader.problem(
            element.tag, attrs["name"], f"maxRating {attrs['maxrating']!r} is not a whole number"
        )
        return None
    if top < 2:
        reader.problem(element.tag, attrs["name"], f"maxRating {top} leaves nothing to rate")
        return None
    return {"kind": "rating", "min": 1, "max": top}


def _number(
    reader: _Reader, element: ElementTree.Element, attrs: dict[str, str], known: list[str]
) -> dict[str, Any] | None:
    try:
        low = float(attrs["min"])
        high = float(attrs["max"])
        step = float(attrs.get("step", "1"))
    except (KeyError, ValueError):
        reader.problem(
            element.tag,
            attrs["name"],
            "a <Number> without whole-number min and "
            "max has no Accord equivalent (Accord's numbers are ratings on a scale)",
        )
        return None
    if not (low.is_integer() and high.is_integer() and high > low and step > 0):
        reader.problem(
            element.tag,
            attrs["name"],
            "min and max must be whole numbers, min below max, step above 0",
        )
        return None
    return {"kind": "rating", "min": int(low), "max": int(high), "step": step, "style": "scale"}


def _textarea(
    reader: _Reader, element: ElementTree.Element, attrs: dict[str, str], known: list[str]
) -> dict[str, Any] | None:
    spec: dict[str, Any] = {"kind": "text"}
    if attrs.get("placeholder"):
        spec["placeholder"] = attrs["placeholder"][:500]
    if attrs.get("rows") == "1":
        spec["multiline"] = False
    if attrs.get("maxsubmissions", "1") not in ("1", ""):
        reader.out.notes.append(
            f"<{element.tag}> {attrs['name']!r}: several submissions are joined by line breaks"
        )
    return spec


def _pairwise(
    reader: _Reader, element: ElementTree.Element, attrs: dict[str, str], known: list[str]
) -> dict[str, Any] | None:
    if len(known) != 2:
        reader.problem(
            element.tag, attrs["name"], f"compares exactly two objects; toName names {len(known)}"
        )
        return None
    objects = [reader.out.objects[name] for name in known]
    if any(obj["tag"] not in ("text", "hypertext") for obj in objects):
        reader.problem(
            element.tag,
            attrs["name"],
            "compares two <Text> objects; other objects are not supported",
        )
        return None
    keys = (reader.out.data_keys[objects[0]["field"]], reader.out.data_keys[objects[1]["field"]])
    pair = reader.unique(_pair_name(keys, attrs["name"]))
    reader.fields.append({"name": pair, "kind": "text_list", "min_items": 2, "max_items": 2})
    reader.out.pairs[pair] = keys
    return {"kind": "pairwise", "target": pair, "allow_tie": False, "max_strength": 1}


def _pair_name(keys: tuple[str, str], control: str) -> str:
    """``P`` for the keys ``P_a`` and ``P_b`` (what `to_xml` writes), else ``<control>_items``."""
    a, b = keys
    if a.endswith("_a") and b.endswith("_b") and a[:-2] == b[:-2] and a[:-2]:
        return a[:-2]
    return f"{control}_items"


def _ranker(
    reader: _Reader, element: ElementTree.Element, attrs: dict[str, str], known: list[str]
) -> dict[str, Any] | None:
    field_name, tag = reader.target(known)
    if tag != "list":
        reader.problem(element.tag, attrs["name"], "ranks a <List>; toName is not one")
        return None
    if any(item.tag.lower() == "bucket" for item in element.iter()):
        reader.problem(
            element.tag,
            attrs["name"],
            "buckets (sorting items into groups) are "
            "not supported; Accord ranks every item in one order",
        )
        return None
    return {"kind": "ranking", "target": field_name}


def _taxonomy(
    reader: _Reader, element: ElementTree.Element, attrs: dict[str, str], known: list[str]
) -> dict[str, Any] | None:
    nested = any(
        item.tag.lower() == "choice" and any(c.tag.lower() == "choice" for c in item)
        for item in element.iter()
    )
    if nested:
        reader.problem(
            element.tag,
            attrs["name"],
            "a taxonomy of several levels has no Accord "
            "equivalent (only a flat one becomes a multiple choice)",
        )
        return None
    options = _options(element, "choice")
    if not options:
        reader.problem(element.tag, attrs["name"], "has no <Choice>; nothing to ask")
        return None
    return {"kind": "choice", "options": options, "multiple": True, "min_choices": 0}


BUILDERS: dict[str, Any] = {
    "choices": _choices,
    "labels": _labels,
    "rectanglelabels": _shapes,
    "rectangle": _shapes,
    "polygonlabels": _shapes,
    "polygon": _shapes,
    "keypointlabels": _shapes,
    "keypoint": _shapes,
    "rating": _rating,
    "number": _number,
    "textarea": _textarea,
    "pairwise": _pairwise,
    "ranker": _ranker,
    "taxonomy": _taxonomy,
}
# Attributes whose meaning the translation keeps (beyond the cosmetic ones).
MEANING_KEPT = frozenset({"maxrating", "min", "max", "step", "perregion", "toname"})


def read_config(xml: str) -> Translation:
    """The Accord interface a Label Studio labeling config asks for, with every problem named.

    Raises `ConfigError` only when the text is not a readable config at all.
    """
    root = parse_xml(xml)
    reader = _Reader()
    elements = list(root.iter())
    for element in elements:  # objects first: controls may come before the object they name
        tag = element.tag.lower()
        if tag in OBJECTS:
            reader.read_object(element, tag)
    for element in elements:
        tag = element.tag.lower()
        if tag in OBJECTS or tag in LAYOUT:
            continue
        if tag in BUILDERS:
            reader.read_control(element, tag)
        elif not _inside_control(element, root):
            name = _attrs(element).get("name", "")
            reader.problem(element.tag, name, "this tag is not supported; it is left out")
    out = reader.out
    _fold_pairs(reader)
    out.interface = {"fields": reader.fields, "questions": reader.questions}
    if not reader.fields:
        out.problems.append("the config shows no object that reads task data ($key)")
    return out


def _fold_pairs(reader: _Reader) -> None:
    """The texts only a Pairwise shows live on in its text_list field alone."""
    for name in sorted(reader.paired - reader.used):
        obj = reader.out.objects.pop(name)
        reader.out.data_keys.pop(obj["field"], None)
        reader.out.names.pop(name, None)
        reader.fields = [f for f in reader.fields if f["name"] != obj["field"]]


def _inside_control(element: ElementTree.Element, root: ElementTree.Element) -> bool:
    """Whether ``element`` is an option of a control (a Choice under Taxonomy, a Bucket)."""
    return element.tag.lower() in ("bucket", "relation")
