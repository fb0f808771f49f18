"""Judicial observatory: criminal-justice records, published indicators and anomaly flags.

``schema`` documents the CSV tables, ``io`` imports them with validation and quarantine,
``indicators`` computes the observatories' indicators and court anomaly flags, ``generate``
writes calibrated synthetic records, ``cli`` is ``oclab observatory ...``.
"""
