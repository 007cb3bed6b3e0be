"""A toy golden set with two models' results and two metrics, shared by the widget tests.

=====  ==========================  ===============  ============  ===========  ===========
case   tags                        tier / seats     em m1, m2     sim m1       sim m2
=====  ==========================  ===============  ============  ===========  ===========
c1     account, easy               pro / 1          pass, fail    0.9          0.3
c2     billing, refund             free / 3         fail, pass    0.6          1.0
c3     billing, intent:upgrade     pro / 10         pass, fail    1.0          0.1
c4     billing, intent:cancel      enterprise / -   -, - (error)  0.2          -
c5     needs review                free / 2         fail, fail    0.1          0.4
c6     (none)                      - / 1            pass, fail    1.0          0.5
=====  ==========================  ===============  ============  ===========  ===========

c3 is a chat case; c4 has no reference and model m2 timed out on it; c5 carries HTML payloads.
"""

from __future__ import annotations

import polars as pl
import pytest

from workbench.cases import CaseSet

CASES = [
    {"id": "c1", "input": "How do I reset my password?", "reference": "Click Forgot password.",
     "tags": ["account", "easy"], "tier": "pro", "seats": 1},
    {"id": "c2", "input": "Refund for invoice 42", "reference": "Refunds take 5 days.",
     "tags": ["billing", "refund"], "tier": "free", "seats": 3},
    {"id": "c3", "input": [{"role": "user", "content": "Can I upgrade my plan?"},
                           {"role": "assistant", "content": "Which plan?"},
                           {"role": "user", "content": "Pro"}],
     "reference": "Yes, upgrade in Settings.", "context": ["Plans: Starter, Pro.", "Upgrade in Settings."],
     "tags": ["billing", "intent:upgrade"], "tier": "pro", "seats": 10},
    {"id": "c4", "input": "Cancel my subscription", "reference": None,
     "tags": ["billing", "intent:cancel"], "tier": "enterprise", "seats": None},
    {"id": "c5", "input": "<script>alert('x')</script>", "reference": "<b>bold</b>",
     "tags": ["needs review"], "tier": "free", "seats": 2},
    {"id": "c6", "input": "Bonjour", "reference": "Hello", "tags": [], "tier": None, "seats": 1},
]  # fmt: skip

OUTPUTS = {
    "m1": ["Click Forgot password.", "Refunds take 7 days.", "Yes, upgrade in Settings.", "Done, cancelled.",
           "<img src=x onerror=alert(1)>", "Hello"],
    "m2": ["Use the reset link.", "Refunds take 5 days.", "No.", None, "ok", "Hi there"],
}  # fmt: skip

EM = {"m1": [1.0, 0.0, 1.0, None, 0.0, 1.0], "m2": [0.0, 1.0, 0.0, None, 0.0, 0.0]}
SIM = {"m1": [0.9, 0.6, 1.0, 0.2, 0.1, 1.0], "m2": [0.3, 1.0, 0.1, None, 0.4, 0.5]}
IDS = [f"c{i}" for i in range(1, 7)]


def make_results() -> pl.DataFrame:
    rows = []
    for model, outputs in OUTPUTS.items():
        for case_id, output in zip(IDS, outputs, strict=True):
            failed = output is None
            rows.append({
                "run_id": "r1", "case_id": case_id, "model": model, "variant": "v", "sample": 0,
                "output": output, "latency_s": 0.5 if model == "m1" else 1.25,
                "error_type": "Timeout" if failed else None, "error": "timed out after 30 s" if failed else None,
            })  # fmt: skip
    return pl.DataFrame(rows)


def make_scores() -> pl.DataFrame:
    rows = []
    for model in ("m1", "m2"):
        for i, case_id in enumerate(IDS):
            em = EM[model][i]
            rows.append({
                "run_id": "r1", "case_id": case_id, "model": model, "variant": "v", "sample": 0,
                "metric": "em", "value": em, "passed": None if em is None else em == 1.0,
                "label": None, "rationale": f"{model} on {case_id}" if em is not None else None,
                "error": "no reference" if em is None else None,
            })  # fmt: skip
            rows.append({
                "run_id": "r1", "case_id": case_id, "model": model, "variant": "v", "sample": 0,
                "metric": "sim", "value": SIM[model][i], "passed": None, "label": None,
                "rationale": None, "error": None,
            })  # fmt: skip
    return pl.DataFrame(rows, schema_overrides={"value": pl.Float64, "passed": pl.Boolean, "label": pl.Utf8,
                                                "rationale": pl.Utf8, "error": pl.Utf8})  # fmt: skip


@pytest.fixture
def cases() -> CaseSet:
    return CaseSet.from_records(CASES)


@pytest.fixture
def results() -> pl.DataFrame:
    return make_results()


@pytest.fixture
def scores() -> pl.DataFrame:
    return make_scores()
