"""One input protocol: every public function that takes a table accepts a polars DataFrame or
LazyFrame, a pandas DataFrame, and the workbench object that holds the table (a Run, a Scores, a
CaseSet), and gives the same answer whichever it is given; ``cases=`` is optional where a Run or a
Scores knows them.

The walk below finds every public callable with a table parameter; each must have an entry in
``CALLS`` (so a new function cannot skip the protocol), and each entry is fed every form.
"""

from __future__ import annotations

import importlib
import inspect
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
import pytest

import workbench as wb
from workbench._table import as_table
from workbench.cases import CaseSet
from workbench.metrics import Scores

#: parameter names that hold a table
TABLE_PARAMS = {
    "results",
    "scores",
    "data",
    "cases",
    "labels",
    "human_labels",
    "pairwise",
    "summary",
    "points",
    "frame",
    "run_or_results",
    "judge_scores",
    "judge_pairwise_scores",
    "pairwise_scores",
    "judge_scores_or_pairwise",
    "human_pairwise_labels",
    "ratings",
    "corpus",
    "queue",
    "versions",
}

#: table-taking callables that are not user entry points (result constructors, store internals,
#: the runner, which takes cases through load_cases' own rules and is tested there)
NOT_ENTRY_POINTS = {
    "calibration.Calibration",
    "calibration.JudgeComparison",
    "calibration.PairwiseCalibration",
    "cases.CaseSet",
    "cluster.class_tfidf",
    "golden.Deduped",
    "golden.Paraphrased",
    "golden.Sample",
    "labels.LabelStore.remaining",
    "labels.LabelStore.progress",
    "metrics.Scores",
    "metrics.Scores.summary",
    "runner.Run",
    "runner.arun",
    "runner.run",
    "store.Store.write_cases",
    "golden.paraphrase",
    "cluster.Clusterer.tag_cases",
    "widgets.Annotator",
}


