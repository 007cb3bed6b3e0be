"""The run store: one folder per run under ``<project>/.workbench/runs/``.

Each run keeps ``run.json`` (its configuration: models, parameters without secrets, prompt
templates, the case set's version, the package version, times, status), ``results.parquet`` (its
tidy result rows) and ``cases.parquet`` (the case set it ran over, so a loaded run knows its
cases). Every file is written to a temporary name and renamed into place, so a reader never sees
half a file; a temporary file left by a killed writer is removed by the next write in the folder
(see ``workbench.store._files``). Parquet is read by polars, pandas, DuckDB and Arrow alike, needs
no server, and two notebooks can read one project at once. In-flight progress is not kept here but
in the call cache (SQLite), which is what makes an interrupted run resumable; a process running a
run holds ``run.lock``, which is how a run whose process died is told from a live one.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from workbench._files import atomic_write, atomic_write_bytes
from workbench._project import STORE_DIRNAME, project_dir
from workbench._schema import RESULT_COLUMNS, polars_schema
from workbench.store._files import RunLock, left_by_dead_process

if TYPE_CHECKING:
    from workbench.cases import CaseSet
    from workbench.runner._result import Run

__all__ = ["Store", "atomic_write_parquet", "empty_results"]


def atomic_write_parquet(path: Path, df: pl.DataFrame) -> None:
    """A run folder's table, written atomically; stale temporary files of dead writers go first."""
    atomic_write(path, lambda tmp: df.write_parquet(tmp), clean_stale=True)


CASES_FILE = "cases.parquet"


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
        atomic_write_bytes(self.run_dir(run_id) / "run.json", blob.encode("utf-8"), clean_stale=True)

    def write_table(self, run_id: str, table: str, df: pl.DataFrame) -> Path:
        """Write (replace) one of a run's tables, e.g. ``results`` or ``scores``."""
        path = self.run_dir(run_id) / f"{table}.parquet"
        atomic_write_parquet(path, df)
        return path

    def write_cases(self, run_id: str, cases: CaseSet) -> Path:
        """Keep the case set a run ran over (``cases.parquet``), so a loaded run knows its cases.

        A run's id fingerprints its case set's version, so a file already there holds the same
        cases and is kept as it is.
        """
        path = self.run_dir(run_id) / CASES_FILE
        if not path.is_file():
            atomic_write_parquet(path, cases.to_polars())
        return path

    def lock_run(self, run_id: str) -> RunLock:
        """Mark the run as being run by this process until the lock is released (or the process dies).

        While any process holds it, a manifest that says ``running`` is reported as such; once no
        process does, it is reported as ``interrupted``.
        """
        return RunLock(self.run_dir(run_id))

    # -- reading -----------------------------------------------------------------------------
    def manifest(self, run_id: str) -> dict[str, Any]:
        """The run's configuration and status.

        ``status`` is ``complete``, ``running`` (a live process is running it) or ``interrupted``
        (stopped by an exception, or its process died: ``kill -9``, a crashed kernel). Running it
        again resumes it.
        """
        path = self.run_dir(run_id) / "run.json"
        if not path.is_file():
            known = ", ".join(self.run_ids()[:20]) or "none"
            raise KeyError(f"no run {run_id!r} in {self.root} (runs: {known})")
        manifest: dict[str, Any] = json.loads(path.read_text("utf-8"))
        if manifest.get("status") == "running":
            last: dict[str, Any] = {}

            def says_running() -> bool:  # re-read while no process can start the run
                last.update(json.loads(path.read_text("utf-8")))
                return last.get("status") == "running"

            if left_by_dead_process(path.parent, says_running):
                manifest = {**last, "status": "interrupted"}
        return manifest

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
        """One row per run, newest first; ``status`` as :meth:`manifest` reports it (a run whose
        process died is ``interrupted``, not ``running``)."""
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
        """A stored run, with its configuration, results and case set (``cases`` is None for a run
        stored before case sets were kept)."""
        from workbench.runner._result import Run

        manifest = self.manifest(run_id)
        return Run(manifest, self.read_table(run_id, "results"), store=self, cases=lambda: self.cases(run_id))

    def cases(self, run_id: str) -> CaseSet | None:
        """The case set a run ran over, or None when the run did not keep it.

        Raises:
            ValueError: the kept cases do not have the version the run's manifest records.
        """
        path = self.run_dir(run_id) / CASES_FILE
        if not path.is_file():
            self.manifest(run_id)  # raises a KeyError naming the run if it does not exist
            return None
        from workbench.cases import CaseSet

        cases = CaseSet.from_polars(pl.read_parquet(path), source=str(path))
        expected = self.manifest(run_id).get("case_set_version")
        if expected is not None and cases.version != expected:
            raise ValueError(
                f"{path}: the cases kept with run {run_id!r} have version {cases.version}, but the run "
                f"ran over version {expected}; the file was changed after the run"
            )
        return cases

    def results(self, run_ids: Iterable[str] | None = None) -> pl.DataFrame:
        """The result rows of several runs (all runs by default) in one tidy table."""
        ids = list(run_ids) if run_ids is not None else self.run_ids()
        frames = [self.read_table(r, "results") for r in ids]
        return pl.concat(frames, how="diagonal_relaxed") if frames else empty_results()

    def compare(self, run_ids: Iterable[str]) -> pl.DataFrame:
        """Per run and model/variant: the columns of :meth:`Run.summary` with ``run_id`` first."""
        from workbench.runner._result import summarize_results

        return summarize_results(self.results(run_ids), ("run_id", "model", "variant")).sort(
            "run_id", "model", "variant"
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
