"""workbench: a Jupyter-first workbench for evaluating LLM-powered product features.

>>> import workbench as wb
>>> cases = wb.load_cases("data/support_golden.jsonl")            # doctest: +SKIP
>>> run = wb.run(cases, ["local/smollm2-135m"])                    # doctest: +SKIP

Importing this package is instant: every heavy library (litellm, llama_cpp, torch,
sentence-transformers, scikit-learn) loads the first time a feature needs it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it; resolved on first attribute access (PEP 562)
_LAZY = {
    "Case": "workbench.cases",
    "CaseSet": "workbench.cases",
    "load_cases": "workbench.cases",
    "Model": "workbench.runner",
    "Prompt": "workbench.runner",
    "Run": "workbench.runner",
    "run": "workbench.runner",
    "arun": "workbench.runner",
    "register_local_model": "workbench.runner",
    "DEFAULT_LOCAL_MODEL": "workbench.runner",
    "Store": "workbench.store",
    "summarize": "workbench.stats",
    "compare": "workbench.stats",
    "compare_slices": "workbench.stats",
    "win_rate": "workbench.stats",
    "bradley_terry": "workbench.stats",
    "operational_summary": "workbench.stats",
    "minimum_detectable_difference": "workbench.stats",
    "required_sample_size": "workbench.stats",
    "score": "workbench.metrics",
    "scorer": "workbench.metrics",
    "Score": "workbench.metrics",
    "Scores": "workbench.metrics",
    "exact_match": "workbench.metrics",
    "token_f1": "workbench.metrics",
    "contains": "workbench.metrics",
    "regex_match": "workbench.metrics",
    "numeric_match": "workbench.metrics",
    "json_valid": "workbench.metrics",
    "json_schema": "workbench.metrics",
    "json_match": "workbench.metrics",
    "semantic_similarity": "workbench.metrics",
    "Rubric": "workbench.metrics",
    "judge": "workbench.metrics",
    "pairwise_judge": "workbench.metrics",
    "position_consistency": "workbench.metrics",
    "groundedness": "workbench.metrics",
    "Embedder": "workbench.embed",
    "enable_offline_charts": "workbench.report",
    "CaseBrowser": "workbench.widgets",
    "SliceExplorer": "workbench.widgets",
    "metric_by_model": "workbench.charts",
    "slice_heatmap": "workbench.charts",
    "latency_distribution": "workbench.charts",
    "cost_quality": "workbench.charts",
    "win_rate_matrix": "workbench.charts",
    "bt_ratings": "workbench.charts",
    "Annotator": "workbench.widgets",
    "LabelStore": "workbench.labels",
    "queue_sample": "workbench.labels",
    "queue_slice": "workbench.labels",
    "queue_disagreements": "workbench.labels",
    "queue_pairs": "workbench.labels",
    "Agreement": "workbench.agreement",
    "agreement_table": "workbench.agreement",
    "percent_agreement": "workbench.agreement",
    "cohen_kappa": "workbench.agreement",
    "fleiss_kappa": "workbench.agreement",
    "krippendorff_alpha": "workbench.agreement",
    "pairwise_kappa": "workbench.agreement",
    "calibrate": "workbench.calibrate",
    "calibrate_pairwise": "workbench.calibrate",
    "compare_judges": "workbench.calibrate",
    "position_bias": "workbench.calibrate",
    "self_preference": "workbench.calibrate",
    "verbosity_bias": "workbench.calibrate",
    "load_human_labels": "workbench.calibrate",
    "load_candidate_responses": "workbench.calibrate",
    "scan_traffic": "workbench.traffic",
    "scrub": "workbench.traffic",
    "scrub_text": "workbench.traffic",
    "PiiReport": "workbench.traffic",
    "TrafficError": "workbench.traffic",
    "Clusterer": "workbench.cluster",
    "failures": "workbench.cluster",
    "dedupe": "workbench.golden",
    "sample_for_coverage": "workbench.golden",
    "template_variants": "workbench.golden",
    "paraphrase": "workbench.golden",
    "adversarial": "workbench.golden",
    "check_leakage": "workbench.golden",
    "export_golden": "workbench.golden",
    "load_golden": "workbench.golden",
    "diff_versions": "workbench.golden",
    "traffic_provenance": "workbench.golden",
}

__all__ = [
    "score",
    "scorer",
    "Score",
    "Scores",
    "exact_match",
    "token_f1",
    "contains",
    "regex_match",
    "numeric_match",
    "json_valid",
    "json_schema",
    "json_match",
    "semantic_similarity",
    "Rubric",
    "judge",
    "pairwise_judge",
    "position_consistency",
    "groundedness",
    "Embedder",
    "enable_offline_charts",
    "CaseBrowser",
    "SliceExplorer",
    "metric_by_model",
    "slice_heatmap",
    "latency_distribution",
    "cost_quality",
    "win_rate_matrix",
    "bt_ratings",
    "DEFAULT_LOCAL_MODEL",
    "Case",
    "CaseSet",
    "Model",
    "Prompt",
    "Run",
    "Store",
    "__version__",
    "arun",
    "bradley_terry",
    "compare",
    "compare_slices",
    "load_cases",
    "minimum_detectable_difference",
    "operational_summary",
    "register_local_model",
    "required_sample_size",
    "run",
    "summarize",
    "win_rate",
    "Annotator",
    "LabelStore",
    "queue_sample",
    "queue_slice",
    "queue_disagreements",
    "queue_pairs",
    "Agreement",
    "agreement_table",
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "pairwise_kappa",
    "calibrate",
    "calibrate_pairwise",
    "compare_judges",
    "position_bias",
    "self_preference",
    "verbosity_bias",
    "load_human_labels",
    "load_candidate_responses",
    "scan_traffic",
    "scrub",
    "scrub_text",
    "PiiReport",
    "TrafficError",
    "Clusterer",
    "failures",
    "dedupe",
    "sample_for_coverage",
    "template_variants",
    "paraphrase",
    "adversarial",
    "check_leakage",
    "export_golden",
    "load_golden",
    "diff_versions",
    "traffic_provenance",
]

if TYPE_CHECKING:
    from workbench.agreement import (
        Agreement,
        agreement_table,
        cohen_kappa,
        fleiss_kappa,
        krippendorff_alpha,
        pairwise_kappa,
        percent_agreement,
    )
    from workbench.calibrate import (
        calibrate,
        calibrate_pairwise,
        compare_judges,
        load_candidate_responses,
        load_human_labels,
        position_bias,
        self_preference,
        verbosity_bias,
    )
    from workbench.cases import Case, CaseSet, load_cases
    from workbench.charts import (
        bt_ratings,
        cost_quality,
        latency_distribution,
        metric_by_model,
        slice_heatmap,
        win_rate_matrix,
    )
    from workbench.cluster import Clusterer, failures
    from workbench.embed import Embedder
    from workbench.golden import (
        adversarial,
        check_leakage,
        dedupe,
        diff_versions,
        export_golden,
        load_golden,
        paraphrase,
        sample_for_coverage,
        template_variants,
        traffic_provenance,
    )
    from workbench.labels import LabelStore, queue_disagreements, queue_pairs, queue_sample, queue_slice
    from workbench.metrics import (
        Rubric,
        Score,
        Scores,
        contains,
        exact_match,
        groundedness,
        json_match,
        json_schema,
        json_valid,
        judge,
        numeric_match,
        pairwise_judge,
        position_consistency,
        regex_match,
        score,
        scorer,
        semantic_similarity,
        token_f1,
    )
    from workbench.report import enable_offline_charts
    from workbench.runner import DEFAULT_LOCAL_MODEL, Model, Prompt, Run, arun, register_local_model, run
    from workbench.stats import (
        bradley_terry,
        compare,
        compare_slices,
        minimum_detectable_difference,
        operational_summary,
        required_sample_size,
        summarize,
        win_rate,
    )
    from workbench.store import Store
    from workbench.traffic import PiiReport, TrafficError, scan_traffic, scrub, scrub_text
    from workbench.widgets import Annotator, CaseBrowser, SliceExplorer


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
