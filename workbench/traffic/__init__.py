"""Production traffic: load request logs lazily and scrub personal data before anything is kept.

>>> from workbench.traffic import scan_traffic, scrub
>>> lf = scan_traffic("data/traffic.parquet")  # doctest: +SKIP
>>> clean, report = scrub(lf.head(10_000))  # doctest: +SKIP
"""

from workbench.traffic._accuracy import load_pii_examples, parse_marked, pii_accuracy
from workbench.traffic._detectors import PII_TYPES, PiiType, iban_ok, luhn_ok
from workbench.traffic._ids import insee_ok
from workbench.traffic._load import REQUIRED, STANDARD, TrafficError, scan_traffic
from workbench.traffic._phones import DEFAULT_REGIONS
from workbench.traffic._pii import Finding, PiiReport, Scrubbed, placeholder, scrub, scrub_text

__all__ = [
    "DEFAULT_REGIONS",
    "PII_TYPES",
    "REQUIRED",
    "STANDARD",
    "Finding",
    "PiiReport",
    "PiiType",
    "Scrubbed",
    "TrafficError",
    "iban_ok",
    "load_pii_examples",
    "parse_marked",
    "pii_accuracy",
    "insee_ok",
    "luhn_ok",
    "placeholder",
    "scan_traffic",
    "scrub",
    "scrub_text",
]
