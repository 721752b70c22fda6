"""The model provider: a client for the OpenAI-compatible chat-completions API (docs/llm.md).

Import from ``core.llm.client`` (``LLMClient``, ``is_configured``, the errors); this package's
``__init__`` imports nothing so that Django can load the app before its models.
"""
