"""The page's colours: Okabe and Ito's colour-blind-safe set, darkened where needed so every
line and mark has at least 3:1 contrast against the white background (WCAG 2.1, 1.4.11).

Policy and baseline differ by colour *and* dash, so nobody has to tell red from green.
"""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.colors import to_hex

BLUE = "#0072B2"  # the policy
GREY = "#444444"  # the baseline (dashed), capacity
VERMILLION = "#D55E00"  # arrests, jail
PURPLE = "#8E4585"  # bookings, prison
GREEN = "#007A5A"  # diversions, LEAD caseload
OCHRE = "#A86B00"  # referrals, waitlists
SERIES = (BLUE, GREY, VERMILLION, PURPLE, GREEN, OCHRE)

WATER = "#cfe2f3"
WATER_EDGE = "#7fa7c9"
LAND = "#f6f4ee"
COVERED = "#007A5A"  # ring of an area LEAD covers
FOCUS = "#0072B2"

#: the map's fill: sequential, readable in greyscale and by colour-blind readers
_MAP = colormaps["viridis_r"]


def map_fill(share: float) -> str:
    """The fill of an area at ``share`` (0-1) of the colour bar's range."""
    return to_hex(_MAP(0.05 + 0.9 * min(max(share, 0.0), 1.0)))


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str = "#ffffff") -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
