"""Cron entries for the reports, and installing them into the user's crontab.

The block is delimited by marker comments so ``install`` replaces only our lines and
leaves the user's other entries alone; running it twice changes nothing. On SageMaker
the notebook instance's on-start lifecycle script calls ``workbench report schedule
--install`` (crontab does not survive a stop/start).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from workbench.core.errors import ConfigError, WorkbenchError
from workbench.reports.spec import REPORTS, ReportSpec, validate_parameters

__all__ = [
    "BEGIN_MARKER",
    "END_MARKER",
    "crontab_block",
    "default_command",
    "install_crontab",
    "merge_block",
]

BEGIN_MARKER = "# >>> workbench reports (managed by `workbench report schedule`) >>>"
END_MARKER = "# <<< workbench reports <<<"


def _check_cron(expr: str, report: str) -> str:
    fields = expr.split()
    if len(fields) != 5 and not (len(fields) == 1 and fields[0].startswith("@")):
        raise ConfigError(
            f"The schedule '{expr}' for report '{report}' is not a cron expression.",
            issues=[
                "use five fields: minute hour day-of-month month day-of-week, e.g. '0 6 * * *'"
            ],
        )
    return " ".join(fields)


def default_command() -> list[str]:
    """The absolute command that runs the CLI of this environment."""
    script = Path(sys.executable).parent / "workbench"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from workbench.cli import main; main()"]


def crontab_block(
    *,
    home: Path,
    output_dir: Path,
    log_dir: Path,
    reports: Iterable[ReportSpec] | None = None,
    schedules: Mapping[str, str] | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    command: Sequence[str] | None = None,
    config: Path | None = None,
) -> str:
    """The managed crontab block: one line per report with its parameters and log file.

    ``command`` defaults to the ``workbench`` script beside this interpreter, by absolute
    path (cron has a bare PATH). Parameters are validated now, not at 6 a.m.
    """
    specs = list(reports) if reports is not None else list(REPORTS.values())
    base = list(command) if command else default_command()
    # No SHELL= line: a crontab variable applies to every line after it, the user's own too;
    # our lines need only cron's default /bin/sh.
    lines = [BEGIN_MARKER]
    for spec in specs:
        params = dict((parameters or {}).get(spec.name, {}))
        validate_parameters(spec, params)  # names and types; warehouse ids are checked at run time
        when = _check_cron((schedules or {}).get(spec.name, spec.schedule), spec.name)
        args = [*base, "--home", str(home)]
        if config is not None:
            args += ["--config", str(config)]
        args += ["report", "run", spec.name, "--output", str(output_dir)]
        for key, value in sorted(params.items()):
            args += ["-p", f"{key}={value}"]
        log_file = log_dir / f"report_{spec.name}.log"
        cmd = " ".join(shlex.quote(a) for a in args)
        # % is special in crontab (newline); none of our arguments should carry one, but escape anyway.
        cmd = cmd.replace("%", "\\%")
        lines.append(f"{when} {cmd} >> {shlex.quote(str(log_file))} 2>&1")
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def merge_block(existing: str, block: str) -> str:
    """``existing`` crontab text with our managed block replaced (or appended)."""
    out: list[str] = []
    skipping = False
    for line in existing.splitlines():
        if line.strip() == BEGIN_MARKER:
            skipping = True
            continue
        if skipping:
            if line.strip() == END_MARKER:
                skipping = False
            continue
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    text = "\n".join(out)
    return (text + "\n" if text else "") + block


def install_crontab(block: str, *, crontab: Sequence[str] = ("crontab",)) -> str:
    """Install ``block`` into the user's crontab via ``crontab -l`` / ``crontab -``; return the new table."""
    try:
        current = subprocess.run([*crontab, "-l"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise WorkbenchError(
            "The 'crontab' command is not available on this machine.",
            hint="Install cron (apt-get install cron) or print the entries with "
            "'workbench report schedule' and add them to your scheduler.",
        ) from None
    # `crontab -l` exits 1 with "no crontab for <user>" when there is none yet.
    existing = current.stdout if current.returncode == 0 else ""
    merged = merge_block(existing, block)
    done = subprocess.run(
        [*crontab, "-"], input=merged, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise WorkbenchError(
            "The crontab could not be installed.",
            detail=done.stderr.strip(),
            hint="Check that cron allows your user.",
        )
    return merged
