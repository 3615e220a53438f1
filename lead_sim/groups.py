"""Race and ethnicity: the groups, where each lives, and the mechanisms that can treat them apart.

Declared once, like the service table; imports nothing of lead_sim. The categories are those
the Seattle sources give (evidence/lead_evidence.md, section 4b): Black, White,
Hispanic/Latino, Asian/Pacific Islander, American Indian/Alaska Native, and Other/multiracial.

A person's group is drawn when they enter the model, from its own random stream, with the
shares of the area they live in (:func:`area_shares`), so adding it changes no other draw. The
group itself does nothing in the model: outcomes differ between groups only through mechanisms
a user can see and change (docs/equity.md):

* place: groups live in different areas (:data:`RESIDENTS`), and areas are policed unequally
  (``presence`` in :mod:`lead_sim.neighbourhoods`, sharpened or flattened by the parameter
  ``presence_concentration``);
* the registry parameters of :data:`MECHANISMS`, one per group and mechanism, each a ratio to a
  white person with the same attributes in the same place (1: no difference, the default).
"""

from __future__ import annotations

import math

GROUPS: tuple[str, ...] = ("black", "white", "hispanic", "asian_pi", "aian", "other")
LABELS: dict[str, str] = {
    "black": "Black", "white": "White", "hispanic": "Hispanic/Latino",
    "asian_pi": "Asian/Pacific Islander", "aian": "American Indian/Alaska Native",
    "other": "Other/multiracial",
}
#: The group relative rate indices are taken against (and whose mechanism ratios are 1).
REFERENCE = "white"

#: The population at risk, county-wide, by group: Seattle residents admitted to public drug
#: treatment in 2006, all serious drugs (E8: White 52.8%, Black 31.1%, Hispanic 5.3%, Asian/PI
#: 2.1%, AIAN 3.0%; the remaining 5.7% as other). The 2017 homeless count (E11: Black 29%, White
#: 45%) agrees on the Black share. No source gives the population at risk by race directly.
AT_RISK: tuple[float, ...] = (0.311, 0.528, 0.053, 0.021, 0.030, 0.057)

#: Residents by group in each area (percent; GROUPS order), the 2010 census as far as the sources
#: give it: Seattle as a whole E1 (Black 7.9, White 66.3, Hispanic 6.6, Asian/PI 14.2, AIAN 0.8);
#: Rainier Valley E49 (White ~25, Black ~22, Asian ~35); the Central District's Black share
#: (16% by 2018, higher in 2010, E50); Asian residents concentrated in the Chinatown-
#: International District, Pioneer Square and Rainier Valley (E51); Black residents from south
#: Seattle to Tukwila, with belts over 10% across central and south Seattle and south King
#: County, and Renton and Kent the region's highest Black shares (E52). Every other number is an
#: assumption in line with those (marked in docs/equity.md); only the contrasts between areas
#: matter (:func:`area_shares`).
RESIDENTS: dict[str, tuple[float, ...]] = {
    "belltown": (7, 70, 6, 12, 1, 4),
    "downtown": (10, 62, 6, 16, 2, 4),
    "international_district": (10, 30, 5, 50, 1, 4),
    "capitol_hill": (6, 74, 6, 9, 1, 4),
    "central_district": (20, 58, 6, 10, 1, 5),
    "university_district": (3, 60, 5, 28, 0.5, 3.5),
    "ballard_fremont": (2, 84, 5, 6, 0.5, 2.5),
    "northgate_lake_city": (8, 65, 7, 15, 1, 4),
    "sodo_georgetown": (10, 55, 15, 15, 1, 4),
    "rainier_valley": (22, 25, 8, 35, 1, 9),
    "west_seattle": (9, 65, 10, 11, 1, 4),
    "skyway": (30, 30, 8, 25, 1, 6),
    "white_center": (10, 45, 25, 15, 1, 4),
    "burien": (7, 60, 20, 9, 1, 3),
    "tukwila_seatac": (20, 38, 18, 18, 1, 5),
    "renton": (10, 52, 13, 20, 1, 4),
    "kent": (12, 52, 16, 15, 1, 4),
    "federal_way_auburn": (10, 60, 14, 11, 1.5, 3.5),
}

#: Published shares of outcomes by group, to check the model's against (never fitted to):
#: (outcome, group, observed share, what was measured, source row).
OBSERVED: tuple[tuple[str, str, float, str, str], ...] = (
    ("arrests", "black", 0.519, "Seattle drug arrests, 2001", "E17"),
    ("arrests", "white", 0.427, "Seattle drug arrests, 2001", "E17"),
    ("bookings", "black", 0.30, "all King County jail bookings, 2012", "E23"),
    ("lead_enrollments", "black", 0.55, "LEAD evaluation group, 2011-2014", "E34"),
    ("lead_enrollments", "white", 0.27, "LEAD evaluation group, 2011-2014", "E34"),
)

#: Areas whose people at risk are an open-air drug market's rather than its residents': the
#: downtown core (O5), with the mix of drug deliverers observed downtown in 2007-08 (E20: White
#: 49.5%, Black 33.3%, Hispanic 14.2%; the remaining 3% split evenly, an assumption).
MARKETS: dict[str, tuple[float, ...]] = {
    "belltown": (33.3, 49.5, 14.2, 1, 1, 1),
    "downtown": (33.3, 49.5, 14.2, 1, 1, 1),
}

