"""The model provider client against the fake server (a real HTTP server on 127.0.0.1)."""

import json
import socket
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.llm.client import (
    LLMBadResponse,
    LLMClient,
    LLMCostCapReached,
    LLMError,
    LLMNotConfigured,
    LLMRateLimited,
    LLMTimeout,
    StreamUsage,
    is_configured,
    retry_after_seconds,
)
from core.llm.models import LLMCall
from core.llm.usage import month_start, spent_this_month

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {"words": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
    "required": ["words"],
    "additionalProperties": False,
}
HELLO = [{"role": "user", "content": "Say hello"}]


def test_a_plain_completion_sends_the_chat_request_and_records_its_usage(fake_llm):
    fake_llm.reply_text("Hola", prompt_tokens=12, completion_tokens=3)

    result = LLMClient(feature="test").complete(HELLO, max_tokens=50)

    assert (result.text, result.data, result.prompt_tokens, result.completion_tokens) == ("Hola", None, 12, 3)
    assert result.response_id == "chatcmpl-fake-1"
    assert result.model == "fake-model"
    assert result.attempts == 1
    assert json.loads(result.raw)["choices"][0]["message"]["content"] == "Hola"
    (request,) = fake_llm.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["Authorization"] == "Bearer test-key"
    assert request.body == {"model": "fake-model", "messages": HELLO, "max_tokens": 50}
    call = LLMCall.objects.get()
    assert (call.feature, call.model, call.prompt_tokens, call.completion_tokens, call.response_id) == (
        "test",
        "fake-model",
        12,
        3,
        "chatcmpl-fake-1",
    )


def test_no_api_key_sends_no_authorization_header(fake_llm, settings):
    settings.LLM_API_KEY = ""
    fake_llm.reply_text("Hola")
    LLMClient().complete(HELLO)
    assert "Authorization" not in fake_llm.requests[0].headers


def test_structured_output_asks_for_the_schema_and_returns_the_data(fake_llm):
    fake_llm.reply_json({"words": ["hola", "adiós"]})

    result = LLMClient().complete(HELLO, json_schema=SCHEMA, schema_name="vocabulary")

    assert result.data == {"words": ["hola", "adiós"]}
    assert fake_llm.requests[0].body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "vocabulary", "schema": SCHEMA, "strict": True},
    }


def test_a_reply_in_a_markdown_fence_is_accepted(fake_llm):
    fake_llm.reply_text('```json\n{"words": ["hola"]}\n```')
    assert LLMClient().complete(HELLO, json_schema=SCHEMA).data == {"words": ["hola"]}


def test_malformed_json_is_sent_back_once_with_the_error_then_accepted(fake_llm):
    fake_llm.reply_malformed('{"words": ["hola", ', prompt_tokens=10, completion_tokens=5)
    fake_llm.reply_json({"words": ["hola"]}, prompt_tokens=30, completion_tokens=4)

    result = LLMClient().complete(HELLO, json_schema=SCHEMA)

    assert result.data == {"words": ["hola"]}
    assert (result.attempts, result.prompt_tokens, result.completion_tokens) == (2, 40, 9)
    assert result.response_id == "chatcmpl-fake-2"
    retry = fake_llm.requests[1].body["messages"]
    assert retry[:1] == HELLO
    assert retry[1] == {"role": "assistant", "content": '{"words": ["hola", '}
    assert retry[2]["role"] == "user"
    assert "not valid JSON" in retry[2]["content"]
    assert LLMCall.objects.count() == 2


def test_a_reply_that_breaks_the_schema_names_the_field_in_the_retry(fake_llm):
    fake_llm.reply_json({"words": [], "extra": 1})
    fake_llm.reply_json({"words": ["hola"]})

    LLMClient().complete(HELLO, json_schema=SCHEMA)

    feedback = fake_llm.requests[1].body["messages"][-1]["content"]
    assert "words: [] should be non-empty" in feedback
    assert "Additional properties are not allowed ('extra' was unexpected)" in feedback


