"""Financial intelligence: triage of transaction reports in the IBM AMLworld format.

``io`` reads and writes the AMLworld files (transactions, accounts, patterns) and Parquet;
``generate`` makes seeded synthetic data with ground truth; ``features`` builds leakage-free,
time-windowed graph features; ``rules`` gives transparent typology rules with reasons; ``model``
and ``evaluate`` train and score a gradient-boosting classifier on the temporal 60/20/20 split of
Altman et al. (2023); ``thresholds`` sweeps reporting thresholds against analyst capacity.
"""