def _walk() -> dict[str, Any]:
    found: dict[str, Any] = {}
    seen: set[int] = set()
    for sub in wb._SUBPACKAGES:
        module = importlib.import_module(f"workbench.{sub}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            targets = [(f"{sub}.{name}", obj)] if callable(obj) else []
            if inspect.isclass(obj):
                targets += [
                    (f"{sub}.{name}.{k}", v)
                    for k, v in vars(obj).items()
                    if not k.startswith("_") and inspect.isfunction(v)
                ]
            for where, target in targets:
                if id(target) in seen:
                    continue
                seen.add(id(target))
                try:
                    params = inspect.signature(target).parameters
                except (TypeError, ValueError):
                    continue
                if TABLE_PARAMS & set(params):
                    found[where] = target
    return found


# -- the world every call is made in: a real run against the fake server ----------------------


@dataclass
class World:
    cases: CaseSet
    run: Any
    scores: Scores
    pairwise: pl.DataFrame
    labels: pl.DataFrame
    judge: pl.DataFrame
    traffic: pl.DataFrame
    judge_model: Any
    project: Any


@pytest.fixture(scope="module")
def world(fake_server_session, tmp_path_factory) -> World:
    project = tmp_path_factory.mktemp("protocol")
    rng = np.random.default_rng(0)
    records = []
    for i in range(16):
        answer = ["refund", "invoice", "password", "export"][i % 4]
        records.append(
            {
                "id": f"c{i:02d}",
                "input": f"[[reply:{answer if i % 3 else 'not sure'}]] question {i} about {answer}",
                "reference": answer,
                "tags": [f"intent:{answer}", "hard" if i % 2 else "easy"],
                "tier": "pro" if i % 5 == 0 else "free",
            }
        )
    cases = CaseSet.from_records(records)
    model = wb.Model(
        "openai/fake-model", name="m1", params={"api_base": fake_server_session.base_url, "api_key": "x"}
    )
    other = wb.Model(
        "openai/fake-model",
        name="m2",
        params={"api_base": fake_server_session.base_url, "api_key": "x", "temperature": 0.5},
    )
    prompts = [wb.Prompt("plain"), wb.Prompt("terse", "[[reply:refund]] {input}")]
    run = wb.run(cases, [model, other], prompts, project=project, progress=False)
    # mentions_refund disagrees with exact_match where the terse prompt answers "refund" to everything
    scores = wb.score(
        run, [wb.exact_match, wb.token_f1, wb.contains(any_of=["refund"], metric="mentions_refund")]
    )
    ids = cases.ids
    pairwise = pl.DataFrame(
        {
            "case_id": ids,
            "model_a": "m1",
            "model_b": "m2",
            "winner": [["a", "b", "tie"][i % 3] for i in range(len(ids))],
            "consistent": [i % 4 != 0 for i in range(len(ids))],
        }
    )
    keys = run.results.filter(pl.col("variant") == "plain").select(
        "run_id", "case_id", "model", "variant", "sample"
    )
    labels = pl.concat(
        [
            keys.with_columns(
                pl.lit(rater).alias("rater"),
                pl.Series("label", rng.integers(1, 6, keys.height)).cast(pl.Int64),
                pl.lit("helpful").alias("criterion"),
            )
            for rater in ("ana", "ben", "cy")
        ]
    )
    judge = keys.with_columns(
        pl.lit("judge").alias("metric"),
        pl.Series("value", rng.integers(1, 6, keys.height)).cast(pl.Float64),
        pl.lit(None, dtype=pl.Boolean).alias("passed"),
        pl.lit("because").alias("rationale"),
    )
    traffic = pl.DataFrame(
        {
            "request_id": [f"r{i}" for i in range(40)],
            "input": [f"hello, how do I get a refund for order {i % 7}?" for i in range(40)],
            "output": "ok",
            "intent": [["refund", "billing"][i % 2] for i in range(40)],
        }
    )
    return World(cases, run, scores, pairwise, labels, judge, traffic, model, project)


# -- the calls ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """How to call one function: ``fn(data, world, cases)`` for a table of kind ``want``, and the
    forms it accepts. ``cases`` is the CaseSet for a bare frame and None for a Run or Scores, which
    must know their cases."""

    want: str  # results / scores / cases / pairwise / labels / judge / traffic / points / ratings
    fn: Callable[[Any, World, Any], Any]
    forms: tuple[str, ...] = ("polars", "lazy", "pandas")


M1_PLAIN = {"model": "m1", "variant": "plain"}
M1_TERSE = {"model": "m1", "variant": "terse"}


CALLS: dict[str, Call] = {
    # stats
    "stats.summarize": Call(
        "scores",
        lambda d, w, c: wb.summarize(d, by="model", slices=["intent:refund"], cases=c, n_resamples=200),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "stats.compare": Call(
        "scores",
        lambda d, w, c: wb.compare(d, "token_f1", M1_PLAIN, M1_TERSE, n_resamples=200),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "stats.compare_slices": Call(
        "scores",
        lambda d, w, c: wb.stats.compare_slices(
            d, "exact_match", M1_PLAIN, M1_TERSE, slices=["easy", "hard"], cases=c, n_resamples=200
        ),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "stats.operational_summary": Call(
        "results",
        lambda d, w, c: wb.operational_summary(d, slices=["easy"], cases=c, n_resamples=200),
        ("polars", "lazy", "pandas", "run", "scores"),
    ),
    "stats.win_rate": Call("pairwise", lambda d, w, c: wb.win_rate(d, "m1", "m2")),
    "stats.bradley_terry": Call("pairwise", lambda d, w, c: wb.stats.bradley_terry(d, n_resamples=20)),
    # metrics
    "metrics.score": Call(
        "results",
        lambda d, w, c: wb.score(d, [wb.token_f1], cases=c, save=False).table,
        ("polars", "lazy", "pandas", "run"),
    ),
    "metrics.pairwise_judge": Call(
        "results",
        lambda d, w, c: wb.pairwise_judge(d, "m1", "m2", cases=c, model=w.judge_model, project=w.project),
        ("polars", "lazy", "pandas", "run"),
    ),
    # charts
    "charts.metric_by_model": Call(
        "scores",
        lambda d, w, c: wb.charts.metric_by_model(d, metric="token_f1", n_resamples=200),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "charts.slice_heatmap": Call(
        "scores",
        lambda d, w, c: wb.charts.slice_heatmap(
            d, "token_f1", slices=["easy", "hard"], cases=c, n_resamples=200
        ),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "charts.latency_distribution": Call(
        "results",
        lambda d, w, c: wb.charts.latency_distribution(d),
        ("polars", "lazy", "pandas", "run", "scores"),
    ),
    "charts.cost_quality": Call(
        "scores",
        lambda d, w, c: wb.charts.cost_quality(
            d, metric="token_f1", results=w.run.results.with_columns(cost_usd=pl.lit(0.001)), n_resamples=200
        ),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "charts.pareto_front": Call(
        "points",
        lambda d, w, c: wb.charts.pareto_front(d, quality="mean", cost="cost_per_request"),
    ),
    "charts.win_rate_matrix": Call("pairwise", lambda d, w, c: wb.charts.win_rate_matrix(d)),
    "charts.win_rate_cells": Call("pairwise", lambda d, w, c: wb.charts.win_rate_cells(d)),
    "charts.bt_ratings": Call("ratings", lambda d, w, c: wb.charts.bt_ratings(d)),
    # agreement: one model's labels, so each (case, rater) is one item
    "agreement.percent_agreement": Call(
        "labels", lambda d, w, c: wb.agreement.percent_agreement(d, n_resamples=50)
    ),
    "agreement.cohen_kappa": Call(
        "labels",
        lambda d, w, c: wb.agreement.cohen_kappa(d, raters=["ana", "ben"], weights="linear", n_resamples=50),
    ),
    "agreement.fleiss_kappa": Call("labels", lambda d, w, c: wb.agreement.fleiss_kappa(d, n_resamples=50)),
    "agreement.krippendorff_alpha": Call(
        "labels", lambda d, w, c: wb.agreement.krippendorff_alpha(d, n_resamples=50)
    ),
    "agreement.agreement_table": Call("labels", lambda d, w, c: wb.agreement_table(d, n_resamples=50)),
    "agreement.pairwise_kappa": Call("labels", lambda d, w, c: wb.agreement.pairwise_kappa(d)),
    # calibrate
    "calibration.calibrate": Call(
        "scores",
        lambda d, w, c: wb.calibrate(
            d, w.labels, metric="token_f1", cases=c, results=None if c is None else w.run, n_resamples=50
        ),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "calibration.calibrate_pairwise": Call(
        "both_orders", lambda d, w, c: wb.calibration.calibrate_pairwise(d, _pair_votes(w), n_resamples=50)
    ),
    "calibration.position_bias": Call("both_orders", lambda d, w, c: wb.calibration.position_bias(d)),
    "calibration.self_preference": Call(
        "judge", lambda d, w, c: wb.calibration.self_preference(d, w.labels, judge_model="m1", n_resamples=50)
    ),
    "calibration.verbosity_bias": Call(
        "scores",
        lambda d, w, c: wb.calibration.verbosity_bias(d, None if c is None else w.run, metric="token_f1"),
        ("polars", "lazy", "pandas", "scores"),
    ),
    # labels
    "labels.queue_sample": Call(
        "results", lambda d, w, c: wb.queue_sample(d, 8), ("polars", "lazy", "pandas", "run")
    ),
    "labels.queue_slice": Call(
        "results",
        lambda d, w, c: wb.labels.queue_slice(d, "hard and intent:invoice", cases=c),
        ("polars", "lazy", "pandas", "run"),
    ),
    "labels.queue_pairs": Call(
        "results",
        lambda d, w, c: wb.labels.queue_pairs(d, "m1/plain", "m2/plain", n=5),
        ("polars", "lazy", "pandas", "run"),
    ),
    "labels.queue_disagreements": Call(
        "scores",
        lambda d, w, c: wb.labels.queue_disagreements(d, "mentions_refund", "exact_match"),
        ("polars", "lazy", "pandas", "scores"),
    ),
    # cluster (vectors given, so no embedding model runs)
    "cluster.failures": Call(
        "scores",
        lambda d, w, c: wb.failures(
            w.run if c is not None else d, d, metric="token_f1", threshold=0.5, cases=c
        ),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "cluster.scored_rows": Call(
        "scores",
        lambda d, w, c: wb.cluster.scored_rows(w.run if c is not None else d, d, metric="token_f1", cases=c),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "cluster.Clusterer.fit": Call(
        "results",
        lambda d, w, c: (
            wb.Clusterer(fields=["output"], n_clusters=3, by=None)
            .fit(d, cases=c, embeddings=_vectors(w.run.results.height))
            .labels_.tolist()
        ),
        ("polars", "lazy", "pandas", "run"),
    ),
    # golden and traffic
    "golden.adversarial": Call(
        "cases",
        lambda d, w, c: wb.golden.adversarial(d, kinds=("jailbreak",)).to_polars(),
        ("polars", "lazy", "pandas", "caseset", "run"),
    ),
    "golden.template_variants": Call(
        "cases",
        lambda d, w, c: wb.golden.template_variants(
            d, {"plan": ["Pro", "Free"]}, template="{plan}: {input}"
        ).to_polars(),
        ("polars", "lazy", "pandas", "caseset", "run"),
    ),
    "golden.check_leakage": Call(
        "cases",
        lambda d, w, c: wb.golden.check_leakage(d, _leaky_corpus(w), embed=False, ngram=3, id="request_id"),
        ("polars", "lazy", "pandas", "caseset", "run"),
    ),
    "golden.dedupe": Call("traffic", lambda d, w, c: wb.dedupe(d, text="input", order_by=None).table),
    "golden.sample_for_coverage": Call(
        "traffic", lambda d, w, c: wb.sample_for_coverage(d, 10, strata="intent", floor=2, weight=None).table
    ),
    "golden.content_hash": Call(
        "cases", lambda d, w, c: wb.golden.content_hash(d), ("polars", "lazy", "pandas", "caseset", "run")
    ),
    "golden.export_golden": Call(
        "cases",
        lambda d, w, c: wb.export_golden(d, tempfile.mkdtemp(dir=w.project), name="set").load().to_polars(),
        ("polars", "lazy", "pandas", "caseset", "run"),
    ),
    "cluster.tag_cases": Call(
        "cases",
        lambda d, w, c: as_table(wb.cluster.tag_cases(d, ["c01", "c02"], "cluster:x"), want="cases"),
        ("polars", "lazy", "pandas", "caseset", "run"),
    ),
    "calibration.compare_judges": Call(
        "scores",
        lambda d, w, c: wb.calibration.compare_judges(
            {"v1": d},
            w.labels,
            metric="token_f1",
            cases=c,
            results=None if c is None else w.run,
            n_resamples=50,
        ),
        ("polars", "lazy", "pandas", "scores"),
    ),
    "traffic.scrub": Call("traffic", lambda d, w, c: wb.scrub(d, columns=("input",))[0]),
    # widgets
    "widgets.CaseBrowser": Call(
        "cases",
        lambda d, w, c: wb.CaseBrowser(d, w.run, w.scores).frame,
        ("polars", "lazy", "pandas", "caseset"),
    ),
    "widgets.SliceExplorer": Call(
        "scores",
        lambda d, w, c: (
            wb.SliceExplorer(d, metric="token_f1", slices=["easy", "hard"], cases=c, n_resamples=200).table
        ),
        ("polars", "lazy", "pandas", "scores"),
    ),
}


def _leaky_corpus(w: World) -> pl.DataFrame:
    """Traffic plus three of the cases' own inputs, so that the leakage check finds something."""
    leaked = (
        w.cases.to_polars()
        .head(3)
        .select(pl.col("case_id").alias("request_id"), pl.col("input").alias("text"))
    )
    return pl.concat([w.traffic.select("request_id", pl.col("input").alias("text")), leaked])


def _vectors(n: int) -> np.ndarray:
    """Fixed embeddings, so that clustering needs no model."""
    return np.random.default_rng(1).normal(size=(n, 8)).astype(np.float32)


def _pair_votes(w: World) -> pl.DataFrame:
    """Human pairwise votes on the pairs of ``w.pairwise``."""
    return w.pairwise.select(
        "case_id",
        pl.lit("m1/plain").alias("model_a"),
        pl.lit("m2/plain").alias("model_b"),
        pl.col("winner").alias("label"),
        pl.lit("ana").alias("rater"),
        pl.lit("helpful").alias("criterion"),
    )


FRAMES: dict[str, Callable[[World], pl.DataFrame]] = {
    "results": lambda w: w.run.results,
    "scores": lambda w: w.scores.table,
    "cases": lambda w: w.cases.to_polars(),
    "pairwise": lambda w: w.pairwise,
    "labels": lambda w: w.labels.filter(pl.col("model") == "m1"),
    "both_orders": lambda w: w.pairwise.with_columns(
        pl.col("winner").alias("verdict_ab"),
        pl.when(pl.col("consistent")).then(pl.col("winner")).otherwise(pl.lit("tie")).alias("verdict_ba"),
    ),
    "judge": lambda w: w.judge,
    "traffic": lambda w: w.traffic,
    "points": lambda w: pl.DataFrame(
        {"model": ["m1", "m2", "m3"], "mean": [0.5, 0.7, 0.6], "cost_per_request": [0.1, 0.3, 0.4]}
    ),
    "ratings": lambda w: wb.stats.bradley_terry(w.pairwise, n_resamples=20),
}


def _form(form: str, want: str, w: World) -> Any:
    frame = FRAMES[want](w)
    return {
        "polars": lambda: frame,
        "lazy": lambda: frame.lazy(),
        "pandas": lambda: frame.to_pandas(),
        "run": lambda: w.run,
        "scores": lambda: w.scores,
        "caseset": lambda: w.cases,
    }[form]()


def _comparable(result: Any) -> Any:
    if isinstance(result, pl.DataFrame):
        return result
    table = getattr(result, "table", None)
    if isinstance(table, pl.DataFrame):
        return table
    if hasattr(result, "to_dict"):  # an Altair chart: its spec, data included
        return result.to_dict()
    return repr(result)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, pl.DataFrame) and isinstance(b, pl.DataFrame):
        return a.equals(b)
    return a == b


