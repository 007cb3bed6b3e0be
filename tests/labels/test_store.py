"""LabelStore: exact dtypes, latest wins, validation, durability across processes and SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from workbench._schema import LABEL_COLUMNS, polars_schema
from workbench.labels import LabelStore
from workbench.store import Store

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)


def single(**kw):
    row = {"run_id": "r1", "case_id": "c1", "kind": "single", "model": "m1", "variant": "v", "sample": 0,
           "criterion": "helpful", "rater": "ana", "label": "4", "value": 4.0, "blind": True}  # fmt: skip
    return {**row, **kw}


def pair(**kw):
    row = {"run_id": "r1", "case_id": "c1", "kind": "pairwise", "model_a": "m1/v", "model_b": "m2/v",
           "shown_first": "b", "criterion": "better", "rater": "ana", "label": "a", "value": 1.0, "blind": True}  # fmt: skip
    return {**row, **kw}


def test_round_trip_has_exact_columns_and_dtypes(tmp_path):
    store = LabelStore(tmp_path)
    assert store.path == tmp_path.resolve() / ".workbench" / "labels.sqlite"
    empty = store.table()
    assert empty.schema == pl.Schema(polars_schema(LABEL_COLUMNS)) and empty.height == 0
    store.add(**single(note="tone is off", created_at=T0))
    store.add(**pair(created_at=T0 + timedelta(seconds=1)))
    table = store.table()
    assert table.schema == pl.Schema(polars_schema(LABEL_COLUMNS))
    assert table.rows(named=True) == [
        {"run_id": "r1", "case_id": "c1", "kind": "single", "model": "m1", "variant": "v", "sample": 0,
         "model_a": None, "model_b": None, "shown_first": None, "criterion": "helpful", "rater": "ana",
         "label": "4", "value": 4.0, "note": "tone is off", "blind": True, "created_at": T0},
        {"run_id": "r1", "case_id": "c1", "kind": "pairwise", "model": None, "variant": None, "sample": None,
         "model_a": "m1/v", "model_b": "m2/v", "shown_first": "b", "criterion": "better", "rater": "ana",
         "label": "a", "value": 1.0, "note": None, "blind": True, "created_at": T0 + timedelta(seconds=1)},
    ]  # fmt: skip


def test_created_at_defaults_to_now_utc(tmp_path):
    store = LabelStore(tmp_path)
    before = datetime.now(UTC)
    store.add(**single())
    (stamp,) = store.table().get_column("created_at").to_list()
    assert before <= stamp <= datetime.now(UTC)


def test_latest_label_wins_per_item_criterion_and_rater(tmp_path):
    store = LabelStore(tmp_path)
    store.add(**single(label="2", value=2.0))
    store.add(**single(label="5", value=5.0))  # ana changed her mind
    store.add(**single(rater="bo", label="3", value=3.0))
    store.add(**single(model="m2", label="1", value=1.0))
    store.add(**single(criterion="tone", label="4", value=4.0))
    latest = store.table().select("model", "criterion", "rater", "label").rows()
    # the latest row per key, in the order those rows were added
    assert latest == [
        ("m1", "helpful", "ana", "5"),
        ("m1", "helpful", "bo", "3"),
        ("m2", "helpful", "ana", "1"),
        ("m1", "tone", "ana", "4"),
    ]
    assert store.table(latest=False).get_column("label").to_list() == ["2", "5", "3", "1", "4"]
    assert store.table(rater="ana", criterion="helpful").select("model", "label").rows() == [
        ("m1", "5"),
        ("m2", "1"),
    ]
    assert store.raters() == ["ana", "bo"] and store.raters(run_id="nope") == []


def test_store_labels_reads_the_same_table(tmp_path):
    LabelStore(tmp_path).add(**single())
    assert Store(tmp_path).labels(rater="ana").equals(LabelStore(tmp_path).table())
    assert Store(tmp_path).labels(rater="bo").height == 0


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (single(colour="red"), "unknown label field 'colour'"),
        (single(case_id=""), "'case_id'"),
        (single(case_id=3), "'case_id'"),
        (single(rater=None), "'rater'"),
        (single(kind="triple"), "'kind'"),
        (single(sample=-1), "'sample'"),
        (single(sample=True), "'sample'"),
        (single(model_a="m1"), "'model_a'"),
        (single(value="high"), "'value'"),
        (single(value=float("nan")), "'value'"),
        (single(blind="yes"), "'blind'"),
        (single(created_at=datetime(2026, 1, 1)), "'created_at'"),
        (single(note=5), "'note'"),
        (pair(model_a="m2/v", model_b="m1/v"), "label fields 'model_a' and 'model_b'"),
        (pair(label="left"), "'label'"),
        (pair(shown_first="left"), "'shown_first'"),
        (pair(model="m1"), "'model'"),
    ],
)
def test_validation_names_the_field(tmp_path, row, field):
    store = LabelStore(tmp_path)
    message = field if field.startswith(("unknown", "label")) else f"label field {field}"
    with pytest.raises(ValueError, match=message):
        store.add(**row)
    assert store.table(latest=False).height == 0


WRITER = textwrap.dedent(
    """
    import sys
    from workbench.labels import LabelStore
    store = LabelStore(sys.argv[1])
    rater, n = sys.argv[2], int(sys.argv[3])
    for i in range(n):
        store.add(run_id="r1", case_id=f"c{i}", kind="single", model="m", variant="v", sample=0,
                  criterion="helpful", rater=rater, label=str(i % 5 + 1), value=float(i % 5 + 1), blind=True)
    print("added", flush=True)
    if len(sys.argv) > 4:
        import time
        time.sleep(600)
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    n = 150
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), rater, str(n)], cwd=REPO, stderr=subprocess.PIPE
        )
        for rater in ("ana", "bo")
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    table = LabelStore(tmp_path).table(latest=False)
    assert table.group_by("rater").len().sort("rater").rows() == [("ana", n), ("bo", n)]
    assert LabelStore(tmp_path).table().height == 2 * n


