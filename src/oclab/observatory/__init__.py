"""Judicial observatory: criminal-justice records, published indicators and anomaly flags.

``schema`` documents the CSV tables, ``io`` imports them with validation and quarantine,
``indicators`` computes the observatories' indicators and court anomaly flags, ``generate``
writes calibrated synthetic records, ``training`` compares police basic training with a
national standard, ``store`` keeps pseudonymised records in SQL, ``service``, ``api`` and
``web`` serve the bilingual dashboard, API and downloads with the trace registry's roles,
tokens and audit log, ``feed`` gives the integrated model its judicial calibration, ``cli`` is
``oclab observatory ...``.
"""
