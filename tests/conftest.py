"""The suite's backend: SQLite by default; with SOP_DOCS_TEST_DATABASE=postgresql://… (CI's second
pass, on a throw-away cluster: tests/pgcluster.py) every workspace a test makes is an office of
its own in that database: `init_workspace` writes a fresh `kantor` into its sop.toml, and a
workspace made by a `sop-docs init` process takes the test's SOP_DOCS_KANTOR."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("SOP_DOCS_TEST_DATABASE", "")


_GIVEN: set[str] = set()


def _new_office() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


def _give_office(toml: Path) -> None:
    """A `kantor` in the workspace's [system] table, unless it has one."""
    text = toml.read_text("utf-8") if toml.exists() else ""
    if re.search(r"(?m)^\s*kantor\s*=", text):
        return
    # the test's own office for the first workspace a test makes (a sop.toml it rewrites later
    # still finds it), a fresh one for any other (a second workspace, a module-wide fixture's)
    test_office = os.environ.get("SOP_DOCS_KANTOR", "")
    code = test_office if test_office and test_office not in _GIVEN else _new_office()
    _GIVEN.add(code)
    line = f'kantor = "{code}"\n'
    if re.search(r"(?m)^\[system\]\s*$", text):
        text = re.sub(r"(?m)^\[system\]\s*$\n?", lambda m: m.group(0) + line, text, count=1)
    else:
        text = f"[system]\n{line}\n{text}"
    toml.write_text(text, "utf-8")


def pytest_configure(config: pytest.Config) -> None:
    if not PG_URL:
        return
    os.environ["SOP_DOCS_DATABASE"] = PG_URL      # before any fixture of any scope
    import sop_docs.workspace as workspace

    original = workspace.init_workspace

    def init_workspace(root: Path, sop):  # type: ignore[no-untyped-def]
        made = original(root, sop)
        _give_office(root / "sop.toml")
        return made

    workspace.init_workspace = init_workspace


@pytest.fixture(autouse=True)
def _backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if PG_URL:
        if request.node.get_closest_marker("sqlite_only") is not None:
            monkeypatch.delenv("SOP_DOCS_DATABASE", raising=False)
        else:
            monkeypatch.setenv("SOP_DOCS_KANTOR", _new_office())
    yield


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A throw-away PostgreSQL server for the tests that are about PostgreSQL itself (started
    once per run; a machine without PostgreSQL fails them, it does not skip them)."""
    from tests.pgcluster import Cluster

    cluster = Cluster(tmp_path_factory.mktemp("pg"))
    cluster.start()
    cluster.create_database("sop")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A throw-away PostgreSQL server of the module's own (one a test may kill, restart or
    reconfigure), with its database "sop"."""
    from tests.pgcluster import Cluster

    c = Cluster(tmp_path_factory.mktemp("pg"))
    c.start()
    try:
        c.create_database("sop")
        yield c
    finally:
        c.stop()
