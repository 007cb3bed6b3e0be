"""The PII check an export runs: workbench.traffic's detectors when present, else a small built-in one."""

from __future__ import annotations

import re
from collections.abc import Callable

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_PHONE = re.compile(r"(?<!\w)\+?\d[\d ().-]{8,}\d\b")


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def builtin_pii_check(text: str) -> list[str]:
    """PII types found in ``text`` by a minimal detector (email, Luhn card number, US SSN, phone)."""
    found = []
    if _EMAIL.search(text):
        found.append("EMAIL")
    cards = [re.sub(r"\D", "", m.group(0)) for m in _CARD.finditer(text)]
    if any(13 <= len(c) <= 19 and _luhn(c) for c in cards):
        found.append("CREDIT_CARD")
    if _SSN.search(text):
        found.append("NATIONAL_ID")
    elif _PHONE.search(text) and "CREDIT_CARD" not in found:
        found.append("PHONE")
    return found


def default_pii_check() -> Callable[[str], list[str]]:
    """``workbench.traffic.scrub_text``'s finding types if that package is importable, else the built-in check."""
    try:
        from workbench.traffic import scrub_text
    except ImportError:
        return builtin_pii_check

    def check(text: str) -> list[str]:
        return [f.type for f in scrub_text(text).findings]

    return check