# Mechanisms with a ratio per group (GROUPS other than REFERENCE), as registry parameters named
# "<mechanism>_ratio_<group>": (mechanism, unit, high bound, what it multiplies, source).
MECHANISMS: tuple[tuple[str, str, float, str, str], ...] = (
    ("contact", "ratio", 20.0,
     "daily police-contact rate, against a white person with the same attributes in the same "
     "area",
     "E19, E20, E22: the benchmarks disagree (about 1 against calls for service, E22; 13.6 for "
     "downtown delivery against observed dealing, E20a), so the default is 1 and the value a "
     "scenario choice; the shipped calibration was fitted without it"),
    ("diversion", "ratio", 5.0,
     "officer's propensity to divert an arrest to LEAD or refer a contact (arrest versus "
     "referral)",
     "assumption: no LEAD referral or diversion rate by race was found (E39); 1 = none"),
    ("violent_history", "ratio", 5.0,
     "share with a disqualifying violent history (the eligibility exclusion; E38)",
     "assumption: E38 names the exclusions but no source counts them by race (E39, section "
     "4b); 1 = none"),
    ("priors", "ratio", 5.0,
     "mean prior convictions on entry (pretrial holds, prison eligibility)",
     "assumption: records follow arrests (E17a, E42, E44), but no prior-record figure by race "
     "exists for the population at risk; 1 = none"),
    ("hold", "odds ratio", 5.0,
     "odds of a pretrial hold at booking",
     "E40: minorities less often released (direction only, 1997); no King County figure for "
     "drug cases (E48); 1 = none"),
    ("felony", "ratio", 5.0,
     "share of drug charges filed as felonies",
     "E42, E45, E46: drug-sentencing disparities, but no charging rate by race was captured "
     "(E46, E48); 1 = none"),
)


def equity_parameters() -> list[tuple]:
    """The registry rows of the equity parameters, as (name, default, low, high, unit,
    description, source, keyword arguments of the declaration): where policing concentrates,
    how the groups are spread over the areas, and each mechanism ratio of :data:`MECHANISMS`."""
    rows: list[tuple] = [
        ("presence_concentration", 1.0, 0.0, 3.0, "exponent",
         "Sharpens (above 1) or flattens (below 1; 0 = even) the differences in police presence "
         "between areas: each area's presence index is raised to this power.",
         "O5 and E29, E31 (police concentrated downtown and in outdoor markets); the indices "
         "themselves are assumptions (lead_sim.neighbourhoods)", {"start_only": True}),
        ("place_segregation", 1.0, 0.0, 3.0, "exponent",
         "How far the population at risk of each area follows its residents' race and "
         "ethnicity, or downtown the drug market's (0: the same mix everywhere; 1: the "
         "sources' contrasts).",
         "E1, E49-E52 (residents by area) with E8 (the mix at risk); the power is an "
         "assumption", {"start_only": True}),
    ]
    for mechanism, unit, high, what, source in MECHANISMS:
        for group in GROUPS:
            if group != REFERENCE:
                rows.append((f"{mechanism}_ratio_{group}", 1.0, 0.0, high, unit,
                             f"{LABELS[group]}: multiplies the {what}.", source, {}))
    return rows


def ratios(values: dict, mechanism: str) -> tuple[float, ...]:
    """The ratios of ``mechanism`` by group (GROUPS order; 1 for the reference group)."""
    return tuple(1.0 if g == REFERENCE else float(values[f"{mechanism}_ratio_{g}"])
                 for g in GROUPS)


def area_shares(areas: tuple[str, ...], weights: tuple[float, ...],
                segregation: float = 1.0) -> list[list[float]]:
    """The population at risk by group in each of ``areas`` (rows sum to 1).

    An area's people at risk differ from the county's (:data:`AT_RISK`) as its residents differ
    from the county's residents (:data:`RESIDENTS` averaged with the areas' ``weights``, where
    people at risk live): share[a][g] is proportional to AT_RISK[g] x (RESIDENTS[a][g] /
    mean[g]) ** segregation. A drug-market area (:data:`MARKETS`) has the observed market mix
    instead: AT_RISK[g] ** (1 - segregation) x MARKETS[a][g] ** segregation. ``segregation`` 0
    puts the same mix in every area; 1 follows the sources; above 1 sharpens the contrasts.
    """
    total = sum(weights)
    mean = [sum(w * RESIDENTS[a][g] for a, w in zip(areas, weights, strict=True)) / total
            for g in range(len(GROUPS))]
    rows = []
    for area in areas:
        if area in MARKETS:
            raw = [math.pow(AT_RISK[g], 1 - segregation) * math.pow(MARKETS[area][g] / 100,
                                                                    segregation)
                   for g in range(len(GROUPS))]
        else:
            raw = [AT_RISK[g] * math.pow(RESIDENTS[area][g] / mean[g], segregation)
                   for g in range(len(GROUPS))]
        rows.append([x / sum(raw) for x in raw])
    return rows
