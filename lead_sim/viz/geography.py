"""Hand-drawn outlines of the water around Seattle and south King County, in longitude and
latitude, and the projection the map draws them (and the areas) with.

The outlines are rough (a few dozen points traced by eye from a paper map: within a few hundred
metres), enough for Puget Sound, Elliott Bay, Lake Washington with Mercer Island, Lake Union
and the Duwamish to sit where a Seattle reader expects them. Nothing is fetched: no tiles.
"""

from __future__ import annotations

import math

import numpy as np

from lead_sim.neighbourhoods import AREAS

PUGET_SOUND = (  # the east shore north to south, closed off to the west
    (-122.385, 47.780), (-122.382, 47.712), (-122.403, 47.690), (-122.405, 47.672),
    (-122.400, 47.667), (-122.425, 47.663), (-122.435, 47.655), (-122.418, 47.640),
    (-122.395, 47.630), (-122.380, 47.628), (-122.365, 47.622), (-122.352, 47.612),
    (-122.342, 47.604), (-122.338, 47.597), (-122.345, 47.588), (-122.360, 47.588),
    (-122.383, 47.596), (-122.405, 47.582), (-122.420, 47.576), (-122.405, 47.560),
    (-122.398, 47.535), (-122.393, 47.520), (-122.375, 47.495), (-122.362, 47.470),
    (-122.335, 47.440), (-122.330, 47.405), (-122.345, 47.370), (-122.390, 47.330),
    (-122.420, 47.300), (-122.420, 47.250), (-122.700, 47.250), (-122.700, 47.780),
)
VASHON = (
    (-122.460, 47.510), (-122.440, 47.470), (-122.450, 47.400), (-122.470, 47.350),
    (-122.520, 47.330), (-122.550, 47.400), (-122.520, 47.500),
)
LAKE_WASHINGTON = (
    (-122.275, 47.780), (-122.277, 47.735), (-122.272, 47.705), (-122.262, 47.690),
    (-122.255, 47.680), (-122.268, 47.670), (-122.280, 47.655), (-122.295, 47.648),
    (-122.285, 47.640), (-122.278, 47.630), (-122.283, 47.610), (-122.287, 47.595),
    (-122.275, 47.580), (-122.262, 47.565), (-122.255, 47.550), (-122.265, 47.540),
    (-122.255, 47.520), (-122.230, 47.505), (-122.205, 47.500), (-122.190, 47.505),
    (-122.195, 47.530), (-122.200, 47.560), (-122.205, 47.590), (-122.215, 47.612),
    (-122.235, 47.625), (-122.220, 47.650), (-122.210, 47.680), (-122.225, 47.710),
    (-122.235, 47.735), (-122.250, 47.780),
)
MERCER_ISLAND = (
    (-122.235, 47.600), (-122.215, 47.595), (-122.210, 47.570), (-122.220, 47.540),
    (-122.230, 47.525), (-122.245, 47.530), (-122.250, 47.560), (-122.245, 47.590),
)
LAKE_UNION = (
    (-122.345, 47.650), (-122.330, 47.652), (-122.325, 47.640), (-122.335, 47.627),
    (-122.342, 47.630),
)
WATERWAYS = (  # drawn as lines: the Ship Canal, the Montlake Cut, the Duwamish and Green
    ((-122.400, 47.667), (-122.370, 47.656), (-122.345, 47.650)),
    ((-122.327, 47.646), (-122.305, 47.647), (-122.295, 47.648)),
    ((-122.345, 47.588), (-122.335, 47.565), (-122.320, 47.540), (-122.305, 47.520),
     (-122.290, 47.500), (-122.270, 47.470), (-122.250, 47.430), (-122.240, 47.390),
     (-122.230, 47.340)),
)
WATER_LABELS = (
    ("Puget Sound", -122.425, 47.470), ("Elliott Bay", -122.372, 47.608),
    ("Lake Washington", -122.240, 47.655), ("Lake Union", -122.334, 47.658),
)
REGION_LABELS = (("SEATTLE", -122.350, 47.700), ("SOUTH KING COUNTY", -122.280, 47.420))

CORE = np.mean([(a.lon, a.lat) for a in AREAS[:5]], axis=0)  # downtown's five busiest areas
_KX = math.cos(math.radians(CORE[1]))  # degrees of longitude are shorter than of latitude


def warp(points: np.ndarray, power: float = 0.6) -> np.ndarray:
    """Longitude-latitude points opened out around downtown, in degrees of latitude.

    Distances from downtown are raised to ``power`` (< 1): the dense core opens up and the far
    south county comes closer, with nothing reordered. Water goes through the same warp as the
    areas, so the shores stay where they are relative to the neighbourhoods.
    """
    d = (np.asarray(points, float) - CORE) * [_KX, 1.0]
    r = np.hypot(d[:, 0], d[:, 1])
    scale = np.where(r > 0, r ** power / np.where(r > 0, r, 1), 0.0)
    return d * scale[:, None]


class Projection:
    """Longitude-latitude to pixels in a ``width`` x ``height`` box: the areas fit with a
    margin (``pad`` pixels above and below, ``right_pad`` less width), north up, centred across,
    shapes undistorted."""

    def __init__(self, width: float, height: float, top: float = 30.0, pad: float = 34.0,
                 right_pad: float = 120.0) -> None:
        flat = warp(np.array([(a.lon, a.lat) for a in AREAS]))
        self.lo, hi = flat.min(axis=0), flat.max(axis=0)
        self.scale = min((width - pad - right_pad) / (hi[0] - self.lo[0]),
                         (height - top - pad) / (hi[1] - self.lo[1]))
        # centred across the width: labels go either side
        self.x0 = (width - (hi[0] - self.lo[0]) * self.scale) / 2
        self.y0, self.hi_y = top + pad / 2, hi[1]

    def __call__(self, points) -> np.ndarray:
        flat = warp(np.asarray(points, float))
        return np.column_stack([self.x0 + (flat[:, 0] - self.lo[0]) * self.scale,
                                self.y0 + (self.hi_y - flat[:, 1]) * self.scale])


def path(xy: np.ndarray, closed: bool = True) -> str:
    """An SVG path through pixel points."""
    body = " L".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    return f"M{body}{' Z' if closed else ''}"
