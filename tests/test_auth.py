"""Auth core: passwords, logins, lockout, sessions, persona authorization, users.json."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import stat
import statistics
import time
from pathlib import Path

import bcrypt
import pytest

from workbench.auth import (
    INVALID_CREDENTIALS,
    AccountDisabledError,
    AccountLockedError,
    AuthService,
    InvalidCredentialsError,
    InvalidUsernameError,
    PasswordPolicy,
    PasswordPolicyError,
    SessionError,
    UserExistsError,
    UserNotFoundError,
    UsersFileError,
    UserStore,
    ensure_admin,
    hash_password,
    verify_password,
)
from workbench.auth import service as service_module
from workbench.auth.database import SCHEMA_VERSION, AuthDatabase
from workbench.auth.passwords import dummy_hash, hash_cost
from workbench.core.config import Settings, load_settings
from workbench.core.errors import AuthError, PermissionDeniedError
from workbench.data.schema import Persona

PW = "correct horse battery"
WM, FE, PS = Persona.WAREHOUSE_MANAGER, Persona.FIELD_ENGINEER, Persona.PROCUREMENT_SPECIALIST


class FakeClock:
    """A settable UTC clock so expiry and lockout are tested without sleeping."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 6, 30, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def make_settings(home: Path, **auth: object) -> Settings:
    return load_settings({"auth": {"bcrypt_rounds": 4, **auth}}, home=home)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture
def svc(settings: Settings, clock: FakeClock) -> AuthService:
    service = AuthService(settings, clock=clock)
    service.users.add_user("ann", PW, personas=[WM, FE])
    return service


# Passwords ---------------------------------------------------------------------------------


def test_default_cost_is_12() -> None:
    hashed = hash_password("a long enough password", Settings().auth.bcrypt_rounds)
    assert hashed.startswith("$2b$12$")
    assert verify_password("a long enough password", hashed)


def test_store_uses_configured_cost(svc: AuthService) -> None:
    assert svc.users.get_user("ann").password_hash.startswith("$2b$04$")


def test_policy_messages() -> None:
    policy = PasswordPolicy(min_length=12)
    with pytest.raises(PasswordPolicyError) as err:
        policy.check("short")
    assert err.value.message == "Passwords must be at least 12 characters long."
    assert policy.problems("x" * 73)[0].startswith("Passwords must be at most 72 bytes")
    # 25 three-byte characters: long enough in characters, too long in bytes.
    assert any("72 bytes" in p for p in policy.problems("€" * 25))
    assert "Passwords must not be the same as the username." in policy.problems(
        "ann.lee@example", username="Ann.Lee@Example"
    )
    assert policy.problems("x" * 72) == []


def test_passwords_over_72_bytes_are_rejected_not_truncated(svc: AuthService) -> None:
    with pytest.raises(PasswordPolicyError, match="72 bytes"):
        svc.users.add_user("bob", "b" * 80, personas=[WM])
    # A 72-byte password works and its 73-byte extension does not log in.
    svc.users.add_user("bob", "b" * 72, personas=[WM])
    assert svc.login("bob", "b" * 72).username == "bob"
    with pytest.raises(InvalidCredentialsError):
        svc.login("bob", "b" * 73)


def test_verify_never_raises_on_garbage() -> None:
    assert verify_password("whatever", "not a hash") is False
    assert verify_password("whatever", dummy_hash(4)) is False
    assert hash_cost(dummy_hash(11)) == 11


def test_unicode_passwords_are_normalized(svc: AuthService) -> None:
    composed, decomposed = "caf\u00e9 au lait please", "cafe\u0301 au lait please"
    svc.users.add_user("cleo", composed, personas=[WM])
    assert svc.login("cleo", decomposed).username == "cleo"


# Login --------------------------------------------------------------------------------------


