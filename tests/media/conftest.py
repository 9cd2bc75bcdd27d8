"""The S3-compatible server (moto, a process of its own) for the storage tests."""

from tests.s3 import s3, s3_server

__all__ = ["s3", "s3_server"]
