"""The one input protocol (workbench._table): frames, workbench objects, errors."""

import pandas as pd
import polars as pl

from workbench._table import as_table, polars_frame


def test_polars_lazy_and_pandas_become_the_same_frame_and_others_are_none():
    df = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert polars_frame(df) is df
    assert polars_frame(df.lazy()).equals(df)
    assert polars_frame(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})).equals(df)
    assert polars_frame([{"a": 1}]) is None
    assert polars_frame(pd.Series([1, 2])) is None


def test_as_table_names_the_function_the_parameter_and_the_missing_columns():
    import pytest

    df = pl.DataFrame({"a": [1]})
    with pytest.raises(
        ValueError, match=r"^f: data has no columns 'b', 'c'; expected a thing\. Columns present: a$"
    ):
        as_table(df, func="f", columns=["a", "b", "c"], expected="a thing")
    with pytest.raises(TypeError, match="^f: data must be a score table .* or a Scores, got int$"):
        as_table(3, want="scores", func="f")
    assert as_table(df.lazy(), columns=["a"]).equals(df)
