"""The `[[name]]` tables of sop.toml, each with the words that name it in an error (its line)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any


def entries(raw: object, name: str,
            lines: Sequence[int] = ()) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    """Each table of `[[name]]` with where it is ("line 12 ([[name]] number 2)") and its line (0:
    not known); ValueError for
    a value that is not a list of tables."""
    if raw is None:
        return
    if not isinstance(raw, list):
        raise ValueError(f"'{name}' must be written as [[{name}]] tables")
    for i, entry in enumerate(raw, start=1):
        line = lines[i - 1] if i - 1 < len(lines) else 0
        where = f"line {line} ([[{name}]] number {i})" if line else f"[[{name}]] number {i}"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where} must be a table")
        yield where, line, entry
