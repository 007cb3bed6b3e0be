"""The demo golden set in data/: reproducible, well-formed, and with the advertised mix of cases.

Stdlib only (no workbench import), so it checks the data file independently of the case loader.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
SCRIPT = DATA / "make_support_golden.py"
GOLDEN = DATA / "support_golden.jsonl"

INTENTS = {
    "billing",
    "invoices",
    "account",
    "integrations",
    "tax",
    "export",
    "security",
    "bug",
    "extraction",
    "smalltalk",
}
DIFFICULTIES = {"easy", "medium", "hard"}
LANGS = {"en", "de", "fr", "es"}
PLAIN_TAGS = {"adversarial", "tail", "multi-turn", "grounded", "short-answer"}
FIELDS = ["id", "input", "reference", "context", "tags", "channel", "customer_tier", "created"]


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_support_golden", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tag_count(cases: list[dict[str, Any]], tag: str) -> int:
    return sum(tag in c["tags"] for c in cases)


def test_script_regenerates_the_committed_file_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "golden.jsonl"
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == GOLDEN.read_bytes(), "run `python data/make_support_golden.py` and commit"


def test_every_case_has_the_fields_in_order(cases: list[dict[str, Any]]) -> None:
    assert len(cases) >= 240
    for c in cases:
        assert list(c) == FIELDS, c["id"]
        assert isinstance(c["reference"], str) and c["reference"].strip(), c["id"]
        assert c["channel"] in {"chat", "email", "in-app"}, c["id"]
        assert c["customer_tier"] in {"free", "starter", "pro", "enterprise"}, c["id"]
        assert re.fullmatch(r"2026-\d\d-\d\d", c["created"]), c["id"]


def test_ids_are_sequential_and_inputs_unique(cases: list[dict[str, Any]]) -> None:
    assert [c["id"] for c in cases] == [f"tallyo-{n:04d}" for n in range(1, len(cases) + 1)]
    inputs = [json.dumps(c["input"], ensure_ascii=False) for c in cases]
    assert [k for k, n in Counter(inputs).items() if n > 1] == []


def test_each_case_has_one_intent_difficulty_and_lang(cases: list[dict[str, Any]]) -> None:
    for c in cases:
        prefixed = Counter(t.split(":", 1)[0] for t in c["tags"] if ":" in t)
        assert prefixed == {"intent": 1, "difficulty": 1, "lang": 1}, c["id"]
        values = {t.split(":", 1)[0]: t.split(":", 1)[1] for t in c["tags"] if ":" in t}
        assert values["intent"] in INTENTS, c["id"]
        assert values["difficulty"] in DIFFICULTIES, c["id"]
        assert values["lang"] in LANGS, c["id"]
        plain = [t for t in c["tags"] if ":" not in t]
        assert set(plain) <= PLAIN_TAGS and len(plain) == len(set(plain)), c["id"]


def test_tag_counts_are_within_the_stated_ranges(cases: list[dict[str, Any]]) -> None:
    n = len(cases)
    assert 0.06 * n <= tag_count(cases, "adversarial") <= 0.10 * n
    assert 0.08 * n <= tag_count(cases, "tail") <= 0.12 * n
    assert 0.08 * n <= n - tag_count(cases, "lang:en") <= 0.12 * n
    assert 35 <= tag_count(cases, "grounded") <= 45
    assert 12 <= tag_count(cases, "multi-turn") <= 18
    assert 25 <= tag_count(cases, "intent:extraction") <= 35
    assert 20 <= tag_count(cases, "short-answer") <= 30
    for lang in ("de", "fr", "es"):
        assert tag_count(cases, f"lang:{lang}") >= 5, lang


def test_readme_table_matches_the_counts(cases: list[dict[str, Any]]) -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    documented = {m[1]: int(m[2]) for m in re.finditer(r"^\| `([^`]+)` \| (\d+) \|", readme, re.M)}
    actual = Counter(t for c in cases for t in c["tags"])
    assert documented == dict(actual)
    assert f"**{len(cases)} cases**" in readme


def test_inputs_are_short_and_chats_are_well_formed(cases: list[dict[str, Any]]) -> None:
    for c in cases:
        if isinstance(c["input"], str):
            assert "multi-turn" not in c["tags"], c["id"]
            assert len(c["input"].split()) <= 60, c["id"]
            continue
        assert "multi-turn" in c["tags"], c["id"]
        assert [m["role"] for m in c["input"]] == ["user", "assistant", "user"], c["id"]
        for m in c["input"]:
            assert list(m) == ["role", "content"] and 0 < len(m["content"].split()) <= 60, c["id"]


def test_extraction_references_are_compact_json(cases: list[dict[str, Any]]) -> None:
    for c in cases:
        if "intent:extraction" in c["tags"]:
            parsed = json.loads(c["reference"])
            assert isinstance(parsed, dict) and parsed, c["id"]
            assert c["reference"] == json.dumps(parsed, separators=(",", ":"), ensure_ascii=False), c["id"]


def test_short_answers_are_exact_match_friendly(cases: list[dict[str, Any]]) -> None:
    for c in (c for c in cases if "short-answer" in c["tags"]):
        assert re.fullmatch(r"[\w$]+", c["reference"]), (c["id"], c["reference"])


def test_other_references_are_one_or_two_sentences(cases: list[dict[str, Any]]) -> None:
    for c in cases:
        if "intent:extraction" in c["tags"] or "short-answer" in c["tags"]:
            continue
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", c["reference"].strip()) if s]
        assert 1 <= len(sentences) <= 2 and len(c["reference"]) <= 200, c["id"]


def test_context_passages_come_from_the_knowledge_base(
    cases: list[dict[str, Any]], script: ModuleType
) -> None:
    kb: dict[str, str] = script.KB
    assert 15 <= len(kb) <= 30
    for c in cases:
        assert (c["context"] is not None) == ("grounded" in c["tags"]), c["id"]
        if c["context"] is None:
            continue
        assert 1 <= len(c["context"]) <= 3, c["id"]
        ids = []
        for p in c["context"]:
            m = re.fullmatch(r"\[(kb-[a-z0-9-]+)\] (.+)", p, re.S)
            assert m is not None and kb.get(m[1]) == m[2], (c["id"], p[:40])
            ids.append(m[1])
        assert len(ids) == len(set(ids)), c["id"]


def test_adversarial_and_extraction_cases_carry_no_context(cases: list[dict[str, Any]]) -> None:
    for c in cases:
        if "adversarial" in c["tags"] or "intent:extraction" in c["tags"]:
            assert c["context"] is None, c["id"]
