import json
import os
import stat

import pytest

from workbench.cases import Case, CaseSet
from workbench.golden import content_hash, diff_versions, export_golden, load_golden

V1 = CaseSet(
    [
        Case(
            "a", "Reset my password", reference="Use the link", tags=["account"], metadata={"difficulty": 1}
        ),
        Case("b", "Cancel my plan", reference="Settings > Billing", tags=["billing"]),
        Case("c", "Where is my refund?", tags=["billing"]),
    ]
)
V2 = CaseSet(
    [
        Case(
            "a",
            "Reset my password",
            reference="Use the reset link",
            tags=["account"],
            metadata={"difficulty": 2},
        ),
        Case("b", "Cancel my plan", reference="Settings > Billing", tags=["billing", "churn"]),
        Case("d", "Do you have an API?", tags=["dev"]),
    ]
)
PROV = {
    "source": {"file": "traffic.parquet", "sha256": "abc"},
    "request_ids": {"a": ["r1", "r7"]},
    "dedupe": {"rows_in": 10},
    "sampling": {"n": 3, "floor": 1},
}


def test_export_load_and_manifest(tmp_path):
    v = export_golden(V1, tmp_path, name="support", provenance=PROV)
    assert v.created and v.version == 1 and v.path == tmp_path / "support" / "v1"
    assert sorted(p.name for p in v.path.iterdir()) == ["cases.jsonl", "manifest.json"]
    manifest = json.loads((v.path / "manifest.json").read_text())
    assert manifest["content_hash"] == content_hash(V1) and content_hash(V1)[:16] == V1.version
    assert manifest["provenance"] == PROV and manifest["n_cases"] == 3
    assert manifest["previous"] is None and manifest["changelog"] is None
    loaded = load_golden(tmp_path / "support")
    assert loaded.version == V1.version and loaded.ids == V1.ids


def test_exported_version_is_readable_by_others_under_the_users_umask(tmp_path):
    old = os.umask(0o022)
    try:
        v = export_golden(V1, tmp_path, name="support")
    finally:
        os.umask(old)
    assert stat.S_IMODE(v.path.stat().st_mode) == 0o755  # not mkdtemp's 0700
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in v.path.iterdir()} == {
        "cases.jsonl": 0o644,
        "manifest.json": 0o644,
    }


def test_second_version_changelog_and_exact_diff(tmp_path):
    export_golden(V1, tmp_path, name="support")
    v2 = export_golden(V2, tmp_path, name="support")
    assert v2.version == 2
    d = diff_versions(tmp_path / "support" / "v1", tmp_path / "support" / "v2")
    assert d.added == ("d",) and d.removed == ("c",)
    assert [(c.case_id, c.fields) for c in d.changed] == [
        ("a", ("reference", "metadata.difficulty")),
        ("b", ("tags",)),
    ]
    a = d.changed[0]
    assert a.before == {"reference": "Use the link", "metadata.difficulty": 1}
    assert a.after == {"reference": "Use the reset link", "metadata.difficulty": 2}
    assert d.changed[1].before == {"tags": ["billing"]} and d.changed[1].after == {
        "tags": ["billing", "churn"]
    }
    assert d.describe() == "1 added, 1 removed, 2 changed (metadata: 1, reference: 1, tags: 1)"
    assert d.summary().rows() == [
        ("added", None, 1),
        ("removed", None, 1),
        ("changed", None, 2),
        ("changed", "metadata", 1),
        ("changed", "reference", 1),
        ("changed", "tags", 1),
    ]
    assert d.table.select("case_id", "change", "field").rows() == [
        ("d", "added", None),
        ("c", "removed", None),
        ("a", "changed", "reference"),
        ("a", "changed", "metadata.difficulty"),
        ("b", "changed", "tags"),
    ]
    assert v2.summary().select("name", "version", "n_cases", "created", "changes").row(0) == (
        "support", 2, 3, True, d.describe(),
    )  # fmt: skip
    assert v2.table["case_id"].to_list() == ["a", "b", "d"] and v2.to_pandas().shape[0] == 3
    assert v2.changelog == d.to_dict()
    assert v2.manifest["previous"] == {"version": 1, "content_hash": content_hash(V1)}
    assert load_golden(tmp_path / "support", version=1).version == V1.version
    assert load_golden(tmp_path / "support").version == V2.version
    assert not diff_versions(V1, V1)


def test_diff_html_is_escaped():
    a = CaseSet([Case("x", "<b>hi</b>")])
    b = CaseSet([Case("x", "<script>alert(1)</script>")])
    html = diff_versions(a, b)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_same_content_is_not_a_new_version(tmp_path):
    export_golden(V1, tmp_path, name="s")
    with pytest.warns(UserWarning, match="same content as v1"):
        again = export_golden(CaseSet(reversed(list(V1))), tmp_path, name="s", provenance={"x": 1})
    assert not again.created and again.version == 1
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["v1"]


def test_failing_export_leaves_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"provenance\['sampling'\]\['n'\] is nan"):
        export_golden(V1, tmp_path, name="s", provenance={"sampling": {"n": float("nan")}})
    with pytest.raises(ValueError, match=r"provenance\['obj'\] is object"):
        export_golden(V1, tmp_path, name="s", provenance={"obj": object()})
    assert list(tmp_path.iterdir()) == []

    def broken_check(text):
        raise RuntimeError("detector crashed")

    with pytest.raises(RuntimeError, match="detector crashed"):
        export_golden(V1, tmp_path, name="s", pii_check=broken_check)
    assert list(tmp_path.iterdir()) == []


class FailsOnSecondWrite:
    """A metadata value whose text can be taken once (the hash) but not again (the file write)."""

    calls = 0

    def __str__(self):
        FailsOnSecondWrite.calls += 1
        if FailsOnSecondWrite.calls > 1:
            raise OSError("disk full")
        return "value"


def test_failure_during_write_removes_temp_dir(tmp_path):
    bad = CaseSet([Case("a", "x", metadata={"when": FailsOnSecondWrite()})])
    with pytest.raises(OSError, match="disk full"):
        export_golden(bad, tmp_path, name="s", pii_check=None)
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_overwrite(tmp_path):
    export_golden(V1, tmp_path, name="s")
    with pytest.raises(FileExistsError, match="v1 already exists"):
        export_golden(V2, tmp_path, name="s", version=1)


def test_pii_refusal_names_the_case(tmp_path):
    cs = CaseSet([Case("ok", "Hello"), Case("leak", "My email is jo@example.com")])
    with pytest.raises(ValueError, match=r"case 'leak' input: EMAIL"):
        export_golden(cs, tmp_path, name="s")
    assert list(tmp_path.iterdir()) == []


def test_synthetic_pii_bait_is_allowed(tmp_path):
    from workbench.golden import adversarial

    bait = adversarial(Case("a", "Hi"), kinds=["pii_bait"], per_kind=3)
    v = export_golden(bait, tmp_path, name="adv")
    assert v.created and len(load_golden(v.path)) == 3


def test_tampered_file_is_detected(tmp_path):
    v = export_golden(V1, tmp_path, name="s")
    path = v.path / "cases.jsonl"
    path.write_text(path.read_text().replace("Cancel my plan", "Cancel my plan now"))
    with pytest.raises(ValueError, match="does not match the manifest"):
        load_golden(v.path)


def test_bad_name_and_missing_version(tmp_path):
    with pytest.raises(ValueError, match="plain folder name"):
        export_golden(V1, tmp_path, name="../up")
    with pytest.raises(FileNotFoundError, match="no golden-set versions"):
        load_golden(tmp_path / "nothing")
