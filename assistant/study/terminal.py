"""`assistant study`: a quiz in the terminal, graded and remembered like the web's study mode."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from ..errors import BadRequest
from .offer import topic_name
from .service import Study

VERDICTS = {"correct": "Correct", "partly": "Partly right", "incorrect": "Not yet"}


class LazyEmbedder:
    """Loads the model on first use: a quiz without free-text answers never waits for it."""

    def __init__(self, load: Callable[[], object]):
        self._load, self._model = load, None

    def encode(self, texts, *args, **kwargs):
        if self._model is None:
            self._model = self._load()
        return self._model.encode(texts, *args, **kwargs)


def run_quiz(
    study: Study,
    learner: str,
    topic: str | None,
    kind: str | None,
    count: int,
    ask: Callable[[str], str],
    say: Callable[[str], None],
) -> dict:
    """Ask up to `count` items (due ones first), grade each answer, and return the tally.

    `ask(prompt)` reads an answer ("q" stops); `say(text)` prints.
    """
    items = study.items(topic, kind, count, learner)
    tally = {"asked": len(items), "answered": 0, "correct": 0, "partly": 0, "incorrect": 0}
    for number, item in enumerate(items, start=1):
        say(f"\n[{number}/{len(items)}] {topic_name(item.topic)} · {item.kind}")
        say(textwrap.fill(item.prompt, width=100))
        for key, option in enumerate(item.options or [], start=1):
            say(textwrap.fill(option, width=100, initial_indent=f"  {key}. ", subsequent_indent="     "))
        while True:
            answer = ask("Your answer (1-4)" if item.options else "Your answer (Enter shows it)")
            if answer.strip().lower() in ("q", "quit"):
                return tally
            try:
                reply = study.answer(learner, item.id, answer)
                break
            except BadRequest as err:
                say(str(err))
        tally["answered"] += 1
        tally[reply["result"]] += 1
        say(f"{VERDICTS[reply['result']]}. Model answer: {reply['expected']}")
        if reply["explanation"]:
            say(textwrap.fill(reply["explanation"], width=100))
        say(f"Read: {reply['title']} › {reply['section']}  {reply['url']}")
        say(f"Next review: {reply['next_due']}")
    return tally
