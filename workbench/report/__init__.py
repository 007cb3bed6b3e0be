"""Executing notebooks headless and rendering them as shareable HTML."""

from workbench.report._notebook import execute_notebook, export_html

__all__ = ["execute_notebook", "export_html"]