def test_login_correct_password(svc: AuthService, clock: FakeClock) -> None:
    session = svc.login("ann", PW)
    assert session.username == "ann"
    assert session.personas == [WM, FE]
    assert session.active_persona == WM
    assert session.is_admin is False
    assert session.expires_at == clock.now + dt.timedelta(minutes=30)
    assert len(session.token) >= 43 and session.token not in repr(session)
    assert svc.users.get_user("ann").last_login_at == clock.now
    assert svc.audit_entries(event="login_success")[0].username == "ann"


def test_usernames_are_case_insensitive(svc: AuthService) -> None:
    assert svc.login("  ANN ", PW).username == "ann"
    with pytest.raises(UserExistsError, match="already exists"):
        svc.users.add_user("Ann", PW + "x", personas=[WM])


def test_wrong_password_and_unknown_user_look_the_same(svc: AuthService) -> None:
    with pytest.raises(InvalidCredentialsError) as wrong:
        svc.login("ann", "not the password")
    with pytest.raises(InvalidCredentialsError) as unknown:
        svc.login("nobody", "not the password")
    assert (
        wrong.value.message
        == unknown.value.message
        == INVALID_CREDENTIALS
        == "Invalid username or password."
    )
    assert wrong.value.to_dict() == unknown.value.to_dict()
    reasons = [e.detail["reason"] for e in svc.audit_entries(event="login_failure")]
    assert sorted(reasons) == ["bad_password", "unknown_user"]


