"""The notebook HTML repr escapes untrusted case text."""

from __future__ import annotations

from workbench.cases import Case, CaseSet


def test_html_escapes_everything() -> None:
    evil = '<script>alert("x")</script>'
    cs = CaseSet(
        [
            Case(evil, evil, reference=evil, tags=[evil, "ok"], metadata={evil.replace("<", "m"): evil}),
            Case("b", [{"role": "user", "content": "<img src=x onerror=alert(1)>"}]),
        ],
        source="<src>.jsonl",
    )
    html = cs._repr_html_()
    assert "<script>" not in html and "<img" not in html and "<src>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "[user] &lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;src&gt;.jsonl" in html


def test_html_shows_size_version_tags_and_first_rows() -> None:
    cs = CaseSet(Case(f"c{i}", f"input {i}", tags=["even" if i % 2 == 0 else "odd"]) for i in range(8))
    html = cs._repr_html_()
    assert "<b>CaseSet</b>" in html and "8 cases" in html
    assert f"version {cs.version}" in html
    assert "Tags: even 4, odd 4" in html
    assert "<td>c4</td>" in html and "<td>c5</td>" not in html
    assert "3 more cases" in html


def test_html_truncates_long_text() -> None:
    html = CaseSet([Case("a", "word " * 100)])._repr_html_()
    assert "…" in html and "word " * 30 not in html


def test_table_summary_and_pandas() -> None:
    cs = CaseSet(
        [
            Case("a", "x", reference="y", tags=["t1", "t2"]),
            Case("b", [{"role": "user", "content": "hi"}], tags=["t1"]),
        ],
        source="s.jsonl",
    )
    assert cs.table.equals(cs.to_polars()) and cs.table["case_id"].to_list() == ["a", "b"]
    assert cs.summary().rows() == [(2, 1, 1, 2, cs.version, "s.jsonl")]
    assert cs.summary().columns == ["n_cases", "n_chat", "n_with_reference", "n_tags", "version", "source"]
    assert list(cs.to_pandas()["case_id"]) == ["a", "b"]
