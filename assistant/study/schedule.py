"""Spaced repetition with Leitner boxes: a right answer moves an item up a box and further out in
time, a wrong one sends it back to box 1 for today; what is due, and how well a topic is known."""

from __future__ import annotations

import random
from datetime import date, timedelta

BOX_DAYS = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16}  # days until the next review of an item in each box
MAX_BOX = 5
LEARNED_BOX = 3  # an item in box 3 or higher has been answered right at least twice in a row


def next_review(box: int | None, result: str, today: date) -> tuple[int, date]:
    """The item's box after this result and the day it is due again. `box` None: a new item."""
    box = box or 1
    if result == "correct":
        box = min(box + 1, MAX_BOX)
        return box, today + timedelta(days=BOX_DAYS[box])
    if result == "partly":
        return box, today + timedelta(days=1)  # same box, again tomorrow
    return 1, today  # again in this session


def mastery(box: int) -> float:
    """0 for box 1 (not known yet) to 1 for the top box."""
    return (max(1, min(box, MAX_BOX)) - 1) / (MAX_BOX - 1)


def order_for_review(item_ids: list[str], progress: dict[str, dict], today: date, rng: random.Random) -> list[str]:
    """Due items first (most overdue first), then new items (shuffled), then the rest by due date."""
    due, new, later = [], [], []
    for item_id in item_ids:
        row = progress.get(item_id)
        if row is None:
            new.append(item_id)
        elif row["due"] <= today.isoformat():
            due.append(item_id)
        else:
            later.append(item_id)
    rng.shuffle(new)
    rng.shuffle(due)  # a stable sort below keeps ties in this random order
    return sorted(due, key=lambda i: progress[i]["due"]) + new + sorted(later, key=lambda i: progress[i]["due"])
