"""``Annotator``: grade outputs (or pick the better of two) against a rubric, one item at a time.

Every label goes to :class:`workbench.labels.LabelStore` and is committed before the widget moves
on, so a closed browser or a killed kernel loses nothing, and a new ``Annotator`` for the same
rater opens at the first item they have not labelled.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path
from typing import Any, Literal

import anywidget
import polars as pl
import traitlets as t

from workbench._table import as_table
from workbench.labels._queue import as_queue, keyed, output_key
from workbench.labels._store import LabelStore, item_key, queue_kind
from workbench.widgets._frame import kind_of, known_cases, normalize_cases

STATIC = Path(__file__).parent / "static"
Mode = Literal["single", "pairwise"]
MODES = ("single", "pairwise")
PAIR_CHOICES = [
    {"key": "a", "text": "A better", "shortcut": "a", "hint": "the left output is better"},
    {"key": "tie", "text": "Tie", "shortcut": "t", "hint": "neither is better"},
    {"key": "b", "text": "B better", "shortcut": "b", "hint": "the right output is better"},
]
_FLIP = {"a": "b", "b": "a", "tie": "tie"}
_PAIR_VALUE = {"a": 1.0, "tie": 0.5, "b": 0.0}  # model_a's share of the win


def _choices(rubric: Any) -> list[dict[str, Any]]:
    guidance = dict(rubric.guidance or {})
    if rubric.labels is not None:
        points: list[tuple[str, Any, float]] = [(lab, lab, float(i)) for i, lab in enumerate(rubric.labels)]
    else:
        lo, hi = rubric.scale
        points = [(str(p), p, float(p)) for p in range(lo, hi + 1)]
    # a 0-9 score scale is typed as itself; anything else by position, 1 to 9
    as_itself = rubric.labels is None and 0 <= rubric.scale[0] and rubric.scale[1] <= 9
    return [
        {
            "key": key,
            "text": key,
            "value": value,
            "hint": guidance.get(g, ""),
            "shortcut": key if as_itself else str(i + 1) if i < 9 else "",
        }
        for i, (key, g, value) in enumerate(points)
    ]


def _rubrics(rubric: Any) -> list[Any]:
    items = list(rubric) if isinstance(rubric, list | tuple) else [rubric]
    if not items:
        raise ValueError("rubric: give a Rubric or a non-empty list of Rubrics")
    for i, r in enumerate(items):
        if not all(hasattr(r, a) for a in ("criteria", "scale", "name", "guidance", "labels")):
            raise TypeError(f"rubric[{i}] must be a workbench.metrics.Rubric, got {type(r).__name__}")
    names = [r.name for r in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"rubric: criterion names must be unique, repeated: {dupes} (set Rubric(name=...))")
    return items


class Annotator(anywidget.AnyWidget):
    """Label a queue of outputs against a rubric, in a notebook; every label is saved at once.

    Single mode grades one output per item on the rubric's scale (buttons, or digits 1-9).
    Pairwise mode shows two outputs side by side and asks which is better (``a``, ``t``, ``b``).
    ``n``/``p`` or the arrow keys move, ``s`` skips. In blind mode model names are hidden and a
    pair's sides are shuffled per item by ``seed``. Labels are stored canonically: the pair's
    outputs in sorted order, ``label`` relative to that order, ``shown_first`` saying which was on
    the left.

    Args:
        queue: the items to label (see :mod:`workbench.labels`: ``queue_sample``, ``queue_pairs``...).
        cases: the CaseSet (or cases frame) the items come from; or the Run they were drawn from,
            which gives its cases and (when ``results`` is None) its results. Default: the cases
            of ``results`` when it is a Run or Scores.
        results: a Run (or the Scores of one) or its results frame holding the outputs (or None
            when ``queue`` has an ``output`` column).
        rubric: a :class:`~workbench.metrics.Rubric`, or a list of them (several criteria per item).
        rater: the name stored with every label.
        mode: ``"single"`` or ``"pairwise"`` (must match the queue's columns).
        blind: hide model names (and shuffle a pair's sides).
        seed: the seed of the pairs' shuffle.
        project: the project whose ``.workbench/labels.sqlite`` receives the labels.

    Example:
        >>> ann = Annotator(queue_sample(run, 20), run, rubric=helpful, rater="ana")  # doctest: +SKIP
        >>> ann.label(4); ann.progress                                                # doctest: +SKIP
        {'labelled': 1, 'total': 20, 'remaining': 19}
    """

    _esm = STATIC / "annotator.js"
    _css = STATIC / "annotator.css"

    mode = t.Unicode("single").tag(sync=True)
    blind = t.Bool(True).tag(sync=True)
    rater = t.Unicode("").tag(sync=True)
    criteria = t.List(t.Dict()).tag(sync=True)
    position = t.Int(0).tag(sync=True)
    total = t.Int(0).tag(sync=True)
    n_labelled = t.Int(0).tag(sync=True)
    item = t.Dict().tag(sync=True)
    given = t.Dict().tag(sync=True)
    active = t.Unicode("").tag(sync=True)
    error = t.Unicode("").tag(sync=True)

    def __init__(
        self,
        queue: Any,
        cases: Any = None,
        results: Any = None,
        *,
        rubric: Any,
        rater: str,
        mode: Mode = "single",
        blind: bool = True,
        seed: int = 0,
        project: Any = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be 'single' or 'pairwise', got {mode!r}")
        if not isinstance(rater, str) or not rater.strip():
            raise ValueError(f"rater must be a non-empty name, got {rater!r}")
        frame = as_queue(queue)
        if queue_kind(frame) != mode:
            need = "model_a, model_b (queue_pairs)" if mode == "pairwise" else "model, variant, sample"
            raise ValueError(
                f"mode={mode!r} needs a queue with columns {need}; it has: {', '.join(frame.columns)}"
            )
        self._rubrics = _rubrics(rubric)
        self._names = [r.name for r in self._rubrics]
        self._queue = frame
        self._items = list(frame.iter_rows(named=True))
        self._keys = [item_key(row, mode) for row in self._items]
        self._seed = seed
        self._store = LabelStore(project)
        if results is None and kind_of(cases) == "run":
            results = cases  # Annotator(queue, run): the run's cases and outputs
        found = known_cases(cases, results)
        if found is None:
            raise ValueError(
                "Annotator: no cases: pass the CaseSet (or cases table) the queue was drawn from, or "
                "the Run that knows them: Annotator(queue, run, rubric=..., rater=...)"
            )
        self._cases = {row["case_id"]: row for row in normalize_cases(found).iter_rows(named=True)}
        self._outputs = self._index_outputs(results, frame, mode)
        missing = [row["case_id"] for row in self._items if row["case_id"] not in self._cases]
        if missing:
            raise ValueError(
                f"queue item on case {missing[0]!r} has no case in cases ({len(missing)} such item(s))"
            )
        self._done: dict[tuple[Any, ...], dict[str, str]] = {}
        super().__init__(
            mode=mode,
            blind=blind,
            rater=rater,
            criteria=[self._criterion(r, mode) for r in self._rubrics],
            total=len(self._items),
        )
        self._reload()
        self.position = self._first_open(0)
        self._show()
        self.on_msg(self._on_msg)

    # -- data -----------------------------------------------------------------------------------

    @staticmethod
    def _index_outputs(results: Any, queue: pl.DataFrame, mode: str) -> dict[tuple[Any, ...], dict[str, Any]]:
        if results is None:
            if "output" not in queue.columns or mode == "pairwise":
                raise ValueError("results is None: pass the Run or results frame the queue was drawn from")
            results = queue
        frame = as_table(
            results,
            want="results",
            param="results",
            func="Annotator",
            columns=["output"],
            expected="the Run or results table the queue was drawn from",
        )
        frame = keyed(frame, "results")
        out: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in frame.sort("sample").iter_rows(named=True):
            entry = {"output": row["output"], "error": row.get("error_type") or row.get("error")}
            out[("single", row["run_id"], row["case_id"], row["model"], row["variant"], row["sample"])] = (
                entry
            )
            pair_key = ("pair", row["run_id"], row["case_id"], output_key(row["model"], row["variant"]))
            if pair_key not in out or (out[pair_key]["output"] is None and row["output"] is not None):
                out[pair_key] = entry
        return out

    @staticmethod
    def _criterion(rubric: Any, mode: str) -> dict[str, Any]:
        # a pair is judged better/tie/worse: the guidance on the rubric's scale points does not apply
        pairwise = mode == "pairwise"
        guidance = (
            [] if pairwise else [{"key": str(k), "text": v} for k, v in (rubric.guidance or {}).items()]
        )
        choices = PAIR_CHOICES if pairwise else _choices(rubric)
        return {"name": rubric.name, "criteria": rubric.criteria, "guidance": guidance, "choices": choices}

    def _swapped(self, i: int) -> bool:
        if self.mode != "pairwise" or not self.blind:
            return False
        return random.Random(json.dumps([self._seed, *self._keys[i]])).random() < 0.5

    def _reload(self) -> None:
        frame = self._store.table(rater=self.rater, kind=self.mode).filter(
            pl.col("criterion").is_in(self._names) & pl.col("label").is_not_null()
        )
        done: dict[tuple[Any, ...], dict[str, str]] = {}
        for row in frame.iter_rows(named=True):
            done.setdefault(item_key(row, self.mode), {})[row["criterion"]] = row["label"]
        self._done = done
        self.n_labelled = sum(self._complete(i) for i in range(len(self._items)))

    def _complete(self, i: int) -> bool:
        return len(self._done.get(self._keys[i], {})) == len(self._names)

    def _first_open(self, start: int) -> int:
        n = len(self._items)
        for step in range(n):
            i = (start + step) % n
            if not self._complete(i):
                return i
        return min(start, max(n - 1, 0))

    def _display(self, i: int) -> dict[str, Any]:
        row = self._items[i]
        case = self._cases[row["case_id"]]
        text = case["input"]
        turns = json.loads(text) if case["is_chat"] else None
        item: dict[str, Any] = {
            "case_id": row["case_id"],
            "input": None if turns else text,
            "turns": turns,
            "context": list(case["context"] or []),
            "reference": case["reference"],
        }
        if self.mode == "single":
            found = self._outputs.get(
                ("single", row["run_id"], row["case_id"], row["model"], row["variant"], row["sample"]), {}
            )
            name = "" if self.blind else output_key(row["model"], row["variant"])
            item["outputs"] = [
                {"slot": "", "name": name, "output": found.get("output"), "error": found.get("error")}
            ]
        else:
            left, right = (
                (row["model_b"], row["model_a"]) if self._swapped(i) else (row["model_a"], row["model_b"])
            )
            item["outputs"] = []
            for slot, key in (("A", left), ("B", right)):
                found = self._outputs.get(("pair", row["run_id"], row["case_id"], key), {})
                item["outputs"].append(
                    {
                        "slot": slot,
                        "name": "" if self.blind else key,
                        "output": found.get("output"),
                        "error": found.get("error"),
                    }
                )
        return item

    def _show(self) -> None:
        i = self.position
        with self.hold_sync():
            if not self._items:
                self.item, self.given, self.active = {}, {}, ""
                return
            given = dict(self._done.get(self._keys[i], {}))
            if self._swapped(i):
                given = {c: _FLIP.get(v, v) for c, v in given.items()}  # as displayed
            self.item = self._display(i)
            self.given = given
            self.active = next((n for n in self._names if n not in given), self._names[0])

    @t.validate("position")
    def _valid_position(self, proposal: dict[str, Any]) -> int:
        return max(0, min(int(proposal["value"]), max(len(self._items) - 1, 0)))

    @t.observe("position")
    def _on_position(self, change: dict[str, Any]) -> None:
        if hasattr(self, "_done"):
            self._show()

    # -- front end ------------------------------------------------------------------------------

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "label":
                stored = self.label(
                    content.get("choice"),
                    note=content.get("note") or None,
                    criterion=content.get("criterion"),
                )
                self.send(
                    {
                        "type": "saved",
                        "criterion": stored["criterion"],
                        "label": content.get("choice"),
                        "case_id": stored["case_id"],
                    }
                )
            elif kind in ("next", "skip"):
                self.next()
            elif kind == "previous":
                self.previous()
        except (ValueError, TypeError, OSError, sqlite3.Error) as e:  # shown to the rater; nothing was stored
            self.error = str(e)
            self.send({"type": "error", "message": str(e)})
        else:
            self.error = ""

    # -- Python side ----------------------------------------------------------------------------

    def label(self, value: Any, *, note: str | None = None, criterion: str | None = None) -> dict[str, Any]:
        """Label the current item, save it (committed), and move on once every criterion has a label.

        Args:
            value: single mode: a scale point (``4`` or ``"4"``) or label (``"pass"``); pairwise:
                ``"a"`` (the left output, as shown), ``"b"`` (the right one) or ``"tie"``.
            note: an optional comment stored with the label.
            criterion: which rubric (by name); default: the first one not yet labelled here.

        Returns:
            The stored row.
        """
        if not self._items:
            raise ValueError("the queue is empty: nothing to label")
        name = criterion or self.active or self._names[0]
        if name not in self._names:
            raise ValueError(f"criterion {name!r} is not one of the rubrics: {', '.join(self._names)}")
        i = self.position
        row = self._items[i]
        spec = self.criteria[self._names.index(name)]
        base = {"run_id": row["run_id"], "case_id": row["case_id"], "criterion": name, "rater": self.rater,
                "note": note, "blind": self.blind}  # fmt: skip
        if self.mode == "single":
            choice = next((c for c in spec["choices"] if c["key"] == str(value).strip()), None)
            if choice is None:
                keys = ", ".join(c["key"] for c in spec["choices"])
                raise ValueError(f"label {value!r} is not on the scale of {name!r}: {keys}")
            stored = {**base, "kind": "single", "model": row["model"], "variant": row["variant"],
                      "sample": row["sample"], "label": choice["key"], "value": choice["value"]}  # fmt: skip
        else:
            shown = str(value).strip().lower()
            if shown not in _FLIP:
                raise ValueError(f"pairwise label must be 'a' (left), 'b' (right) or 'tie', got {value!r}")
            swapped = self._swapped(i)
            canonical = _FLIP[shown] if swapped else shown
            stored = {**base, "kind": "pairwise", "model_a": row["model_a"], "model_b": row["model_b"],
                      "shown_first": "b" if swapped else "a", "label": canonical, "value": _PAIR_VALUE[canonical]}  # fmt: skip
        self._store.add(**stored)  # committed before the widget moves on
        self._done.setdefault(self._keys[i], {})[name] = stored["label"]
        self.n_labelled = sum(self._complete(j) for j in range(len(self._items)))
        target = i
        if self._complete(i):
            n = len(self._items)
            target = self._first_open(i + 1) if self.n_labelled < n else min(i + 1, n - 1)
        if target != self.position:
            self.position = target
        else:
            self._show()
        return stored

    def next(self) -> None:
        """Go to the next item (without labelling this one)."""
        self.position = self.position + 1

    def previous(self) -> None:
        """Go back one item."""
        self.position = self.position - 1

    @property
    def progress(self) -> dict[str, int]:
        """``{"labelled", "total", "remaining"}`` for this rater, from the store."""
        return self._store.progress(self._queue, self.rater, self._names)

    @property
    def labels(self) -> pl.DataFrame:
        """This rater's latest labels on this widget's criteria (``LABEL_COLUMNS``)."""
        return self._store.table(rater=self.rater, kind=self.mode).filter(
            pl.col("criterion").is_in(self._names)
        )

    @property
    def queue(self) -> pl.DataFrame:
        """The items being labelled."""
        return self._queue

    def current(self) -> dict[str, Any]:
        """The current queue row (with model names, whatever ``blind`` says)."""
        return dict(self._items[self.position])

    def __repr__(self) -> str:
        return (
            f"Annotator({self.mode}, rater={self.rater!r}, {self.n_labelled} / {self.total} labelled, "
            f"item {self.position + 1 if self.total else 0})"
        )
