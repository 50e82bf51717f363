"""The suite's backend: SQLite by default; with SOP_DOCS_TEST_DATABASE=postgresql://… (CI's second
pass, on a throw-away cluster: tests/pgcluster.py) every workspace a test makes is an office of
its own in that database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_URL = os.environ.get("SOP_DOCS_TEST_DATABASE", "")


@pytest.fixture(autouse=True)
def _backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if PG_URL and request.node.get_closest_marker("sqlite_only") is None:
        monkeypatch.setenv("SOP_DOCS_DATABASE", PG_URL)
        monkeypatch.setenv("SOP_DOCS_KANTOR", f"t{uuid.uuid4().hex[:12]}")
    yield
