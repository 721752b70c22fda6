"""Scripted model answers for a bubble about ordering coffee (Spanish for English speakers)."""

PLAN = {"title": "Un café en Madrid", "summary": "Pedir un café y pagar la cuenta."}
SENTENCES = {
    "sentences": [
        {"text": "Quiero un café", "translation": "I want a coffee"},
        {"text": "La cuenta, por favor", "translation": "The bill, please"},
        {"text": "¿Cuánto cuesta?", "translation": "How much is it?"},
    ]
}
VOCABULARY = {
    "words": [
        {
            "lemma": "café",
            "translation": "coffee",
            "part_of_speech": "noun",
            "gender": "masculine",
            "example": "Quiero un café.",
        },
        {
            "lemma": "cuenta",
            "translation": "bill",
            "part_of_speech": "noun",
            "gender": "feminine",
            "example": "La cuenta, por favor.",
        },
        {
            "lemma": "querer",
            "translation": "to want",
            "part_of_speech": "verb",
            "gender": "none",
            "example": "Quiero agua.",
        },
    ]
}
DIALOGUE = {
    "lines": [
        {"speaker": "A", "text": "Hola, ¿qué desea?", "translation": "Hello, what would you like?"},
        {"speaker": "B", "text": "Quiero un café", "translation": "I want a coffee"},
        {"speaker": "A", "text": "Aquí tiene", "translation": "Here you are"},
        {"speaker": "B", "text": "¿Cuánto cuesta?", "translation": "How much is it?"},
    ]
}
EXERCISES = {
    "exercises": [
        {
            "type": "translate",
            "prompt": "Translate this sentence",
            "payload": {"text": "Quiero un café", "solutions": ["I want a coffee"], "direction": "to_source"},
            "words": ["café", "querer"],
            "sentence": 0,
        },
        {
            "type": "multiple_choice",
            "prompt": "Choose the right word",
            "payload": {
                "question": "Which one means “the bill”?",
                "choices": ["la cuenta", "el café", "el agua"],
                "answer": 0,
            },
            "words": ["cuenta"],
            "sentence": 1,
        },
        {
            "type": "translate",
            "prompt": "Write this in Spanish",
            "payload": {"text": "How much is it?", "solutions": ["¿Cuánto cuesta?"], "direction": "to_target"},
            "words": [],
            "sentence": 2,
        },
    ]
}
#: The exercises' correct answers (typed text; a multiple choice answer is found in the served order).
ANSWERS = {"Quiero un café": "I want a coffee", "How much is it?": "¿Cuánto cuesta?"}

PHASE_REPLIES = {
    "plan": PLAN,
    "sentences": SENTENCES,
    "vocabulary": VOCABULARY,
    "dialogue": DIALOGUE,
    "exercises": EXERCISES,
}


def script(fake_llm, *phases: str, prompt_tokens: int = 100, completion_tokens: int = 50) -> None:
    """Queue the model's answers of these phases (default: all five), in order."""
    for phase in phases or PHASE_REPLIES:
        fake_llm.reply_json(PHASE_REPLIES[phase], prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
