"""The IPython extension: ``%load_ext workbench`` gives ``%%sql``, ``%ask`` and ``%workbench``.

- ``%%sql [--persona P] [-o NAME]``: the cell's SQL through ``Workbench.sql`` (the SQL
  guard: one read-only SELECT over the allowed tables), returned as a DataFrame;
- ``%ask [--persona P] [--as-of YYYY-MM-DD] question``: ``Workbench.ask``; the ``Answer``
  displays as a sentence, a table, a chart and its cost. IPython reads a line ending in
  ``?`` as a help request, so leave the question mark out, or use the cell form
  ``%%ask [--persona P]`` with the question in the cell body;
- ``%workbench [--home PATH] [--persona P]``: choose the data and the default persona.

A refused or failing query prints the workbench's one-line message instead of a traceback.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from workbench.core.errors import WorkbenchError

__all__ = ["WorkbenchMagics", "load_ipython_extension", "parse_options"]

_OPTION = re.compile(r"^\s*(--persona|--as-of|--home|-o|--out)(?:=|\s+)(\S+)")
_ALIASES = {"--out": "-o"}


def parse_options(line: str, allowed: tuple[str, ...]) -> tuple[dict[str, str], str]:
    """Leading ``--name value`` options of a magic line, then the rest (a question keeps its quotes)."""
    options: dict[str, str] = {}
    rest = line
    while True:
        match = _OPTION.match(rest)
        if not match:
            break
        name = _ALIASES.get(match.group(1), match.group(1))
        if name not in allowed:
            raise WorkbenchError(f"Unknown option {match.group(1)}; use {', '.join(allowed)}.")
        options[name] = match.group(2)
        rest = rest[match.end() :]
    return options, rest.strip()


class WorkbenchMagics:
    """The magics' state: one Workbench (made on first use) and the default persona."""

    def __init__(self, shell: Any, workbench: Any = None) -> None:
        self.shell = shell
        self._workbench = workbench
        self.home: str | None = None
        self.persona = os.environ.get("WORKBENCH_PERSONA", "warehouse_manager")

    @property
    def workbench(self) -> Any:
        if self._workbench is None:
            from workbench.app import Workbench

            self._workbench = Workbench(home=self.home)
        return self._workbench

    def _fail(self, exc: WorkbenchError) -> None:
        print(f"Error: {exc}", file=sys.stderr)

    # -- magics --------------------------------------------------------------------------------
    def sql(self, line: str, cell: str) -> Any:
        """%%sql [--persona P] [-o NAME]: run the cell's SQL (guarded) and return a DataFrame."""
        try:
            options, _ = parse_options(line, ("--persona", "-o"))
            persona = options.get("--persona")
            if persona is not None:
                from workbench.data.schema import PERSONA_TABLES, Persona

                who = Persona.parse(persona)
                frame = self.workbench.sql(
                    cell, allowed_tables=PERSONA_TABLES[who], persona=who.value
                )
            else:
                frame = self.workbench.sql(cell)
        except WorkbenchError as exc:
            self._fail(exc)
            return None
        if frame.attrs.get("truncated"):
            print(f"(first {frame.attrs.get('row_limit')} rows only)", file=sys.stderr)
        if "-o" in options:
            self.shell.user_ns[options["-o"]] = frame
        return frame

    def ask(self, line: str, cell: str | None = None) -> Any:
        """%ask [--persona P] [--as-of D] question (or %%ask with the question below): the Answer."""
        try:
            options, question = parse_options(line, ("--persona", "--as-of"))
            if cell is not None:
                question = " ".join([question, cell.strip()]).strip()
        except WorkbenchError as exc:
            self._fail(exc)
            return None
        if not question:
            print("Usage: %ask [--persona P] [--as-of YYYY-MM-DD] your question", file=sys.stderr)
            return None
        persona = options.get("--persona", self.persona)
        return self.workbench.ask(question, persona, as_of=options.get("--as-of"))

    def configure(self, line: str) -> Any:
        """%workbench [--home PATH] [--persona P]: choose the data and the default persona."""
        try:
            options, _ = parse_options(line, ("--home", "--persona"))
            if "--persona" in options:
                from workbench.data.schema import Persona

                self.persona = Persona.parse(options["--persona"]).value
        except WorkbenchError as exc:
            self._fail(exc)
            return None
        if "--home" in options:
            if self._workbench is not None:
                self._workbench.close()
            self._workbench = None
            self.home = options["--home"]
        return {"home": str(self.workbench.home), "persona": self.persona}


def load_ipython_extension(ipython: Any) -> WorkbenchMagics:
    """Register the magics and the Answer formatter on ``ipython`` (an InteractiveShell)."""
    from workbench.agents.answer import Answer
    from workbench.notebook.display import answer_html

    state = WorkbenchMagics(ipython)
    ipython.register_magic_function(state.sql, magic_kind="cell", magic_name="sql")
    ipython.register_magic_function(state.ask, magic_kind="line_cell", magic_name="ask")
    ipython.register_magic_function(state.configure, magic_kind="line", magic_name="workbench")
    ipython.display_formatter.formatters["text/html"].for_type(Answer, answer_html)
    ipython.user_ns.setdefault("_workbench_magics", state)
    return state