def test_unknown_user_checks_a_hash_of_the_same_cost(
    svc: AuthService, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = service_module.verify_password

    def spy(password: str, password_hash: str) -> bool:
        checked.append(password_hash)
        return real(password, password_hash)

    monkeypatch.setattr(service_module, "verify_password", spy)
    for name in ("ann", "nobody"):
        with pytest.raises(InvalidCredentialsError):
            svc.login(name, "not the password")
    assert len(checked) == 2
    assert hash_cost(checked[0]) == hash_cost(checked[1]) == 4


def test_unknown_user_and_wrong_password_take_similar_time(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "timing", bcrypt_rounds=9, lockout_attempts=1000)
    svc = AuthService(settings)
    svc.users.add_user("ann", PW, personas=[WM])

    def timed(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(InvalidCredentialsError):
            svc.login(name, "not the password")
        return time.perf_counter() - start

    known, unknown = [], []
    for _ in range(7):
        known.append(timed("ann"))
        unknown.append(timed("nobody"))
    ratio = statistics.median(unknown) / statistics.median(known)
    # Without the dummy check an unknown user would answer ~20x faster.
    assert 0.5 < ratio < 2.0, (known, unknown)


def test_disabled_user(svc: AuthService) -> None:
    session = svc.login("ann", PW)
    svc.users.disable("ann")
    with pytest.raises(SessionError):
        svc.validate(session.token)
    with pytest.raises(AccountDisabledError, match="disabled"):
        svc.login("ann", PW)
    with pytest.raises(InvalidCredentialsError):
        svc.login("ann", "not the password")  # a wrong password says nothing about the account
    svc.users.enable("ann")
    assert svc.login("ann", PW).username == "ann"


# Lockout ------------------------------------------------------------------------------------


def test_lockout_after_five_failures_and_expiry(svc: AuthService, clock: FakeClock) -> None:
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            svc.login("ann", "wrong password")
        clock.advance(minutes=1)
    with pytest.raises(AccountLockedError) as locked:
        svc.login("ann", "wrong password")
    assert "locked until 2026-06-30 09:19 UTC" in locked.value.message
    # The right password is refused while locked.
    clock.advance(minutes=14)
    with pytest.raises(AccountLockedError):
        svc.login("ann", PW)
    assert svc.users.get_user("ann").locked
    clock.advance(minutes=1, seconds=1)
    assert svc.login("ann", PW).username == "ann"
    events = [e.event for e in svc.audit_entries(username="ann")]
    assert "lockout" in events


def test_failures_outside_the_window_do_not_count(svc: AuthService, clock: FakeClock) -> None:
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            svc.login("ann", "wrong password")
    clock.advance(minutes=16)
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            svc.login("ann", "wrong password")
    assert svc.login("ann", PW).username == "ann"


def test_success_resets_the_failure_count(svc: AuthService) -> None:
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            svc.login("ann", "wrong password")
    svc.login("ann", PW)
    for _ in range(4):
        with pytest.raises(InvalidCredentialsError):
            svc.login("ann", "wrong password")


def test_unlock(svc: AuthService) -> None:
    for _ in range(5):
        with pytest.raises(AuthError):
            svc.login("ann", "wrong password")
    with pytest.raises(AccountLockedError):
        svc.login("ann", PW)
    assert svc.users.unlock("ann", actor="test") is True
    assert svc.login("ann", PW).username == "ann"
    assert svc.users.unlock("ann") is False
    with pytest.raises(UserNotFoundError):
        svc.users.unlock("nobody")
    assert [e.detail["actor"] for e in svc.audit_entries(event="user_unlocked")] == [None, "test"]


def test_unknown_users_lock_out_too(svc: AuthService) -> None:
    """The lockout message must not reveal which names exist."""
    messages = {}
    for name in ("ann", "nobody"):
        for _ in range(4):
            with pytest.raises(InvalidCredentialsError):
                svc.login(name, "wrong password")
        with pytest.raises(AccountLockedError) as err:
            svc.login(name, "wrong password")
        messages[name] = err.value.message
    assert messages["ann"] == messages["nobody"]


def test_configurable_lockout(tmp_path: Path, clock: FakeClock) -> None:
    svc = AuthService(
        make_settings(tmp_path / "h", lockout_attempts=2, lockout_window_minutes=1), clock=clock
    )
    svc.users.add_user("ann", PW, personas=[WM])
    with pytest.raises(InvalidCredentialsError):
        svc.login("ann", "wrong password")
    with pytest.raises(AccountLockedError):
        svc.login("ann", "wrong password")
    clock.advance(seconds=61)
    assert svc.login("ann", PW)


# Sessions -----------------------------------------------------------------------------------


def test_token_is_stored_only_as_sha256(svc: AuthService, settings: Settings) -> None:
    session = svc.login("ann", PW)
    with sqlite3.connect(settings.auth_db_path) as conn:
        rows = conn.execute("SELECT * FROM sessions").fetchall()
    flat = " ".join(str(v) for row in rows for v in row)
    assert session.token not in flat
    assert hashlib.sha256(session.token.encode()).hexdigest() in flat


def test_validate_touches_and_idle_expiry(svc: AuthService, clock: FakeClock) -> None:
    token = svc.login("ann", PW).token
    for _ in range(3):  # 60 minutes in total, never 30 idle
        clock.advance(minutes=20)
        assert svc.validate(token).expires_at == clock.now + dt.timedelta(minutes=30)
    clock.advance(minutes=30)
    with pytest.raises(SessionError, match="without activity"):
        svc.validate(token)


def test_absolute_expiry(svc: AuthService, clock: FakeClock) -> None:
    token = svc.login("ann", PW).token
    for _ in range(12 * 3 - 1):
        clock.advance(minutes=20)
        svc.validate(token)
    assert svc.validate(token).expires_at == dt.datetime(2026, 6, 30, 21, 0, tzinfo=dt.UTC)
    clock.advance(minutes=20)
    with pytest.raises(SessionError, match="expired"):
        svc.validate(token)


def test_logout_revokes(svc: AuthService) -> None:
    session = svc.login("ann", PW)
    other = svc.login("ann", PW)
    assert svc.logout(session.token) is True
    with pytest.raises(SessionError):
        svc.validate(session.token)
    with pytest.raises(SessionError):
        svc.authorize(session.token, WM)
    assert svc.logout(session.token) is False
    assert svc.validate(other.token).username == "ann"  # other sessions live on
    assert svc.audit_entries(event="logout")[0].username == "ann"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t[:-1],
        lambda t: t + "A",
        lambda t: t.upper(),
        lambda t: hashlib.sha256(t.encode()).hexdigest(),
        lambda t: "",
        lambda t: " " + t,
    ],
)
def test_tampered_tokens_are_rejected(svc: AuthService, tamper: object) -> None:
    token = svc.login("ann", PW).token
    bad = tamper(token)  # type: ignore[operator]
    assert bad != token
    with pytest.raises(SessionError, match="not valid"):
        svc.validate(bad)
    with pytest.raises(SessionError):
        svc.authorize(bad, WM)
    assert svc.validate(token).username == "ann"