def test_every_table_taking_function_has_a_call() -> None:
    found = set(_walk())
    assert found - set(CALLS) - NOT_ENTRY_POINTS == set(), "add these to CALLS"
    assert set(CALLS) - found == set(), "these CALLS are no longer public table-taking functions"


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_form_gives_the_same_answer(name: str, world: World) -> None:
    call = CALLS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = _comparable(call.fn(_form("polars", call.want, world), world, world.cases))
        # an empty answer would make every form agree trivially: each call must find something
        assert not (isinstance(expected, pl.DataFrame) and expected.height == 0), f"{name} found nothing"
        for form in call.forms[1:]:
            cases = world.cases if form in ("polars", "lazy", "pandas") else None
            got = _comparable(call.fn(_form(form, call.want, world), world, cases))
            assert _same(got, expected), f"{name} given a {form} differs from the polars DataFrame"


def test_a_run_knows_its_cases_and_scores_know_their_run(world: World) -> None:
    assert world.run.cases is not None and world.run.cases.version == world.cases.version
    assert world.scores.run is world.run and world.scores.cases is world.run.cases
    sliced = wb.summarize(world.scores, slices=["hard"], n_resamples=200)
    explicit = wb.summarize(world.scores.table, slices=["hard"], cases=world.cases, n_resamples=200)
    assert sliced.equals(explicit)


def test_a_wrong_kind_of_object_is_named(world: World) -> None:
    with pytest.raises(TypeError, match="got a Run, which has results only: score it first"):
        wb.summarize(world.run)
    with pytest.raises(TypeError, match="must be a score table .* or a Scores, got list"):
        wb.summarize([1, 2])
    with pytest.raises(ValueError, match="has no columns 'metric', 'value'"):
        wb.summarize(world.run.results)
