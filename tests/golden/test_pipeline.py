"""Traffic rows -> dedupe -> sample -> cases -> versioned export with provenance."""

import datetime as dt

import polars as pl

from workbench.cases import CaseSet
from workbench.golden import dedupe, export_golden, load_golden, sample_for_coverage, traffic_provenance


def test_traffic_to_golden_version(tmp_path):
    texts = [
        "Reset my password",
        "reset my password!",
        "Hi, reset my password",
        "Refund for order",
        "refund for order?",
        "Delete my data under GDPR",
    ]
    intents = ["account", "account", "account", "billing", "billing", "legal"]
    traffic = pl.DataFrame(
        {
            "request_id": [f"r{i}" for i in range(6)],
            "timestamp": [dt.datetime(2026, 3, 1, i) for i in range(6)],
            "input": texts,
            "true_intent": intents,
        }
    )
    src = tmp_path / "traffic.parquet"
    traffic.write_parquet(src)
    d = dedupe(pl.read_parquet(src))
    s = sample_for_coverage(d.table, 3, strata="true_intent", floor=1)
    cases = CaseSet.from_polars(s.table.drop("member_ids", "timestamp"), id_field="request_id")
    prov = traffic_provenance(source=src, deduped=d, sample=s, scrub_report={"EMAIL": 0})
    assert prov["request_ids"] == {"r0": ["r0", "r1", "r2"], "r3": ["r3", "r4"], "r5": ["r5"]}
    assert prov["dedupe"]["rows_in"] == 6 and prov["sampling"]["floor"] == 1
    v = export_golden(cases, tmp_path / "golden", name="support", provenance=prov)
    assert v.manifest["provenance"]["source"]["sha256"] == prov["source"]["sha256"]
    back = load_golden(v.path)
    assert back.ids == ("r0", "r3", "r5") and back["r0"].metadata["count"] == 3
