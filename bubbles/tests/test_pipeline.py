"""The bubble pipeline against the fake model provider: to READY, each failure mode, retry of one phase."""

import json
from decimal import Decimal

import pytest

from bubbles import services, tasks
from bubbles.models import Bubble, BubbleExercise, BubbleSentence, BubbleWord, DialogueLine, GenerationRecord
from core.llm.models import LLMCall
from courses.models import Exercise, Lesson, Section, Token

from .script import EXERCISES, script

pytestmark = pytest.mark.django_db


def refuse_cuenta(text: str) -> str | None:
    """A moderation hook for the tests: refuses any text with the word "cuenta"."""
    return "mentions money" if "cuenta" in text else None


def phases(bubble, status=None):
    records = GenerationRecord.objects.filter(bubble=bubble).order_by("pk")
    if status:
        records = records.filter(status=status)
    return [r.phase for r in records]


def assert_nothing_after(bubble, phase):
    """Nothing of ``phase`` or later was written."""
    order = ["plan", "sentences", "vocabulary", "dialogue", "exercises"]
    later = order[order.index(phase) :]
    if "sentences" in later:
        assert not BubbleSentence.objects.filter(bubble=bubble).exists()
    if "vocabulary" in later:
        assert not BubbleWord.objects.filter(bubble=bubble).exists()
    if "dialogue" in later:
        assert not DialogueLine.objects.filter(bubble=bubble).exists()
    if "exercises" in later:
        assert not Lesson.objects.filter(owner__isnull=False).exists()
        assert not Exercise.objects.filter(owner__isnull=False).exists()
        assert not BubbleExercise.objects.exists()
        assert not Section.objects.filter(private=True).exists()
    bubble.refresh_from_db()
    assert bubble.lesson is None


def test_the_full_pipeline_makes_a_ready_bubble_with_a_private_lesson_and_audio(
    fake_llm, enrolled, make_bubble, settings
):
    settings.MALLARD_BUBBLES_AUDIO = True
    script(fake_llm)

    bubble = make_bubble(enrolled)

    assert bubble.status == Bubble.Status.READY, bubble.error
    assert bubble.title == "Un café en Madrid"
    assert phases(bubble) == ["plan", "sentences", "vocabulary", "dialogue", "exercises", "audio"]
    assert phases(bubble, "succeeded") == phases(bubble)
    # Each model phase is traced: model, tokens, response id, cost, prompt and raw response.
    records = list(GenerationRecord.objects.filter(bubble=bubble).exclude(phase="audio").order_by("pk"))
    assert [r.response_id for r in records] == [f"chatcmpl-fake-{i}" for i in range(1, 6)]
    for record in records:
        assert (record.model, record.prompt_tokens, record.completion_tokens) == ("fake-model", 100, 50)
        assert record.prompt and json.loads(record.prompt)[0]["role"] == "system"
        assert json.loads(record.raw_response)["id"] == record.response_id
        assert record.finished_at is not None
    audio = GenerationRecord.objects.get(bubble=bubble, phase="audio")
    assert audio.model.startswith("espeak-ng")
    assert LLMCall.objects.filter(feature="bubbles").count() == 5
    # What was asked: each phase's schema, the topic and level in the prompt.
    bodies = [r.body for r in fake_llm.chat_requests()]
    assert [b["response_format"]["json_schema"]["name"] for b in bodies] == [
        "bubble_plan",
        "bubble_sentences",
        "bubble_vocabulary",
        "bubble_dialogue",
        "bubble_exercises",
    ]
    assert "ordering coffee in Madrid" in bodies[0]["messages"][0]["content"]
    assert "A1" in bodies[0]["messages"][0]["content"]
    assert "Quiero un café" in bodies[2]["messages"][1]["content"]  # later phases build on earlier ones

    # Content: sentences, words (with their lexicon tokens and frequency), dialogue.
    assert list(bubble.sentences.values_list("text", flat=True)) == [
        "Quiero un café",
        "La cuenta, por favor",
        "¿Cuánto cuesta?",
    ]
    words = list(bubble.words.all())
    assert [(w.lemma, w.gender, w.part_of_speech) for w in words] == [
        ("café", "masculine", "noun"),
        ("cuenta", "feminine", "noun"),
        ("querer", "", "verb"),
    ]
    assert all(w.token.language == bubble.language for w in words)
    assert words[0].frequency is not None and words[0].frequency > 3
    assert bubble.dialogue.count() == 4
    assert all(line.audio is not None for line in bubble.dialogue.all())
    assert Token.objects.get(text="café", language=bubble.language).audio is not None

    # The lesson: an ordinary private lesson of ordinary exercises, owned by the learner, never visible.
    lesson = bubble.lesson
    assert lesson.owner == enrolled and not lesson.is_published
    assert lesson.unit.section.private and not lesson.unit.section.is_published
    assert not Lesson.objects.visible().filter(pk=lesson.pk).exists()
    exercises = [link.exercise for link in lesson.lesson_exercises.order_by("ordinal")]
    assert [e.type for e in exercises] == ["translate", "multiple_choice", "translate"]
    assert all(e.owner == enrolled for e in exercises)
    assert sorted(exercises[0].tokens.values_list("text", flat=True)) == ["café", "querer"]
    assert exercises[0].audio is not None  # its sentence is said (translate to the source language)
    assert [be.sentence.ordinal for be in BubbleExercise.objects.filter(bubble=bubble).order_by("exercise_id")] == [
        0,
        1,
        2,
    ]


