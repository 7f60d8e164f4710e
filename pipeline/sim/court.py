"""The half court in stats.nba.com's shot-chart coordinates: where a shot was taken, and the
zones ShotChartDetail names for it.

Coordinates are tenths of a foot from the basket (LOC_X across, negative on the left as the
shooter faces it; LOC_Y toward half court). Measured from the real shot charts
(tests/fixtures/nba_api/shotchartdetail): SHOT_DISTANCE is the distance in whole feet, rounded
down; a three is beyond 22 ft in the corners (|LOC_X| > 220, up to 14 ft from the baseline)
and 23.75 ft elsewhere; every three is in the "24+ ft." range.
"""

from __future__ import annotations

import math

CORNER_X = 220  # the corner three's line, 22 ft either side of the basket
ARC = 237.5  # the arc, 23.75 ft
CORNER_Y = 92.5  # the corners end 14 ft from the baseline (the basket is 5.25 ft in)
BACKCOURT_Y = 417.5  # half court, 47 ft from the baseline
PAINT_X, PAINT_Y = 80, 137.5  # the lane: 16 ft wide, 19 ft deep
RESTRICTED = 40  # the restricted area's 4 ft


def beyond_the_line(x: float, y: float) -> bool:
    return abs(x) > CORNER_X or math.hypot(x, y) > ARC


def feet(x: float, y: float) -> int:
    """SHOT_DISTANCE: whole feet, rounded down."""
    return int(math.hypot(x, y) // 10)


def spot(value: int, distance: int, angle: float) -> tuple[int, int]:
    """LOC_X, LOC_Y for a shot drawn as `distance` feet at `angle` (radians from straight
    on), moved out beyond the line for a three, or inside it for a two."""
    radius = 10 * distance + 5
    x, y = round(radius * math.sin(angle)), round(radius * math.cos(angle))
    if value == 3:
        while not beyond_the_line(x, y):
            radius += 5
            x, y = round(radius * math.sin(angle)), round(radius * math.cos(angle))
    else:
        while beyond_the_line(x, y) or abs(x) == CORNER_X:
            radius -= 5
            x, y = round(radius * math.sin(angle)), round(radius * math.cos(angle))
    return x, y


def zones(value: int, x: int, y: int) -> tuple[str, str, str]:
    """(SHOT_ZONE_BASIC, SHOT_ZONE_AREA, SHOT_ZONE_RANGE) as the real shot chart names them."""
    distance = feet(x, y)
    side = "Left" if x < 0 else "Right"
    degrees = abs(math.degrees(math.atan2(x, y)))
    if y > BACKCOURT_Y:
        return "Backcourt", "Back Court(BC)", "Back Court Shot"
    if value == 3:
        if abs(x) > CORNER_X and y <= CORNER_Y:
            return f"{side} Corner 3", f"{side} Side({side[0]})", "24+ ft."
        area = "Center(C)" if degrees < 18 else f"{side} Side Center({side[0]}C)"
        return "Above the Break 3", area, "24+ ft."
    if distance < 8:
        basic_range = "Less Than 8 ft."
    elif distance < 16:
        basic_range = "8-16 ft."
    else:
        basic_range = "16-24 ft."
    if math.hypot(x, y) < RESTRICTED:
        return "Restricted Area", "Center(C)", basic_range
    if abs(x) < PAINT_X and y < PAINT_Y:
        area = "Center(C)" if degrees < 30 else f"{side} Side({side[0]})"
        return "In The Paint (Non-RA)", area, basic_range
    if degrees < 18:
        area = "Center(C)"
    elif degrees < 60:
        area = f"{side} Side Center({side[0]}C)"
    else:
        area = f"{side} Side({side[0]})"
    return "Mid-Range", area, basic_range
