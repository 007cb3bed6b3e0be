"""Test cases (golden sets): loading, validation, tag expressions, slicing and versions.

Example:
    >>> from workbench.cases import load_cases
    >>> cs = load_cases([{"id": "a", "input": "Hi", "tags": "smalltalk|en"},
    ...                  {"id": "b", "input": "Refund?", "tags": ["billing", "en"]}])
    >>> cs.slice("en and not billing").ids
    ('a',)
"""

from workbench.cases._case import Case
from workbench.cases._caseset import CaseSet
from workbench.cases._errors import CaseSetError, TagExpressionError
from workbench.cases._load import SUPPORTED_EXTENSIONS, load_cases
from workbench.cases._tags import TagExpr, parse_tag_expr

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "Case",
    "CaseSet",
    "CaseSetError",
    "TagExpr",
    "TagExpressionError",
    "load_cases",
    "parse_tag_expr",
]
