"""What every kind of provider can do, and the OpenAI-compatible way of doing it.

A kind is a class (its defaults: base URL, model, key variable, context sizes, and what
it is: priced or free, able to translate or not) and an instance is bound to one endpoint
(base URL and key). No Django models here: the Provider row decides the endpoint and
hands it over.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from providers import tokens, writing
from providers.model_names import lookup_by_prefix
from providers.openai_compatible import StreamChunk, Usage, list_models, stream_chat
from providers.prompts import PostRequest
from providers.writing import EventCallback

# Connecting and each wait between streamed chunks, not the whole answer.
STREAM_TIMEOUT = 120.0
# A "Test" button or the scheduled check: one honest, quick measurement.
CHECK_TIMEOUT = 10.0


class ProviderKind:
    slug: ClassVar[str]
    label: ClassVar[str]
    default_base_url: ClassVar[str] = ""
    default_model: ClassVar[str] = ""
    # The environment variable a key is read from when admin holds none.
    key_env: ClassVar[str] = ""
    # Cloud APIs refuse anonymous requests; local servers usually take none.
    requires_key: ClassVar[bool] = True
    # A server it talks to: it has an address and maybe a key, health checks time it, and
    # when it fails a fallback provider may take the job over.
    has_server: ClassVar[bool] = True
    # Tokens are bought per use; on one's own server (or with no model at all) they are free.
    is_priced: ClassVar[bool] = True
    # Writes the post in another language than the transcript's.
    can_translate: ClassVar[bool] = True
    # The models it offers when that is known without asking the server.
    models: ClassVar[tuple[str, ...]] = ()
    # Model name (or prefix: "gpt-4o" covers "gpt-4o-2024-08-06") -> tokens.
    context_windows: ClassVar[dict[str, int]] = {}
    default_context_window: ClassVar[int] = writing.DEFAULT_CONTEXT_WINDOW
    supports_stream_usage: ClassVar[bool] = True
    # Shown in admin next to the kind.
    help_text: ClassVar[str] = ""
    # A server people run on their own machine at a well-known port: offered for new posts
    # while it answers there, without anyone enabling it (providers.local_servers).
    found_on_this_machine: ClassVar[bool] = False

    def __init__(
        self,
        *,
        base_url: str = "",
        api_key: str = "",
        name: str = "",
        timeout: float = STREAM_TIMEOUT,
        max_retries: int = 2,
    ) -> None:
        self.base_url = base_url or self.base_url_default()
        self.api_key = api_key
        self.name = name or self.label
        self.timeout = timeout
        self.max_retries = max_retries

    def __repr__(self) -> str:
        # Never the key: reprs end up in logs and tracebacks.
        return f"<{type(self).__name__} {self.name!r} {self.base_url!r}>"

    @classmethod
    def base_url_default(cls) -> str:
        return cls.default_base_url

    @classmethod
    def model_default(cls) -> str:
        return cls.default_model

    def headers(self) -> dict[str, str]:
        """Headers besides Authorization that this provider wants on every request."""
        return {}

    def stream(
        self, messages: list[dict], model: str, *, max_tokens: int | None = None
    ) -> Iterator[StreamChunk]:
        return stream_chat(
            base_url=self.base_url,
            api_key=self.api_key,
            model=model or self.model_default(),
            messages=messages,
            provider_name=self.name,
            max_tokens=max_tokens,
            timeout=self.timeout,
            max_retries=self.max_retries,
            extra_headers=self.headers(),
            include_usage=self.supports_stream_usage,
        )

    def llm(self, model: str = "") -> ProviderLLM:
        """This kind at its endpoint with one model: what providers.writing writes with."""
        chosen = model or self.model_default()
        return ProviderLLM(
            kind=self, model=chosen, name=self.name, context_window=self.context_window(chosen)
        )

    def write(
        self, request: PostRequest, model: str = "", *, on_event: EventCallback | None = None
    ) -> Iterator[StreamChunk]:
        """The post as streamed text (chunks may carry token usage), whatever the transcript's
        length: providers.writing summarises a long one in parts first."""
        return writing.write(request, self.llm(model), on_event=on_event)

    def list_models(self, *, timeout: float | None = None, max_retries: int = 1) -> list[str]:
        if self.models:
            return list(self.models)
        ids = list_models(
            base_url=self.base_url,
            api_key=self.api_key,
            timeout=timeout or CHECK_TIMEOUT,
            provider_name=self.name,
            max_retries=max_retries,
            extra_headers=self.headers(),
        )
        return sorted({self.model_id(i) for i in ids})

    def check(self, *, timeout: float = CHECK_TIMEOUT) -> list[str]:
        """Raise the BlogTubeError that says what is wrong, else return the model ids.

        Listing models needs the key (a bad one shows) and costs no tokens.
        """
        # No retry: it would hide the failure and double the wait.
        return self.list_models(timeout=timeout, max_retries=0)

    def model_id(self, listed: str) -> str:
        """The name to send back for a model id the server listed."""
        return listed

    @classmethod
    def context_window(cls, model: str) -> int:
        return lookup_by_prefix(cls.context_windows, model) or cls.default_context_window


class SelfHostedKind(ProviderKind):
    """A server on someone's own machine: it usually takes no key, and no token is bought."""

    requires_key = False
    is_priced = False


@dataclass
class ProviderLLM:
    """One provider and model, as providers.writing sees an LLM.

    It fills in token usage when the server sent none (estimated from the text),
    so every call the writing code makes is counted.
    """

    kind: ProviderKind
    model: str
    name: str
    context_window: int

    def stream(
        self, messages: list[dict], *, max_tokens: int | None = None
    ) -> Iterator[StreamChunk]:
        written: list[str] = []
        got_usage = False
        for chunk in self.kind.stream(messages, self.model, max_tokens=max_tokens):
            if chunk.usage is not None:
                got_usage = True
            if chunk.text:
                written.append(chunk.text)
            yield chunk
        if not got_usage:
            yield StreamChunk(
                usage=Usage(
                    prompt_tokens=tokens.count_message_tokens(messages, self.model),
                    completion_tokens=tokens.count_tokens("".join(written), self.model),
                )
            )

    def __repr__(self) -> str:
        return f"<ProviderLLM {self.name} {self.model} ctx={self.context_window}>"