def test_without_tts_audio_is_skipped_and_the_bubble_is_ready(fake_llm, enrolled, make_bubble):
    script(fake_llm)
    bubble = make_bubble(enrolled)
    assert bubble.status == Bubble.Status.READY
    audio = GenerationRecord.objects.get(bubble=bubble, phase="audio")
    assert audio.status == "skipped"
    assert "MALLARD_BUBBLES_AUDIO" in audio.error


def test_malformed_json_twice_fails_the_phase_with_its_trace_and_nothing_half_written(fake_llm, enrolled, make_bubble):
    script(fake_llm, "plan")
    fake_llm.reply_malformed('{"sentences": [', prompt_tokens=40, completion_tokens=5)
    fake_llm.reply_malformed("Sorry, here you go: sentences!", prompt_tokens=60, completion_tokens=6)

    bubble = make_bubble(enrolled)

    assert bubble.status == Bubble.Status.FAILED
    assert bubble.error.startswith("Sentences: The model's answer did not match the expected format, twice")
    failed = GenerationRecord.objects.get(bubble=bubble, phase="sentences")
    assert failed.status == "failed"
    assert (failed.prompt_tokens, failed.completion_tokens, failed.response_id) == (100, 11, "chatcmpl-fake-3")
    assert "Sorry, here you go" in failed.raw_response
    assert failed.prompt
    assert "not valid JSON" in failed.error
    assert phases(bubble) == ["plan", "sentences"]  # stops at the failed phase
    assert_nothing_after(bubble, "sentences")


def test_a_timeout_fails_the_phase(fake_llm, enrolled, make_bubble, settings):
    settings.LLM_TIMEOUT = 0.3
    script(fake_llm, "plan", "sentences")
    fake_llm.reply_delay()

    bubble = make_bubble(enrolled)

    assert bubble.status == Bubble.Status.FAILED
    record = GenerationRecord.objects.get(bubble=bubble, phase="vocabulary")
    assert record.status == "failed"
    assert "did not answer within 0.3 s" in record.error
    assert bubble.sentences.count() == 3
    assert_nothing_after(bubble, "vocabulary")


def test_429_is_retried_and_the_bubble_is_ready(fake_llm, enrolled, make_bubble):
    fake_llm.reply_status(429, retry_after="2")
    script(fake_llm)

    bubble = make_bubble(enrolled)

    assert bubble.status == Bubble.Status.READY
    assert fake_llm.sleeps == [2.0]
    assert GenerationRecord.objects.filter(bubble=bubble, phase="plan").count() == 1


def test_the_monthly_cost_cap_fails_the_phase_before_calling(fake_llm, enrolled, make_bubble, settings):
    settings.LLM_PRICE_PROMPT_PER_MILLION = "1000"  # 100 prompt tokens = 0.1
    settings.LLM_MONTHLY_COST_CAP = "0.15"
    script(fake_llm, "plan", "sentences")

    bubble = make_bubble(enrolled)

    assert bubble.status == Bubble.Status.FAILED
    record = GenerationRecord.objects.get(bubble=bubble, phase="vocabulary")
    assert record.status == "failed"
    assert "has reached the cap of 0.15" in record.error
    assert [r.cost for r in GenerationRecord.objects.filter(bubble=bubble, status="succeeded")] == [
        Decimal("0.100000"),
        Decimal("0.100000"),
    ]
    assert len(fake_llm.chat_requests()) == 2
    assert_nothing_after(bubble, "vocabulary")


