"""``workbench users …``: manage accounts, persona grants, lockouts and users.json.

Passwords are never taken from the command line (where they would land in shell history
and ``ps``): they are prompted for with confirmation, or read as one line from standard
input with ``--password-stdin``.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

import click
import pandas as pd

from workbench.cli.common import Context, cli, echo_json, handle_errors, output_frame
from workbench.core.config import Settings
from workbench.core.logs import configure_logging
from workbench.data.schema import Persona

_PERSONAS = [p.value for p in Persona]
persona_option = click.option(
    "--persona",
    "personas",
    multiple=True,
    type=click.Choice(_PERSONAS, case_sensitive=False),
    help="A persona to grant (repeat for several).",
)
password_stdin_option = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password as one line from standard input instead of prompting.",
)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli"


def _settings(obj: Context) -> Settings:
    settings: Settings = obj.settings()
    configure_logging(
        settings.log_dir,
        level=settings.logging.level,
        max_bytes=settings.logging.max_bytes,
        backup_count=settings.logging.backup_count,
    )
    return settings


def _store(obj: Context) -> Any:
    from workbench.auth import UserStore

    return UserStore(_settings(obj))


def _read_password(from_stdin: bool, *, prompt: str = "Password") -> str:
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise click.UsageError(
                "--password-stdin: expected the password on standard input, got nothing."
            )
        return password
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    return value


@cli.group("users")
def users_group() -> None:
    """Manage workbench users, their personas and lockouts."""


@users_group.command("add")
@click.argument("username")
@persona_option
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.option(
    "--must-change-password",
    is_flag=True,
    help="Ask the user to choose a new password after logging in.",
)
@password_stdin_option
@click.pass_obj
@handle_errors
def add(
    obj: Context,
    username: str,
    personas: tuple[str, ...],
    admin: bool,
    must_change_password: bool,
    password_stdin: bool,
) -> None:
    """Add a user (the password is prompted for, or read with --password-stdin)."""
    from workbench.auth import UserExistsError, validate_username

    store = _store(obj)
    name = validate_username(username)
    if store.find_user(name) is not None:  # say so before asking for a password
        raise UserExistsError(f"A user named '{name}' already exists.", username=name)
    password = _read_password(password_stdin)
    user = store.add_user(
        username,
        password,
        personas=personas,
        is_admin=admin,
        must_change_password=must_change_password,
        actor=_actor(),
    )
    granted = ", ".join(p.value for p in user.personas) or "no personas"
    click.echo(f"Added user '{user.username}' ({granted}{', admin' if user.is_admin else ''}).")


@users_group.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
@handle_errors
def list_users(obj: Context, fmt: str) -> None:
    """List users (never their password hashes)."""
    users = _store(obj).list_users()
    if fmt == "json":
        echo_json([u.to_dict() for u in users])
        return
    frame = pd.DataFrame(
        [
            {
                "username": u.username,
                "personas": ", ".join(p.value for p in u.personas) or "-",
                "admin": "yes" if u.is_admin else "",
                "status": "disabled" if u.disabled else ("locked" if u.locked else "active"),
                "last_login": u.last_login_at.strftime("%Y-%m-%d %H:%M")
                if u.last_login_at
                else "never",
            }
            for u in users
        ],
        columns=["username", "personas", "admin", "status", "last_login"],
    )
    output_frame(frame, "table")


@users_group.command("remove")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
@handle_errors
def remove(obj: Context, username: str, yes: bool) -> None:
    """Remove a user and end their sessions."""
    store = _store(obj)
    user = store.get_user(username)
    if not yes:
        click.confirm(f"Remove user '{user.username}'?", abort=True)
    store.remove_user(user.username, actor=_actor())
    click.echo(f"Removed user '{user.username}'.")


@users_group.command("passwd")
@click.argument("username")
@click.option(
    "--must-change-password",
    is_flag=True,
    help="Ask the user to choose a new password after logging in.",
)
@password_stdin_option
@click.pass_obj
@handle_errors
def passwd(obj: Context, username: str, must_change_password: bool, password_stdin: bool) -> None:
    """Set a user's password; their sessions end."""
    store = _store(obj)
    user = store.get_user(username)
    password = _read_password(password_stdin, prompt="New password")
    store.set_password(
        user.username, password, must_change_password=must_change_password, actor=_actor()
    )
    click.echo(f"Password changed for '{user.username}'; their sessions were ended.")


def _require_personas(personas: tuple[str, ...]) -> None:
    if not personas:
        raise click.UsageError("Name at least one --persona.")


