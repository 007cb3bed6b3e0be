"""What a run calls: models (litellm model strings with parameters) and prompt variants."""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from workbench.runner._cache import public_params

LOCAL_PREFIX = "local/"


def _frozen(d: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(d or {}))


@dataclass(frozen=True)
class Model:
    """A model to run: any litellm model string plus its generation parameters.

    Args:
        model: a litellm model string, e.g. ``"local/smollm2-135m"`` (the embedded offline model),
            ``"openai/gpt-4o-mini"``, ``"anthropic/claude-3-5-haiku-latest"``, ``"ollama/llama3"``,
            or ``"openai/<name>"`` with ``api_base`` pointing at a vLLM / llama.cpp server.
        name: the display name in results (defaults to ``model``); must be unique within a run,
            which is how parameter variants of one model are told apart.
        params: litellm parameters (``temperature``, ``max_tokens``, ``api_base``, ``api_key``...).
            Secret-bearing parameters are sent to the model but never stored or cached.
        concurrency: the most calls in flight to this model at once (default 16; 1 for a local
            model, which generates one answer at a time: queueing inside it would count the wait
            as latency and could trip the timeout).

    >>> Model("local/smollm2-135m", name="smol-hot", params={"temperature": 0.8}).name
    'smol-hot'
    """

    model: str
    name: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    concurrency: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model.strip():
            raise ValueError(f"Model.model must be a litellm model string, got {self.model!r}")
        if self.concurrency is None:
            object.__setattr__(self, "concurrency", 1 if self.is_local else 16)
        if self.limit < 1:
            raise ValueError(f"Model {self.label!r}: concurrency must be >= 1, got {self.concurrency}")
        object.__setattr__(self, "params", _frozen(self.params))

    @property
    def limit(self) -> int:
        """The concurrency limit in force."""
        return int(self.concurrency or 1)

    @property
    def label(self) -> str:
        return self.name or self.model

    @property
    def is_local(self) -> bool:
        return self.model.startswith(LOCAL_PREFIX)

    def describe(self) -> dict[str, Any]:
        """A JSON-able description with secrets removed (what the store keeps)."""
        return {
            "name": self.label,
            "model": self.model,
            "params": public_params(self.params),
            "concurrency": self.concurrency,
        }


@dataclass(frozen=True)
class Prompt:
    """A prompt variant: how a case becomes the messages sent to a model.

    Args:
        name: the variant's name in results.
        template: the user message, formatted with the case's fields: ``{input}``, ``{context}``
            (retrieved passages joined by blank lines) and any metadata column. ``{reference}``
            is refused: it would leak the answer into the prompt.
        system: an optional system message (formatted the same way).
        params: generation parameters that override the model's for this variant.

    For chat cases, the system message is prepended and the template is applied to the last user
    message.

    >>> Prompt("terse", "Answer in one sentence: {input}").render({"input": "Hi?"})
    [{'role': 'user', 'content': 'Answer in one sentence: Hi?'}]
    """

    name: str = "default"
    template: str = "{input}"
    system: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", _frozen(self.params))
        for text in (self.template, self.system or ""):
            for _, fname, _, _ in string.Formatter().parse(text):
                if fname == "reference":
                    raise ValueError(
                        f"Prompt {self.name!r}: the template uses {{reference}}, which would leak the "
                        "expected answer into the prompt"
                    )

    def fields(self) -> set[str]:
        names = set()
        for text in (self.template, self.system or ""):
            names |= {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}
        return names

    def render(
        self, values: Mapping[str, Any], messages: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """The chat messages for one case.

        Args:
            values: the case's fields (``input``, ``context``, metadata).
            messages: the case's chat messages when its input is a conversation.
        """
        try:
            out: list[dict[str, Any]] = []
            if self.system:
                out.append({"role": "system", "content": self.system.format_map(values)})
            if messages is None:
                out.append({"role": "user", "content": self.template.format_map(values)})
                return out
            msgs = [dict(m) for m in messages]
            last_user = max((i for i, m in enumerate(msgs) if m.get("role") == "user"), default=None)
            if last_user is not None and self.template != "{input}":
                msgs[last_user]["content"] = self.template.format_map(
                    {**values, "input": msgs[last_user]["content"]}
                )
            return out + msgs
        except KeyError as e:
            raise KeyError(
                f"Prompt {self.name!r} uses the field {{{e.args[0]}}}, which the case does not have "
                f"(available: {', '.join(sorted(values))})"
            ) from None

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "template": self.template,
            "system": self.system,
            "params": public_params(self.params),
        }


def spec_fingerprint(obj: Any) -> str:
    """Canonical JSON of a description, for hashing."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
