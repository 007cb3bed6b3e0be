"""An OpenAI-compatible fake model server with scripted latency and faults.

Runs in its own process so that its CPU does not compete with the client's event loop::

    python -m tests.fakeserver --port 0 --latency-ms 50   # prints "LISTENING <port>"

From Python (tests and benchmarks) use :class:`FakeServer`::

    with FakeServer() as srv:
        srv.configure(latency_ms=20, faults=[{"kind": "429", "rate": 0.3, "retry_after": 1}])
        litellm.completion(model="openai/fake", api_base=srv.base_url, api_key="sk-test", ...)
        srv.stats()["requests"]

Behaviour is deterministic. The reply is ``"echo: " + <last user message>`` unless that message
holds ``[[reply:<text>]]`` (reply exactly ``<text>``) or ``[[json]]`` (a small JSON object).
Fault rules are tried in order and the first match wins; whether a rule with ``rate < 1`` fires is
``hash(seed, rule index, prompt text, attempt index) < rate``, where the attempt index counts
earlier requests for the same (model, prompt text) since the last reset. ``sticky`` rules leave
the attempt index out of the hash, so a prompt that fails once fails on every retry.

Fault kinds: ``429``, ``500``, ``503`` (error replies, ``retry_after`` sets ``Retry-After``),
``timeout`` (hang for ``hang_s``), ``drop`` (close the connection), ``malformed`` (a 200 with
truncated JSON) and ``empty_choices`` (a well-formed 200 whose ``choices`` list is empty).

``stats()`` counts chat requests: ``requests``, ``completions`` (successful answers), ``streams``,
``by_status``, ``faults`` (per kind), ``by_prompt``, ``by_model``, ``in_flight`` and
``peak_in_flight`` (handlers alive at once; only meaningful with ``latency_ms > 0``).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

FAULT_KINDS = ("429", "500", "503", "timeout", "drop", "malformed", "empty_choices")
DEFAULT_CONFIG: dict[str, Any] = {
    "latency_ms": 0.0,
    "jitter_ms": 0.0,
    "seed": 0,
    "chunk_delay_ms": 2.0,
    "faults": [],
}
_RULE_DEFAULTS: dict[str, Any] = {
    "rate": 1.0,
    "sticky": False,
    "first_attempts": None,
    "match": None,
    "retry_after": None,
    "hang_s": 30.0,
}
_ERROR_INFO = {
    "429": ("rate_limit_error", "rate_limit_exceeded", "Rate limit reached (fake server fault)."),
    "500": ("server_error", "internal_error", "The server had an error (fake server fault)."),
    "503": ("server_error", "service_unavailable", "The engine is overloaded (fake server fault)."),
}
_MALFORMED_BODY = (
    b'{"id": "chatcmpl-fake", "object": "chat.completion", "choices": [{"message": {"role": "assis'
)
_REPLY_RE = re.compile(r"\[\[reply:(.*?)\]\]", re.DOTALL)
_JSON_REPLY = json.dumps({"ok": True, "answer": "fake"})
_REPO_ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------
def _number(where: str, value: Any, *, integer: bool = False) -> Any:
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise ValueError(f"{where}: expected {'an integer' if integer else 'a number'}, got {value!r}")
    if value < 0:
        raise ValueError(f"{where}: expected a value >= 0, got {value!r}")
    return value if integer else float(value)


def parse_config(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate a config dict and fill in defaults; raise ValueError naming the bad field."""
    if not isinstance(raw, dict):
        raise ValueError(f"config: expected a JSON object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(DEFAULT_CONFIG))
    if unknown:
        raise ValueError(f"config: unknown field(s) {unknown}; expected some of {sorted(DEFAULT_CONFIG)}")
    cfg = {**DEFAULT_CONFIG, **raw}
    for key in ("latency_ms", "jitter_ms", "chunk_delay_ms"):
        cfg[key] = _number(key, cfg[key])
    if isinstance(cfg["seed"], bool) or not isinstance(cfg["seed"], int):
        raise ValueError(f"seed: expected an integer, got {cfg['seed']!r}")
    if not isinstance(cfg["faults"], list):
        raise ValueError(f"faults: expected a list of rules, got {cfg['faults']!r}")
    cfg["faults"] = [_parse_rule(i, rule) for i, rule in enumerate(cfg["faults"])]
    return cfg


def _parse_rule(i: int, raw: Any) -> dict[str, Any]:
    where = f"faults[{i}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object with a 'kind', got {raw!r}")
    unknown = sorted(set(raw) - set(_RULE_DEFAULTS) - {"kind"})
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {unknown}; expected kind, {', '.join(_RULE_DEFAULTS)}")
    rule = {**_RULE_DEFAULTS, **raw}
    rule["kind"] = str(rule.get("kind"))
    if rule["kind"] not in FAULT_KINDS:
        raise ValueError(f"{where}.kind: expected one of {list(FAULT_KINDS)}, got {raw.get('kind')!r}")
    rule["rate"] = _number(f"{where}.rate", rule["rate"])
    if rule["rate"] > 1:
        raise ValueError(f"{where}.rate: expected a value in [0, 1], got {rule['rate']!r}")
    if not isinstance(rule["sticky"], bool):
        raise ValueError(f"{where}.sticky: expected true or false, got {rule['sticky']!r}")
    if rule["first_attempts"] is not None:
        rule["first_attempts"] = _number(f"{where}.first_attempts", rule["first_attempts"], integer=True)
    if rule["match"] is not None and not isinstance(rule["match"], str):
        raise ValueError(f"{where}.match: expected a string or null, got {rule['match']!r}")
    if rule["retry_after"] is not None:
        rule["retry_after"] = _number(f"{where}.retry_after", rule["retry_after"])
    rule["hang_s"] = _number(f"{where}.hang_s", rule["hang_s"])
    return rule