def test_non_string_token_is_rejected(svc: AuthService) -> None:
    with pytest.raises(SessionError):
        svc.validate(None)  # type: ignore[arg-type]


def test_password_change_ends_sessions(svc: AuthService) -> None:
    token = svc.login("ann", PW).token
    svc.users.set_password("ann", "another good password")
    with pytest.raises(SessionError, match="ended"):
        svc.validate(token)
    with pytest.raises(InvalidCredentialsError):
        svc.login("ann", PW)
    assert svc.login("ann", "another good password")


def test_self_service_password_change_keeps_current_session(svc: AuthService) -> None:
    current = svc.login("ann", PW)
    other = svc.login("ann", PW)
    with pytest.raises(InvalidCredentialsError):
        svc.change_password(current.token, "wrong current pw", "another good password")
    with pytest.raises(PasswordPolicyError):
        svc.change_password(current.token, PW, "short")
    svc.change_password(current.token, PW, "another good password")
    assert svc.validate(current.token).username == "ann"
    with pytest.raises(SessionError):
        svc.validate(other.token)


def test_removed_user_sessions_end(svc: AuthService) -> None:
    token = svc.login("ann", PW).token
    svc.users.remove_user("ann")
    with pytest.raises(SessionError):
        svc.validate(token)
    with pytest.raises(UserNotFoundError):
        svc.users.get_user("ann")


# Personas -----------------------------------------------------------------------------------


def test_authorize_refuses_ungranted_persona(svc: AuthService) -> None:
    token = svc.login("ann", PW).token
    assert svc.authorize(token, WM).username == "ann"
    assert svc.authorize(token, "Field Engineer").username == "ann"
    with pytest.raises(PermissionDeniedError) as err:
        svc.authorize(token, PS)
    assert err.value.message == "Your account is not granted the Procurement Specialist persona."
    assert err.value.fields["persona"] == "procurement_specialist"
    denied = svc.audit_entries(event="permission_denied")
    assert denied[0].username == "ann" and denied[0].persona == "procurement_specialist"
    with pytest.raises(PermissionDeniedError, match="Unknown persona"):
        svc.authorize(token, "ceo")


def test_switch_persona(svc: AuthService) -> None:
    token = svc.login("ann", PW).token
    switched = svc.switch_persona(token, FE)
    assert switched.active_persona == FE
    assert svc.validate(token).active_persona == FE  # stored on the session
    assert svc.authorize(token).active_persona == FE
    with pytest.raises(PermissionDeniedError, match="Procurement Specialist"):
        svc.switch_persona(token, PS)
    assert svc.validate(token).active_persona == FE
    entry = svc.audit_entries(event="persona_switch")[0]
    assert (entry.persona, entry.detail["previous"]) == ("field_engineer", "warehouse_manager")


def test_grants_take_effect_in_open_sessions(svc: AuthService) -> None:
    token = svc.login("ann", PW).token
    svc.switch_persona(token, FE)
    svc.users.grant("ann", [PS])
    assert svc.authorize(token, PS).personas == [WM, FE, PS]
    svc.users.revoke("ann", [FE, PS])
    with pytest.raises(PermissionDeniedError):
        svc.authorize(token, FE)
    assert svc.validate(token).active_persona == WM  # fell back to a granted one


def test_user_without_personas_is_refused(svc: AuthService) -> None:
    svc.users.add_user("dora", PW, personas=[])
    token = svc.login("dora", PW).token
    with pytest.raises(PermissionDeniedError, match="no persona"):
        svc.authorize(token)


def test_question_asked_is_audited(svc: AuthService) -> None:
    session = svc.login("ann", PW)
    svc.audit(
        "question_asked",
        "ann",
        persona=WM,
        question="How many products are out of stock?",
        session_id=session.session_id,
    )
    entry = svc.audit_entries(event="question_asked")[0]
    assert entry.persona == "warehouse_manager"
    assert entry.detail["question"] == "How many products are out of stock?"


