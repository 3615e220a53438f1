"""The neighbourhood graph: Seattle precinct areas and King County cities.

Nodes carry where people at risk live (``weight``, a relative share), how heavily they are
policed (``presence``, 1 = average) and a rough position for drawing (longitude, latitude).
Edges join adjacent areas. The weights and presence indices are assumptions: the evidence file
gives no counts by neighbourhood, only that the downtown core was the densest (O5) and where
LEAD started (O1, O14). When LEAD coverage starts in an area is not a property of the place but
of a scenario; the model writes it onto the graph as ``lead_start``.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from lead_sim.errors import LeadSimError, close_matches


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    group: str  # precinct (Seattle) or county sub-region
    lon: float
    lat: float
    weight: float
    presence: float


AREAS: tuple[Area, ...] = (
    Area("belltown", "Belltown", "west", -122.345, 47.615, 9, 1.6),
    Area("downtown", "Downtown & Pioneer Square", "west", -122.333, 47.603, 11, 1.6),
    Area("international_district", "Chinatown-International District", "east",
         -122.323, 47.597, 5, 1.3),
    Area("capitol_hill", "Capitol Hill", "east", -122.318, 47.623, 8, 1.2),
    Area("central_district", "Central District", "east", -122.300, 47.608, 6, 1.1),
    Area("university_district", "University District", "north", -122.313, 47.661, 7, 1.0),
    Area("ballard_fremont", "Ballard & Fremont", "north", -122.375, 47.668, 5, 0.8),
    Area("northgate_lake_city", "Northgate & Lake City", "north", -122.305, 47.712, 6, 0.8),
    Area("sodo_georgetown", "SODO & Georgetown", "south", -122.325, 47.560, 4, 1.0),
    Area("rainier_valley", "Rainier Valley", "south", -122.285, 47.545, 8, 0.9),
    Area("west_seattle", "West Seattle & Delridge", "southwest", -122.370, 47.550, 5, 0.8),
    Area("skyway", "Skyway", "unincorporated", -122.245, 47.492, 4, 0.8),
    Area("white_center", "White Center", "unincorporated", -122.350, 47.510, 3, 0.7),
    Area("burien", "Burien", "south_county", -122.347, 47.468, 4, 0.8),
    Area("tukwila_seatac", "Tukwila & SeaTac", "south_county", -122.285, 47.460, 4, 0.8),
    Area("renton", "Renton", "south_county", -122.210, 47.480, 4, 0.7),
    Area("kent", "Kent", "south_county", -122.235, 47.380, 4, 0.7),
    Area("federal_way_auburn", "Federal Way & Auburn", "south_county", -122.300, 47.315, 3, 0.7),
)

ADJACENT: tuple[tuple[str, str], ...] = (
    ("belltown", "downtown"), ("belltown", "capitol_hill"), ("belltown", "ballard_fremont"),
    ("downtown", "international_district"), ("downtown", "capitol_hill"),
    ("downtown", "sodo_georgetown"), ("international_district", "central_district"),
    ("international_district", "sodo_georgetown"), ("capitol_hill", "central_district"),
    ("capitol_hill", "university_district"), ("central_district", "rainier_valley"),
    ("university_district", "ballard_fremont"), ("university_district", "northgate_lake_city"),
    ("ballard_fremont", "northgate_lake_city"), ("sodo_georgetown", "rainier_valley"),
    ("sodo_georgetown", "west_seattle"), ("rainier_valley", "skyway"),
    ("west_seattle", "white_center"), ("white_center", "burien"), ("white_center", "skyway"),
    ("skyway", "renton"), ("skyway", "tukwila_seatac"), ("burien", "tukwila_seatac"),
    ("tukwila_seatac", "renton"), ("tukwila_seatac", "kent"), ("renton", "kent"),
    ("kent", "federal_way_auburn"), ("burien", "federal_way_auburn"),
)

SEATTLE_GROUPS = ("west", "east", "north", "south", "southwest")
AREA_KEYS: tuple[str, ...] = tuple(a.key for a in AREAS)


def area_groups() -> dict[str, tuple[str, ...]]:
    """Named sets of areas a scenario may cover at once (precincts, 'seattle', 'all')."""
    groups: dict[str, list[str]] = {}
    for area in AREAS:
        groups.setdefault(area.group, []).append(area.key)
    groups["seattle"] = [a.key for a in AREAS if a.group in SEATTLE_GROUPS]
    groups["all"] = list(AREA_KEYS)
    return {name: tuple(keys) for name, keys in groups.items()}


# Where the jail restricts non-felony bookings under each setting of the parameter
# misdemeanor_booking_restriction (O24: the restrictions were lifted in downtown Seattle first,
# then in the rest of Seattle, then for every partner agency). "Downtown Seattle" is read as
# the West Precinct's areas, Belltown and Downtown (an inference: O24 names no boundary).
DOWNTOWN_SEATTLE = ("west",)


def booking_restricted(scope: str) -> tuple[bool, ...]:
    """For each area (in AREA_KEYS order), whether bookings are restricted under ``scope``."""
    seattle = set(area_groups()["seattle"])
    outside = {"none": set(AREA_KEYS), "everywhere": set(),
               "outside_downtown": {a.key for a in AREAS if a.group in DOWNTOWN_SEATTLE},
               "outside_seattle": seattle}[scope]
    return tuple(key not in outside for key in AREA_KEYS)


def resolve_areas(names: list[str], where: str) -> list[str]:
    """Expand area and group names into area keys, failing clearly on an unknown name."""
    groups = area_groups()
    keys: list[str] = []
    for name in names:
        if name in AREA_KEYS:
            keys.append(name)
        elif name in groups:
            keys.extend(groups[name])
        else:
            known = list(AREA_KEYS) + list(groups)
            raise LeadSimError(
                f"Unknown area '{name}' in {where}.{close_matches(name, known)} Allowed: areas "
                f"{', '.join(AREA_KEYS)}; groups {', '.join(groups)}."
            )
    return list(dict.fromkeys(keys))


def build_graph() -> nx.Graph:
    """The neighbourhood graph with each area's attributes on its node."""
    graph = nx.Graph()
    for area in AREAS:
        graph.add_node(area.key, name=area.name, group=area.group, pos=(area.lon, area.lat),
                       weight=area.weight, presence=area.presence, lead_start=None)
    graph.add_edges_from(ADJACENT)
    return graph
