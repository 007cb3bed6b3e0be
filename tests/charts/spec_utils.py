"""Helpers to look inside a chart's Vega-Lite spec: its inline data and everything else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


def data_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline data row of a spec: top-level ``datasets`` and any ``data: {values: [...]}``."""
    rows: list[dict[str, Any]] = []
    for values in spec.get("datasets", {}).values():
        rows.extend(values)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("values"), list):
                rows.extend(data["values"])
            for key, value in node.items():
                if key != "datasets":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    return rows


def outside_data(spec: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(path, value) of every key and leaf of the spec that is not inline data."""

    def walk(node: Any, path: str) -> Iterator[tuple[str, Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if path == "" and key == "datasets":
                    continue
                if key == "values" and path.endswith("/data"):
                    continue
                yield f"{path}/{key}", key
                yield from walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, f"{path}/{i}")
        else:
            yield path, node

    yield from walk(spec, "")


def spec_size(chart: Any) -> int:
    """Characters of the chart's JSON spec (``to_dict`` also validates it against the schema)."""
    return len(json.dumps(chart.to_dict()))
