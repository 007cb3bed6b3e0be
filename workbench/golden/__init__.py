"""Golden sets from traffic: de-duplication, coverage sampling, variants, leakage checks, versions.

>>> import polars as pl
>>> from workbench.golden import dedupe, sample_for_coverage
>>> traffic = pl.DataFrame({"request_id": ["a", "b", "c"], "intent": ["pw", "pw", "bill"],
...                         "input": ["Reset my password", "reset my password!", "Why two charges?"]})
>>> kept = dedupe(traffic)
>>> sample_for_coverage(kept, 2, strata="intent", floor=1).table["request_id"].to_list()
['a', 'c']
"""

from workbench.golden._adversarial import ATTACKS, KINDS, AttackTemplate, adversarial, attack_templates
from workbench.golden._dedupe import Deduped, DedupeStats, dedupe, normalize_requests
from workbench.golden._diff import CaseChange, VersionDiff, diff_versions
from workbench.golden._leakage import check_leakage
from workbench.golden._lsh import minhash_signatures
from workbench.golden._pii import pii_types
from workbench.golden._provenance import file_sha256, traffic_provenance
from workbench.golden._sample import Sample, TimeBucket, sample_for_coverage
from workbench.golden._variants import Paraphrased, clean_paraphrase, paraphrase, template_variants
from workbench.golden._version import GoldenVersion, content_hash, export_golden, load_golden

__all__ = [
    "ATTACKS",
    "KINDS",
    "AttackTemplate",
    "CaseChange",
    "DedupeStats",
    "Deduped",
    "GoldenVersion",
    "Paraphrased",
    "Sample",
    "TimeBucket",
    "VersionDiff",
    "adversarial",
    "attack_templates",
    "check_leakage",
    "clean_paraphrase",
    "content_hash",
    "dedupe",
    "diff_versions",
    "export_golden",
    "file_sha256",
    "load_golden",
    "minhash_signatures",
    "normalize_requests",
    "paraphrase",
    "pii_types",
    "sample_for_coverage",
    "template_variants",
    "traffic_provenance",
]
