"""One turn of a conversation: validate the question, add the follow-up context, answer, save."""

from __future__ import annotations

import re

from .answering import Assistant
from .conversations import HISTORY_TURNS, ConversationStore
from .errors import BadRequest, NotFound
from .follow_ups import follow_ups

# Signs that a question leans on what was said before ("and offshore?", "what about the latter?").
# Plain "it"/"that" are left out: stand-alone questions use them as often as follow-ups do.
_FOLLOW_UP = re.compile(
    r"^\s*(and|or|but|so|also|then|what about|how about|same for|what if|is that|are those|"
    r"does that|do they|is it|are they|which one)\b"
    r"|\b(the latter|the former|the first one|the second one|that one|them|then|instead|there|"
    r"these|those|the top|this one)\b",
    re.IGNORECASE,
)
_CONTENT_WORD = re.compile(r"[A-Za-z][\w&-]{2,}")


def is_follow_up(question: str) -> bool:
    """True for questions that clearly only make sense with the conversation before them."""
    return bool(_FOLLOW_UP.search(question)) or len(_CONTENT_WORD.findall(question)) <= 4


def follow_up_context(question: str, earlier_questions: list[str]) -> tuple[str | None, float]:
    """The question with the earlier turns it may lean on, and how much that context should weigh.

    Retrieval fuses the context's rankings with the question's own, so even an unflagged follow-up
    ("how are they usually calculated?") finds its subject; a clear follow-up weighs it fully.
    Measured on eval/dialogues.jsonl with `assistant eval`.
    """
    if not earlier_questions:
        return None, 0.0
    context = " ".join(earlier_questions[-HISTORY_TURNS:] + [question])
    return context, 1.0 if is_follow_up(question) else 0.5


def respond(
    assistant: Assistant,
    conversations: ConversationStore,
    question: str,
    conversation_id: str | None = None,
    k: int | None = None,
    filters: dict | None = None,
) -> dict:
    """Validate a question, answer it in its conversation's context, store it; the API's response."""
    question = question.strip()
    limit = assistant.settings.max_question_chars
    if not question:
        raise BadRequest("The question is empty; type a question about IT outsourcing.")
    if len(question) > limit:
        raise BadRequest(
            f"The question is {len(question)} characters long; the limit is {limit}. Shorten it or split it in two."
        )
    if conversation_id and not conversations.exists(conversation_id):
        raise NotFound("That conversation does not exist; omit conversation_id to start a new one.")
    earlier = conversations.earlier_questions(conversation_id) if conversation_id else []
    context, weight = follow_up_context(question, earlier)
    result = assistant.ask(question, k=k, filters=filters, context=context, context_weight=weight).as_dict()
    conversation_id, message_id = conversations.add(conversation_id or None, question, context or question, result)
    return {
        "conversation_id": conversation_id,
        "message_id": message_id,
        **result,
        "follow_ups": follow_ups(assistant.live.get(), result),
    }
