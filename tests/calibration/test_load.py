"""Loading human labels and candidate responses from files, with errors that name file, line and field."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from workbench._schema import LABEL_COLUMNS, polars_schema
from workbench.calibration import LabelFileError, load_candidate_responses, load_human_labels

GOOD = {
    "run_id": "", "case_id": "c1", "kind": "single", "model": "m1", "variant": "default", "sample": "0",
    "model_a": "", "model_b": "", "shown_first": "", "criterion": "helpfulness", "rater": "r1",
    "label": "4", "value": "4.0", "note": "", "blind": "true", "created_at": "2026-11-20T09:00:00Z",
}  # fmt: skip


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(GOOD))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_loads_with_the_label_dtypes(tmp_path: Path) -> None:
    pair = {**GOOD, "kind": "pairwise", "model": "", "variant": "", "sample": "", "model_a": "a/x",
            "model_b": "b/x", "shown_first": "b", "label": "tie", "value": ""}  # fmt: skip
    frame = load_human_labels(_write(tmp_path / "labels.csv", [GOOD, pair]))
    assert frame.schema == pl.Schema(polars_schema(LABEL_COLUMNS))
    assert frame.get_column("run_id").to_list() == ["", ""]
    assert frame.get_column("sample").to_list() == [0, None]
    assert frame.get_column("note").to_list() == [None, None]
    assert frame.get_column("blind").to_list() == [True, True]
    assert str(frame.get_column("created_at")[0]) == "2026-11-20 09:00:00+00:00"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"value": "four"}, "line 3, field 'value': expected a float, got 'four'"),
        ({"kind": "triple"}, "line 3, field 'kind': expected 'single' or 'pairwise'"),
        ({"blind": "maybe"}, "line 3, field 'blind': expected true or false"),
        ({"created_at": "2026-11-20T09:00:00"}, "line 3, field 'created_at': .* has no time zone"),
        ({"rater": ""}, "line 3, field 'rater': is empty"),
        ({"model": ""}, "line 3, field 'model': a 'single' label needs the graded model"),
    ],
)
def test_a_bad_row_names_file_line_and_field(tmp_path: Path, change: dict[str, str], message: str) -> None:
    path = _write(tmp_path / "bad.csv", [GOOD, {**GOOD, **change}])
    with pytest.raises(LabelFileError, match=message) as err:
        load_human_labels(path)
    assert "bad.csv" in str(err.value)


def test_jsonl_labels_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text('{"case_id": "c1", "kind": "pairwise", "model_a": "a", "model_b": "b", "criterion": "h", '
                    '"rater": "r", "label": "x", "blind": false, "created_at": "2026-01-01T00:00:00Z"}\n')  # fmt: skip
    with pytest.raises(LabelFileError, match="line 1, field 'label': a pairwise label is 'a', 'b' or 'tie'"):
        load_human_labels(path)
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        load_human_labels(tmp_path / "nope.csv")


def test_candidate_responses(tmp_path: Path) -> None:
    path = tmp_path / "resp.jsonl"
    path.write_text('{"case_id": "c1", "model": "m", "output": "hi", "true_quality": 5}\n'
                    '{"case_id": "c2", "model": "m", "variant": "v", "sample": 1, "output": "yo", "true_quality": 1}\n')  # fmt: skip
    frame = load_candidate_responses(path)
    assert frame.columns[:6] == ["run_id", "case_id", "model", "variant", "sample", "output"]
    assert frame.get_column("variant").to_list() == ["default", "v"]
    assert frame.get_column("error_type").null_count() == 2
    assert frame.get_column("true_quality").to_list() == [5, 1]
    path.write_text('{"case_id": "c1", "model": "m", "output": null}\n')
    with pytest.raises(ValueError, match="line 1, field 'output': expected a string"):
        load_candidate_responses(path)
