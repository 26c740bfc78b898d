"""Shared fixtures: one small sample warehouse per test session (per xdist worker).

Nothing here touches ``~/.workbench`` or the environment: every fixture passes its home
explicitly. ``sample_home`` also holds a ``config.yaml`` pinning ``as_of`` to :data:`AS_OF`,
so ``Workbench(home=sample_home).settings.effective_as_of == AS_OF``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from workbench.app import Workbench
from workbench.data.generator import generate

#: The end date of the sample data and the "today" of every test that uses it.
AS_OF = date(2026, 6, 30)
SAMPLE_SCALE = "small"
SAMPLE_SEED = 42


@pytest.fixture(scope="session")
def as_of() -> date:
    return AS_OF


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workbench home with ``small`` data (seed 42, end date AS_OF) in ``data/warehouse.duckdb``.

    Treat it as read-only; copy it (``shutil.copytree``) if a test must change it. Under
    pytest-xdist each worker gets its own (tmp_path_factory is per worker; small takes <1 s).
    """
    home = tmp_path_factory.mktemp("workbench_home")
    generate(home, scale=SAMPLE_SCALE, seed=SAMPLE_SEED, end_date=AS_OF)
    (home / "config.yaml").write_text(
        f"as_of: {AS_OF.isoformat()}\n"
        f"data:\n  scale: {SAMPLE_SCALE}\n  seed: {SAMPLE_SEED}\n  end_date: {AS_OF.isoformat()}\n",
        encoding="utf-8",
    )
    return home


@pytest.fixture(scope="session")
def workbench(sample_home: Path) -> Iterator[Workbench]:
    """A :class:`Workbench` over the sample home, closed at the end of the session."""
    wb = Workbench(home=sample_home)
    try:
        yield wb
    finally:
        wb.close()


def copy_sample_home(sample_home: Path, dest: Path) -> Path:
    """A private copy of the sample home: its data and config only.

    The shared home also collects other tests' state (ledger rows, logs, users), which a
    test that counts rows or users must not inherit.
    """
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(sample_home / "data", dest / "data", dirs_exist_ok=True)
    config = sample_home / "config.yaml"
    if config.exists():
        shutil.copy2(config, dest / "config.yaml")
    return dest


@pytest.fixture
def fresh_home(sample_home: Path, tmp_path: Path) -> Path:
    """A per-test copy of the sample data in its own WORKBENCH_HOME."""
    return copy_sample_home(sample_home, tmp_path / "home")
