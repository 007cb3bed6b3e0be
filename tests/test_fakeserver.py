"""The fake OpenAI-compatible server, driven through real litellm and through plain httpx."""

import asyncio
import json

import httpx
import litellm
import pytest
from litellm.exceptions import MidStreamFallbackError

from tests.fakeserver import FakeServer


def ask(server: FakeServer, content: str, **kwargs):
    return litellm.completion(
        model="openai/fake-model",
        api_base=server.base_url,
        api_key="sk-test",
        messages=[{"role": "user", "content": content}],
        num_retries=0,
        **kwargs,
    )


@pytest.fixture(scope="module")
def http():
    with httpx.Client(trust_env=False, timeout=30) as client:
        yield client


@pytest.fixture
def post(server, http):
    """``post(content, model=..., **body)``: a raw chat completion request through httpx."""

    def send(content: str, model: str = "fake-model", **body) -> httpx.Response:
        payload = {"model": model, "messages": [{"role": "user", "content": content}], **body}
        return http.post(server.base_url + "/chat/completions", json=payload)

    return send


def test_completion_echoes_last_user_message_with_word_usage(server):
    response = litellm.completion(
        model="openai/fake-model",
        api_base=server.base_url,
        api_key="sk-test",
        messages=[
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "ok"},
            {"role": "user", "content": "hello world"},
        ],
        num_retries=0,
    )
    assert response.choices[0].message.content == "echo: hello world"
    assert response.choices[0].finish_reason == "stop"
    # prompt words: be brief / first question / ok / hello world
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (7, 3)
    assert response.usage.total_tokens == 10
    stats = server.stats()
    assert stats["requests"] == 1
    assert stats["completions"] == 1
    assert stats["by_status"] == {"200": 1}
    assert stats["by_prompt"] == {"hello world": 1}
    assert stats["by_model"] == {"fake-model": 1}


def test_raw_response_is_a_chat_completion_echoing_the_model(server, post):
    body = post("hi there", model="my-model").json()
    assert body["object"] == "chat.completion"
    assert body["model"] == "my-model"
    assert body["id"].startswith("chatcmpl-")
    assert isinstance(body["created"], int)
    assert body["choices"][0]["message"] == {"role": "assistant", "content": "echo: hi there"}
    assert body["usage"] == {"prompt_tokens": 2, "completion_tokens": 3, "total_tokens": 5}


def test_reply_and_json_directives(server):
    assert (
        ask(server, "say [[reply:exactly this text]] please").choices[0].message.content
        == "exactly this text"
    )
    assert json.loads(ask(server, "give json [[json]]").choices[0].message.content) == {
        "ok": True,
        "answer": "fake",
    }


def test_acompletion(server):
    response = asyncio.run(
        litellm.acompletion(
            model="openai/fake-model",
            api_base=server.base_url,
            api_key="sk-test",
            messages=[{"role": "user", "content": "async call"}],
            num_retries=0,
        )
    )
    assert response.choices[0].message.content == "echo: async call"


def test_litellm_stream_reassembles_content_and_reports_usage(server):
    chunks = list(ask(server, "one two three four five", stream=True, stream_options={"include_usage": True}))
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert "".join(pieces) == "echo: one two three four five"
    assert len(pieces) >= 3
    usage = [c.usage for c in chunks if getattr(c, "usage", None)]
    assert (usage[-1].prompt_tokens, usage[-1].completion_tokens) == (5, 6)
    assert server.stats()["streams"] == 1


def test_raw_stream_is_sse_ending_in_done(server, post):
    text = post("a b", stream=True, stream_options={"include_usage": True}).text
    events = [line.removeprefix("data: ") for line in text.split("\n\n") if line]
    assert events[-1] == "[DONE]"
    objects = [json.loads(e) for e in events[:-1]]
    assert {o["object"] for o in objects} == {"chat.completion.chunk"}
    assert objects[-1]["choices"] == [] and objects[-1]["usage"]["total_tokens"] == 2 + 3
    assert objects[-2]["choices"][0]["finish_reason"] == "stop"


def test_429_with_retry_after_is_a_rate_limit_error(server, post):
    server.configure(faults=[{"kind": "429", "retry_after": 2}])
    with pytest.raises(litellm.RateLimitError) as info:
        ask(server, "limited")
    assert type(info.value) is litellm.RateLimitError
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "2"
    raw = post("limited")
    assert raw.status_code == 429
    assert raw.headers["retry-after"] == "2"
    assert raw.headers["retry-after-ms"] == "2000"
    assert raw.json()["error"]["type"] == "rate_limit_error"
    assert server.stats()["faults"] == {"429": 2}


# The runner classifies retryable errors by these exact classes (litellm 1.110, openai 3.57).
@pytest.mark.parametrize(
    ("kind", "expected", "status"),
    [
        ("500", litellm.InternalServerError, 500),
        ("503", litellm.ServiceUnavailableError, 503),
        ("timeout", litellm.Timeout, 408),
        ("drop", litellm.InternalServerError, 500),  # openai's "Connection error." mapped to 500
        ("malformed", litellm.InternalServerError, 500),  # JSONDecodeError mapped to 500
    ],
)
def test_fault_kinds_raise_these_litellm_errors(server, kind, expected, status):
    server.configure(faults=[{"kind": kind, "hang_s": 5}])
    with pytest.raises(Exception) as info:
        ask(server, f"fault {kind}", timeout=1)
    assert type(info.value) is expected
    assert info.value.status_code == status
    assert server.stats()["requests"] == 1  # num_retries=0 also switches off the SDK's own retries


