"""Bundled datasets, each with a provenance file, and the loaders for user data."""
