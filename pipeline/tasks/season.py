"""SeasonBackfill: every game of a season, every endpoint, scheduled only where missing."""

from __future__ import annotations

import logging

import luigi

from pipeline import config, observe
from pipeline.ingest import game_item, is_dead_lettered, is_done
from pipeline.nba import endpoints
from pipeline.nba.games import Game, select_games
from pipeline.tasks.common import current_lake, season_games
from pipeline.tasks.discover import DiscoverGames
from pipeline.tasks.game import DeadLetter, GameEndpoint

log = logging.getLogger("pipeline.tasks")


class SeasonBackfill(luigi.Task):
    """Fill the lake with one season. A rerun fetches only what is missing."""

    season = config.SeasonParameter(default=config.env("NBA_TARGET_SEASON", "2024-25"))
    start_date = config.OptionalDateParameter(default=None)
    end_date = config.OptionalDateParameter(default=None)
    season_types = luigi.Parameter(
        default=",".join(endpoints.SEASON_TYPES),
        description="Comma-separated: " + ", ".join(endpoints.SEASON_TYPES),
    )
    limit = luigi.IntParameter(default=0, description="At most N games (0: all), to try things out")
    no_box_scores = luigi.BoolParameter(default=False)
    no_play_by_play = luigi.BoolParameter(default=False)
    no_game_summary = luigi.BoolParameter(default=False)
    no_player_info = luigi.BoolParameter(default=False)
    no_team_info = luigi.BoolParameter(default=False)
    retry_dead_letters = luigi.BoolParameter(default=False, significant=False)
    dry_run = luigi.BoolParameter(default=config.env_flag("DRY_RUN"), significant=False)
    # The older CLI's names, mapped onto Luigi's config so forked workers see them too.
    rate_limit = luigi.OptionalFloatParameter(default=None, significant=False)
    max_retries = luigi.OptionalIntParameter(default=None, significant=False)
    s3_bucket = luigi.OptionalParameter(default=None, significant=False)
    s3_prefix = luigi.OptionalParameter(default=None, significant=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_types = config.parse_season_types(
            [t.strip() for t in self.season_types.split(",") if t.strip()]
        )
        config.check_date_range(self.start_date, self.end_date)
        if self.limit < 0:
            raise config.BadInput(f"invalid limit {self.limit}: must be 0 or more")
        config.override("nba", "rate_limit_seconds", self.rate_limit)
        config.override("nba", "max_retries", self.max_retries)
        if self.s3_bucket:
            prefix = (self.s3_prefix or "").strip("/")
            config.override("lake", "root", f"s3://{self.s3_bucket}/{prefix}".rstrip("/"))
        config.check_lake_root(config.lake_root())
        observe.start_run(self)

    # --- what this run covers -----------------------------------------------------------

    def groups_off(self) -> frozenset[str]:
        switches = {
            "box_scores": self.no_box_scores,
            "play_by_play": self.no_play_by_play,
            "game_summary": self.no_game_summary,
            "player_info": self.no_player_info,
            "team_info": self.no_team_info,
        }
        return frozenset(group for group, off in switches.items() if off)

    def game_endpoints(self) -> list[endpoints.Endpoint]:
        return endpoints.endpoints_for(config.season_year(self.season), self.groups_off())

    def games(self) -> list[Game]:
        return select_games(
            list(season_games(current_lake(), self.season).values()),
            season_types=self.chosen_types,
            start=self.start_date,
            end=self.end_date,
            limit=self.limit,
        )

    def state(self) -> dict[str, list]:
        """(endpoint, game) pairs by state: done, missing, dead-lettered. From listings only."""
        lake = current_lake()
        state = {"done": [], "missing": [], "dead_letter": []}
        for endpoint in self.game_endpoints():
            for game in self.games():
                item = game_item(game)
                if is_done(lake, endpoint, item):
                    state["done"].append((endpoint, game))
                elif not self.retry_dead_letters and is_dead_lettered(lake, endpoint, item):
                    state["dead_letter"].append((endpoint, game))
                else:
                    state["missing"].append((endpoint, game))
        return state

    # --- luigi --------------------------------------------------------------------------

    def requires(self):
        return [] if self.dry_run else DiscoverGames(season=self.season)

    def complete(self):
        if self.dry_run:
            return False
        lake = current_lake()
        if not lake.exists(lake.layout.game_index(self.season)):
            return False
        state = self.state()
        return not state["missing"] and not state["dead_letter"]

    def run(self):
        if self.dry_run:
            from pipeline.plan import print_plan

            print_plan(self)
            return
        lake = current_lake()
        lake.forget_listings()
        state = self.state()
        if state["missing"]:
            yield [
                GameEndpoint(season=self.season, endpoint=endpoint.key, game_id=game.game_id,
                             retry_dead_letters=self.retry_dead_letters)
                for endpoint, game in state["missing"]
            ]
            lake.forget_listings()
            state = self.state()
        if state["dead_letter"]:
            # Data the API does not have: the season is as complete as it can be, and the
            # run exits with [retcode] missing_data so nobody mistakes it for whole.
            yield [DeadLetter(season=self.season, endpoint=e.key, key=g.game_id)
                   for e, g in state["dead_letter"]]
