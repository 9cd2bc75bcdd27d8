"""Streaming readers and writers for the file formats Accord imports and exports.

Readers yield ``(line, value)`` pairs, where ``value`` is the parsed row or a `BadRow`;
they read in blocks, so memory stays flat whatever the size of the file.
"""

from accord.formats.rows import FORMATS, BadRow, FatalFormatError, detect_format, read_rows

__all__ = ["FORMATS", "BadRow", "FatalFormatError", "detect_format", "read_rows"]
