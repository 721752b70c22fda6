"""One small client for the OpenAI-compatible chat-completions API (docs/llm.md).

OpenAI, Ollama, vLLM, llama.cpp's server and most hosted models answer ``POST {base}/chat/completions``
the same way. This module sends that request with httpx (timeouts on connect and on every read),
retries 429 and 5xx answers a bounded number of times (waiting what ``Retry-After`` asks, capped),
asks for JSON matching a schema when the caller gives one (validated strictly; one retry with the
errors, then ``LLMBadResponse``), streams replies as server-sent events, refuses to call once the
month's spending reaches the cap, and writes every answered call to the usage ledger
(``core.llm.models.LLMCall``).

Callers never hold a database transaction open across a call: a call can take a minute.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from jsonschema import Draft202012Validator

from core.llm.config import LLMSettings, is_configured
from core.llm.errors import (
    LLMBadResponse,
    LLMCostCapReached,
    LLMError,
    LLMNotConfigured,
    LLMRateLimited,
    LLMTimeout,
)
from core.llm.usage import record_call, spent_this_month

logger = logging.getLogger(__name__)

Message = dict[str, str]
# An extra check on parsed JSON (say, the course format's exercise validators): a list of errors.
Validator = Callable[[Any], list[str]]

# The first retry waits 1 s, then 2 s, 4 s … unless the provider's Retry-After says otherwise;
# never longer than LLM_MAX_RETRY_WAIT.
BACKOFF_BASE_SECONDS = 1.0
# How much of a provider's error body goes into an error message.
EXCERPT_CHARS = 300


def default_sleep(seconds: float) -> None:
    """How the client waits between retries. Tests replace it (the ``fake_llm`` fixture) so they never wait."""
    time.sleep(seconds)


@dataclass(frozen=True)
class Completion:
    """A finished answer. With a schema, ``data`` is the validated JSON; tokens and cost add up every
    request the answer took (a structured answer retried once took two)."""

    text: str
    data: Any
    prompt_tokens: int
    completion_tokens: int
    response_id: str
    model: str
    cost: Decimal
    duration_ms: int
    raw: str
    attempts: int = 1


@dataclass(frozen=True)
class StreamUsage:
    """The last item of a stream: the whole text and what it cost."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    response_id: str
    model: str
    cost: Decimal
    duration_ms: int


@dataclass(frozen=True)
class _Reply:
    text: str
    raw: str
    response_id: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: Decimal


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds asked by a ``Retry-After`` header: a number of seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def parse_json_reply(text: str) -> Any:
    """The JSON in a reply. Strict JSON, except that one surrounding Markdown code fence
    (```json … ```), which many local models add whatever they are told, is removed first."""
    body = text.strip()
    if body.startswith("```") and body.endswith("```") and body.count("```") == 2:
        body = body[3:-3]
        if body.startswith("json"):
            body = body[4:]
    return json.loads(body)


def validation_errors(text: str, schema: dict, validate: Validator | None = None) -> tuple[Any, list[str]]:
    """Parse ``text`` and check it against ``schema`` (JSON Schema 2020-12) and then ``validate``.
    Returns the data and the list of errors (empty when it is valid)."""
    try:
        data = parse_json_reply(text)
    except json.JSONDecodeError as exc:
        return None, [f"the reply is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"]
    errors = []
    for error in sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(map(str, e.path))):
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        errors.append(f"{where}: {error.message}")
    if not errors and validate is not None:
        errors = list(validate(data))
    return data, errors


