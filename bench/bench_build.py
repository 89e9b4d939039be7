"""Benchmark `assistant build`: a full build, a rebuild with nothing changed, and one after one edit.

Run: .venv/bin/python bench/bench_build.py [--passages 2000]
Works on a temporary copy of the corpus (the shipped one, topped up with copies of its own articles
under new ids until it reaches --passages), so the real index is never touched.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.chunking import chunk_article
from assistant.corpus import load_corpus
from assistant.settings import ROOT


def make_corpus(target: Path, passages: int) -> int:
    shutil.copytree(ROOT / "corpus", target)
    articles = [a for a in load_corpus(target) if a.topic != "glossary"]
    count = sum(len(chunk_article(a)) for a in load_corpus(target))
    copy = 0
    while count < passages:  # copies under new ids: same text, so timing reflects real passages
        copy += 1
        for article in articles:
            if count >= passages:
                break
            text = article.path.read_text().replace(f"id: {article.id}", f"id: {article.id}-copy{copy}")
            # Copies must not trip the repeated-paragraph check: mark every paragraph.
            text = text.replace("\n\n", f"\n\n(Copy {copy}.) ")
            (article.path.parent / f"{article.id}-copy{copy}.md").write_text(text)
            count += len(chunk_article(article))
    return count


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passages", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        passages = make_corpus(work / "corpus", args.passages)
        env = {
            "ASSISTANT_CORPUS_DIR": str(work / "corpus"),
            "ASSISTANT_INDEX_DIR": str(work / "index"),
            "PATH": str(Path(sys.executable).parent),
            "HOME": str(work),
        }
        assistant = [str(Path(sys.executable).parent / "assistant"), "build", "--no-progress"]
        full = timed(assistant, env)
        unchanged = timed(assistant, env)
        edited = next((work / "corpus" / "sla").glob("service-credits.md"))
        edited.write_text(edited.read_text().replace("## Key points", "## Key points\n\nEdited for the benchmark.", 1))
        one_edit = timed(assistant, env)
        print(f"passages: {passages}")
        print(f"full build (includes ~7 s model load): {full:.1f} s, {passages / full:.0f} passages/s")
        print(f"rebuild, nothing changed:              {unchanged:.2f} s")
        print(f"rebuild, one article edited:           {one_edit:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
