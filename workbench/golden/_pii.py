"""The PII check an export runs: :func:`workbench.traffic.scrub_text`'s detectors."""

from __future__ import annotations

from workbench.traffic import scrub_text


def pii_types(text: str) -> list[str]:
    """PII types ``workbench.traffic.scrub_text`` finds in ``text``, in order of appearance.

    Example:
        >>> pii_types("Mail jo@example.com or call +44 20 7946 0958")
        ['EMAIL', 'PHONE']
    """
    return [f.type for f in scrub_text(text).findings]
