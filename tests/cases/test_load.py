"""load_cases: every source type, field renames and every error path (exact messages)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from workbench.cases import SUPPORTED_EXTENSIONS, Case, CaseSet, CaseSetError, load_cases

RECORDS = [
    {
        "id": "q1",
        "input": "How do I reset my password?",
        "reference": "Use the link.",
        "tags": ["account"],
        "tier": "pro",
        "n": 1,
    },
    {
        "id": "q2",
        "input": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Refund?"}],
        "context": ["Refunds within 30 days."],
        "tags": ["billing", "refund"],
        "tier": "free",
        "n": 2,
    },
    {"id": 3, "input": "Hola", "reference": {"lang": "es"}, "tags": [], "tier": None, "n": 3},
]


def write_jsonl(path: Path, rows: list, blank_lines: bool = False) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text(("\n\n" if blank_lines else "\n").join(lines) + "\n", encoding="utf-8")
    return path


def check_records_loaded(cs: CaseSet) -> None:
    assert cs.ids == ("q1", "q2", "3")
    assert cs["q1"] == Case(
        "q1",
        "How do I reset my password?",
        reference="Use the link.",
        context=(),
        tags=("account",),
        metadata={"tier": "pro", "n": 1},
    )
    assert cs["q2"].messages() == RECORDS[1]["input"]
    assert cs["q2"].context == ("Refunds within 30 days.",)
    assert cs["3"].reference == '{"lang":"es"}'
    assert cs.metadata_columns == ("tier", "n")
    assert dict(cs["3"].metadata) == {"tier": None, "n": 3}


def error_of(source, **kw) -> CaseSetError:
    with pytest.raises(CaseSetError) as info:
        load_cases(source, **kw)
    return info.value


# -- JSONL ------------------------------------------------------------------------------------


def test_jsonl(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "cases.jsonl", RECORDS, blank_lines=True)
    cs = load_cases(path)
    check_records_loaded(cs)
    assert cs.source == str(path)
    assert load_cases(str(path)).version == cs.version


def test_jsonl_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf" + b'{"id": "a", "input": "caf\xc3\xa9"}\r\n{"id": "b", "input": "x\\u2028y"}\r\n'
    )
    cs = load_cases(path)
    assert [c.input for c in cs] == ["café", "x\u2028y"]


def test_ndjson_extension(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "cases.NDJSON", RECORDS)
    assert len(load_cases(path)) == 3


def test_jsonl_collects_problems_across_lines(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            {"id": "a", "input": "fine"},
            '{"id": "b", "input": "x",',
            {"input": "no id"},
            {"id": "c", "tags": ["t"]},
            {"id": "d", "input": "x", "tags": "t", "context": 5},
            '["not", "an", "object"]',
            {"id": "e", "input": ""},
        ],
    )
    err = error_of(path)
    assert err.problems == [
        f"{path}:2: invalid JSON: Expecting property name enclosed in double quotes (column 26)",
        f"{path}:6: expected a JSON object, got a list",
        f"{path}:3: missing required field 'id'",
        f"{path}:4 (case 'c'): missing required field 'input'",
        f"{path}:5 (case 'd'): field 'context' must be a string or a list of strings, got int 5",
        f"{path}:7 (case 'e'): field 'input' is empty",
    ]
    assert str(err).startswith(f"6 problems in {path}:\n  - {path}:2: invalid JSON")


def test_jsonl_bad_message_names_case_and_field(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "chat.jsonl", [{"id": "m1", "input": [{"content": "hi"}]}])
    assert str(error_of(path)) == f"{path}:1 (case 'm1'): field 'input' message 0 is missing 'role'"


def test_duplicate_ids_are_one_problem_with_lines(tmp_path: Path) -> None:
    rows = [{"id": i, "input": "x"} for i in ["a", "b", "a", "c", "b", "a"]]
    path = write_jsonl(tmp_path / "dup.jsonl", rows, blank_lines=True)
    assert str(error_of(path)) == f"duplicate case ids in {path}: 'a' (lines 1, 5, 11), 'b' (lines 3, 9)"


def test_int_and_str_ids_collide(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "dup.jsonl", [{"id": 1, "input": "x"}, {"id": "1", "input": "y"}])
    assert str(error_of(path)) == f"duplicate case ids in {path}: '1' (lines 1, 2)"


def test_many_duplicates_are_truncated() -> None:
    rows = [{"id": f"d{i:02d}", "input": "x"} for i in range(25)] * 2
    err = error_of(rows)
    assert len(err.problems) == 1
    message = err.problems[0]
    assert message.startswith("duplicate case ids: 'd00' (rows 0, 25), 'd01' (rows 1, 26), ")
    assert message.endswith("'d19' (rows 19, 44), and 5 more")


def test_many_problems_list_the_first_ten(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "many.jsonl", [{"id": f"c{i}", "input": ""} for i in range(13)])
    err = error_of(path)
    lines = str(err).splitlines()
    assert lines[0] == f"13 problems in {path}:"
    assert lines[1] == f"  - {path}:1 (case 'c0'): field 'input' is empty"
    assert lines[10] == f"  - {path}:10 (case 'c9'): field 'input' is empty"
    assert lines[11] == "  ... and 3 more"
    assert len(lines) == 12 and len(err.problems) == 13


def test_missing_column_everywhere_is_reported_once(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "q.jsonl", [{"id": "a", "question": "x"}, {"id": "b", "question": "y"}])
    assert str(error_of(path)) == (
        f"{path}: no 'input' field in any case; fields are: id, question; pass input_field=... to use another column"
    )
    assert load_cases(path, input_field="question")["b"].input == "y"


def test_empty_files(tmp_path: Path) -> None:
    for name in ["e.jsonl", "e.json", "e.csv", "e.parquet"]:
        (tmp_path / name).write_bytes(b"")
        assert str(error_of(tmp_path / name)) == f"{tmp_path / name} is empty: no cases"
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n  \n\n")
    assert str(error_of(blank)) == f"{blank} is empty: no cases (only blank lines)"


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.txt"
    path.write_text("x")
    assert str(error_of(path)) == (
        f"{path}: unsupported file extension '.txt'; supported: {', '.join(SUPPORTED_EXTENSIONS)}"
    )
    with pytest.raises(FileNotFoundError, match="no such file: .*nope.jsonl"):
        load_cases(tmp_path / "nope.jsonl")


def test_a_directory_is_named_as_one(tmp_path: Path) -> None:
    folder = tmp_path / "golden"
    folder.mkdir()
    (folder / "cases.jsonl").write_text('{"id": "a", "input": "x"}\n')
    expected = f"is a directory; expected a file ({', '.join(SUPPORTED_EXTENSIONS)})"
    assert str(error_of(folder)) == f"{folder} {expected}; it holds {folder / 'cases.jsonl'}"
    (tmp_path / "looks_like.jsonl").mkdir()
    assert str(error_of(tmp_path / "looks_like.jsonl")) == f"{tmp_path / 'looks_like.jsonl'} {expected}"


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b'{"id": "a", "input": "x"}\n{"id": "b", "input": "caf\xe9"}\n')
    assert str(error_of(path)) == f"{path}:2: not valid UTF-8 (byte 51); save the file as UTF-8"


# -- JSON -------------------------------------------------------------------------------------


def test_json_list(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(RECORDS, indent=2))
    check_records_loaded(load_cases(path))


def test_json_errors(tmp_path: Path) -> None:
    path = tmp_path / "cases.json"
    path.write_text('{"cases": []}')
    assert str(error_of(path)) == (
        f"{path}: expected a JSON list of case objects, got an object with keys 'cases' (for one object per line use .jsonl)"
    )
    path.write_text('[\n  {"id": "a"\n  "input": "x"}\n]')
    assert str(error_of(path)) == f"{path}:3:3: invalid JSON: Expecting ',' delimiter"
    path.write_text('[{"id": "a", "input": "x"}, 3, {"id": "b"}]')
    assert error_of(path).problems == [
        f"{path} item 1: expected a JSON object, got a number",
        f"{path} item 2 (case 'b'): missing required field 'input'",
    ]
    path.write_text("[]")
    assert str(error_of(path)) == f"{path} is empty: the list has no cases"


# -- CSV --------------------------------------------------------------------------------------


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(
        "id,input,reference,context,tags,difficulty,score\n"
        '001,"Line one\nline two",Paris,"[""p1"", ""p2""]",geo|easy,1,0.5\n'
        '002,Plain,,single passage,"[""a b"", ""c""]",2,\n'
        "003,Third,,,,3,1.5\n",
        encoding="utf-8",
    )
    cs = load_cases(path)
    assert cs.ids == ("001", "002", "003")
    assert cs["001"].input == "Line one\nline two"
    assert cs["001"].context == ("p1", "p2")
    assert cs["001"].tags == ("geo", "easy")
    assert cs["002"].context == ("single passage",)
    assert cs["002"].tags == ("a b", "c")
    assert cs["002"].reference is None
    assert (cs["003"].context, cs["003"].tags) == ((), ())
    assert [c.metadata["difficulty"] for c in cs] == [1, 2, 3]
    assert cs.to_polars().schema["difficulty"] == pl.Int64
    assert [c.metadata["score"] for c in cs] == [0.5, None, 1.5]


def test_csv_chat_and_line_numbers_with_multiline_fields(tmp_path: Path) -> None:
    path = tmp_path / "chat.csv"
    msgs = json.dumps([{"role": "user", "content": "hi"}]).replace('"', '""')
    path.write_text(
        "case_id,input,is_chat\n"
        f'a,"{msgs}",true\n'
        'b,"multi\nline\ntext",false\n'
        "c,,false\n"
        'd,"{{not json",true\n',
        encoding="utf-8",
    )
    err = error_of(path)
    assert err.problems == [
        f"{path}:6 (case 'c'): missing required field 'input'",
        f"{path}:7 (case 'd'): field 'input' is marked is_chat but is not a JSON message list (Expecting property name enclosed in double quotes)",
    ]
    path.write_text(f'case_id,input,is_chat\na,"{msgs}",true\nb,"multi\nline",false\n', encoding="utf-8")
    cs = load_cases(path)
    assert cs["a"].messages() == [{"role": "user", "content": "hi"}]
    assert cs["b"].input == "multi\nline"
    assert cs.metadata_columns == ()


def test_csv_bom_crlf_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfid,input,tags\r\na,x,t1|t2\r\n\r\nb,y,\r\nc,,\r\n")
    assert str(error_of(path)) == f"{path}:5 (case 'c'): missing required field 'input'"
    path.write_bytes(b"\xef\xbb\xbfid,input,tags\r\na,x,t1|t2\r\n\r\nb,y,\r\n")
    cs = load_cases(path)
    assert [(c.id, c.input, c.tags) for c in cs] == [("a", "x", ("t1", "t2")), ("b", "y", ())]


def test_csv_header_only_and_ragged(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,input\n")
    assert str(error_of(path)) == f"{path} has a header but no cases"
    path.write_text("id,input\na,x,extra,more\n")
    assert str(error_of(path)).startswith(f"{path}: could not parse CSV: ")


# -- Parquet ----------------------------------------------------------------------------------


def test_parquet(tmp_path: Path) -> None:
    path = tmp_path / "cases.parquet"
    pl.DataFrame(
        {
            "id": ["p1", "p2"],
            "input": ["a", "b"],
            "tags": [["x", "y"], []],
            "context": [None, ["c"]],
            "rank": pl.Series([1, 2], dtype=pl.Int16),
        }
    ).write_parquet(path)
    cs = load_cases(path)
    assert cs["p1"].tags == ("x", "y")
    assert cs["p2"].context == ("c",)
    assert cs.to_polars().schema["rank"] == pl.Int16
    pl.DataFrame({"id": ["p1"], "input": [None]}, schema={"id": pl.Utf8, "input": pl.Utf8}).write_parquet(
        path
    )
    assert str(error_of(path)) == f"{path} row 0 (case 'p1'): missing required field 'input'"


def test_corrupt_parquet(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"not parquet at all")
    assert str(error_of(path)).startswith(f"{path}: could not read Parquet: ")


# -- DataFrames, datasets, records ------------------------------------------------------------


def test_polars_dataframe_and_lazyframe() -> None:
    df = pl.DataFrame(
        {
            "case_id": ["a", "b"],
            "question": ["q1", "q2"],
            "answer": ["r1", None],
            "tier": pl.Series(["pro", "free"], dtype=pl.Categorical),
        }
    )
    cs = load_cases(df, input_field="question", reference_field="answer")
    assert [(c.id, c.input, c.reference) for c in cs] == [("a", "q1", "r1"), ("b", "q2", None)]
    assert cs.to_polars().schema["tier"] == pl.Categorical
    assert load_cases(df.lazy(), input_field="question", reference_field="answer").version == cs.version


def test_polars_errors_name_rows() -> None:
    df = pl.DataFrame({"id": ["a", "b", None], "input": ["x", None, "z"], "tags": [["t"], None, [" "]]})
    assert error_of(df).problems == [
        "row 1 (case 'b'): missing required field 'input'",
        "row 2: missing required field 'id'",
    ]


def test_pandas_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {
            "id": [1, 2],
            "question": ["q1", "q2"],
            "tags": [["a", "b"], []],
            "score": [0.5, float("nan")],
            "when": pd.to_datetime(["2024-01-02", None]),
        }
    )
    cs = load_cases(df, input_field="question")
    assert cs.ids == ("1", "2")
    assert cs["1"].tags == ("a", "b")
    assert dict(cs["2"].metadata) == {"score": None, "when": None}
    assert cs["1"].metadata["when"].isoformat() == "2024-01-02T00:00:00"


def test_pandas_errors_name_rows() -> None:
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"id": ["a", "a"], "input": ["x", "y"]})
    assert str(error_of(df)) == "duplicate case ids: 'a' (rows 0, 1)"
    df = pd.DataFrame({"id": ["a"], "input": ["x"], "tags": [7]})
    assert (
        str(error_of(df))
        == "row 0 (case 'a'): field 'tags' must be a list of strings (or 'a|b|c'), got int 7"
    )


def test_hf_dataset() -> None:
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_list(
        [
            {"qid": "h1", "prompt": "hi", "labels": ["x"], "gold": "hello"},
            {"qid": "h2", "prompt": "bye", "labels": [], "gold": None},
        ]
    )
    cs = load_cases(ds, id_field="qid", input_field="prompt", tags_field="labels", reference_field="gold")
    assert [(c.id, c.input, c.tags, c.reference) for c in cs] == [
        ("h1", "hi", ("x",), "hello"),
        ("h2", "bye", (), None),
    ]
    assert cs.source == "datasets.Dataset"
    with pytest.raises(
        CaseSetError, match=r"datasets.DatasetDict with splits 'test'; pass one split, e.g. ds\['test'\]"
    ):
        load_cases(datasets.DatasetDict({"test": ds}), id_field="qid")


def test_records() -> None:
    check_records_loaded(load_cases(RECORDS))
    check_records_loaded(CaseSet.from_records(RECORDS))
    assert load_cases(tuple(RECORDS)).version == load_cases(RECORDS).version


def test_case_id_alias_and_clashes() -> None:
    assert load_cases([{"case_id": 5, "input": "x"}]).ids == ("5",)
    assert str(error_of([{"id": "a", "case_id": "b", "input": "x"}])) == (
        "the records: both 'id' and 'case_id' are present; keep one ('case_id' is an alias of 'id')"
    )
    assert str(error_of([{"id": "a", "input": "x", "question": "q"}], input_field="question")) == (
        "the records: column 'input' clashes with input_field='question'; drop or rename it"
    )


def test_empty_in_memory_sources() -> None:
    assert str(error_of([])) == "no cases in the records"
    assert str(error_of(pl.DataFrame({"id": [], "input": []}))) == "no cases in the polars DataFrame"


def test_bad_arguments() -> None:
    with pytest.raises(
        TypeError, match="unexpected keyword argument 'question_field'; expected one of: id_field, "
    ):
        load_cases(RECORDS, question_field="q")
    with pytest.raises(TypeError, match=r"cannot read a builtins.int"):
        load_cases(3)
    with pytest.raises(CaseSetError, match="row 1: expected a dict, got str"):
        load_cases([{"id": "a", "input": "x"}, "oops"])


def test_mixed_metadata_types_are_an_error(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"id": "a", "input": "x", "tier": "pro"},
            {"id": "b", "input": "x"},
            {"id": "c", "input": "x", "tier": 3},
        ],
    )
    assert str(error_of(path)) == (
        f"metadata field 'tier' mixes types: str ({path}:1), int ({path}:3); give the field one type in every case"
    )


def test_int_and_float_metadata_mix_to_float() -> None:
    cs = load_cases([{"id": "a", "input": "x", "w": 1}, {"id": "b", "input": "x", "w": 2.5}])
    assert cs.to_polars()["w"].to_list() == [1.0, 2.5]
    assert cs["a"].metadata["w"] == 1


def test_support_golden_generator_output_loads(tmp_path: Path) -> None:
    script = Path(__file__).parents[2] / "data" / "make_support_golden.py"
    if not script.exists():
        pytest.skip("data/make_support_golden.py not present")
    import subprocess
    import sys

    out = tmp_path / "golden.jsonl"
    subprocess.run([sys.executable, str(script), "--out", str(out)], check=True)
    cs = load_cases(out)
    assert len(cs) > 0 and cs.tag_counts().height > 0
