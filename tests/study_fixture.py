"""A study corpus for the study tests: the fixture corpus plus one SLA article with a formula
section and "Check yourself" questions, built into an index in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant.index import build_index
from assistant.settings import ROOT, Settings

from .conftest import TEST_HOSTS

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"

AVAILABILITY = """---
id: availability-and-uptime
title: Availability and uptime
topic: sla
audience: [candidate, manager]
tags: [sla, availability, uptime, downtime]
summary: How an availability percentage turns into a downtime budget, with the formula.
related: [service-credits]
references: [ITIL 4 Availability Management]
---

An availability target says for what share of the agreed service time a service must work. The
formula is availability = (agreed service time minus downtime) divided by agreed service time.

## Downtime allowed at each availability level

Downtime = (1 - availability) x period. A 30-day month has 43,200 minutes, so 99.9% allows 43.2
minutes of downtime in it and 99.5% allows 216 minutes.

## Check yourself

**Q:** How much downtime does 99.9% allow in a 30-day month? **A:** 43.2 minutes.

**Q:** Why does the measurement window matter for an availability target? **A:** Because one long
outage can fail a monthly target but pass a quarterly one.
"""


def make_study_settings(root: Path, embedder, previous: Path | None = None) -> Settings:
    """The study corpus built in `root`; `previous`, a build of the fixture corpus, is copied in
    first, so the build embeds only the added article (as an incremental build does)."""
    shutil.copytree(FIXTURE_CORPUS, root / "corpus")
    (root / "corpus" / "sla" / "availability-and-uptime.md").write_text(AVAILABILITY, encoding="utf-8")
    settings = Settings(
        corpus_dir=root / "corpus",
        index_dir=root / "index",
        db_path=root / "data" / "assistant.db",
        web_dir=ROOT / "web",
        allowed_hosts=TEST_HOSTS,
    )
    if previous:
        shutil.copytree(previous, settings.index_dir, symlinks=True)
    build_index(settings.corpus_dir, settings.index_dir, embedder)
    return settings
