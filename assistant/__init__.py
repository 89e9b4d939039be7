"""The outsourcing knowledge assistant: cited answers from a curated IT-outsourcing corpus."""

__version__ = "0.1.0"
