"""Executing notebooks headless and rendering them as self-contained, offline HTML.

>>> from workbench.report import enable_offline_charts, execute_notebook, export_html
>>> enable_offline_charts()                                   # in a notebook, before charts  # doctest: +SKIP
>>> export_html(execute_notebook("notebooks/quickstart.ipynb"), "build/quickstart.html")  # doctest: +SKIP
"""

from workbench.report._charts import enable_offline_charts
from workbench.report._html import OfflineChartWarning, content_security_policy, export_html
from workbench.report._notebook import NotebookExecutionError, execute_notebook

__all__ = [
    "NotebookExecutionError",
    "OfflineChartWarning",
    "content_security_policy",
    "enable_offline_charts",
    "execute_notebook",
    "export_html",
]