def test_malformed_json_twice_fails_with_a_clear_message_and_the_usage_spent(fake_llm):
    fake_llm.reply_malformed("not json at all", prompt_tokens=10, completion_tokens=5)
    fake_llm.reply_malformed("still not json", prompt_tokens=20, completion_tokens=6)

    with pytest.raises(LLMBadResponse) as caught:
        LLMClient().complete(HELLO, json_schema=SCHEMA)

    error = caught.value
    assert "did not match the expected format, twice" in error.message
    assert "not valid JSON (Expecting value at line 1 column 1)" in error.message
    assert (error.prompt_tokens, error.completion_tokens, error.attempts) == (30, 11, 2)
    assert json.loads(error.raw)["choices"][0]["message"]["content"] == "still not json"
    assert error.response_id == "chatcmpl-fake-2"
    assert len(fake_llm.requests) == 2


def test_the_callers_validator_runs_on_valid_json(fake_llm):
    fake_llm.reply_json({"words": ["HOLA"]})
    fake_llm.reply_json({"words": ["hola"]})

    def lower_case(data):
        return [f"words/{i}: {w!r} is not lower case" for i, w in enumerate(data["words"]) if w != w.lower()]

    result = LLMClient().complete(HELLO, json_schema=SCHEMA, validate=lower_case)

    assert result.data == {"words": ["hola"]}
    assert "words/0: 'HOLA' is not lower case" in fake_llm.requests[1].body["messages"][-1]["content"]


def test_a_provider_slower_than_the_timeout_raises_llm_timeout(fake_llm, settings):
    settings.LLM_TIMEOUT = 0.3
    fake_llm.reply_delay()

    with pytest.raises(LLMTimeout, match=r"did not answer within 0.3 s \(LLM_TIMEOUT\)"):
        LLMClient().complete(HELLO)
    assert len(fake_llm.requests) == 1  # a timeout is not retried: the wait would double
    assert LLMCall.objects.count() == 0


def test_429_waits_what_retry_after_asks_then_succeeds(fake_llm):
    fake_llm.reply_status(429, retry_after="7")
    fake_llm.reply_text("Hola")

    assert LLMClient().complete(HELLO).text == "Hola"
    assert fake_llm.sleeps == [7.0]
    assert len(fake_llm.requests) == 2


def test_retry_after_is_capped(fake_llm, settings):
    settings.LLM_MAX_RETRY_WAIT = 12
    fake_llm.reply_status(429, retry_after="3600")
    fake_llm.reply_text("Hola")

    LLMClient().complete(HELLO)
    assert fake_llm.sleeps == [12.0]


def test_5xx_is_retried_with_backoff(fake_llm):
    fake_llm.reply_status(500)
    fake_llm.reply_status(503)
    fake_llm.reply_text("Hola")

    assert LLMClient().complete(HELLO).text == "Hola"
    assert fake_llm.sleeps == [1.0, 2.0]


def test_429_every_time_gives_up_after_the_retries(fake_llm):
    for _ in range(3):
        fake_llm.reply_status(429, retry_after="1")

    with pytest.raises(LLMRateLimited, match=r"rate limiting Mallard \(429\) and still was after 3 tries"):
        LLMClient().complete(HELLO)
    assert len(fake_llm.requests) == 3
    assert fake_llm.sleeps == [1.0, 1.0]


def test_500_every_time_gives_up_naming_the_status_and_body(fake_llm, settings):
    settings.LLM_MAX_RETRIES = 1
    fake_llm.reply_status(500)
    fake_llm.reply_status(500)

    with pytest.raises(LLMError, match=r"failed \(500\) 2 times in a row: .*fake error 500") as caught:
        LLMClient().complete(HELLO)
    assert type(caught.value) is LLMError


def test_a_refused_api_key_is_not_retried(fake_llm):
    fake_llm.reply_status(401)
    with pytest.raises(LLMError, match="check LLM_API_KEY"):
        LLMClient().complete(HELLO)
    assert len(fake_llm.requests) == 1


def test_an_answer_that_is_not_a_completion_is_a_bad_response(fake_llm):
    from core.tests.fake_llm import Reply

    fake_llm.reply(Reply(status=200, body='{"unexpected": true}'))
    with pytest.raises(LLMBadResponse, match="not a chat completion"):
        LLMClient().complete(HELLO)


def test_an_unreachable_provider_is_retried_then_named(settings, monkeypatch):
    import core.llm.client as llm_client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.LLM_BASE_URL = f"http://127.0.0.1:{port}/v1"
    settings.LLM_MODEL = "m"
    settings.LLM_MAX_RETRIES = 1
    sleeps: list[float] = []
    monkeypatch.setattr(llm_client, "default_sleep", sleeps.append)

    with pytest.raises(LLMError, match=r"cannot be reached .*tried 2 times"):
        LLMClient().complete(HELLO)
    assert sleeps == [1.0]


