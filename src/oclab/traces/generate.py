"""Synthetic Mexico trace records calibrated to published statistics (vectorised, seeded).

Every number comes from a :data:`PARAMS` entry whose ``source`` cites where it was published, or
says "assumption" (with a wide range) where nothing was. Numbers marked UNCHECKED were taken
from secondary summaries (the project's research notes, ``docs/research/data-tools.md`` B3) and
not verified against the original report page.

- GAO-16-223 (January 2016), calendar years 2009-2014: 104,850 firearms seized in Mexico and
  traced; 73,684 (70 %) US-sourced, 17,544 (17 %) foreign-sourced (not through US commerce),
  13,622 (13 %) origin undetermined; most US-sourced guns bought in Texas, California, Arizona.
- GAO-09-709 (June 2009): ~87 % of traced guns in the five years before were US-sourced; many
  from gun shops and gun shows in Southwest border states (the earlier, higher share).
- Time-to-crime: ATF data filed in NSSF v. Jones (2006-2010) as reported by the Washington Free
  Beacon (advocacy-leaning): 19,600 Mexico-recovered guns traced to the US, 15,995 with TTC of
  3 years or more, average about 15 years (ATF: 14 years for Mexico in 2008). A log-normal TTC
  is fitted to that mean and that share (:func:`ttc_lognormal`).
- Rifles: about 28 % of Mexico recoveries in 2007 and 43 % in 2011 (ATF release, 2012).
- Only Mexico's federal Attorney General submits traces (GAO-21-322), so every synthetic
  request comes from one federal agency.

A trace is a row with the request columns (ATF F 3312.1) and the result columns.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
from scipy import optimize, stats

from oclab.core.params import Parameter, ParamSet
from oclab.traces.geo import MX_STATES, US_STATES

GAO16 = "GAO-16-223 (Jan 2016), CY2009-2014 Mexico traces"
NSSF = (
    "ATF data in NSSF v. Jones (2006-2010) as reported by the Washington Free Beacon (Feb 2012), "
    "research notes B3; UNCHECKED against the court filing"
)
PARAMS = ParamSet(
    [
        Parameter(
            "traced_total",
            "firearms",
            104_850,
            104_850,
            104_850,
            source=GAO16 + ": 104,850 firearms seized in Mexico and traced",
        ),
        Parameter(
            "share_us",
            "fraction",
            73_684 / 104_850,
            0.68,
            0.72,
            source=GAO16 + ": 73,684 US-sourced (70 %)",
            maximum=1.0,
        ),
        Parameter(
            "share_foreign",
            "fraction",
            17_544 / 104_850,
            0.15,
            0.19,
            source=GAO16 + ": 17,544 foreign-sourced (17 %)",
            maximum=1.0,
        ),
        Parameter(
            "share_tx",
            "fraction of US-sourced",
            0.41,
            0.30,
            0.50,
            source=GAO16 + " names Texas first; the share is UNCHECKED (secondary summary)",
            maximum=1.0,
        ),
        Parameter(
            "share_ca",
            "fraction of US-sourced",
            0.19,
            0.12,
            0.25,
            source=GAO16 + " names California second; the share is UNCHECKED",
            maximum=1.0,
        ),
        Parameter(
            "share_az",
            "fraction of US-sourced",
            0.15,
            0.10,
            0.20,
            source=GAO16 + " names Arizona third; the share is UNCHECKED",
            maximum=1.0,
        ),
        Parameter(
            "ttc_mean_years",
            "years",
            15.0,
            14.0,
            15.0,
            source=NSSF + "; ATF gave 14 years for Mexico in 2008",
        ),
        Parameter(
            "ttc_share_3y_plus",
            "fraction",
            15_995 / 19_600,
            0.78,
            0.85,
            source=NSSF + ": 15,995 of 19,600 with TTC >= 3 years",
            maximum=1.0,
        ),
        Parameter(
            "rifle_share_2007",
            "fraction",
            0.28,
            0.25,
            0.31,
            source="ATF release (2012), research notes B3: ~28 % rifles in 2007",
            maximum=1.0,
        ),
        Parameter(
            "rifle_share_2011",
            "fraction",
            0.43,
            0.40,
            0.46,
            source="ATF release (2012): ~43 % rifles in 2011; held after 2011 (assumption)",
            maximum=1.0,
        ),
        Parameter(
            "share_pre_1968",
            "fraction of US-sourced",
            0.05,
            0.01,
            0.15,
            source="assumption: US-sourced guns sold before GCA 1968 records (no dealer found)",
            maximum=1.0,
        ),
        Parameter(
            "share_obliterated_undetermined",
            "fraction of undetermined",
            0.4,
            0.1,
            0.7,
            source="assumption: obliterated serials among traces of undetermined origin",
            maximum=1.0,
        ),
        Parameter(
            "share_multiple_sale",
            "fraction of completed US traces",
            0.10,
            0.02,
            0.25,
            source="assumption: purchases reported on multiple-sale forms",
            maximum=1.0,
        ),
        Parameter(
            "share_straw",
            "fraction of US-sourced",
            0.25,
            0.10,
            0.50,
            source="assumption: guns bought by repeat (straw) purchasers",
            maximum=1.0,
        ),
        Parameter(
            "straw_guns_mean",
            "guns per straw purchaser",
            6.0,
            2.0,
            20.0,
            source="assumption: mean guns per repeat purchaser (geometric)",
            minimum=1.0,
        ),
        Parameter(
            "dealer_zipf",
            "exponent",
            1.1,
            0.8,
            1.5,
            source="assumption: concentration of crime guns among dealers (Zipf weights)",
        ),
        Parameter(
            "dealers_per_state",
            "dealers",
            60,
            20,
            300,
            source="assumption: active dealers per source state that ever sell a traced gun",
            minimum=1.0,
        ),
        Parameter(
            "submission_delay_days",
            "days",
            90,
            14,
            365,
            source="assumption: mean delay from recovery to trace request (exponential)",
        ),
    ]
)
#: Mexican recovery states and weights (assumption: border and high-violence states weigh more;
#: GAO-21-322 notes only federal recoveries are traced, so the mix is the federal one).
RECOVERY_WEIGHTS: dict[str, float] = {code: 1.0 for code in MX_STATES} | {
    "CHH": 8.0,
    "TAM": 8.0,
    "BCN": 6.0,
    "SON": 5.0,
    "SIN": 6.0,
    "GRO": 5.0,
    "MIC": 5.0,
    "JAL": 5.0,
    "NLE": 5.0,
    "COA": 4.0,
    "CMX": 4.0,
    "MEX": 3.0,
    "DUR": 3.0,
}
FOREIGN_COUNTRIES = ("ES", "CN", "IT", "DE", "RO")  # GAO-16-223's list of foreign sources
#: (manufacturer, model, type, caliber, country of origin, importer) -- real makes, illustrative.
CATALOGUE: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Colt", "AR-15", "rifle", ".223", "US", ""),
    ("Bushmaster", "XM15", "rifle", "5.56MM", "US", ""),
    ("Romarm", "WASR-10", "rifle", "7.62X39MM", "RO", "Century Arms"),
    ("Norinco", "MAK-90", "rifle", "7.62X39MM", "CN", "Century Arms"),
    ("Barrett", "M82A1", "rifle", ".50 BMG", "US", ""),
    ("Colt", "Government", "pistol", ".38 SUPER", "US", ""),
    ("Smith & Wesson", "M&P9", "pistol", "9MM", "US", ""),
    ("Glock", "19", "pistol", "9MM", "AT", "Glock Inc"),
    ("FN Herstal", "Five-seveN", "pistol", "5.7MM", "BE", "FNH USA"),
    ("Beretta", "92FS", "pistol", "9MM", "IT", "Beretta USA"),
    ("Ruger", "P95", "pistol", "9MM", "US", ""),
    ("Smith & Wesson", "Model 10", "revolver", ".38", "US", ""),
    ("Ruger", "GP100", "revolver", ".357", "US", ""),
    ("Remington", "870", "shotgun", "12 GA", "US", ""),
    ("Mossberg", "500", "shotgun", "12 GA", "US", ""),
)
FOREIGN_CATALOGUE: tuple[tuple[str, str, str, str], ...] = (
    ("Llama", "Max-I", "pistol", ".45"),
    ("Norinco", "Type 56", "rifle", "7.62X39MM"),
    ("Beretta", "PM12", "other", "9MM"),
    ("Heckler & Koch", "G3", "rifle", "7.62X51MM"),
    ("Cugir", "AIMS-74", "rifle", "5.45MM"),
)
FOREIGN_MAKER_COUNTRY = ("ES", "CN", "IT", "DE", "RO")
GCA_RECORDS = np.datetime64("1968-12-16")  # Gun Control Act of 1968 record keeping begins
UNDETERMINED_REASONS = ("bad_serial", "incomplete_request", "records_destroyed")


def ttc_lognormal(
    mean_years: float, share_3y_plus: float, cutoff_years: float = 42.5
) -> tuple[float, float]:
    """(mu, sigma) of a latent log-normal TTC in years whose *observed* part matches the
    published mean and P(TTC >= 3 y).

    A trace only yields a TTC when the sale left records (after the Gun Control Act of 1968),
    so the published statistics describe the log-normal truncated at ``cutoff_years`` (default:
    mid-2011 recoveries minus December 1968). With a = (ln c - mu)/sigma the truncated mean is
    exp(mu + sigma^2/2) Phi(a - sigma)/Phi(a) and the share is
    (Phi(a) - Phi((ln 3 - mu)/sigma))/Phi(a); both equations are solved with scipy's
    least_squares from the untruncated closed-form start.
    """
    log_c, log_3 = math.log(cutoff_years), math.log(3.0)

    def residual(x: np.ndarray) -> np.ndarray:
        mu, sigma = x[0], math.exp(x[1])
        a = (log_c - mu) / sigma
        kept = stats.norm.cdf(a)
        mean = math.exp(mu + sigma**2 / 2) * stats.norm.cdf(a - sigma) / kept
        share = (kept - stats.norm.cdf((log_3 - mu) / sigma)) / kept
        return np.array([math.log(mean / mean_years), share - share_3y_plus])

    z = stats.norm.ppf(1.0 - share_3y_plus)
    gap = math.log(mean_years) - log_3
    sigma0 = optimize.brentq(lambda s: s * s / 2.0 - z * s - gap, 1e-6, 10.0)
    fit = optimize.least_squares(residual, [log_3 - z * sigma0, math.log(sigma0)])
    if np.max(np.abs(fit.fun)) > 1e-6:
        raise ValueError(
            f"no log-normal TTC has mean {mean_years} y and share {share_3y_plus} >= 3 y "
            f"below {cutoff_years} y"
        )
    return float(fit.x[0]), float(math.exp(fit.x[1]))


def _state_weights(params: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Source states and their weights: TX, CA, AZ as published; the rest by distance decay
    from the border (assumption: weight exp(-distance / 1000 km))."""
    codes = np.array(list(US_STATES))
    lat = np.radians([US_STATES[c][1] for c in codes])
    lon = np.radians([US_STATES[c][2] for c in codes])
    # Great-circle distance to El Paso (31.76 N, 106.49 W), a central border point.
    ref_lat, ref_lon = math.radians(31.76), math.radians(-106.49)
    cos_d = np.sin(lat) * math.sin(ref_lat) + np.cos(lat) * math.cos(ref_lat) * np.cos(
        lon - ref_lon
    )
    km = 6371.0 * np.arccos(np.clip(cos_d, -1, 1))
    weights = np.exp(-km / 1000.0)
    named = {"TX": params["share_tx"], "CA": params["share_ca"], "AZ": params["share_az"]}
    others = ~np.isin(codes, list(named))
    weights[others] *= (1.0 - sum(named.values())) / weights[others].sum()
    for code, share in named.items():
        weights[codes == code] = share
    return codes, weights


