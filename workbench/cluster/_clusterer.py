"""The :class:`Clusterer` estimator: embed texts, cluster them, name and describe the clusters."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import polars as pl

from workbench._html import note, report, table
from workbench.cluster._describe import describe
from workbench.cluster._fit import choose_k, hdbscan_labels, kmeans_labels
from workbench.cluster._names import slug
from workbench.cluster._select import ID_COLUMNS, combined_text, items_frame
from workbench.cluster._tags import tag_cases, tags_frame

if TYPE_CHECKING:
    import altair as alt

    from workbench.cluster._map import Projection
    from workbench.embed import Embedder

#: How the vectors are clustered.
Method = Literal["kmeans", "hdbscan"]
METHODS: tuple[Method, ...] = get_args(Method)


class Clusterer:
    """Cluster texts (failures, outputs, inputs...) by meaning and name the clusters.

    Parameters are stored as given; :meth:`fit` embeds the chosen text fields with an
    :class:`~workbench.embed.Embedder` (all-MiniLM-L6-v2, offline, cached on disk), clusters the
    vectors with scikit-learn and names each cluster by its distinctive terms (c-TF-IDF).
    Rows whose text is empty or blank are dropped with a warning and kept in ``dropped_``.

    Args:
        fields: column(s) whose text is embedded, joined by blank lines, e.g. ``"rationale"`` or
            ``["input", "output"]``. Default: ``text`` for a list, ``input`` for a CaseSet,
            ``output`` for a Run, else the first of ``text``/``output``/``input`` in the frame.
        n_clusters: the number of clusters; None chooses it (KMeans: the best cosine silhouette
            over ``k_range``; by default k from 2 to the square root of the rows, so the range
            grows with the data: 12 for 150 rows, 54 for 3,000, 100 for 10,000).
        method: ``"kmeans"`` or ``"hdbscan"`` (density based, on a seeded 10-dimensional UMAP
            reduction from 200 rows on; the noise points join the most similar cluster, and
            ``noise_`` reports their share).
        k_range: the (smallest, largest) k tried when ``n_clusters`` is None; None (default):
            2 to the square root of the rows (every k up to 12, then about 15% apart). Also capped at
            a third of the rows.
        min_cluster_size: HDBSCAN's smallest cluster; None (default): n / 150, at least 5.
        seed: seed of KMeans, the silhouette sample, UMAP and the map: same data, same seed, same
            result.
        by: the column whose share of failures each cluster reports (``share[<value>]`` columns).
        n_terms: distinctive terms kept per cluster (the name uses the first three).
        n_examples: representative items per cluster (closest to its centroid).
        sample_size: with more rows than this, k is chosen on a seeded sample of this many rows.
        embedder: the Embedder to use (default: ``Embedder()``, the project's cache).

    Attributes:
        table: the cluster table, ``clusters_`` (every result object's main table is ``.table``).
        items_: the clustered rows: ids, the fields, ``text``, ``cluster``, ``cluster_name``.
        embeddings_: the (n, d) matrix (kept, so :meth:`refit` never re-embeds).
        labels_: cluster of each row (0..k-1, largest cluster first).
        n_clusters_: the number of clusters.
        silhouette_: ``{k: silhouette}`` for every k tried (empty when k was given).
        noise_: the share of rows HDBSCAN left as noise and re-assigned (0.0 for KMeans).
        clusters_: one row per cluster: ``cluster``, ``name``, ``size``, ``share``, ``terms``,
            ``examples``, ``example_ids`` and ``share[<by value>]`` columns.
        shares_: long form of the shares: ``cluster``, ``name``, ``<by>``, ``n``, ``share`` (the share
            of that value's rows that fall in the cluster).
        dropped_: rows left out for blank text.

    Example:
        >>> from workbench.cluster import Clusterer, failures           # doctest: +SKIP
        >>> fails = failures(run, scores, metric="exact_match", cases=cases)   # doctest: +SKIP
        >>> cl = Clusterer(fields=["input", "output"]).fit(fails)        # doctest: +SKIP
        >>> cl.clusters_                                                 # doctest: +SKIP
    """

    def __init__(
        self,
        fields: str | Sequence[str] | None = None,
        *,
        n_clusters: int | None = None,
        method: Method = "kmeans",
        k_range: tuple[int, int] | None = None,
        min_cluster_size: int | None = None,
        seed: int = 0,
        by: str | None = "model",
        n_terms: int = 5,
        n_examples: int = 3,
        sample_size: int = 2000,
        embedder: Embedder | None = None,
    ) -> None:
        self.fields = fields
        self.n_clusters = n_clusters
        self.method = method
        self.k_range = k_range
        self.min_cluster_size = min_cluster_size
        self.seed = seed
        self.by = by
        self.n_terms = n_terms
        self.n_examples = n_examples
        self.sample_size = sample_size
        self.embedder = embedder

    # -- scikit-learn protocol ---------------------------------------------------------------------

    _PARAMS = (
        "fields",
        "n_clusters",
        "method",
        "k_range",
        "min_cluster_size",
        "seed",
        "by",
        "n_terms",
        "n_examples",
        "sample_size",
        "embedder",
    )

    def get_params(self, *, deep: bool = False) -> dict[str, Any]:
        """The constructor parameters."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params: Any) -> Clusterer:
        """Change parameters (takes effect at the next :meth:`fit` or :meth:`refit`); returns self."""
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(f"unknown parameter {name!r}; parameters: {', '.join(self._PARAMS)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != _DEFAULTS.get(k)}
        args = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"Clusterer({args})"

    # -- fitting -------------------------------------------------------------------------------------

    def fit(self, data: Any, *, cases: Any = None, embeddings: Any = None) -> Clusterer:
        """Embed and cluster ``data``; returns self.

        Args:
            data: a list of strings, a polars/pandas frame (e.g. :func:`failures`), a CaseSet, a
                Run (all its result rows, with its cases' input and reference) or a Scores (all its
                score rows, with its run's outputs).
            cases: cases to join for ``input``/``reference`` when ``data`` lacks them (default:
                the cases a Run or Scores knows).
            embeddings: precomputed vectors, one row per row of ``data`` (skips the Embedder).

        Raises:
            ValueError: no rows, a single row, fewer rows than ``n_clusters``, a bad parameter.
        """
        self._check_params()
        frame, fields = items_frame(data, self.fields, cases)
        texts = combined_text(frame, fields)
        keep = texts.str.strip_chars() != ""
        dropped = frame.filter(~keep)
        if dropped.height:
            ids = ", ".join(dropped.get_column("case_id").head(5).to_list())
            warnings.warn(
                f"Clusterer: {dropped.height} row(s) with blank {'/'.join(fields)} left out (e.g. {ids}); "
                "see dropped_",
                UserWarning,
                stacklevel=2,
            )
        frame = frame.filter(keep).with_columns(texts.filter(keep).alias("text"))
        n = frame.height
        if n == 0:
            what = "no rows" if dropped.height == 0 else f"no rows with non-blank {'/'.join(fields)}"
            raise ValueError(f"nothing to cluster: {what} (no failures to cluster?)")
        if n == 1:
            raise ValueError(
                f"only one row to cluster (case {frame['case_id'][0]!r}): clustering needs at least 2"
            )
        if embeddings is None:
            from workbench.embed import Embedder

            self.embedder_ = self.embedder if self.embedder is not None else Embedder()
            matrix = self.embedder_.encode(frame.get_column("text").to_list())
        else:
            matrix = np.asarray(embeddings, dtype=np.float32)
            if matrix.ndim != 2 or matrix.shape[0] != n + dropped.height:
                raise ValueError(
                    f"embeddings must be a 2-D array with one row per row of data ({n + dropped.height}), "
                    f"got shape {matrix.shape}"
                )
            matrix = matrix[keep.to_numpy()]
        self.fields_ = fields
        self.dropped_ = dropped
        self.embeddings_ = matrix
        self._base = frame
        return self._cluster()

    def refit(self, **params: Any) -> Clusterer:
        """Re-cluster the same rows with new parameters (e.g. ``n_clusters=4``), without re-embedding."""
        if not hasattr(self, "embeddings_"):
            raise ValueError("refit() needs a fitted Clusterer: call fit() first")
        if "fields" in params or "embedder" in params:
            raise ValueError("refit() re-uses the embeddings: to change fields or embedder, call fit()")
        self.set_params(**params)
        self._check_params()
        return self._cluster()

    def _check_params(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        if self.n_clusters is not None:
            if (
                isinstance(self.n_clusters, bool)
                or not isinstance(self.n_clusters, int)
                or self.n_clusters < 1
            ):
                raise ValueError(f"n_clusters must be a positive integer or None, got {self.n_clusters!r}")
            if self.method == "hdbscan":
                raise ValueError(
                    "method='hdbscan' chooses the number of clusters itself; leave n_clusters=None"
                )
        if self.k_range is not None:
            lo, hi = self.k_range
            if not 2 <= lo <= hi:
                raise ValueError(
                    "k_range must be None or (smallest, largest) with 2 <= smallest <= largest, "
                    f"got {self.k_range}"
                )
        size = self.min_cluster_size
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 2):
            raise ValueError(f"min_cluster_size must be an integer >= 2 or None, got {size!r}")

    def _cluster(self) -> Clusterer:
        x, n = self.embeddings_, self.embeddings_.shape[0]
        self.silhouette_: dict[int, float] = {}
        self.noise_ = 0.0
        if self.method == "hdbscan":
            labels, self.noise_ = hdbscan_labels(x, self.seed, self.min_cluster_size)
        else:
            if self.n_clusters is not None:
                if self.n_clusters > n:
                    raise ValueError(
                        f"n_clusters={self.n_clusters} but there are only {n} rows to cluster; "
                        f"choose n_clusters <= {n} (or None to choose it)"
                    )
                k = self.n_clusters
            else:
                k, self.silhouette_ = choose_k(x, self.k_range, self.seed, self.sample_size)
            labels = kmeans_labels(x, k, self.seed)
        self.labels_ = _by_size(labels)
        self.n_clusters_ = int(self.labels_.max()) + 1
        self._describe()
        self.__dict__.pop("_points", None)
        self.__dict__.pop("_widget", None)
        return self

    def _describe(self) -> None:
        self.items_, self.clusters_, self.shares_ = describe(
            self._base, self.labels_, self.embeddings_, self.by, self.n_terms, self.n_examples
        )

    # -- use ---------------------------------------------------------------------------------------

    def cluster_id(self, cluster: int | str) -> int:
        """The index of a cluster given by index, name or slug."""
        self._check_fitted()
        if isinstance(cluster, int) and not isinstance(cluster, bool):
            if 0 <= cluster < self.n_clusters_:
                return cluster
            raise ValueError(f"cluster {cluster} does not exist; clusters are 0..{self.n_clusters_ - 1}")
        names = self.clusters_.get_column("name").to_list()
        for i, name in enumerate(names):
            if cluster in (name, slug(name), f"cluster:{slug(name)}"):
                return i
        raise ValueError(f"no cluster named {cluster!r}; clusters: {', '.join(map(repr, names))}")

    def tag(self, cluster: int | str) -> str:
        """The case tag of a cluster: ``cluster:<slug of its name>``."""
        return f"cluster:{slug(self.clusters_['name'][self.cluster_id(cluster)])}"

    def case_ids(self, cluster: int | str) -> list[str]:
        """Distinct case ids of a cluster's rows, in row order."""
        c = self.cluster_id(cluster)
        ids = self.items_.filter(pl.col("cluster") == c).get_column("case_id").to_list()
        return list(dict.fromkeys(ids))

    def tag_cases(self, cases: Any, cluster: int | str, *, tag: str | None = None) -> Any:
        """A copy of ``cases`` with the cluster's tag added to its cases (CaseSet in, CaseSet out).

        A case is tagged when any of its rows (a model, a variant) is in the cluster. ``cases`` may
        also be a Run or Scores that knows its cases (a CaseSet is returned), or a frame with
        ``case_id`` and ``tags`` (a new frame is returned). The next
        ``summarize(scores, slices=[tag], cases=tagged)`` reports the cluster as a slice.
        """
        return tag_cases(cases, self.case_ids(cluster), tag or self.tag(cluster))

    def tags_frame(self, *, clusters: Sequence[int | str] | None = None) -> pl.DataFrame:
        """``case_id``, ``tag`` rows (one per case and cluster): the frame form of :meth:`tag_cases`."""
        self._check_fitted()
        chosen = range(self.n_clusters_) if clusters is None else [self.cluster_id(c) for c in clusters]
        return tags_frame({self.tag(c): self.case_ids(c) for c in chosen})

    def _check_fitted(self) -> None:
        if not hasattr(self, "labels_"):
            raise ValueError("this Clusterer is not fitted yet: call fit() first")

    # -- the map -----------------------------------------------------------------------------------

    def points(self, *, method: Projection = "auto") -> pl.DataFrame:
        """The items with 2-D coordinates ``x``, ``y`` and a text ``excerpt`` (cached per method)."""
        from workbench.cluster._map import excerpt, project_2d

        self._check_fitted()
        cache: dict[str, pl.DataFrame] = self.__dict__.setdefault("_points", {})
        if method not in cache:
            xy, used = project_2d(self.embeddings_, method=method, seed=self.seed)
            ids = [c for c in ID_COLUMNS if c in self.items_.columns]
            cache[method] = self.items_.select(*ids, "cluster", "cluster_name").with_columns(
                pl.Series("x", xy[:, 0]),
                pl.Series("y", xy[:, 1]),
                pl.Series("excerpt", [excerpt(t) for t in self.items_["text"].to_list()], dtype=pl.Utf8),
                pl.lit(used).alias("projection"),
            )
        return cache[method]

    def map(self, *, method: Projection = "auto", configure: bool = True) -> alt.Chart:
        """The 2-D map as an Altair scatter (UMAP, or PCA for few items or ``method="pca"``)."""
        from workbench.cluster._map import map_chart

        points = self.points(method=method)
        used = points["projection"][0]
        title = f"{self.n_clusters_} clusters of {points.height} rows ({used.upper()})"
        return map_chart(points, title=title, configure=configure)

    def map_widget(self, *, method: Projection = "auto") -> alt.JupyterChart:
        """The map as an ``alt.JupyterChart`` whose ``selections`` can be observed (offline Vega)."""
        import altair as alt

        widgets: dict[str, Any] = self.__dict__.setdefault("_widget", {})
        if method not in widgets:
            try:
                alt.JupyterChart.enable_offline()
            except Exception as e:  # noqa: BLE001 - the chart still works where a CDN is reachable
                warnings.warn(f"JupyterChart offline mode unavailable ({e})", UserWarning, stacklevel=2)
            widgets[method] = alt.JupyterChart(self.map(method=method))
        return widgets[method]

    def link(self, browser: Any, *, method: Projection = "auto") -> alt.JupyterChart:
        """Filter ``browser`` (a CaseBrowser) to the cases selected on the map; returns the map widget.

        Clicking a point (shift-click for several) or dragging a rectangle sets ``browser.case_ids``;
        clearing the selection clears that filter. Display the returned widget in a cell.
        """
        from workbench.cluster._map import link_widget

        if not hasattr(browser, "case_ids"):
            raise TypeError(
                f"link() takes a CaseBrowser with a case_ids filter, got {type(browser).__name__}"
            )
        widget = self.map_widget(method=method)
        link_widget(widget, browser, self.points(method=method))
        return widget

    # -- display -----------------------------------------------------------------------------------

    @property
    def table(self) -> pl.DataFrame:
        """The cluster table (:attr:`clusters_`): one row per cluster."""
        self._check_fitted()
        return self.clusters_

    def to_pandas(self) -> Any:
        return self.table.to_pandas()

    def summary(self) -> pl.DataFrame:
        """One row per cluster: ``cluster``, ``name``, ``size``, ``share`` and the shares per ``by``."""
        return self.table.drop("terms", "examples", "example_ids")

    def _repr_html_(self) -> str:
        if not hasattr(self, "clusters_"):
            return report(repr(self), [note("not fitted yet: call fit()")])
        head = (
            f"{self.n_clusters_} clusters of {len(self.labels_)} rows "
            f"({'/'.join(self.fields_)}){_dropped_note(self.dropped_.height)}"
        )
        return report(f"{self.n_clusters_} clusters", [note(head), table(self.summary())])


def _dropped_note(n: int) -> str:
    return f"; {n} blank row(s) left out" if n else ""


def _by_size(labels: np.ndarray) -> np.ndarray:
    """Renumber clusters 0..k-1 by decreasing size (ties: by first appearance)."""
    labels = np.asarray(labels)
    uniq, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = sorted(range(len(uniq)), key=lambda i: (-counts[i], first[i]))
    mapping = {int(uniq[i]): rank for rank, i in enumerate(order)}
    return np.array([mapping[int(v)] for v in labels], dtype=np.int64)


_DEFAULTS = Clusterer.__init__.__kwdefaults__ or {}
_DEFAULTS = {**_DEFAULTS, "fields": None}
