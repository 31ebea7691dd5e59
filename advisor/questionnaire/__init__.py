"""The questions of ``advisor init`` as data, and all of it that needs no terminal.

Why a table: every question (its prompt, one-line help, default, when it
applies, how an answer is read and checked, the comment written beside it) is
one row, so the interactive flow, ``--non-interactive``/``--defaults``, the
answers file and the unit tests all go through the same rows. Values are read
with :mod:`advisor.units` and the model's enums, the same code the workload
loader uses, so an answer accepted here is accepted by ``advisor validate``.

The pieces:

- :data:`TOP_QUESTIONS`, :data:`FLOW_QUESTIONS`: the table.
- :func:`parse_answer`: one answer (typed text, or a value from an answers
  file) to its canonical value, or ``ValueError`` with a message for people.
- :class:`Session`: the answers so far, what to ask next, ``back`` and edits.
- :func:`interview`: the question loop and the summary, over an injected
  :class:`IO` (the terminal in ``init.py``, a list of strings in tests).
- :func:`complete`: the same answers without asking (``--non-interactive``,
  ``--defaults``), every problem collected.
- :func:`build_document`: answers to commented YAML that ``load_text`` accepts.
- :func:`answers_from_file`, :func:`merge_flags`: answers from a file and flags.

The modules: ``questions`` (the table, reading one answer), ``session`` (the
answers so far and the interview), ``document`` (answers without asking, and
the file written).
"""
from __future__ import annotations

from .document import (answers_from_file, build_document, complete, flatten, merge_flags, preset, scalar)
from .questions import (FLOW_BY_KEY, FLOW_QUESTIONS, GROUP_COMMENTS, KAFKA_SOURCES, MQ_SOURCES, TOP_BY_KEY,
                        TOP_QUESTIONS, Ctx, Question, _slug_rule, parse_answer, schema_id, show, slugify)
from .session import (IO, REVIEW_PROMPT, Aborted, Session, Slot, ask_all, ask_one, details, interview, label,
                      review, summary)

__all__ = ["FLOW_BY_KEY", "FLOW_QUESTIONS", "GROUP_COMMENTS", "IO", "KAFKA_SOURCES", "MQ_SOURCES", "REVIEW_PROMPT",
           "TOP_BY_KEY", "TOP_QUESTIONS", "Aborted", "Ctx", "Question", "Session", "Slot", "_slug_rule",
           "answers_from_file", "ask_all", "ask_one", "build_document", "complete", "details", "flatten",
           "interview", "label", "merge_flags", "parse_answer", "preset", "review", "scalar", "schema_id", "show",
           "slugify", "summary"]
