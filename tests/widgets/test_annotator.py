"""Annotator without a browser: labels reach the store, blind mode hides names, pairs are canonical.

Uses the toy cases and results of ``conftest.py`` (m2 timed out on c4).
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from workbench.labels import LabelStore, queue_pairs, queue_sample
from workbench.metrics import Rubric
from workbench.widgets import Annotator

HELPFUL = Rubric("Does it solve the problem?", scale=(1, 5), name="helpful", guidance={1: "no", 5: "fully"})
TONE = Rubric("Is the tone right?", scale=["rude", "neutral", "warm"], name="tone")
STATE = (
    "mode",
    "blind",
    "rater",
    "criteria",
    "position",
    "total",
    "n_labelled",
    "item",
    "given",
    "active",
    "error",
)


def state(w: Annotator) -> str:
    return json.dumps({k: getattr(w, k) for k in STATE})


def single(cases, results, tmp_path, **kw):
    queue = results.filter(pl.col("model") == "m1").select("run_id", "case_id", "model", "variant", "sample")
    return Annotator(queue, cases, results, **{"rubric": HELPFUL, "rater": "ana", "project": tmp_path, **kw})


def test_label_is_stored_then_the_widget_advances(cases, results, tmp_path):
    w = single(cases, results, tmp_path)
    assert (w.position, w.total, w.n_labelled) == (0, 6, 0)
    assert w.item["case_id"] == "c1" and w.item["outputs"][0]["output"] == "Click Forgot password."
    assert (
        w.item["input"] == "How do I reset my password?" and w.item["reference"] == "Click Forgot password."
    )
    row = w.label(4, note="good")
    assert row["label"] == "4" and row["value"] == 4.0
    table = LabelStore(tmp_path).table()
    assert table.select(
        "run_id",
        "case_id",
        "kind",
        "model",
        "variant",
        "sample",
        "criterion",
        "rater",
        "label",
        "value",
        "note",
        "blind",
    ).rows() == [("r1", "c1", "single", "m1", "v", 0, "helpful", "ana", "4", 4.0, "good", True)]
    assert (w.position, w.n_labelled) == (1, 1)
    assert w.progress == {"labelled": 1, "total": 6, "remaining": 5}
    assert w.labels.select("case_id", "label").rows() == [("c1", "4")]


def test_a_new_widget_resumes_at_the_first_unlabelled_item(cases, results, tmp_path):
    w = single(cases, results, tmp_path)
    w.label(3)
    w.next()  # skip c2
    w.label("5")  # c3
    assert w.position == 3  # on to c4, the next item still open
    again = single(cases, results, tmp_path)
    assert (again.position, again.n_labelled, again.item["case_id"]) == (1, 2, "c2")
    other = single(cases, results, tmp_path, rater="bo")  # a second rater starts from the top
    assert (other.position, other.n_labelled) == (0, 0)


def test_front_end_messages_label_and_move(cases, results, tmp_path):
    w = single(cases, results, tmp_path)
    w._handle_custom_msg({"type": "label", "criterion": "helpful", "choice": "2", "note": ""}, [])
    assert LabelStore(tmp_path).table().select("case_id", "label", "note").rows() == [("c1", "2", None)]
    w._handle_custom_msg({"type": "next"}, [])
    w._handle_custom_msg({"type": "skip"}, [])
    assert w.position == 3
    w._handle_custom_msg({"type": "previous"}, [])
    assert w.position == 2
    w._handle_custom_msg({"type": "label", "criterion": "helpful", "choice": "9"}, [])
    assert "label '9' is not on the scale of 'helpful': 1, 2, 3, 4, 5" in w.error
    assert LabelStore(tmp_path).table(latest=False).height == 1
    w.previous(), w.previous(), w.previous()
    assert w.position == 0 and w.given == {"helpful": "2"}  # the earlier label is shown


def test_blind_mode_hides_model_names_in_the_synced_state(cases, results, tmp_path):
    blind = single(cases, results, tmp_path)
    assert "m1" not in state(blind) and blind.item["outputs"][0]["name"] == ""
    seen = single(cases, results, tmp_path, blind=False)
    assert seen.item["outputs"][0]["name"] == "m1/v"
    seen.label(1)
    assert LabelStore(tmp_path).table().get_column("blind").to_list() == [False]


def test_keyboard_map_and_guidance_are_in_the_state(cases, results, tmp_path):
    w = single(cases, results, tmp_path, rubric=[HELPFUL, TONE])
    helpful, tone = w.criteria
    assert [(c["key"], c["shortcut"], c["value"]) for c in helpful["choices"]] == [
        (str(i), str(i), float(i)) for i in range(1, 6)
    ]
    assert helpful["guidance"] == [{"key": "1", "text": "no"}, {"key": "5", "text": "fully"}]
    assert [(c["key"], c["shortcut"], c["value"]) for c in tone["choices"]] == [
        ("rude", "1", 0.0),
        ("neutral", "2", 1.0),
        ("warm", "3", 2.0),
    ]


def test_several_criteria_advance_once_all_are_labelled(cases, results, tmp_path):
    w = single(cases, results, tmp_path, rubric=[HELPFUL, TONE])
    assert w.active == "helpful"
    w.label(5)
    assert (w.position, w.active, w.given) == (0, "tone", {"helpful": "5"})
    w.label("warm")
    assert (w.position, w.n_labelled) == (1, 1)
    assert LabelStore(tmp_path).table().select("criterion", "label", "value").rows() == [
        ("helpful", "5", 5.0),
        ("tone", "warm", 2.0),
    ]
    with pytest.raises(ValueError, match="criterion 'style' is not one of the rubrics: helpful, tone"):
        w.label(1, criterion="style")


def test_pairwise_left_click_on_a_swapped_pair_stores_the_canonical_winner(cases, results, tmp_path):
    by_output = {
        (r["case_id"], r["output"]): f"{r['model']}/{r['variant']}" for r in results.iter_rows(named=True)
    }
    queue = queue_pairs(results, "m2", "m1")
    w = Annotator(
        queue, cases, results, rubric=HELPFUL, rater="ana", mode="pairwise", project=tmp_path, seed=0
    )
    assert "m1" not in state(w) and "m2" not in state(w)
    assert [c["shortcut"] for c in w.criteria[0]["choices"]] == ["a", "t", "b"]
    lefts = []
    for _ in range(queue.height):
        case_id = w.item["case_id"]
        left = by_output[(case_id, w.item["outputs"][0]["output"])]
        right = by_output[(case_id, w.item["outputs"][1]["output"])]
        assert {left, right} == {"m1/v", "m2/v"}
        lefts.append(left)
        w.label("a")  # "A better": the left output wins
    assert set(lefts) == {"m1/v", "m2/v"}  # seed 0 shows each model on the left at least once
    rows = LabelStore(tmp_path).table().rows(named=True)
    for row, left in zip(rows, lefts, strict=True):
        assert (row["model_a"], row["model_b"]) == ("m1/v", "m2/v")
        winner = row["model_a"] if row["label"] == "a" else row["model_b"]
        assert winner == left
        assert row["shown_first"] == ("a" if left == "m1/v" else "b")
        assert row["value"] == (1.0 if row["label"] == "a" else 0.0)


def test_pairwise_display_shows_the_given_label_as_seen(cases, results, tmp_path):
    queue = queue_pairs(results, "m1", "m2")
    w = Annotator(queue, cases, results, rubric=HELPFUL, rater="ana", mode="pairwise", project=tmp_path)
    w.label("b")
    w.previous()
    assert w.given == {"helpful": "b"}  # the right side, whichever model that is
    w.label("tie")
    assert LabelStore(tmp_path).table().get_column("label").to_list() == ["tie"]


def test_not_blind_pairs_keep_the_canonical_order(cases, results, tmp_path):
    queue = queue_pairs(results, "m2", "m1")
    w = Annotator(
        queue, cases, results, rubric=HELPFUL, rater="ana", mode="pairwise", blind=False, project=tmp_path
    )
    assert [o["name"] for o in w.item["outputs"]] == ["m1/v", "m2/v"]
    w.label("a")
    assert LabelStore(tmp_path).table().select("label", "shown_first", "blind").rows() == [("a", "a", False)]


def test_constructor_errors(cases, results, tmp_path):
    with pytest.raises(ValueError, match="mode='pairwise' needs a queue with columns model_a, model_b"):
        Annotator(
            queue_sample(results, 2),
            cases,
            results,
            rubric=HELPFUL,
            rater="ana",
            mode="pairwise",
            project=tmp_path,
        )
    with pytest.raises(ValueError, match="rater must be a non-empty name"):
        Annotator(queue_sample(results, 2), cases, results, rubric=HELPFUL, rater=" ", project=tmp_path)
    with pytest.raises(ValueError, match=r"criterion names must be unique, repeated: \['helpful'\]"):
        Annotator(
            queue_sample(results, 2), cases, results, rubric=[HELPFUL, HELPFUL], rater="ana", project=tmp_path
        )
    other = pl.DataFrame({"case_id": ["zz"], "model": "m1", "output": "x"})
    with pytest.raises(ValueError, match="queue item on case 'zz' has no case in cases"):
        Annotator(other, cases, other, rubric=HELPFUL, rater="ana", project=tmp_path)


def test_chat_input_and_failed_output(cases, results, tmp_path):
    queue = results.filter(pl.col("case_id").is_in(["c3", "c4"]) & (pl.col("model") == "m2"))
    w = Annotator(queue, cases, results, rubric=HELPFUL, rater="ana", project=tmp_path)
    assert w.item["input"] is None and [t["role"] for t in w.item["turns"]] == ["user", "assistant", "user"]
    assert w.item["context"] == ["Plans: Starter, Pro.", "Upgrade in Settings."]
    w.next()
    assert w.item["outputs"][0] == {"slot": "", "name": "", "output": None, "error": "Timeout"}


def test_the_front_end_hears_saved_only_after_the_label_is_in_the_store(cases, results, tmp_path):
    w = single(cases, results, tmp_path)
    heard: list[tuple[dict, int]] = []
    w.send = lambda content, buffers=None: heard.append((content, LabelStore(tmp_path).table().height))
    w._handle_custom_msg({"type": "label", "criterion": "helpful", "choice": "3", "note": "terse"}, [])
    assert heard == [({"type": "saved", "criterion": "helpful", "label": "3", "case_id": "c1"}, 1)]
    w._handle_custom_msg({"type": "label", "criterion": "helpful", "choice": "0"}, [])
    assert heard[-1][0]["type"] == "error" and heard[-1][1] == 1


def test_a_disagreement_queue_with_its_own_outputs_needs_no_results(cases, results, scores, tmp_path):
    from workbench.labels import queue_disagreements

    judged = scores.with_columns(
        pl.when(pl.col("metric") == "sim")
        .then(pl.col("value") >= 0.5)
        .otherwise(pl.col("passed"))
        .alias("passed")
    )
    queue = queue_disagreements(judged, "sim", "em")
    assert queue.select("case_id", "model").rows() == [("c2", "m1"), ("c6", "m2")]
    queue = queue.join(results.select("case_id", "model", "output"), on=["case_id", "model"])
    w = Annotator(queue, cases, rubric=HELPFUL, rater="ana", project=tmp_path)
    assert w.item["outputs"][0]["output"] == "Refunds take 7 days."
    w.label(2)
    assert LabelStore(tmp_path).table().select("case_id", "model", "label").rows() == [("c2", "m1", "2")]