@users_group.command("grant")
@click.argument("username")
@persona_option
@click.pass_obj
@handle_errors
def grant(obj: Context, username: str, personas: tuple[str, ...]) -> None:
    """Grant personas to a user."""
    _require_personas(personas)
    user = _store(obj).grant(username, personas, actor=_actor())
    click.echo(
        f"'{user.username}' now has: {', '.join(p.value for p in user.personas) or 'no personas'}."
    )


@users_group.command("revoke")
@click.argument("username")
@persona_option
@click.pass_obj
@handle_errors
def revoke(obj: Context, username: str, personas: tuple[str, ...]) -> None:
    """Withdraw personas from a user (effective immediately, also in open sessions)."""
    _require_personas(personas)
    user = _store(obj).revoke(username, personas, actor=_actor())
    click.echo(
        f"'{user.username}' now has: {', '.join(p.value for p in user.personas) or 'no personas'}."
    )


@users_group.command("unlock")
@click.argument("username")
@click.pass_obj
@handle_errors
def unlock(obj: Context, username: str) -> None:
    """Clear failed logins and the lock on an account."""
    from workbench.auth import normalize_username

    cleared = _store(obj).unlock(username, actor=_actor())
    name = normalize_username(username)
    click.echo(f"Unlocked '{name}'." if cleared else f"'{name}' was not locked.")


@users_group.command("disable")
@click.argument("username")
@click.pass_obj
@handle_errors
def disable(obj: Context, username: str) -> None:
    """Disable an account (it cannot log in; its sessions end)."""
    user = _store(obj).disable(username, actor=_actor())
    click.echo(f"Disabled '{user.username}'.")


@users_group.command("enable")
@click.argument("username")
@click.pass_obj
@handle_errors
def enable(obj: Context, username: str) -> None:
    """Re-enable a disabled account."""
    user = _store(obj).enable(username, actor=_actor())
    click.echo(f"Enabled '{user.username}'.")


@users_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--skip-existing", "mode", flag_value="skip", help="Leave users that already exist unchanged."
)
@click.option(
    "--update",
    "mode",
    flag_value="update",
    help="Overwrite users that already exist (hash, personas, flags).",
)
@click.pass_obj
@handle_errors
def import_users(obj: Context, file: str, mode: str | None) -> None:
    """Import users from a users.json file (all or nothing; existing users refused by default)."""
    result = _store(obj).import_json(file, on_conflict=mode or "error", actor=_actor())
    click.echo(
        f"Imported {file}: {len(result.added)} added, {len(result.updated)} updated, {len(result.skipped)} skipped."
    )


@users_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_obj
@handle_errors
def export_users(obj: Context, file: str) -> None:
    """Write every user (names, bcrypt hashes, personas, flags) to FILE with 0600 permissions."""
    count = _store(obj).export_json(file, actor=_actor())
    click.echo(
        f"Exported {count} user(s) to {file} (readable by you only: it holds password hashes)."
    )


@users_group.command("audit")
@click.option("--user", "username", default=None, help="Only this user's events.")
@click.option(
    "--event", default=None, help="Only this event (login_failure, lockout, question_asked, ...)."
)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_obj
@handle_errors
def audit(obj: Context, username: str | None, event: str | None, limit: int, fmt: str) -> None:
    """Show the newest audit-log entries."""
    entries = _store(obj).audit_log.entries(username=username, event=event, limit=limit)
    if fmt == "json":
        echo_json([e.to_dict() for e in entries])
        return
    frame = pd.DataFrame(
        [
            {
                "ts": e.ts.strftime("%Y-%m-%d %H:%M:%S"),
                "event": e.event,
                "username": e.username or "",
                "persona": e.persona or "",
                "detail": ", ".join(f"{k}={v}" for k, v in sorted(e.detail.items())),
            }
            for e in entries
        ],
        columns=["ts", "event", "username", "persona", "detail"],
    )
    output_frame(frame, "table")


@users_group.command("init-admin")
@click.pass_obj
@handle_errors
def init_admin(obj: Context) -> None:
    """Create the first administrator if there is none (password from $WORKBENCH_ADMIN_PASSWORD or generated)."""
    from workbench.auth import ensure_admin

    settings = _settings(obj)
    store = _store(obj)
    name = settings.auth.admin_username
    existed = store.count_admins(enabled_only=False) > 0 or store.find_user(name) is not None
    password = ensure_admin(settings)
    if password is not None:
        click.echo(
            f"Created administrator '{name}' with this one-time password (shown once; change it after logging in):"
        )
        click.echo(password)
    elif existed:
        click.echo("An administrator already exists; nothing changed.")
    else:
        click.echo(
            f"Created administrator '{name}' with the password from $WORKBENCH_ADMIN_PASSWORD."
        )
