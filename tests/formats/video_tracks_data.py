"""A project with box, polygon and point ``tracks`` questions, an answer that exercises what
CVAT video XML and YouTube-VIS carry (rotation, attributes fixed and mutable, occlusion,
outside keyframes, polygons whose vertex count changes), and a CVAT-made file."""

from __future__ import annotations

from typing import Any

WIDTH, HEIGHT, FRAMES = 320, 240, 20
INTERFACE: dict[str, Any] = {
    "fields": [{"name": "clip", "kind": "video"}],
    "questions": [
        {
            "name": "cars",
            "kind": "tracks",
            "target": "clip",
            "shape": "box",
            "rotation": True,
            "labels": ["car", "person"],
            "attributes": [
                {"name": "color", "type": "choice", "options": ["red", "blue"]},
                {"name": "moving", "type": "choice", "options": ["yes", "no"], "mutable": True},
                {"name": "speed", "type": "number", "mutable": True},
            ],
        },
        {
            "name": "lanes",
            "kind": "tracks",
            "target": "clip",
            "shape": "polygon",
            "labels": ["lane"],
        },
        {"name": "heads", "kind": "tracks", "target": "clip", "shape": "point", "labels": ["head"]},
    ],
}


def answer() -> dict[str, Any]:
    """Tracks in their shortest form (a keyframe lists only the attributes it changes)."""
    return {
        "cars": {
            "tracks": [
                {
                    "id": "t1",
                    "label": "car",
                    "attributes": {"color": "red"},
                    "keyframes": [
                        {"frame": 0, "x": 10, "y": 20, "w": 30, "h": 40,
                         "attributes": {"moving": "yes", "speed": 1.5}},
                        {"frame": 6, "x": 30.1, "y": 20, "w": 30.2, "h": 40, "occluded": True},
                        {"frame": 9, "outside": True},
                        {"frame": 12, "x": 5, "y": 5, "w": 10, "h": 10, "rotation": 15,
                         "attributes": {"moving": "no"}},
                    ],
                },
                {
                    "id": "t3",
                    "label": "person",
                    "keyframes": [
                        {"frame": 3, "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.7},
                        {"frame": 5, "outside": True},
                    ],
                },
            ]
        },
        "lanes": {
            "tracks": [
                {
                    "id": "t2",
                    "label": "lane",
                    "keyframes": [
                        {"frame": 0, "points": [[0, 0], [10, 0], [10, 10]]},
                        {"frame": 6, "points": [[0, 0], [10, 0], [10, 10], [0, 10]]},
                        {"frame": 9, "outside": True},
                    ],
                }
            ]
        },
        "heads": {
            "tracks": [
                {"id": "t0", "label": "head",
                 "keyframes": [{"frame": 2, "x": 1, "y": 1}, {"frame": 4, "x": 3.3, "y": 1}]}
            ]
        },
    }  # fmt: skip


def cvat_file(name: str = "clip", frames: int = FRAMES, extra: str = "") -> str:
    """A file as CVAT writes it: every frame, two decimals, keyframe flags; track 0 moves 1 px
    a frame from frame 0 to 3 and stops at 4 (outside), track 5 has a row CVAT interpolated
    that a person then moved without marking it (kept), and an occlusion change."""
    rows = []
    for frame in range(4):
        key = int(frame in (0, 3))
        rows.append(
            f'<box frame="{frame}" keyframe="{key}" outside="0" occluded="0" '
            f'xtl="{10 + frame / 3:.2f}" ytl="20.00" xbr="{40 + frame / 3:.2f}" ybr="60.00" '
            'z_order="0"><attribute name="color">blue</attribute>'
            '<attribute name="moving">yes</attribute><attribute name="notes">x</attribute></box>'
        )
    rows.append(
        '<box frame="4" keyframe="1" outside="1" occluded="0" xtl="11.00" ytl="20.00" '
        'xbr="41.00" ybr="60.00" z_order="0"></box>'
    )
    second = [
        '<points frame="0" keyframe="1" outside="0" occluded="0" points="1.00,1.00" z_order="0"/>',
        '<points frame="1" keyframe="0" outside="0" occluded="0" points="2.00,1.00" z_order="0"/>',
        '<points frame="2" keyframe="0" outside="0" occluded="0" points="9.00,1.00" z_order="0"/>',
        '<points frame="3" keyframe="0" outside="0" occluded="1" points="4.00,1.00" z_order="0"/>',
        '<points frame="4" keyframe="1" outside="0" occluded="1" points="5.00,1.00" z_order="0"/>',
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n<version>1.1</version>\n'
        f"<meta><task><id>4</id><name>{name}</name><size>{frames}</size><mode>interpolation</mode>"
        "<overlap>5</overlap><start_frame>0</start_frame><stop_frame>19</stop_frame>"
        "<frame_filter></frame_filter><labels><label><name>car</name></label></labels>"
        f"<original_size><width>{WIDTH}</width><height>{HEIGHT}</height></original_size>"
        f"</task><dumped>2024-01-01</dumped><source>{name}.mp4</source></meta>\n"
        f'<track id="0" label="car" source="manual">\n{chr(10).join(rows)}\n</track>\n'
        f'<track id="5" label="head" source="manual">\n{chr(10).join(second)}\n</track>\n'
        '<track id="7" label="road" source="manual"><box frame="0" keyframe="1" outside="0" '
        'occluded="0" xtl="1" ytl="1" xbr="2" ybr="2"/></track>\n'
        '<track id="8" label="car" source="manual"><polyline frame="0" keyframe="1" outside="0" '
        'occluded="0" points="1,1;2,2"/></track>\n'
        f"{extra}</annotations>\n"
    )
