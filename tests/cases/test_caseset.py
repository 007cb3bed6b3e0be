"""CaseSet: version, round trips, immutability, filters, slicing, summaries and reprs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import stat
import warnings
from pathlib import Path

import polars as pl
import pytest

from workbench.cases import Case, CaseSet, CaseSetError, load_cases, parse_tag_expr

RECORDS = [
    {
        "id": "a",
        "input": "Reset password?",
        "reference": "Use the link.",
        "tags": ["account", "intent:reset"],
        "tier": "pro",
        "difficulty": 1,
    },
    {
        "id": "b",
        "input": [{"role": "user", "content": "Refund <b>now</b>"}],
        "context": ["Refunds: 30 days."],
        "tags": ["billing", "intent:refund"],
        "tier": "free",
        "difficulty": 3,
    },
    {
        "id": "c",
        "input": "Hola",
        "reference": "Hola!",
        "tags": ["smalltalk", "lang=es"],
        "tier": "pro",
        "difficulty": 2,
    },
    {"id": "d", "input": "Invoice total?", "tags": ["billing"], "tier": None, "difficulty": 2},
]


@pytest.fixture
def cs() -> CaseSet:
    return load_cases(RECORDS)


# -- version ----------------------------------------------------------------------------------


def test_version_is_stable_and_known(cs: CaseSet) -> None:
    assert len(cs.version) == 16 and int(cs.version, 16) >= 0
    assert load_cases(RECORDS).version == cs.version
    # Pinned so an accidental change of the canonical form (which would orphan stored runs) is caught.
    assert CaseSet([Case("a", "x")]).version == "adcfd3b0639f457b"


def test_version_is_order_independent(cs: CaseSet) -> None:
    shuffled = RECORDS[:]
    random.Random(0).shuffle(shuffled)
    assert load_cases(shuffled).version == cs.version
    assert load_cases(list(reversed(RECORDS))).version == cs.version


@pytest.mark.parametrize(
    "change",
    [
        {"id": "z"},
        {"input": "Reset password!"},
        {"reference": None},
        {"context": ["new passage"]},
        {"tags": ["account"]},
        {"tier": "free"},
        {"difficulty": 5},
        {"extra": 1},
    ],
)
def test_version_changes_with_any_field(cs: CaseSet, change: dict) -> None:
    changed = [RECORDS[0] | change, *RECORDS[1:]]
    assert load_cases(changed).version != cs.version


def test_version_ignores_null_metadata_and_int_float(cs: CaseSet) -> None:
    assert load_cases([r | {"note": None} for r in RECORDS]).version == cs.version
    as_float = [r | {"difficulty": float(r["difficulty"])} for r in RECORDS]
    assert load_cases(as_float).version == cs.version


# -- round trips ------------------------------------------------------------------------------


def test_polars_round_trip(cs: CaseSet) -> None:
    df = cs.to_polars()
    assert df.columns == ["case_id", "input", "is_chat", "reference", "context", "tags", "tier", "difficulty"]
    assert df.schema["context"] == pl.List(pl.Utf8) and df.schema["tags"] == pl.List(pl.Utf8)
    assert df["is_chat"].to_list() == [False, True, False, False]
    assert df["input"][1] == '[{"role": "user", "content": "Refund <b>now</b>"}]'
    back = load_cases(df)
    assert back.version == cs.version and back == cs


def test_pandas_round_trip(cs: CaseSet) -> None:
    pytest.importorskip("pandas")
    pdf = cs.to_pandas()
    assert list(pdf.columns) == list(cs.columns)
    assert pdf["tags"].tolist()[0] == ["account", "intent:reset"]
    assert load_cases(pdf).version == cs.version


def test_jsonl_round_trip(cs: CaseSet, tmp_path: Path) -> None:
    path = cs.to_jsonl(tmp_path / "out.jsonl")
    assert path == tmp_path / "out.jsonl"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temp file left behind
    back = load_cases(path)
    assert back.version == cs.version and back.ids == cs.ids
    assert back["b"].messages() == cs["b"].messages()


def test_jsonl_file_mode_follows_the_umask(cs: CaseSet, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = cs.to_jsonl(tmp_path / "shared.jsonl")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # as open() makes it, not mkstemp's 0600


def test_jsonl_round_trip_with_dates_and_integer_ids(tmp_path: Path) -> None:
    cs = load_cases(
        [{"id": 1, "input": "x", "due": dt.date(2024, 5, 1)}, {"id": 2, "input": "y", "due": None}]
    )
    back = load_cases(cs.to_jsonl(tmp_path / "d.jsonl"))
    assert back["1"].metadata["due"] == "2024-05-01"
    assert back.version == cs.version


def test_jsonl_overwrite_is_atomic_on_failure(cs: CaseSet, tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n")
    bad = CaseSet([Case("a", "x", metadata={"obj": object()})])
    bad.to_jsonl(path)  # non-JSON metadata is written as its str, never half a file
    assert load_cases(path).ids == ("a",)
    with pytest.raises(FileNotFoundError):
        cs.to_jsonl(tmp_path / "missing-dir" / "x.jsonl")


def test_to_records(cs: CaseSet) -> None:
    assert cs.to_records()[3] == {
        "id": "d",
        "input": "Invoice total?",
        "reference": None,
        "context": [],
        "tags": ["billing"],
        "tier": None,
        "difficulty": 2,
    }


# -- container and immutability ---------------------------------------------------------------


def test_container_protocol(cs: CaseSet) -> None:
    assert len(cs) == 4
    assert [c.id for c in cs] == ["a", "b", "c", "d"]
    assert cs.ids == ("a", "b", "c", "d")
    assert cs["c"].input == "Hola"
    assert "a" in cs and "zz" not in cs
    numbered = load_cases([{"id": 10, "input": "x"}])
    assert numbered[10] is numbered["10"]


def test_missing_id_is_a_key_error_naming_it(cs: CaseSet) -> None:
    with pytest.raises(KeyError) as info:
        cs["nope"]
    assert info.value.args[0] == "no case with id 'nope' in this CaseSet of 4 cases"
    with pytest.raises(KeyError, match=r"did you mean 'abc', 'a'\?"):
        load_cases([{"id": "a", "input": "x"}, {"id": "abc", "input": "x"}])["ab"]
    with pytest.raises(TypeError, match="takes a case id"):
        cs[0:2]  # type: ignore[index]


def test_immutable(cs: CaseSet) -> None:
    with pytest.raises(AttributeError, match="CaseSet is immutable"):
        cs.source = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="CaseSet is immutable"):
        del cs._cases
    df = cs.to_polars()
    df.insert_column(0, pl.Series("junk", [1, 2, 3, 4]))
    assert cs.to_polars().columns[0] == "case_id"
    before = cs.version
    cs.slice("billing"), cs.where(tier="pro"), cs.head(1), cs.sample(2)
    assert cs.version == before and len(cs) == 4


def test_constructor_checks(cs: CaseSet) -> None:
    assert CaseSet(list(cs)) == cs
    with pytest.raises(CaseSetError, match=r"duplicate case ids: 'a' \(items 0, 1\)"):
        CaseSet([Case("a", "x"), Case("a", "y")])
    with pytest.raises(TypeError, match="item 0 is dict"):
        CaseSet([{"id": "a", "input": "x"}])  # type: ignore[list-item]
    empty = CaseSet()
    assert len(empty) == 0 and empty.tag_counts().height == 0 and empty.to_polars().height == 0


# -- filters ----------------------------------------------------------------------------------


def test_slice(cs: CaseSet) -> None:
    assert cs.slice("billing").ids == ("b", "d")
    assert cs.slice("billing and not intent:*").ids == ("d",)
    assert cs.slice("intent:* or lang=es").ids == ("a", "b", "c")
    assert cs.slice(parse_tag_expr("not billing")).ids == ("a", "c")
    result = cs.slice("billing")
    assert result.source == cs.source and result.metadata_columns == cs.metadata_columns


def test_slice_warns_on_unknown_tags(cs: CaseSet) -> None:
    with pytest.warns(
        UserWarning, match=r"tag 'biling' does not occur in this CaseSet; did you mean 'billing'\?"
    ):
        assert cs.slice("biling").ids == ()
    with pytest.warns(UserWarning, match=r"no tag in this CaseSet matches 'topic:\*'"):
        cs.slice("topic:*")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cs.slice("billing or account")


def test_where(cs: CaseSet) -> None:
    assert cs.where(tier="pro").ids == ("a", "c")
    assert cs.where(tier="pro", difficulty=2).ids == ("c",)
    assert cs.where(tier=None).ids == ("d",)
    assert cs.where(id="b").ids == ("b",)
    assert cs.where() == cs


def test_where_on_missing_column_lists_columns(cs: CaseSet) -> None:
    with pytest.raises(CaseSetError) as info:
        cs.where(level="hard")
    assert str(info.value) == (
        "where(level=...): no column 'level'; available columns: "
        "case_id, input, is_chat, reference, context, tags, tier, difficulty"
    )


def test_where_type_mismatch(cs: CaseSet) -> None:
    with pytest.raises(
        CaseSetError,
        match=r"where\(difficulty='hard'\) cannot compare the values with columns \(difficulty: Int64\)",
    ):
        cs.where(difficulty="hard")


def test_filter_with_polars_expression_and_callable(cs: CaseSet) -> None:
    assert cs.filter(pl.col("difficulty") >= 2).ids == ("b", "c", "d")
    assert cs.filter(pl.col("reference").is_null()).ids == ("b", "d")
    assert cs.filter(pl.col("tier") == "pro").ids == ("a", "c")  # null tier is not selected
    assert cs.filter(lambda c: c.is_chat).ids == ("b",)
    assert cs.filter(lambda c: c.metadata["difficulty"] > 5).ids == ()


def test_filter_errors(cs: CaseSet) -> None:
    with pytest.raises(
        CaseSetError, match=r"filter\(\): column not found .*available columns: case_id, input"
    ):
        cs.filter(pl.col("level") == "hard")
    with pytest.raises(CaseSetError, match="must give one boolean per case, got 4 values of type Int64"):
        cs.filter(pl.col("difficulty"))
    with pytest.raises(TypeError, match="returned None"):
        cs.filter(lambda c: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError, match="use slice"):
        cs.filter("billing")  # type: ignore[arg-type]


def test_sample_and_head(cs: CaseSet) -> None:
    sample = cs.sample(2, seed=1)
    assert len(sample) == 2 and set(sample.ids) <= set(cs.ids)
    assert list(sample.ids) == sorted(sample.ids, key=cs.ids.index)  # keeps order
    assert cs.sample(2, seed=1) == sample
    reordered = load_cases(list(reversed(RECORDS)))
    assert set(reordered.sample(2, seed=1).ids) == set(sample.ids)  # order-independent draw
    assert {cs.sample(2, seed=s).ids for s in range(20)} != {sample.ids}
    assert cs.sample(0).ids == () and cs.sample(4).ids == cs.ids
    with pytest.raises(ValueError, match=r"sample\(n=5\): n must be an integer between 0 and 4"):
        cs.sample(5)
    assert cs.head(2).ids == ("a", "b") and cs.head(10).ids == cs.ids and cs.head(0).ids == ()
    with pytest.raises(ValueError, match="non-negative"):
        cs.head(-1)


def test_chained_filters_keep_frame_and_cases_aligned(cs: CaseSet) -> None:
    sub = cs.where(tier="pro").slice("not account").filter(pl.col("difficulty") == 2)
    assert sub.ids == ("c",)
    assert sub.to_polars()["case_id"].to_list() == ["c"]


def test_slicing_a_large_set_matches_python() -> None:
    rng = random.Random(7)
    pool = [f"t{i}" for i in range(12)] + ["intent:a", "intent:b"]
    big = CaseSet.from_records(
        {"id": i, "input": "x", "tags": rng.sample(pool, rng.randint(0, 3))} for i in range(50_000)
    )
    expr = parse_tag_expr("(t1 or intent:*) and not t2")
    assert big.slice(expr).ids == tuple(c.id for c in big if expr.matches(c.tags))


# -- summaries and display --------------------------------------------------------------------


def test_tag_counts(cs: CaseSet) -> None:
    counts = cs.tag_counts()
    assert counts.schema == {"tag": pl.Utf8, "n": pl.Int64}
    assert counts.rows() == [
        ("billing", 2),
        ("account", 1),
        ("intent:refund", 1),
        ("intent:reset", 1),
        ("lang=es", 1),
        ("smalltalk", 1),
    ]


def test_repr(cs: CaseSet, tmp_path: Path) -> None:
    assert repr(cs) == f"CaseSet(4 cases, version={cs.version!r})"
    path = cs.to_jsonl(tmp_path / "r.jsonl")
    assert repr(load_cases(path)) == f"CaseSet(4 cases, version={cs.version!r}, source={str(path)!r})"
    one = cs.head(1)
    assert repr(one) == f"CaseSet(1 case, version={one.version!r})"


def test_dataclass_replace_gives_new_version(cs: CaseSet) -> None:
    changed = CaseSet([dataclasses.replace(c, reference="new") if c.id == "a" else c for c in cs])
    assert changed.version != cs.version


def test_pickle_and_deepcopy(cs: CaseSet) -> None:
    import copy
    import pickle

    for clone in (pickle.loads(pickle.dumps(cs)), copy.deepcopy(cs)):
        assert clone == cs and clone.version == cs.version
        assert clone.slice("billing").ids == ("b", "d")


def test_parquet_round_trip(cs: CaseSet, tmp_path: Path) -> None:
    path = tmp_path / "cs.parquet"
    cs.to_polars().write_parquet(path)
    assert load_cases(path).version == cs.version
