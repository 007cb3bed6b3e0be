"""Scorers and scoring: deterministic metrics, semantic similarity, and the ``@scorer`` framework.

>>> from workbench.metrics import score, exact_match, token_f1, contains      # doctest: +SKIP
>>> scores = score(run, [exact_match, token_f1, contains(any_of=["refund"])], cases=cases)  # doctest: +SKIP
>>> scores.summary(by="model")                                                # doctest: +SKIP

Write your own scorer as a decorated function of the output (and optionally the case and the
result row); keyword arguments with defaults become its recorded arguments:

>>> @scorer
... def mentions(output: str, *, word: str = "refund") -> bool:
...     return word in output.lower()
>>> mentions(word="sorry").spec
'{"args": {"word": "sorry"}, "name": "mentions"}'
"""

from workbench.metrics._grounded import groundedness
from workbench.metrics._json import json_match, json_schema, json_valid, parse_json
from workbench.metrics._judge import Rubric, SelfJudgeWarning, judge
from workbench.metrics._match import contains, exact_match, numeric_match, parse_number, regex_match, token_f1
from workbench.metrics._pairwise import pairwise_judge
from workbench.metrics._parse import ParseError
from workbench.metrics._score import save_scores, score
from workbench.metrics._scorer import Score, Scorer, scorer
from workbench.metrics._scores import Scores
from workbench.metrics._semantic import semantic_similarity
from workbench.metrics._text import normalize_text

__all__ = [
    "ParseError",
    "Rubric",
    "SelfJudgeWarning",
    "groundedness",
    "judge",
    "pairwise_judge",
    "Score",
    "Scorer",
    "Scores",
    "contains",
    "exact_match",
    "json_match",
    "json_schema",
    "json_valid",
    "normalize_text",
    "numeric_match",
    "parse_json",
    "parse_number",
    "regex_match",
    "save_scores",
    "score",
    "scorer",
    "semantic_similarity",
    "token_f1",
]
