"""Firearm traces: a bilingual trace registry (ATF Form 3312.1 / 3312.1(S)) with sharing rules,
an append-only access log, analytics, an inspector-deployment plan, a calibrated synthetic
generator, CSV import/export, web pages and a REST API (``oclab traces ...``)."""
