"""'Quiz me on SLAs' in the chat: spot a request to be tested and the topic it names."""

from __future__ import annotations

import re
from urllib.parse import urlencode

_ASKS_FOR_STUDY = re.compile(
    r"\bquiz|\b(test|drill|examine)\s+(me|us|my)\b|\bflash ?cards?\b|\bmock exams?\b|"
    r"\bpractice (questions|quiz|exam)\b|\bhelp me (study|revise)\b",
    re.IGNORECASE,
)
# Words that name each topic folder, beyond the folder's own name.
_TOPIC_WORDS = {
    "sla": r"slas?|service levels?|service credits?|availability|uptime|earn-?backs?|xlas?",
    "pricing": r"pricing|prices?|time and materials|t&m|fixed price|cost-?plus|gain-?share",
    "contracts": r"contracts?|clauses?|liability|indemnit(?:y|ies)|termination|tupe|warrant(?:y|ies)",
    "delivery-models": r"delivery models?|offshore|nearshore|onshore|offshoring|siam|managed services?",
    "vendor-management": r"vendor management|vendors?|suppliers?|scorecards?|governance",
    "lifecycle": r"life ?cycle|rfp|rfi|due diligence|transition|exit|sourcing strategy",
    "foundations": r"foundations?|basics|outsourcing basics|ito|bpo|kpo",
    "certification": r"certifications?|cop exam|itil|iso 37500|cobit|pmp",
    "regulation": r"regulations?|gdpr|dora|eba|nis2|ai act|hipaa",
    "use-cases": r"use cases?|service desk|data centre|security services?",
    "playbooks": r"playbooks?",
    "glossary": r"glossary|terms?|definitions?|acronyms?",
}


def topic_name(topic: str) -> str:
    """How a topic folder reads: 'sla' → 'SLA', 'delivery-models' → 'Delivery models'."""
    return {"sla": "SLA"}.get(topic) or topic.replace("-", " ").capitalize()


def quiz_offer(question: str, topics: list[str]) -> dict | None:
    """{topic, label, url} when the question asks to be quizzed (topic None: everything), else None."""
    if not _ASKS_FOR_STUDY.search(question):
        return None
    found = None
    for topic in topics:
        words = _TOPIC_WORDS.get(topic, re.escape(topic.replace("-", " ")))
        if re.search(rf"\b(?:{words})\b", question, re.IGNORECASE):
            found = topic
            break
    query = {"mode": "quiz", **({"topic": found} if found else {})}
    label = f"Start a quiz on {topic_name(found)}" if found else "Start a quiz on every topic"
    return {"topic": found, "label": label, "url": f"/study?{urlencode(query)}"}
