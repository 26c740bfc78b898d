"""The IPython extension: ``%load_ext workbench`` gives ``%%sql``, ``%ask`` and ``%workbench``.

- ``%%sql [--persona P] [-o NAME]``: the cell's SQL through ``Workbench.sql`` (the SQL
  guard: one read-only SELECT over the allowed tables), returned as a DataFrame;
- ``%ask [--persona P] [--as-of YYYY-MM-DD] question``: ``Workbench.ask``; the ``Answer``
  displays as a sentence, a table, a chart and its cost. IPython reads a line ending in
  ``?`` as a help request, so leave the question mark out, or use the cell form
  ``%%ask [--persona P]`` with the question in the cell body;
- ``%workbench [--home PATH] [--persona P]``: choose the data and the default persona.

Options are read by IPython's ``magic_arguments`` (``%ask?`` lists them); an unknown option
is an error, never ignored. ``%%sql`` reads as the session's persona (``%workbench
--persona``) unless ``--persona`` names another. ``%ask`` keeps one conversation per notebook,
so "and the month before?" refines the previous answer; ``%workbench`` with a new persona or
data starts a new one. A refused or failing query prints the workbench's one-line message
instead of a traceback.
"""

from __future__ import annotations

import os
import shlex
import sys
import uuid
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from workbench.core.errors import WorkbenchError

__all__ = ["WorkbenchMagics", "load_ipython_extension", "split_options"]


def split_options(line: str) -> tuple[str, str]:
    """The leading options of a magic line and the rest: a question keeps its quotes and
    apostrophes ("what's our spend?"), which a shell-style split of the whole line would not."""
    words = line.split()
    taken: list[str] = []
    i = 0
    while i < len(words) and words[i].startswith("-"):
        taken.append(words[i])
        if "=" not in words[i] and i + 1 < len(words):
            taken.append(words[i + 1])
            i += 1
        i += 1
    rest = line.strip()
    for word in taken:
        rest = rest[rest.index(word) + len(word) :].lstrip()
    return " ".join(shlex.quote(w) for w in taken), rest


class WorkbenchMagics:
    """The magics' state: one Workbench (made on first use), the session persona and the
    notebook's conversation."""

    def __init__(self, shell: Any, workbench: Any = None) -> None:
        self.shell = shell
        self._workbench = workbench
        self.home: str | None = None
        self.persona = os.environ.get("WORKBENCH_PERSONA", "warehouse_manager")
        self.session_id = f"notebook-{uuid.uuid4().hex}"

    @property
    def workbench(self) -> Any:
        if self._workbench is None:
            from workbench.app import Workbench

            self._workbench = Workbench(home=self.home)
        return self._workbench

    def _fail(self, exc: Exception) -> None:
        print(f"Error: {exc}", file=sys.stderr)

    def _new_conversation(self) -> None:
        self.session_id = f"notebook-{uuid.uuid4().hex}"

    # -- magics --------------------------------------------------------------------------------
    @magic_arguments()
    @argument(
        "--persona",
        "-p",
        help="read as this persona (default: the session's, %%workbench --persona)",
    )
    @argument("-o", "--out", dest="out", help="also store the DataFrame in this variable")
    def sql(self, line: str, cell: str) -> Any:
        """Run the cell's SQL through the SQL guard (one read-only SELECT over the persona's
        tables) and return a DataFrame."""
        try:
            args = parse_argstring(self.sql, line)
            from workbench.data.schema import PERSONA_TABLES, Persona

            who = Persona.parse(args.persona or self.persona)
            frame = self.workbench.sql(cell, allowed_tables=PERSONA_TABLES[who], persona=who.value)
        except (WorkbenchError, UsageError) as exc:
            self._fail(exc)
            return None
        if frame.attrs.get("truncated"):
            print(f"(first {frame.attrs.get('row_limit')} rows only)", file=sys.stderr)
        if args.out:
            self.shell.user_ns[args.out] = frame
        return frame

    @magic_arguments()
    @argument("--persona", "-p", help="ask as this persona (default: the session's)")
    @argument("--as-of", dest="as_of", help="the date 'today' means, YYYY-MM-DD")
    def ask(self, line: str, cell: str | None = None) -> Any:
        """Ask a question (the rest of the line, or the cell below %%ask) and return the
        Answer; follow-ups refine the notebook's previous answer."""
        try:
            options, question = split_options(line)
            args = parse_argstring(self.ask, options)
        except UsageError as exc:
            self._fail(exc)
            return None
        if cell is not None:
            question = " ".join([question, cell.strip()]).strip()
        if not question:
            print("Usage: %ask [--persona P] [--as-of YYYY-MM-DD] your question", file=sys.stderr)
            return None
        persona = args.persona or self.persona
        return self.workbench.ask(question, persona, as_of=args.as_of, session_id=self.session_id)

    @magic_arguments()
    @argument("--home", help="the workbench home (data, users, ledger)")
    @argument("--persona", "-p", help="the session's persona for %%ask and %%%%sql")
    def configure(self, line: str) -> Any:
        """Choose the data and the session's persona (either starts a new conversation)."""
        try:
            args = parse_argstring(self.configure, line)
            if args.persona:
                from workbench.data.schema import Persona

                self.persona = Persona.parse(args.persona).value
                self._new_conversation()
        except (WorkbenchError, UsageError) as exc:
            self._fail(exc)
            return None
        if args.home:
            if self._workbench is not None:
                self._workbench.close()
            self._workbench = None
            self.home = args.home
            self._new_conversation()
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
