"""The Python SDK: ``from accord import Client``."""

from accord.sdk.client import AccordError, Client

__all__ = ["AccordError", "Client"]