# Users and admin ----------------------------------------------------------------------------


def test_usernames_are_validated(svc: AuthService) -> None:
    for bad in ("", "   ", "-ann", "ann.", "ann lee", "ann/../x", "x" * 65, "ann!", "j\u00f6rg"):
        with pytest.raises(InvalidUsernameError, match="not a valid username"):
            svc.users.add_user(bad, PW, personas=[WM])
    assert (
        svc.users.add_user("Ann.Lee@Example.com", PW, personas=[WM]).username
        == "ann.lee@example.com"
    )


def test_cannot_remove_or_disable_last_admin(svc: AuthService) -> None:
    svc.users.add_user("root", PW, personas=list(Persona), is_admin=True)
    with pytest.raises(AuthError, match="last enabled administrator"):
        svc.users.remove_user("root")
    with pytest.raises(AuthError, match="last enabled administrator"):
        svc.users.disable("root")
    svc.users.add_user("root2", PW, is_admin=True)
    svc.users.remove_user("root")


def test_ensure_admin_generates_one_time_password(settings: Settings) -> None:
    password = ensure_admin(settings, env={})
    assert password is not None and len(password) >= 24
    admin = UserStore(settings).get_user("admin")
    assert admin.is_admin and admin.must_change_password and list(admin.personas) == list(Persona)
    session = AuthService(settings).login("admin", password)
    assert session.is_admin and session.must_change_password
    assert ensure_admin(settings, env={}) is None  # idempotent


def test_ensure_admin_from_environment(settings: Settings) -> None:
    assert ensure_admin(settings, env={"WORKBENCH_ADMIN_PASSWORD": "from the environment"}) is None
    session = AuthService(settings).login("admin", "from the environment")
    assert session.is_admin and not session.must_change_password
    with pytest.raises(PasswordPolicyError):
        ensure_admin(
            make_settings(settings.home.parent / "other"), env={"WORKBENCH_ADMIN_PASSWORD": "short"}
        )


def test_cost_change_rehashes_on_login(tmp_path: Path) -> None:
    home = tmp_path / "h"
    AuthService(make_settings(home)).users.add_user("ann", PW, personas=[WM])
    svc = AuthService(make_settings(home, bcrypt_rounds=5))
    svc.login("ann", PW)
    assert svc.users.get_user("ann").password_hash.startswith("$2b$05$")


def test_schema_is_idempotent_and_versioned(settings: Settings) -> None:
    for _ in range(2):
        db = AuthDatabase(settings.auth_db_path)
        db.ensure_schema()
    with sqlite3.connect(settings.auth_db_path) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE(os.stat(settings.auth_db_path).st_mode) == 0o600


# users.json ---------------------------------------------------------------------------------


def test_users_json_round_trip(tmp_path: Path) -> None:
    source = UserStore(make_settings(tmp_path / "a"))
    source.add_user("ann", PW, personas=[WM, FE])
    source.add_user("root", "the admin password", personas=list(Persona), is_admin=True)
    source.add_user("carl", "carl's password!", personas=[PS], disabled=True)
    path = tmp_path / "out" / "users.json"
    assert source.export_json(path) == 3
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.loads(path.read_text())
    assert [u["username"] for u in data["users"]] == ["ann", "carl", "root"]
    assert set(data["users"][0]) == {
        "username",
        "password_hash",
        "personas",
        "is_admin",
        "disabled",
    }

    target_settings = make_settings(tmp_path / "b")
    target = UserStore(target_settings)
    result = target.import_json(path)
    assert sorted(result.added) == ["ann", "carl", "root"]
    assert target.export_data() == source.export_data()
    svc = AuthService(target_settings)
    assert svc.login("ann", PW).personas == [WM, FE]
    assert svc.login("root", "the admin password").is_admin
    with pytest.raises(AccountDisabledError):
        svc.login("carl", "carl's password!")


