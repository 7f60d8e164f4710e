"""Learning what the catalogue cannot say: is an endpoint recorded in a season whose bound
is uncertain (pipeline/nba/eras.py)?

A few items of that season are asked for first (PROBE_ITEMS: the first games, teams,
players or season types of the work list), never a season's worth. If any lands, the
season is recorded and the rest is fetched; if every one is a dead letter (an empty answer,
or the API not having it), the season is "not recorded" and nothing more is asked. The
probes are ordinary work items: an answer that lands is kept, so a recorded season pays
nothing extra.

The verdict is written to the lake (backfill-state/eras/season=S/<endpoint>.json), so
reruns and other hosts read it instead of asking again, and the report shows it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from pipeline.lake.lake import Lake
from pipeline.nba.endpoints import Endpoint

PROBE_ITEMS = 3
KIND = "eras"


@dataclass(frozen=True)
class Verdict:
    endpoint: str
    season: str
    recorded: bool
    probed: tuple[str, ...]  # the item keys asked for
    learned_at: str
    why: str

    def as_dict(self) -> dict:
        return {**asdict(self), "probed": list(self.probed)}


def probe_slice(items: list) -> list:
    """The items a probe asks for: the first few, in work-list order."""
    return items[:PROBE_ITEMS]


def decide(standings: list[str]) -> bool | None:
    """From the probed items' standings ("done", "dead_letter", "missing"): True once one
    landed, False once every one is a dead letter, None while any is still to fetch."""
    if "done" in standings:
        return True
    if standings and all(s == "dead_letter" for s in standings):
        return False
    return None


def verdict_path(lake: Lake, season: str, endpoint: Endpoint) -> str:
    return lake.layout.state_file(KIND, season, f"{endpoint.key}.json")


class Learned:
    """The verdicts of one season, read from one listing of its folder."""

    def __init__(self, lake: Lake, season: str):
        self.lake = lake
        self.season = season
        self._read: dict[str, Verdict | None] = {}

    def prefix(self) -> str:
        return self.lake.layout.state_file(KIND, self.season, "")

    def get(self, endpoint: Endpoint) -> Verdict | None:
        if endpoint.key not in self._read:
            path = verdict_path(self.lake, self.season, endpoint)
            found = self.lake.has(path, self.prefix())
            stored = self.lake.read_json(path) if found else None
            self._read[endpoint.key] = (
                Verdict(**{**stored, "probed": tuple(stored["probed"])}) if stored else None
            )
        return self._read[endpoint.key]

    def recorded(self, endpoint: Endpoint) -> bool | None:
        verdict = self.get(endpoint)
        return None if verdict is None else verdict.recorded

    def write(self, endpoint: Endpoint, recorded: bool, probed: list[str]) -> Verdict:
        why = (
            f"{len(probed)} probe(s) landed at least one answer"
            if recorded
            else f"all {len(probed)} probe(s) answered empty: not recorded in this season"
        )
        verdict = Verdict(
            endpoint=endpoint.key,
            season=self.season,
            recorded=recorded,
            probed=tuple(probed),
            learned_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            why=why,
        )
        self.lake.write_json(verdict_path(self.lake, self.season, endpoint), verdict.as_dict())
        self._read[endpoint.key] = verdict
        return verdict

    def all(self) -> list[dict]:
        """Every verdict of the season, as stored (for the report)."""
        paths = sorted(
            p for p in self.lake.listing(self.prefix(), fresh=True) if p.endswith(".json")
        )
        return [self.lake.read_json(p) for p in paths]
