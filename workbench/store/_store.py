"""The run store: one folder per run under ``<project>/.workbench/runs/``.

Each run keeps ``run.json`` (its configuration: models, parameters without secrets, prompt
templates, the case set's version, the package version, times, status) and ``results.parquet``
(its tidy result rows). Every file is written to a temporary name and renamed into place, so a
reader never sees half a file. Parquet is read by polars, pandas, DuckDB and Arrow alike, needs no
server and no lock, and two notebooks can read one project at once. In-flight progress is not
kept here but in the call cache (SQLite), which is what makes an interrupted run resumable.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench._project import STORE_DIRNAME, project_dir
from workbench._schema import RESULT_COLUMNS, polars_schema

if TYPE_CHECKING:
    from workbench.runner._result import Run


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_parquet(path: Path, df: pl.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        df.write_parquet(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def empty_results() -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(RESULT_COLUMNS))


class Store:
    """The embedded store of a project's runs.

    Args:
        project: the project folder (see :func:`workbench._project.project_dir` for the default).

    >>> import tempfile; s = Store(tempfile.mkdtemp()); s.list_runs().height
    0
    """

    def __init__(self, project: str | os.PathLike[str] | None = None) -> None:
        self.project = project_dir(project)
        self.root = self.project / STORE_DIRNAME
        self.runs_dir = self.root / "runs"

    def __repr__(self) -> str:
        return f"Store({str(self.project)!r})"

    @property
    def cache_path(self) -> Path:
        return self.root / "cache.sqlite"

    def run_dir(self, run_id: str) -> Path:
        if not run_id or "/" in run_id or run_id.startswith("."):
            raise ValueError(f"not a valid run id: {run_id!r}")
        return self.runs_dir / run_id

    # -- writing -----------------------------------------------------------------------------
    def write_manifest(self, run_id: str, manifest: Mapping[str, Any]) -> None:
        blob = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False, default=str)
        atomic_write_bytes(self.run_dir(run_id) / "run.json", blob.encode("utf-8"))

    def write_table(self, run_id: str, table: str, df: pl.DataFrame) -> Path:
        """Write (replace) one of a run's tables, e.g. ``results`` or ``scores``."""
        path = self.run_dir(run_id) / f"{table}.parquet"
        atomic_write_parquet(path, df)
        return path

    # -- reading -----------------------------------------------------------------------------
    def manifest(self, run_id: str) -> dict[str, Any]:
        path = self.run_dir(run_id) / "run.json"
        if not path.is_file():
            known = ", ".join(self.run_ids()[:20]) or "none"
            raise KeyError(f"no run {run_id!r} in {self.root} (runs: {known})")
        return json.loads(path.read_text("utf-8"))

    def read_table(self, run_id: str, table: str = "results") -> pl.DataFrame:
        path = self.run_dir(run_id) / f"{table}.parquet"
        if not path.is_file():
            if table == "results":
                self.manifest(run_id)  # raises a KeyError naming the run if it does not exist
                return empty_results()
            raise KeyError(f"run {run_id!r} has no {table!r} table ({path} does not exist)")
        return pl.read_parquet(path)

    def run_ids(self) -> list[str]:
        if not self.runs_dir.is_dir():
            return []
        return sorted(p.name for p in self.runs_dir.iterdir() if (p / "run.json").is_file())

    def list_runs(self) -> pl.DataFrame:
        """One row per run, newest first."""
        rows = []
        for run_id in self.run_ids():
            m = self.manifest(run_id)
            rows.append(
                {
                    "run_id": run_id,
                    "name": m.get("name"),
                    "status": m.get("status"),
                    "created_at": m.get("created_at"),
                    "finished_at": m.get("finished_at"),
                    "models": ", ".join(x["name"] for x in m.get("models", [])),
                    "variants": ", ".join(x["name"] for x in m.get("prompts", [])),
                    "samples": m.get("samples"),
                    "case_set_version": m.get("case_set_version"),
                    "n_rows": m.get("n_rows"),
                    "n_errors": m.get("n_errors"),
                    "workbench_version": m.get("workbench_version"),
                }
            )
        schema = {
            "run_id": pl.Utf8, "name": pl.Utf8, "status": pl.Utf8, "created_at": pl.Utf8,
            "finished_at": pl.Utf8, "models": pl.Utf8, "variants": pl.Utf8, "samples": pl.Int64,
            "case_set_version": pl.Utf8, "n_rows": pl.Int64, "n_errors": pl.Int64,
            "workbench_version": pl.Utf8,
        }  # fmt: skip
        return pl.DataFrame(rows, schema=schema).sort("created_at", descending=True, nulls_last=True)

    def load(self, run_id: str) -> Run:
        """A stored run, with its configuration and results."""
        from workbench.runner._result import Run

        return Run(self.manifest(run_id), self.read_table(run_id, "results"), store=self)

    def results(self, run_ids: Iterable[str] | None = None) -> pl.DataFrame:
        """The result rows of several runs (all runs by default) in one tidy table."""
        ids = list(run_ids) if run_ids is not None else self.run_ids()
        frames = [self.read_table(r, "results") for r in ids]
        return pl.concat(frames, how="diagonal_relaxed") if frames else empty_results()

    def compare(self, run_ids: Iterable[str]) -> pl.DataFrame:
        """Per run and model/variant: rows, errors, cache hits, latency, tokens and cost."""
        df = self.results(run_ids)
        return (
            df.group_by("run_id", "model", "variant", maintain_order=True)
            .agg(
                pl.len().alias("n"),
                pl.col("error_type").is_not_null().sum().alias("n_errors"),
                pl.col("cached").sum().alias("n_cached"),
                pl.col("latency_s").median().alias("latency_p50_s"),
                pl.col("latency_s").quantile(0.95, "linear").alias("latency_p95_s"),
                pl.col("completion_tokens").mean().alias("mean_completion_tokens"),
                pl.col("cost_usd").sum().alias("cost_usd"),
            )
            .sort("run_id", "model", "variant")
        )

    def labels(
        self,
        run_id: str | None = None,
        criterion: str | None = None,
        rater: str | None = None,
        latest: bool = True,
    ) -> pl.DataFrame:
        """The project's human labels (``workbench._schema.LABEL_COLUMNS``), latest per item by default.

        See :meth:`workbench.labels.LabelStore.table`.
        """
        from workbench.labels import LabelStore

        return LabelStore(self.project).table(run_id=run_id, criterion=criterion, rater=rater, latest=latest)

    def delete(self, run_id: str) -> None:
        """Delete a run's folder (its cached calls stay in the cache)."""
        path = self.run_dir(run_id)
        if not path.is_dir():
            raise KeyError(f"no run {run_id!r} in {self.root}")
        shutil.rmtree(path)
