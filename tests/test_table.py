"""polars_frame: the one conversion of a user's table to polars."""

import pandas as pd
import polars as pl

from workbench._frames import polars_frame


def test_polars_lazy_and_pandas_become_the_same_frame_and_others_are_none():
    df = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert polars_frame(df) is df
    assert polars_frame(df.lazy()).equals(df)
    assert polars_frame(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})).equals(df)
    assert polars_frame([{"a": 1}]) is None
    assert polars_frame(pd.Series([1, 2])) is None
