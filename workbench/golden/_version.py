"""Versioned golden sets on disk: export with provenance and changelog, load, and diff."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import polars as pl

from workbench._files import new_temp_dir, remove_tree
from workbench._html import note, report
from workbench.cases import CaseSet, load_cases
from workbench.cases._case import canonical_json, json_default
from workbench.golden._cases import as_cases
from workbench.golden._diff import diff_versions
from workbench.golden._pii import pii_types

_VERSION_DIR = re.compile(r"^v(\d+)$")
FORMAT = 1


def content_hash(cases: Any) -> str:
    """sha256 (hex) of the canonical JSON of the cases sorted by id; its first 16 digits are ``CaseSet.version``.

    ``cases`` is a CaseSet, a list of cases, a Run that knows its cases or a cases table.
    """
    canon = [c.canonical() for c in sorted(as_cases(cases, "content_hash"), key=lambda c: c.id)]
    return hashlib.sha256(canonical_json(canon).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class GoldenVersion:
    """One exported version of a golden set.

    Attributes:
        path: The version folder ``<dir>/<name>/v<k>``.
        version: k.
        content_hash: sha256 of the cases (see :func:`content_hash`).
        manifest: The parsed ``manifest.json``.
        created: False when the export found the content unchanged and reused the previous version.
    """

    path: Path
    name: str
    version: int
    content_hash: str
    manifest: dict[str, Any]
    _: KW_ONLY
    created: bool = True

    @property
    def changelog(self) -> dict[str, Any] | None:
        return self.manifest.get("changelog")

    def load(self) -> CaseSet:
        """The cases of this version (read from disk and checked against the manifest)."""
        return load_golden(self.path)

    @cached_property
    def cases(self) -> CaseSet:
        """The cases of this version, loaded once."""
        return self.load()

    @property
    def table(self) -> pl.DataFrame:
        """The cases of this version, one row per case (as ``CaseSet.table``)."""
        return self.cases.table

    def to_pandas(self) -> Any:
        return self.cases.to_pandas()

    def summary(self) -> pl.DataFrame:
        """One row: ``name``, ``version``, ``n_cases``, ``content_hash``, ``created``, ``changes``."""
        log = self.changelog
        row = {
            "name": self.name,
            "version": self.version,
            "n_cases": self.manifest.get("n_cases"),
            "content_hash": self.content_hash,
            "created": self.created,
            "changes": log.get("summary") if log else None,
            "path": str(self.path),
        }
        schema = {
            "name": pl.String,
            "version": pl.Int64,
            "n_cases": pl.Int64,
            "content_hash": pl.String,
            "created": pl.Boolean,
            "changes": pl.String,
            "path": pl.String,
        }
        return pl.DataFrame([row], schema=schema)

    def _repr_html_(self) -> str:
        log = self.changelog
        parts = [note(f"{self.manifest.get('n_cases')} cases, hash {self.content_hash[:16]}, at {self.path}")]
        if log:
            parts.append(note(f"changes: {log['summary']}"))
        if not self.created:
            parts.append(note("unchanged; no new version written"))
        return report(f"{self.name} v{self.version}", parts)


def _versions(root: Path) -> list[int]:
    if not root.is_dir():
        return []
    return sorted(int(m.group(1)) for p in root.iterdir() if p.is_dir() and (m := _VERSION_DIR.match(p.name)))


def _read_version(path: Path, name: str | None = None) -> GoldenVersion:
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{path} is not a golden-set version: {manifest_path} is missing")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{manifest_path}: invalid JSON at line {e.lineno}: {e.msg}") from None
    return GoldenVersion(
        path,
        manifest.get("name", name or path.parent.name),
        int(manifest["version"]),
        manifest["content_hash"],
        manifest,
    )


def _resolve(path: str | os.PathLike[str], version: int | None) -> Path:
    p = Path(path)
    if (p / "manifest.json").is_file() and version is None:
        return p
    found = _versions(p)
    if not found:
        raise FileNotFoundError(f"no golden-set versions (v1, v2, ...) in {p}")
    k = found[-1] if version is None else version
    if k not in found:
        raise FileNotFoundError(f"{p} has no version v{k}; it has {', '.join(f'v{v}' for v in found)}")
    return p / f"v{k}"


def load_golden(path: str | os.PathLike[str], *, version: int | None = None) -> CaseSet:
    """Load a golden set: ``path`` is ``<dir>/<name>`` (latest, or ``version``) or a version folder.

    The cases' content hash is checked against the manifest; a file edited by hand raises.
    """
    vdir = _resolve(path, version)
    info = _read_version(vdir)
    cases = load_cases(vdir / "cases.jsonl")
    got = content_hash(cases)
    if got != info.content_hash:
        raise ValueError(
            f"{vdir / 'cases.jsonl'}: content hash {got[:16]} does not match the manifest's "
            f"{info.content_hash[:16]}; the file was changed after export"
        )
    return cases


def export_golden(
    cases: Any,
    path: str | os.PathLike[str],
    *,
    name: str,
    provenance: Mapping[str, Any] | None = None,
    previous: str | os.PathLike[str] | None = "auto",
    version: int | None = None,
    pii_check: Callable[[str], list[str]] | Literal["default"] | None = "default",
    note: str | None = None,
) -> GoldenVersion:
    """Write a new version ``<path>/<name>/v<k>/`` with ``cases.jsonl`` and ``manifest.json``.

    The manifest holds the name, version k, ``content_hash``, ``n_cases``, ``created_at`` (UTC),
    the ``previous`` version, the ``provenance`` given (source file and hash, request ids per case,
    scrub report counts, dedupe stats, sampling parameters: any JSON-able mapping) and the
    ``changelog`` (the diff from the previous version). Writing goes to a temporary folder that
    is renamed into place, so an error leaves nothing behind.

    If the cases' content hash equals the previous version's, nothing is written: a warning says
    so and the previous version is returned with ``created=False``.

    Args:
        cases: A CaseSet, a list of cases, a Run that knows its cases or a cases table.
        previous: ``"auto"`` (the latest version in ``<path>/<name>``), a version folder, or None
            (no changelog).
        version: Force the version number (default: latest + 1); an existing one is never
            overwritten.
        pii_check: A callable ``text -> list of PII types found``; ``"default"`` is
            :func:`pii_types` (the detectors of ``workbench.traffic.scrub_text``: e-mails,
            phones, cards, IBANs, national ids, IP and street addresses, person names); None
            skips the check. Cases whose metadata has ``synthetic_pii`` true (adversarial PII
            bait) are not checked. Scrub traffic text before exporting it.

    Raises:
        ValueError: If a case still contains PII (naming the case id, field and PII type), the
            name is not a plain folder name, or the provenance is not JSON-able.
        FileExistsError: If the version folder exists.
    """
    cs = cases if isinstance(cases, CaseSet) else CaseSet(as_cases(cases, "export_golden"))
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", name):
        raise ValueError(
            f"export_golden(): name must be a plain folder name (letters, digits, _.-), got {name!r}"
        )
    if provenance is not None and not isinstance(provenance, Mapping):
        raise ValueError(f"export_golden(): provenance must be a mapping, got {type(provenance).__name__}")
    _check_json("provenance", provenance or {})
    prov = json.loads(canonical_json(dict(provenance or {})))
    request_ids = prov.get("request_ids")
    if isinstance(request_ids, Mapping):
        unknown = sorted(set(request_ids) - set(cs.ids))
        if unknown:
            raise ValueError(
                f"export_golden(): provenance['request_ids'] names unknown case ids {unknown[:5]}"
            )
    if isinstance(pii_check, str) and pii_check != "default":
        raise ValueError(
            f"export_golden(): pii_check must be 'default', None or a callable, got {pii_check!r}"
        )
    check: Callable[[str], list[str]] | None = pii_types if isinstance(pii_check, str) else pii_check
    if check is not None:
        _check_pii(cs, check)

    root = Path(path) / name
    chash = content_hash(cs)
    prev: GoldenVersion | None = None
    if previous == "auto":
        found = _versions(root)
        prev = _read_version(root / f"v{found[-1]}", name) if found else None
    elif previous is not None:
        prev = _read_version(Path(previous), name)
    if prev is not None and prev.content_hash == chash:
        warnings.warn(
            f"export_golden(): {name} has the same content as v{prev.version} ({chash[:16]}); "
            "no new version written",
            stacklevel=2,
        )
        return GoldenVersion(
            prev.path, prev.name, prev.version, prev.content_hash, prev.manifest, created=False
        )
    k = version if version is not None else (max(_versions(root), default=0) + 1)
    final = root / f"v{k}"
    if final.exists():
        raise FileExistsError(f"export_golden(): {final} already exists; versions are never overwritten")
    diff = diff_versions(load_golden(prev.path), cs) if prev is not None else None
    manifest = {
        "format": FORMAT,
        "name": name,
        "version": k,
        "content_hash": chash,
        "n_cases": len(cs),
        "created_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "previous": {"version": prev.version, "content_hash": prev.content_hash} if prev else None,
        "note": note,
        "provenance": prov,
        "changelog": diff.to_dict() if diff is not None else None,
    }
    made = [p for p in (root.parent, root) if not p.exists()]
    root.mkdir(parents=True, exist_ok=True)
    tmp = new_temp_dir(root, prefix=f".v{k}.")  # the user's umask, not mkdtemp's 0700
    try:
        cs.to_jsonl(tmp / "cases.jsonl")
        text = json.dumps(manifest, indent=2, ensure_ascii=False, default=json_default)
        (tmp / "manifest.json").write_text(text + "\n", encoding="utf-8")
        if load_cases(tmp / "cases.jsonl").version != cs.version:
            raise RuntimeError(f"export_golden(): {tmp / 'cases.jsonl'} did not load back to the same cases")
        if final.exists():
            raise FileExistsError(f"export_golden(): {final} already exists; versions are never overwritten")
        os.rename(tmp, final)
    except BaseException:
        remove_tree(tmp)
        for p in reversed(made):  # folders this export created, if still empty
            try:
                p.rmdir()
            except OSError:
                pass
        raise
    return GoldenVersion(final, name, k, chash, manifest)


def _check_json(where: str, value: Any) -> None:
    """Raise naming the first value (by its key path) that JSON cannot hold faithfully."""
    if value is None or isinstance(value, str | bool | int | _dt.date | _dt.time):
        return
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"export_golden(): {where} is {value!r}, which JSON cannot hold")
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"export_golden(): {where} has a non-string key {k!r}")
            _check_json(f"{where}[{k!r}]", v)
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_json(f"{where}[{i}]", v)
        return
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return _check_json(where, value.item())
    raise ValueError(f"export_golden(): {where} is {type(value).__name__}, which is not JSON-able")


def _check_pii(cs: CaseSet, check: Callable[[str], list[str]]) -> None:
    problems = []
    for case in cs:
        if case.metadata.get("synthetic_pii") is True:
            continue
        texts: list[tuple[str, str]] = [("input", m["content"]) for m in case.messages()]
        if case.reference:
            texts.append(("reference", case.reference))
        texts += [(f"context[{i}]", c) for i, c in enumerate(case.context)]
        for field, text in texts:
            kinds = check(text)
            if kinds:
                problems.append(f"case {case.id!r} {field}: {', '.join(sorted(set(kinds)))}")
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ValueError(
            "export_golden(): cases still contain PII; scrub them first: " + "; ".join(problems[:10]) + more
        )