def test_import_reports_every_problem(settings: Settings) -> None:
    good = bcrypt.hashpw(b"irrelevant password", bcrypt.gensalt(4)).decode()
    data = {
        "users": [
            {"username": "ok", "password_hash": good, "personas": ["warehouse_manager"]},
            {"username": "bad name!", "password_hash": good},
            {"username": "nohash", "password_hash": "plain"},
            {"username": "plain", "password": "hunter2 hunter2", "password_hash": good},
            {"username": "persona", "password_hash": good, "personas": ["ceo"]},
            {"username": "OK", "password_hash": good},
            {"username": "flag", "password_hash": good, "is_admin": "yes"},
            "not an object",
        ]
    }
    store = UserStore(settings)
    with pytest.raises(UsersFileError) as err:
        store.import_json(data)
    issues = "\n".join(err.value.issues)
    assert len(err.value.issues) == 7, issues
    for fragment in (
        "not a valid username",
        "bcrypt hash",
        "plain-text 'password'",
        "unknown persona 'ceo'",
        "duplicate of users[0]",
        "'is_admin' must be true or false",
        "users[7]: expected an object",
    ):
        assert fragment in issues
    assert "hunter2" not in str(err.value)
    assert store.list_users() == []  # nothing imported


def test_import_conflict_modes(settings: Settings) -> None:
    store = UserStore(settings)
    store.add_user("ann", PW, personas=[WM])
    new_hash = bcrypt.hashpw(b"the new password", bcrypt.gensalt(4)).decode()
    data = {
        "users": [
            {"username": "ANN", "password_hash": new_hash, "personas": ["procurement_specialist"]},
            {"username": "bob", "password_hash": new_hash},
        ]
    }
    with pytest.raises(UsersFileError, match="already exist") as err:
        store.import_json(data)
    assert err.value.issues == ["ann: already exists"]
    assert store.find_user("bob") is None  # all or nothing
    result = store.import_json(data, on_conflict="skip")
    assert (result.added, result.skipped) == (["bob"], ["ann"])
    assert store.get_user("ann").personas == (WM,)
    result = store.import_json(data, on_conflict="update")
    assert sorted(result.updated) == ["ann", "bob"]
    assert store.get_user("ann").personas == (PS,)
    assert verify_password("the new password", store.get_user("ann").password_hash)


def test_import_accepts_2a_and_2y_hashes(settings: Settings) -> None:
    h = bcrypt.hashpw(b"portable password", bcrypt.gensalt(4)).decode()
    UserStore(settings).import_json(
        {
            "users": [
                {"username": "a", "password_hash": "$2a$" + h[4:]},
                {"username": "y", "password_hash": "$2y$" + h[4:]},
            ]
        }
    )
    svc = AuthService(settings)
    assert svc.login("a", "portable password") and svc.login("y", "portable password")


def test_import_missing_or_invalid_file(settings: Settings, tmp_path: Path) -> None:
    store = UserStore(settings)
    with pytest.raises(UsersFileError, match="does not exist"):
        store.import_json(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(UsersFileError, match="not valid JSON"):
        store.import_json(tmp_path / "bad.json")
    with pytest.raises(UsersFileError, match='"users" list'):
        store.import_json({"people": []})


def test_import_cannot_disable_the_last_admin(settings: Settings) -> None:
    store = UserStore(settings)
    root = store.add_user("root", PW, personas=list(Persona), is_admin=True)
    data = {
        "users": [
            {
                "username": "root",
                "password_hash": root.password_hash,
                "is_admin": True,
                "disabled": True,
            }
        ]
    }
    with pytest.raises(UsersFileError, match="no enabled administrator"):
        store.import_json(data, on_conflict="update")
    assert not store.get_user("root").disabled


def test_ensure_admin_leaves_an_ordinary_user_named_admin_alone(settings: Settings) -> None:
    UserStore(settings).add_user("admin", PW, personas=[WM])
    assert ensure_admin(settings, env={}) is None
    assert not UserStore(settings).get_user("admin").is_admin