def _unit(*parts: Any) -> float:
    """A deterministic number in [0, 1) from the parts (stable across processes, unlike hash())."""
    digest = hashlib.blake2b(json.dumps(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def pick_fault(cfg: dict[str, Any], text: str, attempt: int) -> dict[str, Any] | None:
    """Return the first fault rule that applies to this prompt text and attempt index, if any."""
    for i, rule in enumerate(cfg["faults"]):
        if rule["match"] is not None and rule["match"] not in text:
            continue
        if rule["first_attempts"] is not None and attempt >= rule["first_attempts"]:
            continue
        if rule["rate"] >= 1.0:
            return rule
        draw = _unit(cfg["seed"], i, text) if rule["sticky"] else _unit(cfg["seed"], i, text, attempt)
        if draw < rule["rate"]:
            return rule
    return None


# --------------------------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------------------------
def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # multimodal parts: keep the text parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def reply_for(text: str) -> str:
    """The deterministic reply to the last user message ``text``."""
    found = _REPLY_RE.search(text)
    if found:
        return found.group(1)
    if "[[json]]" in text:
        return _JSON_REPLY
    return "echo: " + text


def _chunks(content: str, parts: int = 4) -> list[str]:
    words = re.split(r"(?<=\s)(?=\S)", content)
    size = max(1, -(-len(words) // parts))
    return ["".join(words[i : i + size]) for i in range(0, len(words), size)] or [""]


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------
class _App:
    def __init__(self, cfg: dict[str, Any]) -> None:
        self.cfg = cfg
        self.reset()

    def reset(self) -> None:
        self.attempts: dict[str, int] = {}
        self.in_flight = 0
        self.stats: dict[str, Any] = {
            "requests": 0,
            "completions": 0,
            "streams": 0,
            "by_status": {},
            "faults": {},
            "by_prompt": {},
            "by_model": {},
            "peak_in_flight": 0,
        }

    def _count(self, table: str, key: str) -> None:
        bucket = self.stats[table]
        bucket[key] = bucket.get(key, 0) + 1

    async def chat(self, request: Any) -> Any:
        from aiohttp import web

        self.stats["requests"] += 1
        self.in_flight += 1
        self.stats["peak_in_flight"] = max(self.stats["peak_in_flight"], self.in_flight)
        try:
            try:
                payload = json.loads(await request.read())
                messages = payload["messages"]
                user = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
            except (ValueError, KeyError, TypeError) as exc:
                self._count("by_status", "400")
                return _error(400, "invalid_request_error", None, f"bad request body: {exc!r}")
            text = _text_of(user[-1].get("content")) if user else ""
            model = str(payload.get("model", ""))
            key = model + "\x00" + text
            attempt = self.attempts.get(key, 0)
            self.attempts[key] = attempt + 1
            self._count("by_prompt", text)
            self._count("by_model", model)
            cfg = self.cfg
            rule = pick_fault(cfg, text, attempt)
            delay_ms = cfg["latency_ms"]
            if cfg["jitter_ms"]:
                delay_ms += (2 * _unit(cfg["seed"], "jitter", key, attempt) - 1) * cfg["jitter_ms"]
            if delay_ms > 0:
                await asyncio.sleep(delay_ms / 1000)
            if rule is not None:
                kind = rule["kind"]
                self._count("faults", kind)
                if kind in _ERROR_INFO:
                    self._count("by_status", kind)
                    etype, code, message = _ERROR_INFO[kind]
                    headers = {}
                    if rule["retry_after"] is not None and kind in ("429", "503"):
                        seconds = rule["retry_after"]
                        headers["Retry-After"] = f"{seconds:g}"
                        headers["retry-after-ms"] = f"{seconds * 1000:g}"
                    return _error(int(kind), etype, code, message, headers)
                if kind == "drop":
                    if request.transport is not None:
                        request.transport.abort()
                    raise asyncio.CancelledError  # nothing may be written: the connection is gone
                if kind == "malformed":
                    self._count("by_status", "200")
                    if payload.get("stream"):
                        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
                        await resp.prepare(request)
                        await resp.write(b"data: " + _MALFORMED_BODY + b"\n\n")
                        await resp.write_eof()
                        return resp
                    return web.Response(body=_MALFORMED_BODY, content_type="application/json")
                if kind == "empty_choices":  # a 200 with a well-formed body that holds no answer
                    self._count("by_status", "200")
                    body = {"id": "chatcmpl-empty", "object": "chat.completion", "created": int(time.time()),
                            "model": model, "choices": [], "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}  # fmt: skip
                    if payload.get("stream"):
                        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
                        await resp.prepare(request)
                        chunk = {**body, "object": "chat.completion.chunk"}
                        await resp.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                        await resp.write(b"data: [DONE]\n\n")
                        await resp.write_eof()
                        return resp
                    return web.Response(body=json.dumps(body).encode(), content_type="application/json")
                await asyncio.sleep(rule["hang_s"])  # "timeout": the client gives up first
            content = reply_for(text)
            prompt_words = sum(
                len(_text_of(m.get("content")).split()) for m in messages if isinstance(m, dict)
            )
            usage = {
                "prompt_tokens": prompt_words,
                "completion_tokens": len(content.split()),
                "total_tokens": prompt_words + len(content.split()),
            }
            ident = f"chatcmpl-fake-{self.stats['requests']}"
            if payload.get("stream"):
                return await self._stream(request, payload, ident, model, content, usage)
            body = {
                "id": ident,
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": usage,
            }
            self._count("by_status", "200")
            self.stats["completions"] += 1
            return web.Response(body=json.dumps(body).encode(), content_type="application/json")
        finally:
            self.in_flight -= 1

    async def _stream(
        self, request: Any, payload: dict, ident: str, model: str, content: str, usage: dict
    ) -> Any:
        from aiohttp import web

        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)
        self._count("by_status", "200")
        base = {"id": ident, "object": "chat.completion.chunk", "created": int(time.time()), "model": model}

        def frame(delta: dict, finish: str | None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return b"data: " + json.dumps({**base, "choices": [choice]}).encode() + b"\n\n"

        await resp.write(frame({"role": "assistant", "content": ""}, None))
        for piece in _chunks(content):
            if self.cfg["chunk_delay_ms"] > 0:
                await asyncio.sleep(self.cfg["chunk_delay_ms"] / 1000)
            await resp.write(frame({"content": piece}, None))
        await resp.write(frame({}, "stop"))
        if (payload.get("stream_options") or {}).get("include_usage"):
            await resp.write(
                b"data: " + json.dumps({**base, "choices": [], "usage": usage}).encode() + b"\n\n"
            )
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        self.stats["completions"] += 1
        self.stats["streams"] += 1
        return resp

    async def models(self, request: Any) -> Any:
        from aiohttp import web

        data = [{"id": "fake-model", "object": "model", "created": 0, "owned_by": "workbench-tests"}]
        return web.json_response({"object": "list", "data": data})

    async def control(self, request: Any) -> Any:
        from aiohttp import web

        try:
            self.cfg = parse_config(json.loads(await request.read() or b"{}"))
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(self.cfg)

    async def get_stats(self, request: Any) -> Any:
        from aiohttp import web

        return web.json_response({**self.stats, "in_flight": self.in_flight, "config": self.cfg})

    async def do_reset(self, request: Any) -> Any:
        from aiohttp import web

        body = json.loads(await request.read() or b"{}")
        self.reset()
        if body.get("clear_config"):
            self.cfg = parse_config({})
        return web.json_response({"ok": True})


def _error(status: int, etype: str, code: str | None, message: str, headers: dict | None = None) -> Any:
    from aiohttp import web

    body = {"error": {"message": message, "type": etype, "param": None, "code": code}}
    return web.Response(
        status=status, body=json.dumps(body).encode(), content_type="application/json", headers=headers
    )


async def _serve(port: int, cfg: dict[str, Any]) -> None:
    import socket

    from aiohttp import web

    state = _App(cfg)
    app = web.Application(client_max_size=64 * 1024 * 1024)
    for prefix in ("/v1", ""):
        app.router.add_post(prefix + "/chat/completions", state.chat)
        app.router.add_get(prefix + "/models", state.models)
    app.router.add_post("/_control", state.control)
    app.router.add_get("/_stats", state.get_stats)
    app.router.add_post("/_reset", state.do_reset)
    # handler_cancellation: a client that times out or hangs up ends its handler, so in_flight is exact.
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    await web.SockSite(runner, sock, backlog=1024).start()
    print(f"LISTENING {sock.getsockname()[1]}", flush=True)
    await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: ``python -m tests.fakeserver --port 0 [--latency-ms 50]``."""
    import logging

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exit-on-stdin-eof", action="store_true", help="stop when the parent goes away")
    args = parser.parse_args(argv)
    cfg = parse_config({"latency_ms": args.latency_ms, "jitter_ms": args.jitter_ms, "seed": args.seed})
    logging.basicConfig(level=logging.CRITICAL)  # dropped connections are intended, not news
    if args.exit_on_stdin_eof:

        def watch() -> None:
            sys.stdin.buffer.read()
            os._exit(0)

        threading.Thread(target=watch, daemon=True).start()
    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    except ImportError:
        pass
    try:
        asyncio.run(_serve(args.port, cfg))
    except KeyboardInterrupt:
        pass


# --------------------------------------------------------------------------------------------
# The client-side handle
# --------------------------------------------------------------------------------------------
class FakeServer:
    """Run the fake server in a subprocess; use as a context manager.

    Args:
        latency_ms: initial ``latency_ms`` (change it later with :meth:`configure`).
        startup_timeout: seconds to wait for the ``LISTENING`` line.
    """

    def __init__(self, latency_ms: float = 0.0, startup_timeout: float = 30.0) -> None:
        self.latency_ms = latency_ms
        self.startup_timeout = startup_timeout
        self.port: int = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy

    @property
    def base_url(self) -> str:
        """The ``api_base`` to hand to litellm / the OpenAI SDK."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        cmd = [sys.executable, "-m", "tests.fakeserver", "--port", "0", "--exit-on-stdin-eof"]
        cmd += ["--latency-ms", str(self.latency_ms)]
        self._proc = subprocess.Popen(cmd, cwd=_REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self._proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(self.startup_timeout)
        text = line[0].decode().strip() if line else ""
        if not text.startswith("LISTENING "):
            self.stop()
            raise RuntimeError(
                f"fake server ({' '.join(cmd)}) did not print 'LISTENING <port>' within "
                f"{self.startup_timeout}s; got {text!r} (its stderr is above)"
            )
        self.port = int(text.split()[1])
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.root_url + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(req, timeout=30) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            detail = json.loads(exc.read() or b"{}").get("error", exc.reason)
            raise ValueError(f"fake server rejected {method} {path}: {detail}") from None

    def configure(self, **cfg: Any) -> dict[str, Any]:
        """Replace the whole config (unset fields go back to defaults); return the effective config.

        Fields: latency_ms, jitter_ms, seed, chunk_delay_ms, faults (list of rule dicts with kind,
        rate, sticky, first_attempts, match, retry_after, hang_s). Raises ValueError on a bad field.
        """
        return self._call("POST", "/_control", cfg)

    def stats(self) -> dict[str, Any]:
        """Counters since the last reset, plus ``in_flight`` and the current ``config``."""
        return self._call("GET", "/_stats")

    def reset(self, clear_config: bool = False) -> None:
        """Clear stats and per-prompt attempt counters (and the config too if ``clear_config``)."""
        self._call("POST", "/_reset", {"clear_config": clear_config})


if __name__ == "__main__":
    main()
