"""The ``workbench`` command line. One module per command group."""

from __future__ import annotations

import sys

from workbench.cli.common import cli


def _register() -> None:
    from workbench.cli import (  # noqa: F401
        ask_cmd,
        config_cmd,
        cost_cmd,
        data_cmd,
        load_cmd,
        report_cmd,
        serve_cmd,
        sql_cmd,
        users_cmd,
    )


def main(argv: list[str] | None = None) -> None:
    _register()
    cli.main(args=argv, prog_name="workbench", standalone_mode=True)


__all__ = ["cli", "main"]

if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