def test_malformed_stream_fails_while_iterating(server):
    server.configure(faults=[{"kind": "malformed"}])
    stream = ask(server, "broken stream", stream=True)
    with pytest.raises(MidStreamFallbackError) as info:
        list(stream)
    assert isinstance(info.value, litellm.ServiceUnavailableError)


def test_drop_and_malformed_seen_by_httpx(server, post):
    server.configure(faults=[{"kind": "drop", "match": "drop"}, {"kind": "malformed"}])
    with pytest.raises(httpx.RemoteProtocolError):
        post("please drop")
    raw = post("truncated please")
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/json")
    with pytest.raises(ValueError):
        raw.json()
    assert server.stats()["faults"] == {"drop": 1, "malformed": 1}


def test_empty_choices_is_a_well_formed_200_with_no_answer(server, post):
    server.configure(faults=[{"kind": "empty_choices"}])
    raw = post("answer nothing")
    assert raw.status_code == 200
    body = raw.json()
    assert body["choices"] == [] and body["id"] == "chatcmpl-empty"
    # litellm hands it over as it is: a response with no choice to read
    assert ask(server, "answer nothing").choices == []
    assert server.stats()["faults"] == {"empty_choices": 2}
    assert server.stats()["completions"] == 0


def test_first_matching_rule_wins(server, post):
    server.configure(faults=[{"kind": "429", "match": "alpha"}, {"kind": "503", "match": "beta"}])
    assert [post(p).status_code for p in ("alpha beta", "beta", "gamma")] == [429, 503, 200]


def test_first_attempts_fail_then_retries_succeed(server, post):
    server.configure(faults=[{"kind": "500", "first_attempts": 2}])
    assert [post("p").status_code for _ in range(4)] == [500, 500, 200, 200]
    assert [post("q").status_code for _ in range(3)] == [500, 500, 200]
    assert post("p", model="other-model").status_code == 500  # attempts count per (model, prompt)
    server.reset()
    assert [post("p").status_code for _ in range(3)] == [500, 500, 200]


def _failing(post, prompts: list[str]) -> set[str]:
    return {p for p in prompts if post(p).status_code != 200}


def test_sticky_rate_fails_the_same_prompts_on_every_attempt(server, post):
    prompts = [f"case {i}" for i in range(40)]
    server.configure(seed=1, faults=[{"kind": "500", "rate": 0.5, "sticky": True}])
    failed = _failing(post, prompts)
    assert 0 < len(failed) < 40
    assert _failing(post, prompts) == failed  # retries do not help
    server.reset()
    assert _failing(post, prompts) == failed  # same seed, same cases
    server.configure(seed=2, faults=[{"kind": "500", "rate": 0.5, "sticky": True}])
    assert _failing(post, prompts) != failed


def test_non_sticky_rate_depends_on_attempt_and_is_reproducible(server, post):
    prompts = [f"case {i}" for i in range(20)]
    server.configure(seed=7, faults=[{"kind": "429", "rate": 0.5}])

    def outcomes() -> list[list[int]]:
        return [[post(p).status_code for _ in range(4)] for p in prompts]

    first = outcomes()
    assert any(len(set(row)) == 2 for row in first)  # some prompts fail, then succeed on a retry
    server.reset()
    assert outcomes() == first


def test_stats_count_statuses_and_peak_concurrency(server):
    server.configure(latency_ms=1000, faults=[{"kind": "503", "match": "bad"}])

    async def burst() -> list[int]:
        async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
            payloads = [
                {
                    "model": "fake-model",
                    "messages": [{"role": "user", "content": f"{'bad' if i < 2 else 'good'} {i}"}],
                }
                for i in range(8)
            ]
            replies = await asyncio.gather(
                *(client.post(server.base_url + "/chat/completions", json=p) for p in payloads)
            )
            return sorted(r.status_code for r in replies)

    assert asyncio.run(burst()) == [200] * 6 + [503] * 2
    stats = server.stats()
    assert stats["peak_in_flight"] == 8
    assert stats["in_flight"] == 0
    assert (stats["requests"], stats["completions"]) == (8, 6)
    assert stats["by_status"] == {"200": 6, "503": 2}
    assert stats["faults"] == {"503": 2}
    assert len(stats["by_prompt"]) == 8


def test_configure_replaces_config_and_rejects_bad_fields(server):
    cfg = server.configure(latency_ms=5, faults=[{"kind": 429, "rate": 0.25}])
    assert cfg["faults"][0]["kind"] == "429" and cfg["faults"][0]["sticky"] is False
    assert server.configure(seed=3)["faults"] == []  # unset fields go back to defaults
    with pytest.raises(ValueError, match=r"faults\[0\]\.rate: expected a value in \[0, 1\], got 1\.5"):
        server.configure(faults=[{"kind": "500", "rate": 1.5}])
    with pytest.raises(ValueError, match=r"faults\[1\]\.kind: expected one of"):
        server.configure(faults=[{"kind": "500"}, {"kind": "404"}])
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['latency'\]"):
        server.configure(latency=5)


def test_reset_keeps_config_unless_asked(server, post):
    server.configure(latency_ms=1, faults=[{"kind": "500"}])
    post("x")
    server.reset()
    stats = server.stats()
    assert stats["requests"] == 0 and stats["by_prompt"] == {}
    assert stats["config"]["faults"][0]["kind"] == "500"
    server.reset(clear_config=True)
    assert server.stats()["config"]["faults"] == []


def test_models_and_bad_request(server, http):
    models = http.get(server.base_url + "/models").json()
    assert models["object"] == "list" and models["data"][0]["id"] == "fake-model"
    bad = http.post(server.base_url + "/chat/completions", content=b"not json")
    assert bad.status_code == 400
    assert bad.json()["error"]["type"] == "invalid_request_error"
