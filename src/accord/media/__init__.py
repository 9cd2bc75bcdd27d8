"""Media and stored files: storage backends (a local folder, an S3-compatible bucket), signed
links to stored files, and bucket media referenced by tasks. A pure library: no database, no
HTTP handlers. `accord.media.s3` (the bucket backend) imports boto3, so it is imported only
when a bucket is used."""

from accord.media.storage import (
    LocalStorage,
    Storage,
    StoredObject,
    check_key,
    open_storage,
)

__all__ = [
    "LocalStorage",
    "Storage",
    "StoredObject",
    "check_key",
    "open_storage",
]
