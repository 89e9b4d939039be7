"""Read recovery questions: did the vendor meet the RTO and RPO after an incident?"""

from __future__ import annotations

import re
from decimal import Decimal

from .calculation import Calculation, answer, ask
from .recovery import recovery
from .text import DURATION, Text, asks

OBJECTIVES = r"\brto\b|\brpo\b|\brecovery (?:time|point) objectives?\b|\brecovery targets?\b"
RTO = r"(?:rto|recovery time objective)"
RPO = r"(?:rpo|recovery point objective)"
TIME = r"(?<![\d.:,])(\d{1,2}):(\d{2})(?!\d)(?:\s*([ap])\.?m\b\.?)?|(?<![\d.:,])(\d{1,2})\s*([ap])\.?m\b\.?"
# What each clock time is, from the words before it in its clause (checked in this order).
COPY = r"\blog\b|\blogs\b|backup|backed up|\bcopy\b|snapshot|replicat|\bsync|shipped|\bsaved\b|checkpoint"
DECLARED = r"\bdeclar"
RESTORED = (
    r"running again|restor|\bback\b|\bup again|recover|resum|came back|"
    r"live again|returned|failed over|working again|^\s*(?:to|until|till)\s*$"
)
FAILED = r"\bfail|\bdown\b|outage|crash|disaster|incident|went|\bdied\b|\bhit\b|struck|\bstopped|\bbroke|\blost\b"
JUDGES = (
    r"\b(?:did|do|does|have|has|were|was|are|is) (?:we|they|it|the \w+|both|either|those|these|that|this)\b.*"
    r"\b(?:meet|met|miss|missed|breach|breached|make|made|hit|hold|held|within|inside)\b|\bhow (?:much|long)\b"
)


def _clock_times(text: Text) -> dict[str, str]:
    """The failure, last-copy and restore times of day, by the words before each in its clause."""
    found: dict[str, str] = {}
    last_end = 0
    for match in list(re.finditer(TIME, text.text)):
        hour, minute, half = match.group(1) or match.group(4), match.group(2) or "00", match.group(3) or match.group(5)
        hour = int(hour)
        if half and 1 <= hour <= 12:
            hour = hour % 12 + (12 if half == "p" else 0)
        clause = re.split(r"[,;.!?]|\band\b|\bthen\b", text.text[last_end : match.start()])[-1]
        last_end = match.end()
        role = next(
            (
                r
                for r, words in (("copy", COPY), ("declared", DECLARED), ("restored", RESTORED), ("failure", FAILED))
                if re.search(words, clause)
            ),
            None,
        )
        if role and role not in found:
            found[role] = f"{hour:02d}:{minute}"
    text.take(TIME)
    return {role: time for role, time in found.items() if role != "declared"}


def _durations(text: Text, pattern: str) -> list[Decimal]:
    """Durations (in minutes) in each match of `pattern`, where {D} stands for a duration; consumed."""
    spans = text.take(pattern.replace("{D}", f"(?:{DURATION.pattern})"), first=True)
    return [Text._minutes(m) for s in spans for m in DURATION.finditer(s.group(0))]


def _targets(text: Text) -> tuple[list[Decimal], list[Decimal]]:
    """The RTO and RPO: 'a 4 hour rto' first, then 'rto of 8h', then '8h rto'."""
    found = []
    for name in (RTO, RPO):
        value = _durations(text, rf"\b(?:a|an|the|our|its|their|with|has|of)\s+{{D}}\s*{name}\b")
        value = value or _durations(
            text, rf"\b{name}\b(?:\s+(?:of|is|was|at|set at|target|=|:|for \w+))*\s*[:=]?\s*(?:of\s+)?{{D}}"
        )
        found.append(value or _durations(text, rf"{{D}}\s*{name}\b"))
    return found[0], found[1]


def _measured(text: Text) -> tuple[list[Decimal], list[Decimal]]:
    """The data lost and the downtime when stated as durations."""
    about = r"(?:about |around |roughly |some |nearly |almost |over |just over |under |just under )?"
    lost = _durations(
        text,
        rf"\blost {about}{{D}}|\bdata loss (?:of |was |were |is |=\s*)?{about}{{D}}|"
        rf"{{D}} (?:of |worth of )?(?:data|transactions|orders|records|updates) (?:was |were )?lost|"
        rf"{{D}} after the (?:last|latest|most recent) (?:1|one|backup|copy|snapshot|log)",
    )
    down = _durations(
        text,
        rf"\b(?:down|out|offline|unavailable|dark)(?! to\b) (?:for )?{about}{{D}}(?! at most)|"
        rf"\boutage (?:lasted |of |was )?{about}{{D}}|{{D}} (?:of )?(?:downtime|outage)|"
        rf"\bdowntime (?:of |was |= )?{about}{{D}}|\b(?:restored|recovered|back (?:up |online )?) "
        rf"(?:after|in|within) {about}{{D}}|\btook {about}{{D}} to (?:restore|recover|come back)|"
        rf"\b(?:recovery|restore|restoration) took {about}{{D}}",
    )
    return lost, down


def recovery_question(text: Text) -> Calculation | None:
    """'A 4-hour RTO and a 15-minute RPO; it failed at 10:40, last log 10:35, back at 13:55. Met?'"""
    objectives = text.has(OBJECTIVES)
    if text.has(r"\bavailab|\buptime\b|%|\bcredits?\b") and not objectives:
        return None  # an availability or credits question, however its downtime is given
    times = _clock_times(text)
    rto, rpo = _targets(text)
    lost, down = _measured(text)
    incident = lost or down or ("failure" in times and len(times) > 1)
    if not incident or not (objectives or times):
        if objectives and text.has(JUDGES) and (rto or rpo or not text.has(r"\bwhat (?:is|are|does)\b")):
            return ask("recovery", question=_ASK_INCIDENT)
        return None
    if not (text.has(JUDGES) or asks(text) or times):
        return None
    result = recovery(
        rto[0] if rto else None,
        rpo[0] if rpo else None,
        times.get("failure"),
        None if lost else times.get("copy"),
        None if down else times.get("restored"),
        lost[0] if lost else None,
        down[0] if down else None,
    )
    sentences = result.sentences()
    if objectives:
        sentences += _still_needed(result)
    return answer("recovery", result, sentences)


_ASK_INCIDENT = (
    "When did the service fail, when was the last recoverable copy of its data taken (a backup or a log "
    "shipped) and when was it running again, or how much data was lost and how long was it down?"
)


def _still_needed(result) -> list[str]:
    """A question for the targets that are missing, and for the time a given target needs to be judged."""
    measures = (result.data_loss, result.downtime)
    unset = [m.objective for m in measures if m.minutes is not None and m.limit is None]
    needs = [f"What {' and '.join(unset)} does the contract set for this service?"] if unset else []
    wanted = ("the time of the last recoverable copy", "the time service was restored")
    for measure, time in zip(measures, wanted, strict=True):
        if measure.minutes is None and measure.limit is not None:
            needs.append(f"To judge the {measure.objective}, give {time} (or the {measure.name.lower()} itself).")
    return needs
