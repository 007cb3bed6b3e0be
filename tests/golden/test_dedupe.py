import datetime as dt

import polars as pl
import pytest

from workbench.golden import dedupe, minhash_signatures

TEXTS = {
    "a1": "How do I reset my password?",
    "a2": "how do i reset my passwrod",  # typo
    "a3": "HOW DO I RESET MY PASSWORD!!",  # casing, punctuation
    "a4": "Hi there, how do I reset my password? Thanks",  # greeting and thanks
    "b1": "I want to cancel my subscription",
    "b2": "I want to cancel my subscripton please",
    "c1": "What is the weather in Paris",
    "d1": "how do i reset my username",
    "e1": "Can I get an invoice for March?",
}


def _frame(texts=TEXTS):
    return pl.DataFrame({"request_id": list(texts), "input": list(texts.values())})


def _groups(d):
    out = {}
    for rid, gid in d.groups.iter_rows():
        out.setdefault(gid, []).append(rid)
    return sorted(sorted(v) for v in out.values())


def test_near_duplicates_grouped_and_different_requests_not():
    d = dedupe(_frame())
    assert _groups(d) == [["a1", "a2", "a3", "a4"], ["b1", "b2"], ["c1"], ["d1"], ["e1"]]
    assert d.table["request_id"].to_list() == ["a1", "b1", "c1", "d1", "e1"]
    assert d.table["count"].to_list() == [4, 2, 1, 1, 1]
    assert d.table["member_ids"].to_list()[0] == ["a1", "a2", "a3", "a4"]
    # a1, a3 and a4 normalise to the same text; a2 and b2 are near duplicates
    assert d.stats.to_dict() == {"rows_in": 9, "exact_duplicates": 2, "near_duplicates": 2, "rows_out": 5}


def test_exact_counts_and_most_common_text_is_representative():
    df = pl.DataFrame(
        {
            "request_id": [f"r{i}" for i in range(7)],
            "input": [
                "refund please?",
                "Where is my parcel",
                "where is my parcel?",
                "Where is my parcel!",
                "Refund",
                "weather in Oslo",
                "Where's my parcel",
            ],
            "timestamp": [dt.datetime(2026, 1, d) for d in (5, 2, 3, 4, 1, 6, 7)],
        }
    )
    d = dedupe(df, threshold=0.99)
    rows = {r["request_id"]: (r["count"], r["member_ids"]) for r in d.table.iter_rows(named=True)}
    # "refund please?" and "Refund" normalise alike; r4 is earlier by timestamp so it represents both
    assert rows == {
        "r4": (2, ["r4", "r0"]),
        "r1": (3, ["r1", "r2", "r3"]),
        "r5": (1, ["r5"]),
        "r6": (1, ["r6"]),
    }
    assert d.table["request_id"].to_list() == ["r4", "r1", "r5", "r6"]  # by first appearance in time
    assert d.table["count"].sum() == df.height
    assert d.groups.height == df.height and d.groups["request_id"].to_list() == df["request_id"].to_list()


def test_representative_is_most_frequent_text_of_a_near_group():
    df = pl.DataFrame(
        {
            "request_id": ["x", "y", "z"],
            "input": [
                "how do i reset my passwrod",
                "How do I reset my password?",
                "how do I reset my password",
            ],
        }
    )
    d = dedupe(df)
    assert d.table.select("request_id", "count").rows() == [("y", 3)]
    assert d.table["member_ids"].to_list() == [["x", "y", "z"]]


def test_deterministic_and_seeded():
    df = _frame()
    a, b = dedupe(df, seed=3), dedupe(df, seed=3)
    assert a.table.equals(b.table) and a.groups.equals(b.groups)
    sig = minhash_signatures(["hello world", "hello world", "other"], num_perm=16)
    assert (sig[0] == sig[1]).all() and not (sig[0] == sig[2]).all()
    assert (minhash_signatures(["hello world"], num_perm=16)[0] == sig[0]).all()


def test_normalize_false_keeps_casing_apart():
    df = pl.DataFrame({"request_id": ["a", "b"], "input": ["Refund NOW", "refund now"]})
    assert dedupe(df, normalize=False, threshold=1.0).stats.rows_out == 2
    assert dedupe(df).stats.rows_out == 1


def test_bad_input_errors():
    with pytest.raises(
        ValueError, match=r"dedupe: frame has no column 'text'.*Columns present: request_id, input"
    ):
        dedupe(_frame(), text="text")
    df = pl.DataFrame({"request_id": ["a", "b"], "input": ["x", None]})
    with pytest.raises(ValueError, match=r"1 row\(s\) have no 'input'.*\['b'\]"):
        dedupe(df)
    with pytest.raises(ValueError, match="must be unique"):
        dedupe(pl.DataFrame({"request_id": ["a", "a"], "input": ["x", "y"]}))
    with pytest.raises(ValueError, match="already has column"):
        dedupe(_frame().with_columns(pl.lit(1).alias("count")))
    with pytest.raises(ValueError, match="threshold"):
        dedupe(_frame(), threshold=0)


def test_short_and_empty_texts():
    df = pl.DataFrame({"request_id": ["a", "b", "c", "d"], "input": ["?", "!!", "ok", "hi"]})
    d = dedupe(df)
    assert d.stats.rows_in == 4 and d.table["count"].sum() == 4
    assert _groups(d)[0] == ["a", "b"]  # both normalise to ""


