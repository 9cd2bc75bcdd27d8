"""Exports in the image formats (COCO, YOLO, Pascal VOC), streamed from one snapshot.

Each task is one image of the dataset, with one set of shapes: with ``final``, its final
answer (`accord.jobs.final_answers`: adjudicated, else consensus, else its one annotation;
complete tasks only); otherwise its latest annotation among those the filters keep (the one
updated last). A task with no such annotation is an image without objects (a negative), left
out when the export is filtered by annotator or date.

The writers (`accord.formats.coco`, `.yolo`, `.voc`) stream: rows are read from the database
as they are written. With ``with_media`` each image is read from the storage (or its bucket)
and bundled into the zip, upright: a photo whose EXIF orientation turns it is written with its
pixels turned and without the tag, so that the coordinates, which are in the turned image,
match the pixels whatever reads them. An image that cannot be read stops the export with its
task and reason.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection

from accord.db import Database
from accord.errors import Invalid, NotFound, StorageMissing
from accord.formats.coco import coco_chunks
from accord.formats.shapes import SPLITS, DatasetError, ImageRow, ImageSchema, Names, image_name
from accord.formats.voc import voc_chunks
from accord.formats.yolo import yolo_chunks
from accord.formats.zipped import ZipStream
from accord.jobs.export_lines import ExportFilter, _Sql, annotation_sql, close_readers, status_sql
from accord.models import Project
from accord.queries.projects import interface_of
from accord.settings import Settings

IMAGE_FORMATS = ("coco", "yolo", "voc")
MEDIA_TYPES = {"coco": "application/json", "zip": "application/zip"}
COCO_IN_ZIP = "annotations/instances.json"


def suffix(fmt: str, with_media: bool) -> str:
    """The export file's ending: ``coco.json`` (``coco.zip`` with the images), ``yolo.zip``,
    ``voc.zip``."""
    return "coco.json" if fmt == "coco" and not with_media else f"{fmt}.zip"


def media_type(fmt: str, with_media: bool) -> str:
    return MEDIA_TYPES["coco" if suffix(fmt, with_media).endswith(".json") else "zip"]


def schema_of(project: Project) -> ImageSchema:
    """The project's image schema, or `Invalid` saying why it has none."""
    try:
        return ImageSchema.of(interface_of(project))
    except DatasetError as exc:
        raise Invalid(str(exc), details={"field": "format"}) from None


def export_images(
    db: Database,
    project: Project,
    fmt: str,
    flt: ExportFilter,
    *,
    final: bool = False,
    with_media: bool = False,
    settings: Settings | None = None,
    spool_dir: Path | None = None,
) -> Iterator[bytes]:
    """The export's bytes (see the module)."""
    from accord.jobs.exports import snapshot

    schema = schema_of(project)
    conn = snapshot(db)
    source = image_rows(conn, project, schema, flt, final=final)
    try:
        rows: Iterator[ImageRow] = source
        if with_media:
            if settings is None:
                raise ValueError("bundling the images needs the settings (where the storage is)")
            rows = (bundled(settings, row) for row in rows)
        try:
            if fmt == "coco":
                if with_media:
                    yield from _coco_zip(schema, rows, spool_dir)
                else:
                    yield from coco_chunks(schema, rows, spool_dir=spool_dir)
            elif fmt == "yolo":
                yield from yolo_chunks(schema, rows)
            else:
                yield from voc_chunks(schema, rows)
        except DatasetError as exc:
            raise Invalid(str(exc), details={"field": "format"}) from None
    finally:
        # An export stopped early (a client gone, a bad row) still closes its cursors
        # (PostgreSQL's named ones) before their connection, not whenever they are collected.
        source.close()
        close_readers(conn)


def _coco_zip(
    schema: ImageSchema, rows: Iterator[ImageRow], spool_dir: Path | None
) -> Iterator[bytes]:
    """The images, each added to the zip as its row passes, then the COCO JSON (spooled to a
    file meanwhile) as ``annotations/instances.json``."""
    stream = ZipStream()

    def passing() -> Iterator[ImageRow]:
        for row in rows:
            yield row
            if row.content is not None:
                stream.add(f"images/{row.name}", row.content)
                row.content = None

    with tempfile.TemporaryFile(dir=spool_dir) as spool:
        for chunk in coco_chunks(schema, passing(), spool_dir=spool_dir):
            spool.write(chunk)
            made = stream.take()
            if made:
                yield made
        spool.seek(0)
        yield from stream.add_file(COCO_IN_ZIP, spool)
    yield stream.close()


