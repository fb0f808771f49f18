"""State codes and coordinates for corridors and validation.

US states use USPS codes; Mexican states use their ISO 3166-2:MX subdivision codes (without the
``MX-`` prefix; ``CMX`` for Mexico City since 2018). Coordinates are the state capitals'
latitude and longitude (degrees, rounded to 0.01; public gazetteer values), which is where the
corridor map draws each state. The border line joins published coordinates of border towns and
corners (Tijuana, the Colorado River, Nogales, the New Mexico bootheel, El Paso, Presidio, Del
Rio, Laredo, Brownsville) and is drawn only for orientation.
"""

from __future__ import annotations

#: USPS code -> (name, capital latitude, capital longitude).
US_STATES: dict[str, tuple[str, float, float]] = {
    "AL": ("Alabama", 32.38, -86.30),
    "AK": ("Alaska", 58.30, -134.42),
    "AZ": ("Arizona", 33.45, -112.07),
    "AR": ("Arkansas", 34.75, -92.29),
    "CA": ("California", 38.58, -121.49),
    "CO": ("Colorado", 39.74, -104.99),
    "CT": ("Connecticut", 41.76, -72.68),
    "DE": ("Delaware", 39.16, -75.52),
    "DC": ("District of Columbia", 38.90, -77.04),
    "FL": ("Florida", 30.44, -84.28),
    "GA": ("Georgia", 33.75, -84.39),
    "HI": ("Hawaii", 21.31, -157.86),
    "ID": ("Idaho", 43.62, -116.20),
    "IL": ("Illinois", 39.80, -89.65),
    "IN": ("Indiana", 39.77, -86.16),
    "IA": ("Iowa", 41.59, -93.62),
    "KS": ("Kansas", 39.05, -95.68),
    "KY": ("Kentucky", 38.20, -84.87),
    "LA": ("Louisiana", 30.45, -91.19),
    "ME": ("Maine", 44.31, -69.78),
    "MD": ("Maryland", 38.98, -76.49),
    "MA": ("Massachusetts", 42.36, -71.06),
    "MI": ("Michigan", 42.73, -84.56),
    "MN": ("Minnesota", 44.95, -93.09),
    "MS": ("Mississippi", 32.30, -90.18),
    "MO": ("Missouri", 38.58, -92.17),
    "MT": ("Montana", 46.59, -112.04),
    "NE": ("Nebraska", 40.81, -96.70),
    "NV": ("Nevada", 39.16, -119.77),
    "NH": ("New Hampshire", 43.21, -71.54),
    "NJ": ("New Jersey", 40.22, -74.76),
    "NM": ("New Mexico", 35.69, -105.94),
    "NY": ("New York", 42.65, -73.76),
    "NC": ("North Carolina", 35.78, -78.64),
    "ND": ("North Dakota", 46.81, -100.78),
    "OH": ("Ohio", 39.96, -83.00),
    "OK": ("Oklahoma", 35.47, -97.52),
    "OR": ("Oregon", 44.94, -123.04),
    "PA": ("Pennsylvania", 40.27, -76.88),
    "RI": ("Rhode Island", 41.82, -71.41),
    "SC": ("South Carolina", 34.00, -81.03),
    "SD": ("South Dakota", 44.37, -100.35),
    "TN": ("Tennessee", 36.16, -86.78),
    "TX": ("Texas", 30.27, -97.74),
    "UT": ("Utah", 40.76, -111.89),
    "VT": ("Vermont", 44.26, -72.58),
    "VA": ("Virginia", 37.54, -77.44),
    "WA": ("Washington", 47.04, -122.90),
    "WV": ("West Virginia", 38.35, -81.63),
    "WI": ("Wisconsin", 43.07, -89.40),
    "WY": ("Wyoming", 41.14, -104.82),
}
#: ISO 3166-2:MX code -> (name, capital latitude, capital longitude).
MX_STATES: dict[str, tuple[str, float, float]] = {
    "AGU": ("Aguascalientes", 21.88, -102.29),
    "BCN": ("Baja California", 32.62, -115.45),
    "BCS": ("Baja California Sur", 24.14, -110.31),
    "CAM": ("Campeche", 19.85, -90.53),
    "CHP": ("Chiapas", 16.75, -93.12),
    "CHH": ("Chihuahua", 28.63, -106.07),
    "CMX": ("Ciudad de México", 19.43, -99.13),
    "COA": ("Coahuila", 25.42, -101.00),
    "COL": ("Colima", 19.24, -103.72),
    "DUR": ("Durango", 24.02, -104.66),
    "GUA": ("Guanajuato", 21.02, -101.26),
    "GRO": ("Guerrero", 17.55, -99.50),
    "HID": ("Hidalgo", 20.10, -98.76),
    "JAL": ("Jalisco", 20.67, -103.35),
    "MEX": ("México", 19.29, -99.66),
    "MIC": ("Michoacán", 19.70, -101.19),
    "MOR": ("Morelos", 18.92, -99.23),
    "NAY": ("Nayarit", 21.50, -104.89),
    "NLE": ("Nuevo León", 25.69, -100.32),
    "OAX": ("Oaxaca", 17.07, -96.72),
    "PUE": ("Puebla", 19.04, -98.21),
    "QUE": ("Querétaro", 20.59, -100.39),
    "ROO": ("Quintana Roo", 18.50, -88.30),
    "SLP": ("San Luis Potosí", 22.15, -100.98),
    "SIN": ("Sinaloa", 24.81, -107.39),
    "SON": ("Sonora", 29.07, -110.96),
    "TAB": ("Tabasco", 17.99, -92.93),
    "TAM": ("Tamaulipas", 23.74, -99.15),
    "TLA": ("Tlaxcala", 19.32, -98.24),
    "VER": ("Veracruz", 19.54, -96.91),
    "YUC": ("Yucatán", 20.97, -89.62),
    "ZAC": ("Zacatecas", 22.77, -102.58),
}
#: The US–Mexico border from the Pacific to the Gulf, (latitude, longitude), for orientation.
BORDER: tuple[tuple[float, float], ...] = (
    (32.53, -117.12),
    (32.72, -114.72),
    (31.33, -111.07),
    (31.33, -108.21),
    (31.78, -108.21),
    (31.78, -106.53),
    (29.56, -104.40),
    (29.00, -103.20),
    (29.37, -100.90),
    (27.51, -99.51),
    (25.90, -97.50),
    (25.96, -97.15),
)


def coordinates(code: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a US or Mexican state code, or None when unknown."""
    entry = US_STATES.get(code) or MX_STATES.get(code)
    return None if entry is None else (entry[1], entry[2])
