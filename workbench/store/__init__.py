"""The embedded run store (Parquet tables and JSON manifests under ``<project>/.workbench/``)."""

from workbench.store._store import Store

__all__ = ["Store"]