def image_rows(
    conn: Connection, project: Project, schema: ImageSchema, flt: ExportFilter, *, final: bool
) -> Generator[ImageRow, None, None]:
    """The project's tasks as dataset images, in id order, each with its shapes."""
    names = Names()
    if final:
        from accord.jobs.final_answers import final_rows

        for task_id, external_id, data, _, answer, _, _ in final_rows(conn, project):
            yield _row(schema, names, task_id, external_id, orjson.loads(data), answer)
        return
    for task_id, external_id, data, result in latest_rows(conn, project, flt):
        answer = orjson.loads(result) if result is not None else {}
        yield _row(schema, names, task_id, external_id, orjson.loads(data), answer)


def latest_rows(
    conn: Connection, project: Project, flt: ExportFilter
) -> Iterator[tuple[int, str | None, str, str | None]]:
    """(task id, external id, data, result of its latest kept annotation or None)."""
    sql = _Sql.of(conn)
    p = sql.param
    status_where, status_params = status_sql(flt, project.overlap, p)
    ann_where, ann_params = annotation_sql(flt, sql)
    tasks = sql.rows(
        f"SELECT t.id, t.external_id, t.data FROM tasks t WHERE t.project_id = {p}"
        f"{status_where} ORDER BY t.id",
        [project.id, *status_params],
    )
    annotations = sql.rows(
        f"SELECT a.task_id, a.result FROM annotations a WHERE a.project_id = {p}{ann_where} "
        "ORDER BY a.task_id, a.updated_at, a.id",
        [project.id, *ann_params],
    )
    ann = next(annotations, None)
    for task_id, external_id, data in tasks:
        result = None
        while ann is not None and ann[0] < task_id:
            ann = next(annotations, None)
        while ann is not None and ann[0] == task_id:
            result = ann[1]  # ordered by update: the last one wins
            ann = next(annotations, None)
        if result is None and flt.on_annotations:
            continue
        yield task_id, external_id, data, result


def _row(
    schema: ImageSchema,
    names: Names,
    task_id: int,
    external_id: str | None,
    data: dict[str, Any],
    answer: dict[str, Any],
) -> ImageRow:
    from accord.kinds.fields.image import image_size
    from accord.queries.media import reference_of

    src = reference_of(data.get(schema.image_field))
    size = image_size(data, schema.image_field)
    split = data.get("split")
    return ImageRow(
        task_id=task_id,
        name=names.unique(image_name(src or "", task_id), task_id),
        src=src,
        width=size[0] if size else None,
        height=size[1] if size else None,
        answer=answer,
        external_id=external_id,
        split=split if split in SPLITS else None,
    )


def bundled(settings: Settings, row: ImageRow) -> ImageRow:
    """``row`` with its image read from the storage, upright, and its size when unknown."""
    from accord.jobs.thumbnails import open_source

    if row.src is None:
        raise Invalid(f"task {row.task_id} has no image to bundle")
    try:
        with open_source(settings, row.src) as stream:
            data = stream.read()
        content, width, height = upright_bytes(data, row.src)
    except (Invalid, NotFound, StorageMissing) as exc:
        raise Invalid(
            f"task {row.task_id}: cannot bundle its image {row.src!r}: {exc.message}; export "
            "without the images, or fix the task's image"
        ) from None
    row.content = content
    if row.width is None or row.height is None:
        row.width, row.height = width, height
    return row


def upright_bytes(data: bytes, name: str) -> tuple[bytes, int, int]:
    """The image file as a browser shows it, and its size: the same bytes when its EXIF
    orientation turns nothing, else its pixels turned, written again in its format without
    the orientation tag."""
    from PIL import Image

    from accord.media.images import BadImage, orientation_of, upright

    try:
        with Image.open(io.BytesIO(data)) as image:
            if orientation_of(image) == 1:
                return data, image.width, image.height
            fmt = image.format or "PNG"
            image.load()
            turned = upright(image)
            out = io.BytesIO()
            options: dict[str, Any] = {"quality": 95} if fmt in ("JPEG", "MPO", "WEBP") else {}
            turned.save(out, format="JPEG" if fmt == "MPO" else fmt, **options)
            return out.getvalue(), turned.width, turned.height
    except BadImage:
        raise
    except Exception as exc:  # Pillow's many ways of saying the file is not an image
        raise Invalid(f"{name} is not an image Pillow can read ({exc})") from None
