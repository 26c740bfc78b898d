"""``workbench config show|check``."""

from __future__ import annotations

import click
import yaml

from workbench.cli.common import Context, cli, handle_errors
from workbench.core.config import find_config_file


@cli.group("config")
def config_group() -> None:
    """Show or check the configuration."""


@config_group.command("show")
@click.pass_obj
@handle_errors
def show(obj: Context) -> None:
    """Print the effective configuration (file values over built-in defaults)."""
    settings = obj.settings()
    data = settings.model_dump(mode="json", by_alias=True)
    source = find_config_file(obj.config_path, obj.home)
    click.echo(f"# source: {source or 'built-in defaults'}")
    click.echo(yaml.safe_dump(data, sort_keys=False), nl=False)


@config_group.command("check")
@click.pass_obj
@handle_errors
def check(obj: Context) -> None:
    """Validate the configuration (AWS names included); exit 2 naming every bad key."""
    from workbench.aws.names import aws_name_issues
    from workbench.core.errors import ConfigError

    settings = obj.settings()
    source = find_config_file(obj.config_path, obj.home)
    issues = aws_name_issues(settings)
    if issues:
        raise ConfigError(
            f"{len(issues)} AWS name(s) in the configuration would be refused by AWS.",
            issues=issues,
        )
    click.echo(f"Configuration OK ({source or 'built-in defaults'}).")
