"""Pairwise verdicts (case_id, model_a, model_b, winner in {"a", "b", "tie"}[, consistent]).

``win_rate`` of one model against another, ``bradley_terry`` ratings for every model.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import polars as pl

from workbench._table import as_table
from workbench.stats._common import check_confidence, join_notes, require_columns
from workbench.stats._intervals import StatsWarning, wilson_arrays

Inconsistent = Literal["keep", "tie", "drop"]

#: Elo-like display scale: 400 points per factor of 10 in odds, centred on 1000.
ELO_SCALE = 400 / np.log(10)
ELO_OFFSET = 1000.0

WIN_RATE_SCHEMA: dict[str, Any] = {
    "a": pl.Utf8,
    "b": pl.Utf8,
    "n": pl.Int64,
    "wins": pl.Int64,
    "losses": pl.Int64,
    "ties": pl.Int64,
    "n_missing": pl.Int64,
    "n_inconsistent": pl.Int64,
    "win_rate": pl.Float64,
    "ci_lo": pl.Float64,
    "ci_hi": pl.Float64,
    "win_rate_excl_ties": pl.Float64,
    "excl_ci_lo": pl.Float64,
    "excl_ci_hi": pl.Float64,
    "note": pl.Utf8,
}


def _validate(pairwise: Any, inconsistent: str) -> pl.DataFrame:
    """Check a pairwise table; add ``_inconsistent`` (True where ``consistent`` is False)."""
    frame = as_table(pairwise, param="pairwise")
    require_columns(frame, ["model_a", "model_b", "winner"], "pairwise", "pairwise")
    if inconsistent not in ("keep", "tie", "drop"):
        raise ValueError(f"inconsistent must be 'keep', 'tie' or 'drop', got {inconsistent!r}")
    indexed = frame.with_row_index("_row")
    bad = indexed.filter(pl.col("winner").is_not_null() & ~pl.col("winner").is_in(["a", "b", "tie"]))
    if bad.height:
        raise ValueError(
            f"pairwise: winner must be 'a', 'b' or 'tie'; found {bad.get_column('winner').unique().to_list()} "
            f"(first at row {bad.item(0, '_row')})"
        )
    same = indexed.filter(pl.col("model_a") == pl.col("model_b"))
    if same.height:
        raise ValueError(
            f"pairwise: {same.height} row(s) compare a model with itself (first at row {same.item(0, '_row')})"
        )
    flag = pl.col("consistent").fill_null(True).not_() if "consistent" in frame.columns else pl.lit(False)
    return frame.with_columns(flag.alias("_inconsistent"))


def _apply_policy(frame: pl.DataFrame, inconsistent: str) -> pl.DataFrame:
    """Drop null winners, then keep / tie / drop the inconsistent verdicts."""
    frame = frame.filter(pl.col("winner").is_not_null())
    if inconsistent == "drop":
        return frame.filter(~pl.col("_inconsistent"))
    if inconsistent == "tie":
        tie = pl.when(pl.col("_inconsistent")).then(pl.lit("tie")).otherwise(pl.col("winner"))
        return frame.with_columns(tie.alias("winner"))
    return frame


def win_rate(
    pairwise: Any,
    a: str,
    b: str,
    *,
    confidence: float = 0.95,
    inconsistent: Inconsistent = "keep",
) -> pl.DataFrame:
    """Win rate of model ``a`` against model ``b`` over the verdicts that compare the two.

    * ``win_rate`` = (wins + ties / 2) / n with a Wilson interval on (wins + ties / 2) successes. A
      tie has less variance than a coin flip, so this interval is conservative when there are ties.
    * ``win_rate_excl_ties`` = wins / (wins + losses) with a Wilson interval; null (with a note) when
      every verdict is a tie.

    Verdicts with a null winner are counted in ``n_missing`` and left out. With a ``consistent``
    column (False when the judge changed its verdict on swapping the order), ``inconsistent`` keeps
    those verdicts, turns them into ties, or drops them; ``n_inconsistent`` counts them.

    Returns:
        One row: a, b, n, wins, losses, ties, n_missing, n_inconsistent, win_rate,
        ci_lo, ci_hi, win_rate_excl_ties, excl_ci_lo, excl_ci_hi, note.

    Example:
        >>> import polars as pl
        >>> v = pl.DataFrame({"case_id": ["1", "2", "3", "4"], "model_a": ["x", "y", "x", "x"],
        ...     "model_b": ["y", "x", "y", "y"], "winner": ["a", "a", "tie", "a"]})
        >>> win_rate(v, "x", "y").select("wins", "losses", "ties", "win_rate").row(0)
        (2, 1, 1, 0.625)
    """
    check_confidence(confidence)
    frame = _validate(pairwise, inconsistent)
    pair = ((pl.col("model_a") == a) & (pl.col("model_b") == b)) | (
        (pl.col("model_a") == b) & (pl.col("model_b") == a)
    )
    raw = frame.filter(pair)
    if raw.height == 0:
        seen = frame.select("model_a", "model_b").unique().sort("model_a", "model_b").head(20).rows()
        raise ValueError(f"pairwise has no verdicts between {a!r} and {b!r}; pairs present: {seen}")
    n_missing = raw.filter(pl.col("winner").is_null()).height
    n_inconsistent = raw.filter(pl.col("_inconsistent")).height
    rows = _apply_policy(raw, inconsistent)
    a_first = pl.col("model_a") == a
    counts = rows.select(
        ((a_first & (pl.col("winner") == "a")) | (~a_first & (pl.col("winner") == "b"))).sum().alias("wins"),
        ((a_first & (pl.col("winner") == "b")) | (~a_first & (pl.col("winner") == "a")))
        .sum()
        .alias("losses"),
        (pl.col("winner") == "tie").sum().alias("ties"),
    ).row(0, named=True)
    wins, losses, ties = int(counts["wins"]), int(counts["losses"]), int(counts["ties"])
    n, decided = wins + losses + ties, wins + losses
    (lo, lo_x), (hi, hi_x) = wilson_arrays(
        np.array([wins + ties / 2, wins]), np.array([n, decided]), confidence
    )
    notes = [
        None if n else "no verdicts left",
        None if decided or not n else "only ties: no win rate excluding ties",
        f"{n_missing} verdict(s) with a null winner left out" if n_missing else None,
    ]
    row = {
        "a": a,
        "b": b,
        "n": n,
        "wins": wins,
        "losses": losses,
        "ties": ties,
        "n_missing": n_missing,
        "n_inconsistent": n_inconsistent,
        "win_rate": (wins + ties / 2) / n if n else None,
        "ci_lo": float(lo) if n else None,
        "ci_hi": float(hi) if n else None,
        "win_rate_excl_ties": wins / decided if decided else None,
        "excl_ci_lo": float(lo_x) if decided else None,
        "excl_ci_hi": float(hi_x) if decided else None,
        "note": join_notes(*notes),
    }
    return pl.DataFrame([row], schema=WIN_RATE_SCHEMA)


def bradley_terry(
    pairwise: Any,
    *,
    n_resamples: int = 500,
    seed: int = 0,
    confidence: float = 0.95,
    regularization: float = 0.01,
    inconsistent: Inconsistent = "keep",
) -> pl.DataFrame:
    """Bradley-Terry ratings: P(i beats j) = 1 / (1 + exp(-(rating_i - rating_j))).

    A tie counts as half a win for each side. Ratings are fitted by Newton's method on the
    log-likelihood with an L2 penalty ``regularization / 2 * sum(rating**2)`` (a Gaussian prior with
    variance 1 / regularization): it keeps the rating of a model that never wins (or never loses)
    finite instead of running off to -inf, fixes the ratings' mean at 0, and barely moves ratings
    backed by many verdicts. ``regularization=0`` gives the plain maximum-likelihood fit (minimum-norm
    steps keep the mean at 0), which diverges when a model never wins.

    Intervals come from a case-level bootstrap: cases are resampled with replacement (all verdicts of
    a case together) and the model is refitted ``n_resamples`` times; ci_lo/ci_hi are percentiles.

    Returns:
        One row per model, best first: model, n, wins, losses, ties, rating (log-strength), ci_lo,
        ci_hi, elo, elo_lo, elo_hi where elo = 1000 + 400 / ln(10) * rating (a 400-point gap means
        10:1 odds).
    """
    check_confidence(confidence)
    if regularization < 0:
        raise ValueError(f"regularization must be >= 0, got {regularization!r}")
    frame = _validate(pairwise, inconsistent)
    n_missing = frame.filter(pl.col("winner").is_null()).height
    frame = _apply_policy(frame, inconsistent)
    if n_resamples > 0:
        require_columns(frame, ["case_id"], "pairwise (for the case-level bootstrap)", "pairwise")
        if frame.get_column("case_id").null_count():
            raise ValueError(
                "pairwise: case_id has nulls; the case-level bootstrap needs every verdict's case"
            )
    if n_missing:
        warnings.warn(
            f"bradley_terry: {n_missing} verdict(s) with a null winner left out", StatsWarning, stacklevel=2
        )
    if frame.height == 0:
        raise ValueError("pairwise has no verdicts to fit")
    models = sorted(set(frame.get_column("model_a").to_list()) | set(frame.get_column("model_b").to_list()))
    m = len(models)
    index = {name: i for i, name in enumerate(models)}
    ia = np.array([index[v] for v in frame.get_column("model_a").to_list()])
    ib = np.array([index[v] for v in frame.get_column("model_b").to_list()])
    winner = frame.get_column("winner").to_numpy()
    # each verdict adds (winner row, loser column) weight 1, or 0.5 both ways for a tie
    w_ab = np.where(winner == "a", 1.0, np.where(winner == "tie", 0.5, 0.0))
    cells = np.concatenate([ia * m + ib, ib * m + ia])
    weights = np.concatenate([w_ab, 1.0 - w_ab])
    wins_matrix = np.bincount(cells, weights=weights, minlength=m * m).reshape(m, m)
    _warn_disconnected(wins_matrix + wins_matrix.T, models)
    rating = fit_bradley_terry(wins_matrix[None], regularization)[0]

    lo = hi = np.full(m, np.nan)
    if n_resamples > 0:
        boot = _bootstrap(frame, cells, weights, m, n_resamples, seed, regularization)
        tail = (1 - confidence) / 2
        lo, hi = np.quantile(boot, [tail, 1 - tail], axis=0)
    win = np.bincount(np.where(winner == "a", ia, ib)[winner != "tie"], minlength=m)
    loss = np.bincount(np.where(winner == "a", ib, ia)[winner != "tie"], minlength=m)
    tie = np.bincount(np.concatenate([ia, ib])[np.tile(winner == "tie", 2)], minlength=m)
    out = pl.DataFrame(
        {
            "model": models,
            "n": (win + loss + tie).astype(np.int64),
            "wins": win.astype(np.int64),
            "losses": loss.astype(np.int64),
            "ties": tie.astype(np.int64),
            "rating": rating,
            "ci_lo": lo,
            "ci_hi": hi,
        }
    ).with_columns(pl.col("ci_lo", "ci_hi").fill_nan(None))
    elo = [
        (pl.col(c) * ELO_SCALE + ELO_OFFSET).alias(e)
        for c, e in [("rating", "elo"), ("ci_lo", "elo_lo"), ("ci_hi", "elo_hi")]
    ]
    return out.with_columns(elo).sort("rating", descending=True, maintain_order=True)


def _bootstrap(
    frame: pl.DataFrame,
    cells: np.ndarray,
    weights: np.ndarray,
    m: int,
    n_resamples: int,
    seed: int,
    regularization: float,
) -> np.ndarray:
    """Ratings refitted on ``n_resamples`` case-level resamples, shape (n_resamples, m)."""
    from scipy.sparse import csr_matrix

    case_codes = frame.get_column("case_id").cast(pl.Utf8).rank("dense").to_numpy() - 1
    n_cases = int(case_codes.max()) + 1
    rows = np.concatenate([case_codes, case_codes])
    per_case = csr_matrix((weights, (rows, cells)), shape=(n_cases, m * m))
    rng = np.random.default_rng(seed)
    out = np.empty((n_resamples, m))
    chunk = max(1, 2_000_000 // max(n_cases, m * m))
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        draws = rng.multinomial(n_cases, np.full(n_cases, 1 / n_cases), size=size).astype(float)
        wins = np.asarray((per_case.T @ draws.T).T).reshape(size, m, m)
        out[start : start + size] = fit_bradley_terry(wins, regularization)
    return out


def fit_bradley_terry(
    wins: np.ndarray, regularization: float, max_iter: int = 200, tol: float = 1e-10
) -> np.ndarray:
    """Fit many Bradley-Terry problems at once by damped Newton steps.

    Args:
        wins: (B, m, m) array; wins[b, i, j] = (half-)wins of i over j in problem b.
        regularization: L2 penalty on the ratings.

    Returns:
        (B, m) ratings with mean 0.
    """
    n_problems, m, _ = wins.shape
    games = wins + wins.transpose(0, 2, 1)
    total_wins = wins.sum(axis=2)
    theta = np.zeros((n_problems, m))

    def objective(t: np.ndarray) -> np.ndarray:
        diff = t[:, :, None] - t[:, None, :]
        return -(wins * np.logaddexp(0.0, -diff)).sum(axis=(1, 2)) - regularization / 2 * (t**2).sum(axis=1)

    current = objective(theta)
    eye = np.eye(m)
    for _ in range(max_iter):
        diff = theta[:, :, None] - theta[:, None, :]
        p = 1.0 / (1.0 + np.exp(-diff))
        grad = total_wins - (games * p).sum(axis=2) - regularization * theta
        w = games * p * (1 - p)
        hess = w - eye * (w.sum(axis=2) + regularization)[:, :, None]
        if regularization > 0:
            step = -np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        else:
            step = -(np.linalg.pinv(hess) @ grad[:, :, None])[:, :, 0]
        scale = np.ones(n_problems)
        for _ in range(40):
            candidate = theta + scale[:, None] * step
            value = objective(candidate)
            worse = value < current - 1e-12 * np.abs(current)
            if not worse.any():
                break
            scale = np.where(worse, scale / 2, scale)
        theta, current = candidate, value
        if np.max(np.abs(scale[:, None] * step)) < tol:
            break
    return theta - theta.mean(axis=1, keepdims=True)


def _warn_disconnected(games: np.ndarray, models: list[str]) -> None:
    m = len(models)
    seen = {0}
    stack = [0]
    while stack:
        i = stack.pop()
        for j in np.flatnonzero(games[i] > 0):
            if int(j) not in seen:
                seen.add(int(j))
                stack.append(int(j))
    if len(seen) < m:
        apart = [models[i] for i in range(m) if i not in seen]
        warnings.warn(
            f"bradley_terry: models {apart} never meet {models[0]!r} even indirectly; "
            "ratings across unconnected groups are not comparable",
            StatsWarning,
            stacklevel=3,
        )