def test_a_label_survives_sigkill_of_the_writer(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), "ana", "3", "then-sleep"],
        cwd=REPO,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"added\n"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    table = LabelStore(tmp_path).table()
    assert table.select("case_id", "label").rows() == [("c0", "1"), ("c1", "2"), ("c2", "3")]


def test_progress_and_remaining_resume_where_the_rater_stopped(tmp_path):
    store = LabelStore(tmp_path)
    queue = pl.DataFrame(
        {"run_id": "r1", "case_id": ["c1", "c2", "c3"], "model": "m1", "variant": "v", "sample": 0}
    )
    assert store.progress(queue, "ana", "helpful") == {"labelled": 0, "total": 3, "remaining": 3}
    store.add(**single(case_id="c2"))
    store.add(**single(case_id="c1", label=None, value=None))  # a row without a label does not count
    store.add(**single(case_id="c3", rater="bo"))
    assert store.progress(queue, "ana", "helpful") == {"labelled": 1, "total": 3, "remaining": 2}
    assert store.remaining(queue, "ana", "helpful").get_column("case_id").to_list() == ["c1", "c3"]
    # with two criteria an item is done when both have a label
    assert store.progress(queue, "ana", ["helpful", "tone"])["labelled"] == 0
    store.add(**single(case_id="c2", criterion="tone"))
    assert store.progress(queue, "ana", ["helpful", "tone"])["labelled"] == 1


def test_pairwise_progress(tmp_path):
    store = LabelStore(tmp_path)
    queue = pl.DataFrame({"run_id": "r1", "case_id": ["c1", "c2"], "model_a": "m1/v", "model_b": "m2/v"})
    store.add(**pair(case_id="c2"))
    assert store.remaining(queue, "ana", "better").get_column("case_id").to_list() == ["c1"]


def test_table_options_are_keyword_only_and_kind_is_checked(tmp_path):
    store = LabelStore(tmp_path)
    with pytest.raises(TypeError):
        store.table("r1")  # type: ignore[misc]
    with pytest.raises(ValueError, match=r"kind='pair': expected one of single, pairwise"):
        store.table(kind="pair")