def test_nothing_configured_raises_before_any_request(settings):
    settings.LLM_BASE_URL = ""
    settings.LLM_MODEL = ""
    assert not is_configured()
    with pytest.raises(LLMNotConfigured, match="set LLM_BASE_URL and LLM_MODEL"):
        LLMClient().complete(HELLO)
    with pytest.raises(LLMNotConfigured):
        LLMClient().stream(HELLO)


def test_is_configured_with_the_fake_server(fake_llm):
    assert is_configured()


def test_cost_is_estimated_and_the_monthly_cap_stops_calls(fake_llm, settings):
    settings.LLM_PRICE_PROMPT_PER_MILLION = "2.50"
    settings.LLM_PRICE_COMPLETION_PER_MILLION = "10"
    settings.LLM_MONTHLY_COST_CAP = "0.001"
    fake_llm.reply_text("Hola", prompt_tokens=200, completion_tokens=60)

    first = LLMClient().complete(HELLO)
    assert first.cost == Decimal("0.001100")  # 200 * 2.5 / 1e6 + 60 * 10 / 1e6
    assert spent_this_month() == Decimal("0.001100")

    with pytest.raises(LLMCostCapReached, match=r"\(0.001100\) has reached the cap of 0.001"):
        LLMClient().complete(HELLO)
    assert len(fake_llm.requests) == 1


def test_last_months_spending_does_not_count_against_the_cap(fake_llm, settings):
    settings.LLM_MONTHLY_COST_CAP = "1"
    LLMCall.objects.create(
        created_at=month_start(datetime.now(UTC)) - timedelta(seconds=1), model="m", cost=Decimal("5")
    )
    fake_llm.reply_text("Hola")
    assert LLMClient().complete(HELLO).text == "Hola"


def test_a_streamed_answer_yields_chunks_then_the_usage(fake_llm):
    fake_llm.reply_text("Hola, ¿qué tal?", prompt_tokens=9, completion_tokens=4)

    with LLMClient(feature="tutor").stream(HELLO, max_tokens=80) as stream:
        items = list(stream)

    *chunks, usage = items
    assert chunks == ["Hola,", " ¿qué", " tal?"]
    assert isinstance(usage, StreamUsage)
    assert (usage.text, usage.prompt_tokens, usage.completion_tokens) == ("Hola, ¿qué tal?", 9, 4)
    assert usage.response_id == "chatcmpl-fake-1"
    assert stream.usage == usage
    body = fake_llm.requests[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert LLMCall.objects.get().feature == "tutor"


def test_a_stream_is_retried_after_429_before_it_starts(fake_llm):
    fake_llm.reply_status(429, retry_after="2")
    fake_llm.reply_text("Hola")

    items = list(LLMClient().stream(HELLO))
    assert items[0] == "Hola"
    assert fake_llm.sleeps == [2.0]


def test_a_stream_refused_by_the_provider_raises_before_anything_is_shown(fake_llm, settings):
    settings.LLM_MAX_RETRIES = 0
    fake_llm.reply_status(500)
    with pytest.raises(LLMError, match=r"failed \(500\) 1 times"):
        LLMClient().stream(HELLO)


def test_a_broken_stream_chunk_raises_while_iterating(fake_llm):
    from core.tests.fake_llm import Reply

    fake_llm.reply(Reply(content="Hola amigo", stream_break=True))
    stream = LLMClient().stream(HELLO)
    received = []
    with pytest.raises(LLMBadResponse, match="broken stream chunk"):
        for item in stream:
            received.append(item)
    assert received == ["Hola"]


def test_a_stream_slower_than_the_timeout_raises_llm_timeout(fake_llm, settings):
    settings.LLM_TIMEOUT = 0.3
    fake_llm.reply_delay()
    with pytest.raises(LLMTimeout):
        LLMClient().stream(HELLO)


@pytest.mark.parametrize(
    ("header", "expected"),
    [(None, None), ("", None), ("5", 5.0), ("0.5", 0.5), ("-3", 0.0), ("soon", None)],
)
def test_retry_after_seconds(header, expected):
    assert retry_after_seconds(header) == expected


def test_retry_after_as_an_http_date():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
