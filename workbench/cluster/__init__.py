"""Failure clustering: embed texts, cluster them by meaning, name the clusters, map and tag them.

>>> from workbench.cluster import Clusterer, failures                          # doctest: +SKIP
>>> fails = failures(run, scores, metric="exact_match", cases=cases)           # doctest: +SKIP
>>> clusterer = Clusterer(fields=["input", "output"]).fit(fails)               # doctest: +SKIP
>>> clusterer.clusters_                   # names, sizes, shares per model, examples  # doctest: +SKIP
>>> clusterer.link(browser)               # the map; a selection filters the browser  # doctest: +SKIP
>>> tagged = clusterer.tag_cases(cases, 0)  # a new CaseSet with tag "cluster:<name>"  # doctest: +SKIP

scikit-learn, sentence-transformers, umap-learn and Altair load on first use.
"""

from workbench.cluster._clusterer import Clusterer
from workbench.cluster._names import class_tfidf, cluster_names, slug
from workbench.cluster._select import failures, scored_rows
from workbench.cluster._tags import tag_cases, tags_frame

__all__ = [
    "Clusterer",
    "class_tfidf",
    "cluster_names",
    "failures",
    "scored_rows",
    "slug",
    "tag_cases",
    "tags_frame",
]
