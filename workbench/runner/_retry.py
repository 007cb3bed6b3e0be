"""Which failures are worth retrying, and how long to wait before the next attempt."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

# litellm maps provider failures onto OpenAI-style exception classes; these are transient.
_RETRYABLE_TYPES = {
    "RateLimitError",
    "InternalServerError",
    "ServiceUnavailableError",
    "APIConnectionError",
    "Timeout",
    "APITimeoutError",
    "TimeoutError",
    "BadGatewayError",
}
_RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
_NOT_RETRYABLE_TYPES = {
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "BadRequestError",
    "ContextWindowExceededError",
    "ContentPolicyViolationError",
    "UnsupportedParamsError",
    "UnprocessableEntityError",
}


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter that honours ``Retry-After``.

    Args:
        max_retries: retries after the first attempt (so ``max_retries + 1`` attempts at most).
        base_delay: the backoff before the first retry, doubled for each further one.
        max_delay: the cap on any single wait, ``Retry-After`` included.
        timeout: seconds allowed for one attempt.
    """

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        if self.timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds, got {self.timeout}")

    def delay(self, attempt: int, error: BaseException | None, rng: random.Random) -> float:
        """Seconds to wait after the failed attempt number ``attempt`` (1-based)."""
        backoff = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        jittered = rng.uniform(backoff / 2, backoff)  # "equal jitter": never 0, spreads retries out
        after = retry_after(error) if error is not None else None
        if after is not None:
            return min(self.max_delay, max(after, 0.0) + rng.uniform(0, 0.1 * max(after, 0.1)))
        return jittered


def error_status(error: BaseException) -> int | None:
    status = getattr(error, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def is_retryable(error: BaseException) -> bool:
    """True for rate limits, server errors, timeouts and dropped connections."""
    names = {cls.__name__ for cls in type(error).__mro__}
    if names & _NOT_RETRYABLE_TYPES:
        return False
    if names & _RETRYABLE_TYPES:
        return True
    if isinstance(error, (TimeoutError, ConnectionError)):
        return True
    status = error_status(error)
    return status in _RETRYABLE_STATUS if status is not None else False


def _headers(error: BaseException) -> Any:
    for attr in ("litellm_response_headers", "headers"):
        headers = getattr(error, attr, None)
        if headers:
            return headers
    response = getattr(error, "response", None)
    return getattr(response, "headers", None)


def retry_after(error: BaseException | None) -> float | None:
    """The server's ``Retry-After`` (seconds or an HTTP date) or ``retry-after-ms``, if any."""
    if error is None:
        return None
    headers = _headers(error)
    if not headers:
        return None
    try:
        get = headers.get
    except AttributeError:
        return None
    ms = get("retry-after-ms") or get("Retry-After-Ms")
    if ms is not None:
        try:
            return float(ms) / 1000.0
        except (TypeError, ValueError):
            pass
    value = get("retry-after") or get("Retry-After")
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    try:
        import datetime as dt

        when = parsedate_to_datetime(str(value))
        return max(0.0, (when - dt.datetime.now(when.tzinfo)).total_seconds())
    except (TypeError, ValueError):
        return None


_KEYLIKE = re.compile(r"\b(sk|pk|rk|key|hf|gsk|xai|AIza)[-_][A-Za-z0-9_\-]{8,}\b")


def scrub_secrets(text: str, secrets: list[str]) -> str:
    """Remove the given secret values and anything that looks like an API key from a message."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _KEYLIKE.sub(lambda m: m.group(1) + "-***", text)
