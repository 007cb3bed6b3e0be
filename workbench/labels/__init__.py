"""Human labels: a SQLite-backed label store and queues of outputs to send for review.

>>> from workbench.labels import LabelStore, queue_sample          # doctest: +SKIP
>>> queue = queue_sample(run, 40, seed=0)                          # doctest: +SKIP
>>> LabelStore().progress(queue, rater="ana", criterion="helpful") # doctest: +SKIP
{'labelled': 12, 'total': 40, 'remaining': 28}

The annotation widget that writes these labels is :class:`workbench.widgets.Annotator`.
"""

from workbench.labels._queue import queue_disagreements, queue_pairs, queue_sample, queue_slice
from workbench.labels._store import LabelStore

__all__ = ["LabelStore", "queue_disagreements", "queue_pairs", "queue_sample", "queue_slice"]
