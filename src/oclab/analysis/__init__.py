"""Analyses of stored results: summaries, paired comparisons (data in, data out; no pages)."""