def test_numpy_fallback_matches_numba(monkeypatch):
    from workbench.golden import _lsh

    texts = list(TEXTS.values()) + ["x", "", "über café"]
    fast = minhash_signatures(texts, num_perm=32, seed=7)
    monkeypatch.setattr(_lsh, "_KERNELS", [None])  # as if numba were not installed
    slow = minhash_signatures(texts, num_perm=32, seed=7)
    assert (fast == slow).all()
    assert _groups(dedupe(_frame())) == [["a1", "a2", "a3", "a4"], ["b1", "b2"], ["c1"], ["d1"], ["e1"]]


# A~B and B~C at threshold 0.6, but A and C are not (estimated Jaccard 0.84, 0.69 and 0.58 at
# seed 0; A and C also share an LSH bucket, so the check against the center is what separates them)
CHAIN_A = "can you help me move my recurring invoice to the new bank account"
CHAIN_B = "help me move my recurring invoice to the new bank account today"
CHAIN_C = "help me move my recurring invoice to another bank account today now"


def _similarity(a, b):
    sig = minhash_signatures([a, b], num_perm=64, ngram=3, seed=0)
    return float((sig[0] == sig[1]).mean())


def test_groups_do_not_chain():
    assert _similarity(CHAIN_A, CHAIN_B) == 0.84375
    assert _similarity(CHAIN_B, CHAIN_C) == 0.6875
    assert _similarity(CHAIN_A, CHAIN_C) == 0.578125
    texts = [CHAIN_A] * 3 + [CHAIN_C] * 2 + [CHAIN_B]  # B, the bridge, is the least frequent
    df = pl.DataFrame({"request_id": [f"r{i}" for i in range(6)], "input": texts})
    d = dedupe(df, threshold=0.6)
    # connected components would make one group of six; A's group takes B, C stays apart
    assert _groups(d) == [["r0", "r1", "r2", "r5"], ["r3", "r4"]]
    assert d.table.select("request_id", "count").rows() == [("r0", 4), ("r3", 2)]

    # when the bridge is the most frequent text it is the center, and both ends are within reach
    texts = [CHAIN_B] * 3 + [CHAIN_A, CHAIN_C]
    df = pl.DataFrame({"request_id": [f"r{i}" for i in range(5)], "input": texts})
    d = dedupe(df, threshold=0.6)
    assert _groups(d) == [["r0", "r1", "r2", "r3", "r4"]]


def test_every_member_is_within_threshold_of_its_representative():
    # a chain of single-word edits: each text is close to the next, the ends are far apart
    words = "please help me move my recurring invoice for the pro plan to the new bank account".split()
    swaps = "kindly assist us shift our monthly bill on that starter tier into one old card number".split()
    texts = []
    for i in range(len(words) + 1):
        texts += [" ".join(swaps[:i] + words[i:])] * (1 + i % 3)
    df = pl.DataFrame({"request_id": [f"r{i}" for i in range(len(texts))], "input": texts})
    for threshold in (0.5, 0.7):
        d = dedupe(df, threshold=threshold)
        assert d.stats.rows_out > 1
        rep_text = dict(zip(d.table["group_id"], d.table["input"], strict=True))
        by_id = dict(zip(df["request_id"], df["input"], strict=True))
        for rid, gid in d.groups.iter_rows():
            assert _similarity(by_id[rid].lower(), rep_text[gid].lower()) >= threshold


def test_normalize_requests_is_what_dedupe_compares():
    from workbench.golden import normalize_requests

    df = pl.DataFrame(
        {"input": ["Hi there, how do I RESET my password?? Thanks so much", "Dear team reset it pls"]}
    )
    assert df.select(normalize_requests("input"))["input"].to_list() == [
        "how do i reset my password",
        "reset it",
    ]
    kept = df.select(normalize_requests(pl.col("input"), strip_greetings=False))["input"].to_list()
    assert kept == ["hi there how do i reset my password thanks so much", "dear team reset it pls"]


def test_result_shape_inputs_and_escaped_html():
    evil = _frame({"x1": "<script>alert(1)</script>", "x2": "<script>alert(1)</script>!"})
    d = dedupe(evil.lazy())
    assert d.summary().rows() == [(2, 1, 0, 1)]
    assert d.summary().columns == ["rows_in", "exact_duplicates", "near_duplicates", "rows_out"]
    assert d.to_pandas()["request_id"].tolist() == ["x1"] and d.stats.table.columns[-1] == "seconds"
    assert dedupe(evil.to_pandas()).table.drop("member_ids").equals(d.table.drop("member_ids"))
    html = d._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "2 rows -&gt; 1 groups" in html
    from workbench.golden import sample_for_coverage

    # a result object is read through its .table
    assert sample_for_coverage(d, 1, strata="request_id", floor=1).table["count"].to_list() == [2]


def test_normalize_requests_strips_email_greeting_lines_and_sign_offs():
    from workbench.golden import normalize_requests

    texts = [
        "Hello Tallyo team,\n\nCan I export invoices to CSV?\n\nBest,\nA Tallyo customer",
        "Dear support,\nmy bank sync fails.\nKind regards\nJo",
        "Best way to export invoices?",  # a request that starts like a sign-off keeps its words
    ]
    got = pl.DataFrame({"input": texts}).select(normalize_requests("input")).to_series().to_list()
    assert got == ["can i export invoices to csv", "my bank sync fails", "best way to export invoices"]