def generate(
    rng: np.random.Generator,
    n: int | None = None,
    years: tuple[int, int] = (2009, 2014),
    params: dict[str, float] | None = None,
    agency_ori: str = "MXPGR0000",
) -> pl.DataFrame:
    """``n`` synthetic traces (default: GAO-16-223's 104,850) recovered in ``years``."""
    p = PARAMS.defaults() | (params or {})
    n = int(p["traced_total"]) if n is None else n
    first, last = years
    # Origin: US-sourced, foreign-sourced or undetermined (GAO-16-223 shares).
    share_und = 1.0 - p["share_us"] - p["share_foreign"]
    origin = rng.choice(3, size=n, p=[p["share_us"], p["share_foreign"], share_und])
    us, foreign, undetermined = origin == 0, origin == 1, origin == 2
    # Recovery dates uniform over the years (assumption: equal yearly volumes).
    start = np.datetime64(f"{first}-01-01")
    span = (np.datetime64(f"{last + 1}-01-01") - start).astype(int)
    recovery = start + rng.integers(0, span, n).astype("timedelta64[D]")
    year = recovery.astype("datetime64[Y]").astype(int) + 1970
    delay = rng.exponential(p["submission_delay_days"], n).astype(int)
    request = recovery + delay.astype("timedelta64[D]")
    request = np.minimum(request, np.datetime64(dt.date.today()))
    # Firearm: rifles' share grows 2007 -> 2011 (ATF 2012), then holds.
    t = np.clip((year - 2007) / 4.0, 0.0, 1.0)
    rifle_p = p["rifle_share_2007"] + t * (p["rifle_share_2011"] - p["rifle_share_2007"])
    cat = np.array(CATALOGUE, dtype=object)
    is_rifle = cat[:, 2] == "rifle"
    want_rifle = rng.random(n) < rifle_p
    pick_rifle = rng.choice(np.flatnonzero(is_rifle), n)
    pick_other = rng.choice(np.flatnonzero(~is_rifle), n)
    item = np.where(want_rifle, pick_rifle, pick_other)
    maker, model, ftype, caliber, country, importer = (cat[item, k] for k in range(6))
    fcat = np.array(FOREIGN_CATALOGUE, dtype=object)
    fitem = rng.integers(0, len(fcat), n)
    for k, column in enumerate((maker, model, ftype, caliber)):
        column[foreign] = fcat[fitem[foreign], k]
    country[foreign] = np.array(FOREIGN_MAKER_COUNTRY, dtype=object)[fitem[foreign]]
    importer[foreign] = "Importador no registrado en EUA"
    # Serials: random, some obliterated among undetermined origins.
    serial = np.char.add("S", rng.integers(10**6, 10**9, n).astype(str)).astype(object)
    obliterated = undetermined & (rng.random(n) < p["share_obliterated_undetermined"])
    serial[obliterated] = ""
    # Time to crime and purchase date for US-sourced guns.
    # TTC is drawn from the log-normal truncated at each gun's own cutoff (recovery date minus
    # the start of GCA 1968 records) by inverse CDF; guns sold before then have no TTC.
    mu, sigma = ttc_lognormal(p["ttc_mean_years"], p["ttc_share_3y_plus"])
    cutoff = (recovery - GCA_RECORDS).astype(float) / 365.25
    top = stats.norm.cdf((np.log(cutoff) - mu) / sigma)
    u = np.clip(rng.random(n) * top, 1e-12, None)
    ttc_days = np.round(np.exp(mu + sigma * stats.norm.ppf(u)) * 365.25).astype(np.int64)
    purchase = recovery - ttc_days.astype("timedelta64[D]")
    pre_1968 = us & (rng.random(n) < p["share_pre_1968"])
    completed = us & ~pre_1968
    # Source states and dealers (Zipf within a state).
    codes, weights = _state_weights(p)
    state = codes[rng.choice(len(codes), n, p=weights / weights.sum())]
    k = int(p["dealers_per_state"])
    zipf = 1.0 / np.arange(1, k + 1) ** p["dealer_zipf"]
    dealer_rank = rng.choice(k, n, p=zipf / zipf.sum())
    state_index = np.searchsorted(np.sort(codes), state)
    dealer_license = np.char.add(
        np.char.add(np.char.zfill(state_index.astype(str), 2), "-"),
        np.char.zfill(dealer_rank.astype(str), 5),
    ).astype(object)
    dealer_name = np.char.add(np.char.add("Dealer ", state.astype(str)), dealer_rank.astype(str))
    # Purchasers: straw buyers repeat (geometric counts), others buy once.
    straw = completed & (rng.random(n) < p["share_straw"])
    n_straw = max(1, int(straw.sum() / p["straw_guns_mean"]))
    purchaser = np.where(straw, rng.integers(0, n_straw, n), n_straw + np.arange(n)).astype(str)
    purchaser_key = np.char.add("P", purchaser).astype(object)
    multiple = completed & (rng.random(n) < p["share_multiple_sale"])
    status = np.where(completed, "completed", "not_completed").astype(object)
    reason = np.full(n, "", dtype=object)
    reason[pre_1968] = "pre_1968_no_records"
    reason[foreign] = "foreign_no_importer"
    reason[undetermined] = np.array(UNDETERMINED_REASONS, dtype=object)[
        rng.integers(0, len(UNDETERMINED_REASONS), n)
    ][undetermined]
    reason[obliterated] = "obliterated_serial"
    mx_codes = np.array(list(RECOVERY_WEIGHTS))
    mx_w = np.array(list(RECOVERY_WEIGHTS.values()))
    recovery_state = mx_codes[rng.choice(len(mx_codes), n, p=mx_w / mx_w.sum())]
    uid = np.char.add("SYN", np.arange(n).astype(str))
    blank = np.full(n, "", dtype=object)
    return pl.DataFrame(
        {
            "request_uid": uid,
            "request_date": request.astype("datetime64[D]"),
            "priority": np.full(n, "routine"),
            "special_instructions": blank,
            "ncic_crime_code": np.full(n, "5212"),  # NCIC 5212: weapon offense
            "project_code": blank,
            "agency_case_number": blank,
            "unit": blank,
            "serial_number": serial,
            "serial_obliterated": obliterated,
            "manufacturer": maker,
            "firearm_type": ftype,
            "caliber": caliber,
            "model": model,
            "country_of_origin": country,
            "importer": importer,
            "additional_markings": blank,
            "possessor_name": blank,
            "possessor_dob": np.full(n, None),
            "recovery_date": recovery,
            "recovery_city": blank,
            "recovery_state": recovery_state,
            "recovery_country": np.full(n, "MX"),
            "status": status,
            "failure_reason": reason,
            "dealer_license": np.where(completed, dealer_license, ""),
            "dealer_name": np.where(completed, dealer_name.astype(object), ""),
            "dealer_state": np.where(completed, state.astype(object), ""),
            "purchaser_name": blank,
            "purchaser_key": np.where(completed, purchaser_key, ""),
            "purchase_date": np.where(completed, purchase, np.datetime64("NaT")),
            "time_to_crime_days": np.where(completed, ttc_days, -1),
            "multiple_sale": multiple,
        },
        strict=False,
    ).with_columns(
        pl.col(
            "request_uid",
            "priority",
            "ncic_crime_code",
            "recovery_state",
            "recovery_country",
        ).cast(pl.String),
        pl.col("request_date", "recovery_date", "purchase_date").cast(pl.Date),
        pl.col("possessor_dob").cast(pl.Date),
        pl.when(pl.col("time_to_crime_days") >= 0).then(pl.col("time_to_crime_days")),
        pl.lit(agency_ori).alias("agency_ori"),
    )