class LLMStream:
    """An answer arriving piece by piece: iterate it for text chunks (``str``); the last item is a
    ``StreamUsage``. Use it in a ``with`` block, or iterate it to the end, so the connection is closed."""

    def __init__(self, chunks: Iterator[str | StreamUsage], close: Callable[[], None]):
        self._chunks = chunks
        self._close = close
        self.usage: StreamUsage | None = None

    def __iter__(self) -> Iterator[str | StreamUsage]:
        for item in self._chunks:
            if isinstance(item, StreamUsage):
                self.usage = item
            yield item

    def close(self) -> None:
        self._close()

    def __enter__(self) -> LLMStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class LLMClient:
    """The client. ``LLMClient()`` reads Django settings; tests and callers may pass their own
    ``config``, ``sleep`` (how to wait before a retry) and ``transport`` (an httpx transport)."""

    def __init__(
        self,
        config: LLMSettings | None = None,
        *,
        feature: str = "",
        sleep: Callable[[float], None] | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.config = config or LLMSettings.from_django()
        self.feature = feature
        self._sleep = sleep
        self._transport = transport

    # --- public API ---------------------------------------------------------------------------

    def complete(
        self,
        messages: Sequence[Message],
        *,
        json_schema: dict | None = None,
        schema_name: str = "answer",
        validate: Validator | None = None,
        strict: bool = True,
        max_tokens: int = 1024,
        temperature: float | None = None,
    ) -> Completion:
        """Ask for one answer. With ``json_schema`` the model is asked for JSON matching it
        (``response_format`` ``json_schema``); the reply is parsed and validated (then ``validate`` runs
        on the data). ``strict`` is sent with the schema (OpenAI's strict mode needs every object closed and
        fully required; pass False for a schema with open parts). An invalid reply is sent back once with
        the errors; a second invalid reply raises ``LLMBadResponse`` naming them."""
        started = time.monotonic()
        self._check_ready()
        body = self._body(messages, max_tokens=max_tokens, temperature=temperature)
        if json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": json_schema, "strict": strict},
            }
        reply = self._call(body)
        if json_schema is None:
            return self._completion([reply], data=None, started=started)
        data, errors = validation_errors(reply.text, json_schema, validate)
        if not errors:
            return self._completion([reply], data=data, started=started)

        logger.info("LLM reply did not validate, retrying once: %s", "; ".join(errors[:5]))
        self._check_ready()
        retry_body = dict(body)
        retry_body["messages"] = [
            *body["messages"],
            {"role": "assistant", "content": reply.text},
            {
                "role": "user",
                "content": "Your reply does not match the required JSON schema:\n"
                + "\n".join(f"- {error}" for error in errors[:20])
                + "\nReply again with only the corrected JSON object.",
            },
        ]
        second = self._call(retry_body)
        data, second_errors = validation_errors(second.text, json_schema, validate)
        if not second_errors:
            return self._completion([reply, second], data=data, started=started)
        replies = [reply, second]
        raise LLMBadResponse(
            "The model's answer did not match the expected format, twice (the second time: "
            + "; ".join(second_errors[:5])
            + (f"; and {len(second_errors) - 5} more" if len(second_errors) > 5 else "")
            + ").",
            raw=second.raw,
            response_id=second.response_id,
            prompt_tokens=sum(r.prompt_tokens for r in replies),
            completion_tokens=sum(r.completion_tokens for r in replies),
            cost=sum((r.cost for r in replies), Decimal(0)),
            attempts=2,
        )

    def stream(
        self, messages: Sequence[Message], *, max_tokens: int = 1024, temperature: float | None = None
    ) -> LLMStream:
        """Ask for an answer streamed as server-sent events (``stream: true``, with usage in the last
        chunk). The request is sent now, so a refusal (not configured, cost cap, 429 after the retries,
        500, a timeout before the answer starts) raises here, before anything is shown; a timeout or a
        broken chunk later raises while iterating."""
        started = time.monotonic()
        self._check_ready()
        body = self._body(messages, max_tokens=max_tokens, temperature=temperature)
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
        http = self._http()
        try:
            response = self._send(http, body, stream=True)
        except BaseException:
            http.close()
            raise

        def close() -> None:
            response.close()
            http.close()

        return LLMStream(self._stream_chunks(response, started=started, close=close), close)

    # --- internals ----------------------------------------------------------------------------

    def _check_ready(self) -> None:
        if not self.config.configured:
            raise LLMNotConfigured()
        cap = self.config.monthly_cost_cap
        if cap is not None:
            spent = spent_this_month()
            if spent >= cap:
                raise LLMCostCapReached(
                    f"This month's spending on the language model ({spent}) has reached the cap of {cap} "
                    "(LLM_MONTHLY_COST_CAP); nothing more is sent until next month or until the cap is raised."
                )

    def _body(self, messages: Sequence[Message], *, max_tokens: int, temperature: float | None) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.config.model, "messages": list(messages), "max_tokens": max_tokens}
        if temperature is not None:
            body["temperature"] = temperature
        return body

    def _http(self) -> httpx.Client:
        timeout = httpx.Timeout(self.config.timeout, connect=min(self.config.timeout, 10.0))
        headers = {"Accept": "application/json"}
        if self.config.api_key:
            headers["Authorization"] = f"Bearer {self.config.api_key}"
        return httpx.Client(timeout=timeout, headers=headers, transport=self._transport)

    def _wait(self, seconds: float) -> None:
        (self._sleep or _current_sleep())(min(max(seconds, 0.0), self.config.max_retry_wait))

    def _send(self, http: httpx.Client, body: dict[str, Any], *, stream: bool) -> httpx.Response:
        """POST the body; retry connection failures, 429 and 5xx up to LLM_MAX_RETRIES times.
        Returns a 200 response (its body not read yet when ``stream``)."""
        url = f"{self.config.base_url}/chat/completions"
        retries = max(self.config.max_retries, 0)
        for attempt in range(retries + 1):
            last = attempt == retries
            backoff = BACKOFF_BASE_SECONDS * 2**attempt
            try:
                response = http.send(http.build_request("POST", url, json=body), stream=stream)
            except httpx.TimeoutException as exc:
                raise LLMTimeout(
                    f"The language model at {self.config.base_url} did not answer within "
                    f"{self.config.timeout:g} s (LLM_TIMEOUT)."
                ) from exc
            except httpx.TransportError as exc:
                if last:
                    raise LLMError(
                        f"The language model at {self.config.base_url} cannot be reached ({exc.__class__.__name__}: "
                        f"{exc}); tried {attempt + 1} times."
                    ) from exc
                self._wait(backoff)
                continue
            if response.status_code == 200:
                return response
            text = _excerpt(response.read().decode("utf-8", "replace"))
            response.close()
            status = response.status_code
            if status == 429 or status >= 500:
                if not last:
                    wait = retry_after_seconds(response.headers.get("Retry-After"))
                    self._wait(backoff if wait is None else wait)
                    continue
                if status == 429:
                    raise LLMRateLimited(
                        f"The language model is rate limiting Mallard (429) and still was after {attempt + 1} "
                        f"tries: {text}"
                    )
                raise LLMError(f"The language model failed ({status}) {attempt + 1} times in a row: {text}")
            if status in (401, 403):
                raise LLMError(
                    f"The language model refused Mallard's credentials ({status}; check LLM_API_KEY): {text}"
                )
            if status == 404:
                raise LLMError(
                    f"The language model answered 404 at {url} (check LLM_BASE_URL, usually ending in /v1, "
                    f"and LLM_MODEL): {text}"
                )
            raise LLMBadResponse(f"The language model refused the request ({status}): {text}")
        raise AssertionError("unreachable")  # pragma: no cover

    def _call(self, body: dict[str, Any]) -> _Reply:
        """One request and its parsed answer, recorded in the usage ledger."""
        started = time.monotonic()
        with self._http() as http:
            try:
                response = self._send(http, body, stream=False)
                raw = response.text
            except httpx.TimeoutException as exc:
                raise LLMTimeout(
                    f"The language model did not finish its answer within {self.config.timeout:g} s (LLM_TIMEOUT)."
                ) from exc
        duration_ms = int((time.monotonic() - started) * 1000)
        try:
            envelope = json.loads(raw)
            choice = envelope["choices"][0]
            text = choice["message"]["content"]
            if not isinstance(text, str):
                raise TypeError("content is not text")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMBadResponse(
                f"The language model's answer is not a chat completion ({exc.__class__.__name__}: {exc}): "
                f"{_excerpt(raw)}",
                raw=raw,
            ) from exc
        usage = envelope.get("usage") or {}
        prompt_tokens = int(usage.get("prompt_tokens") or 0)
        completion_tokens = int(usage.get("completion_tokens") or 0)
        reply = _Reply(
            text=text,
            raw=raw,
            response_id=str(envelope.get("id") or ""),
            model=str(envelope.get("model") or self.config.model),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=self.config.cost(prompt_tokens, completion_tokens),
        )
        record_call(
            feature=self.feature,
            model=reply.model,
            ok=True,
            response_id=reply.response_id,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=reply.cost,
            duration_ms=duration_ms,
        )
        return reply

    def _completion(self, replies: list[_Reply], *, data: Any, started: float) -> Completion:
        last = replies[-1]
        return Completion(
            text=last.text,
            data=data,
            prompt_tokens=sum(r.prompt_tokens for r in replies),
            completion_tokens=sum(r.completion_tokens for r in replies),
            response_id=last.response_id,
            model=last.model,
            cost=sum((r.cost for r in replies), Decimal(0)),
            duration_ms=int((time.monotonic() - started) * 1000),
            raw=last.raw,
            attempts=len(replies),
        )

    def _stream_chunks(
        self, response: httpx.Response, *, started: float, close: Callable[[], None]
    ) -> Iterator[str | StreamUsage]:
        parts: list[str] = []
        response_id, model = "", self.config.model
        prompt_tokens = completion_tokens = 0
        try:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue  # blank separators, comments (": keep-alive"), event names
                payload = line[5:].strip()
                if payload == "[DONE]":
                    break
                try:
                    chunk = json.loads(payload)
                except ValueError as exc:
                    raise LLMBadResponse(
                        f"The language model sent a broken stream chunk: {_excerpt(payload)}", raw="".join(parts)
                    ) from exc
                if not isinstance(chunk, dict):
                    raise LLMBadResponse(f"The language model sent a broken stream chunk: {_excerpt(payload)}")
                if chunk.get("error"):
                    raise LLMBadResponse(
                        f"The language model stopped with an error: {_excerpt(json.dumps(chunk['error']))}",
                        raw="".join(parts),
                    )
                response_id = str(chunk.get("id") or response_id)
                model = str(chunk.get("model") or model)
                usage = chunk.get("usage") or {}
                if usage:
                    prompt_tokens = int(usage.get("prompt_tokens") or 0)
                    completion_tokens = int(usage.get("completion_tokens") or 0)
                for choice in chunk.get("choices") or []:
                    content = (choice.get("delta") or {}).get("content")
                    if content:
                        parts.append(content)
                        yield content
        except httpx.TimeoutException as exc:
            raise LLMTimeout(
                f"The language model stopped sending for more than {self.config.timeout:g} s (LLM_TIMEOUT).",
                raw="".join(parts),
            ) from exc
        finally:
            close()
        cost = self.config.cost(prompt_tokens, completion_tokens)
        duration_ms = int((time.monotonic() - started) * 1000)
        record_call(
            feature=self.feature,
            model=model,
            ok=True,
            response_id=response_id,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=cost,
            duration_ms=duration_ms,
        )
        yield StreamUsage(
            text="".join(parts),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            response_id=response_id,
            model=model,
            cost=cost,
            duration_ms=duration_ms,
        )


def _current_sleep() -> Callable[[float], None]:
    # Looked up at call time, so the test fixture's replacement of ``default_sleep`` takes effect.
    return default_sleep


__all__ = [
    "Completion",
    "LLMBadResponse",
    "LLMClient",
    "LLMCostCapReached",
    "LLMError",
    "LLMNotConfigured",
    "LLMRateLimited",
    "LLMStream",
    "LLMTimeout",
    "StreamUsage",
    "is_configured",
]