def test_a_moderation_refusal_fails_the_phase_and_writes_nothing_of_it(fake_llm, enrolled, make_bubble, settings):
    settings.MALLARD_BUBBLES_MODERATION = "bubbles.tests.test_pipeline.refuse_cuenta"
    fake_llm.reply_json({"title": "Un café", "summary": "Pedir un café."})
    fake_llm.reply_json({"sentences": [{"text": "Un café", "translation": "A coffee"}] * 3})
    script(fake_llm, "vocabulary")

    bubble = make_bubble(enrolled)

    assert bubble.status == Bubble.Status.FAILED
    record = GenerationRecord.objects.get(bubble=bubble, phase="vocabulary")
    assert record.error == "Refused by the moderation check: mentions money"
    assert record.response_id == "chatcmpl-fake-3"  # the refused answer is kept in the trace
    assert "cuenta" in record.raw_response
    assert not Token.objects.filter(text="cuenta").exists()
    assert_nothing_after(bubble, "vocabulary")


def test_exercises_that_fail_the_course_format_validators_twice_fail_the_phase(fake_llm, enrolled, make_bubble):
    script(fake_llm, "plan", "sentences", "vocabulary", "dialogue")
    bad = {"exercises": [{**EXERCISES["exercises"][0], "payload": {"text": "Hola"}}] * 3}
    fake_llm.reply_json(bad)
    fake_llm.reply_json(bad)

    bubble = make_bubble(enrolled)

    assert bubble.status == Bubble.Status.FAILED
    record = GenerationRecord.objects.get(bubble=bubble, phase="exercises")
    assert "exercises/0/payload/solutions" in record.error
    feedback = fake_llm.chat_requests()[-1].body["messages"][-1]["content"]
    assert "exercises/0/payload/solutions" in feedback  # the validators' errors were sent back once
    assert_nothing_after(bubble, "exercises")


def test_a_failed_phase_is_retried_without_redoing_the_others(fake_llm, enrolled, make_bubble, settings):
    settings.LLM_MAX_RETRIES = 0
    script(fake_llm, "plan", "sentences", "vocabulary")
    fake_llm.reply_status(500)
    bubble = make_bubble(enrolled)
    assert bubble.status == Bubble.Status.FAILED
    assert bubble.error.startswith("Dialogue: The language model failed (500)")
    assert len(fake_llm.chat_requests()) == 4

    script(fake_llm, "dialogue", "exercises")
    bubble = services.retry_bubble(user=enrolled, bubble_id=bubble.pk)
    assert bubble.status == Bubble.Status.PENDING
    tasks.enqueue(bubble.pk)
    bubble.refresh_from_db()

    assert bubble.status == Bubble.Status.READY
    requests = fake_llm.chat_requests()
    assert len(requests) == 6  # only the dialogue and the exercises were asked again
    assert [r.body["response_format"]["json_schema"]["name"] for r in requests[4:]] == [
        "bubble_dialogue",
        "bubble_exercises",
    ]
    assert phases(bubble) == ["plan", "sentences", "vocabulary", "dialogue", "dialogue", "exercises", "audio"]
    assert phases(bubble, "failed") == ["dialogue"]
    assert bubble.sentences.count() == 3 and bubble.words.count() == 3


def test_only_a_failed_bubble_can_be_retried(fake_llm, enrolled, make_bubble):
    script(fake_llm)
    bubble = make_bubble(enrolled)
    with pytest.raises(services.NotRetryable):
        services.retry_bubble(user=enrolled, bubble_id=bubble.pk)


def test_a_generation_is_not_run_twice(fake_llm, enrolled, make_bubble):
    script(fake_llm)
    bubble = make_bubble(enrolled)
    assert services.generate_bubble(bubble_id=bubble.pk) is None
    assert len(fake_llm.chat_requests()) == 5


def test_purge_empties_old_prompts_and_responses(fake_llm, enrolled, make_bubble, settings):
    from datetime import timedelta

    from django.utils import timezone

    from gamification.jobs import run_purge_activity

    script(fake_llm)
    bubble = make_bubble(enrolled)
    settings.MALLARD_BUBBLES_TRACE_RETENTION_DAYS = 30
    GenerationRecord.objects.filter(bubble=bubble, phase="plan").update(started_at=timezone.now() - timedelta(days=31))

    result = run_purge_activity(now=timezone.now())

    assert "purge_generation_texts: 1" in result.detail
    plan = GenerationRecord.objects.get(bubble=bubble, phase="plan")
    assert (plan.prompt, plan.raw_response) == ("", "")
    assert plan.texts_purged_at is not None
    assert plan.response_id and plan.prompt_tokens == 100  # the rest of the trace stays
    assert GenerationRecord.objects.get(bubble=bubble, phase="sentences").prompt
