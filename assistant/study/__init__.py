"""Study mode: items from the corpus, grading, spaced repetition, progress and mock exams."""
