"""Many processes adding users at once: nobody is lost, nobody is duplicated."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from workbench.auth import UserExistsError, UserStore
from workbench.core.config import load_settings

PROCESSES = 4
OWN_USERS = 6
SHARED_SPELLINGS = ["shared", "SHARED", " Shared ", "sHaReD"]


def _add_users(home: str, index: int, barrier: Any, results: Any) -> None:
    """Worker: add own users, and race the others for the same names."""
    store = UserStore(load_settings({"auth": {"bcrypt_rounds": 4}}, home=home))
    outcome: list[tuple[str, str]] = []
    barrier.wait(timeout=120)
    names = [f"p{index}-u{j}" for j in range(OWN_USERS)]
    contested = [SHARED_SPELLINGS[index % len(SHARED_SPELLINGS)]] + [
        f"common-{j}" for j in range(3)
    ]
    # Interleave own and contested names so writes overlap.
    for name in [
        n for pair in zip(names, contested + [""] * len(names), strict=False) for n in pair if n
    ]:
        try:
            store.add_user(
                name, f"password for {name.strip().lower()}!", personas=["warehouse_manager"]
            )
            outcome.append((name, "ok"))
        except UserExistsError:
            outcome.append((name, "exists"))
        except Exception as exc:  # reported to the parent, which fails the test
            outcome.append((name, f"error: {type(exc).__name__}: {exc}"))
    results.put((index, outcome))


@pytest.mark.slow
def test_concurrent_add_from_several_processes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_add_users, args=(str(home), i, barrier, results))
        for i in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    outcomes = dict(results.get(timeout=180) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0

    flat = [(name, status) for i in range(PROCESSES) for name, status in outcomes[i]]
    errors = [item for item in flat if item[1].startswith("error")]
    assert errors == []
    # Own users: all added. Contested names: exactly one winner, clear "exists" for the rest.
    assert all(status == "ok" for name, status in flat if name.startswith("p"))
    shared = [status for name, status in flat if name.strip().lower() == "shared"]
    assert sorted(shared) == ["exists"] * (PROCESSES - 1) + ["ok"]
    for j in range(3):
        statuses = [status for name, status in flat if name == f"common-{j}"]
        assert sorted(statuses) == ["exists"] * (PROCESSES - 1) + ["ok"]

    settings = load_settings({}, home=home)
    expected = (
        {f"p{i}-u{j}" for i in range(PROCESSES) for j in range(OWN_USERS)}
        | {"shared"}
        | {f"common-{j}" for j in range(3)}
    )
    assert {u.username for u in UserStore(settings).list_users()} == expected
    with sqlite3.connect(settings.auth_db_path) as conn:
        dupes = conn.execute(
            "SELECT lower(username), COUNT(*) FROM users GROUP BY lower(username) HAVING COUNT(*) > 1"
        ).fetchall()
        audited = conn.execute("SELECT COUNT(*) FROM audit WHERE event = 'user_added'").fetchone()[
            0
        ]
    assert dupes == []
    assert audited == len(expected)  # one audit row per user actually added
