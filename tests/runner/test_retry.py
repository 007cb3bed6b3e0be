"""Retry classification, backoff and Retry-After, secret scrubbing, cache keys."""

from __future__ import annotations

import random

import pytest

from workbench.runner._cache import CallCache, cache_key, is_secret_param, public_params
from workbench.runner._retry import RetryPolicy, is_retryable, retry_after, scrub_secrets


class HTTPError(Exception):
    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"status {status}")
        self.status_code = status
        self.litellm_response_headers = headers or {}


class RateLimitError(HTTPError):
    pass


class AuthenticationError(HTTPError):
    pass


def test_retryable_by_class_and_status():
    assert is_retryable(RateLimitError(429))
    assert is_retryable(HTTPError(503))
    assert is_retryable(TimeoutError())
    assert is_retryable(ConnectionResetError())
    assert not is_retryable(AuthenticationError(401))
    assert not is_retryable(HTTPError(400))
    assert not is_retryable(ValueError("bad"))


def test_retry_after_header_wins_over_backoff():
    policy = RetryPolicy(base_delay=0.01, max_delay=30)
    rng = random.Random(0)
    err = RateLimitError(429, {"retry-after": "2"})
    assert retry_after(err) == 2.0
    delays = [policy.delay(1, err, rng) for _ in range(50)]
    assert min(delays) >= 2.0 and max(delays) <= 2.2
    assert retry_after(RateLimitError(429, {"retry-after-ms": "250"})) == 0.25
    assert retry_after(RateLimitError(429, {})) is None


def test_backoff_doubles_with_jitter_and_is_capped():
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    rng = random.Random(1)
    for attempt, (lo, hi) in {1: (0.5, 1.0), 2: (1.0, 2.0), 3: (2.0, 4.0), 6: (2.5, 5.0)}.items():
        d = [policy.delay(attempt, None, rng) for _ in range(200)]
        assert lo <= min(d) and max(d) <= hi
        assert max(d) - min(d) > 0.1 * (hi - lo), "delays must be jittered"


def test_policy_validates():
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError, match="timeout"):
        RetryPolicy(timeout=0)


def test_secret_params_and_scrubbing():
    assert is_secret_param("api_key") and is_secret_param("aws_secret_access_key")
    assert not is_secret_param("max_tokens") and not is_secret_param("temperature")
    assert public_params({"api_key": "k", "temperature": 0}) == {"temperature": 0}
    msg = "Incorrect API key provided: sk-abcdef1234567890 for user mykey-value"
    out = scrub_secrets(msg, ["mykey-value"])
    assert "sk-abcdef1234567890" not in out and "mykey-value" not in out


def test_cache_key_ignores_secrets_but_not_params():
    msgs = [{"role": "user", "content": "hi"}]
    k = cache_key("m", msgs, {"temperature": 0, "api_key": "a"}, 0)
    assert k == cache_key("m", msgs, {"api_key": "b", "temperature": 0}, 0)
    assert k != cache_key("m", msgs, {"temperature": 0.1}, 0)
    assert k != cache_key("m", msgs, {"temperature": 0}, 1)
    assert k != cache_key("m2", msgs, {"temperature": 0}, 0)


def test_call_cache_roundtrip(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite")
    cache.put("k1", {"output": "x", "latency_s": 1.5}, 0.0)
    cache.put("k2", {"output": "y"}, 0.0)
    got = cache.get_many(["k1", "k3"])
    assert list(got) == ["k1"]
    assert got["k1"]["output"] == "x" and got["k1"]["latency_s"] == 1.5 and got["k1"]["ttft_s"] is None
    assert len(cache) == 2
    assert cache.delete(["k1"]) == 1
    cache.close()
    again = CallCache(tmp_path / "c.sqlite")
    assert set(again.get_many(["k1", "k2"])) == {"k2"}
