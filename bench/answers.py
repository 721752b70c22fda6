"""Right and wrong answers to the demo course's exercises as they were served, for the benchmark's
virtual learners (``bench/locustfile.py``) and ``manage.py profile_requests`` (no locust import here:
locust patches the standard library when imported)."""

import re


def _first_alternative(text: str) -> str:
    """``"[Hello/Hi]!"`` (alternates, docs/answers.md) → ``"Hello!"``."""
    return re.sub(r"\[([^/\]]*)[^\]]*\]", r"\1", text)


def wrong_answer(kind: str, payload: dict, public: dict):
    """A well-formed wrong answer of the exercise's type."""
    right = right_answer(kind, payload, public)
    if kind in ("multiple_choice", "picture"):
        return (right + 1) % len(public["choices"])
    if kind == "word_bank":
        return list(reversed(right)) if len(right) > 1 else [(right[0] + 1) % len(public["tiles"])]
    if kind == "match_pairs":
        lefts = [left for left, _ in right]
        rights = [r for _, r in right]
        return [[left, r] for left, r in zip(lefts, rights[1:] + rights[:1], strict=True)]
    if kind == "speak":
        return {"self_assessed": False}
    return "zzz"


def right_answer(kind: str, payload: dict, public: dict):
    """The right answer to an exercise as it was served (choices and tiles in the run's order)."""
    if kind in ("translate", "fill_blank"):
        return _first_alternative(payload["solutions"][0])
    if kind == "listen":
        return payload["text"]
    if kind == "speak":
        return {"self_assessed": True}
    if kind == "multiple_choice":
        return public["choices"].index(payload["choices"][payload["answer"]])
    if kind == "picture":
        right = payload["choices"][payload["answer"]]
        served = [c.get("emoji") or c.get("asset") for c in public["choices"]]
        return served.index(right.get("image") or right.get("emoji") or right.get("asset"))
    if kind == "word_bank":
        tiles = list(public["tiles"])
        answer = []
        for word in payload["solutions"][0].replace(".", "").replace("?", "").replace("!", "").split():
            index = next(i for i, t in enumerate(tiles) if t is not None and t.strip(".?!¿¡,") == word.strip("¿¡,"))
            answer.append(index)
            tiles[index] = None
        return answer
    if kind == "match_pairs":
        return [list(pair) for pair in payload["pairs"]]
    return "?"


def form_fields(kind: str, answer, public: dict) -> dict:
    """An answer (as the API takes it) as the lesson page's form sends it: ``answer`` one value, or a
    list (tiles; pairs as ``"<left>-<right>"`` indices into the served lists) with ``answer_is_list``;
    a spoken answer as the self-assessment button's value."""
    if kind == "speak":
        return {"answer": "self:yes" if answer["self_assessed"] else "self:no"}
    if kind == "match_pairs":
        answer = [f"{public['left'].index(left)}-{public['right'].index(right)}" for left, right in answer]
    if isinstance(answer, list):
        return {"answer": [str(v) for v in answer], "answer_is_list": "1"}
    return {"answer": str(answer)}
