"""SeasonBackfill: every game of a season, every endpoint, scheduled only where missing."""

from __future__ import annotations

import logging

import luigi

from pipeline import config, observe
from pipeline.ingest import Item, entity_item, game_item, is_dead_lettered, is_done
from pipeline.nba import endpoints
from pipeline.nba.games import Game, select_games
from pipeline.tasks.common import current_lake, season_games
from pipeline.tasks.discover import DiscoverGames
from pipeline.tasks.entities import (
    DiscoverPlayers,
    EntityEndpoint,
    games_digest,
    season_team_ids,
)
from pipeline.tasks.fetch import DeadLetter
from pipeline.tasks.game import GameEndpoint

log = logging.getLogger("pipeline.tasks")


_preflighted: set[str] = set()


def preflight_once(root: str) -> None:
    """Check the bucket before any API call; a failure is one line and exit 2."""
    if root in _preflighted:
        return
    from pipeline.errors import StorageError
    from pipeline.lake.s3.preflight import preflight

    try:
        preflight(root)
    except StorageError as exc:
        raise config.BadInput(str(exc)) from None
    _preflighted.add(root)


class SeasonChoices:
    """What a season run covers: shared by SeasonBackfill and SeasonRange (Luigi collects
    parameters from base classes too)."""

    season_types = luigi.Parameter(
        default=",".join(endpoints.SEASON_TYPES),
        description="Comma-separated: " + ", ".join(endpoints.SEASON_TYPES),
    )
    limit = luigi.IntParameter(default=0, description="At most N games a season (0: all)")
    no_box_scores = luigi.BoolParameter(default=False)
    no_play_by_play = luigi.BoolParameter(default=False)
    no_game_summary = luigi.BoolParameter(default=False)
    no_player_info = luigi.BoolParameter(default=False)
    no_team_info = luigi.BoolParameter(default=False)
    retry_dead_letters = luigi.BoolParameter(default=False, significant=False)

    def choices(self) -> dict:
        return {
            name: getattr(self, name)
            for name, value in vars(SeasonChoices).items()
            if isinstance(value, luigi.Parameter)
        }


class SeasonBackfill(SeasonChoices, luigi.Task):
    """Fill the lake with one season. A rerun fetches only what is missing."""

    season = config.SeasonParameter(default=config.env("NBA_TARGET_SEASON", "2024-25"))
    start_date = config.OptionalDateParameter(default=None)
    end_date = config.OptionalDateParameter(default=None)
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
        # Under --retry-dead-letters only dead letters written by this run count as settled.
        self.dead_letters_since = config.run_started() if self.retry_dead_letters else None
        root = config.lake_root()
        config.check_lake_root(root)
        if root.startswith("s3://") and not self.dry_run:
            preflight_once(root)
        observe.start_run(self)  # run id and logging, before Luigi logs about this task

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

    def entity_endpoints(self, scope: str) -> list[endpoints.Endpoint]:
        off = self.groups_off()
        return [e for e in endpoints.ENTITY_ENDPOINTS if e.scope == scope and e.group not in off]

    def games(self) -> list[Game]:
        return select_games(
            list(season_games(current_lake(), self.season).values()),
            season_types=self.chosen_types,
            start=self.start_date,
            end=self.end_date,
            limit=self.limit,
        )

    def game_work(self) -> list[tuple[endpoints.Endpoint, Item]]:
        # Game by game: Luigi hands out work in this order, so a game's endpoints are fetched
        # close together (and the simulator simulates each game once, not once per endpoint).
        eps = self.game_endpoints()
        return [(e, game_item(g)) for g in self.games() for e in eps]

    def team_work(self) -> list[tuple[endpoints.Endpoint, Item]]:
        teams = season_team_ids(self.season)
        return [
            (e, entity_item(e, self.season, t))
            for e in self.entity_endpoints("team")
            for t in teams
        ]

    def players_task(self) -> DiscoverPlayers | None:
        """Who played in this run's games: known once their traditional box scores exist."""
        if not self.entity_endpoints("player") or "box_scores" in self.groups_off():
            return None
        lake = current_lake()
        ids = [
            item.key
            for e, item in self.game_work()
            if e is endpoints.BOX_TRADITIONAL and is_done(lake, e, item)
        ]
        return DiscoverPlayers(season=self.season, digest=games_digest(ids), game_ids=ids)

    def player_work(self, players: DiscoverPlayers) -> list[tuple[endpoints.Endpoint, Item]]:
        ids = players.player_ids()
        return [
            (e, entity_item(e, self.season, p))
            for e in self.entity_endpoints("player")
            for p in ids
        ]

    def state(self, work=None) -> dict[str, list]:
        """Work by state: done, missing, dead-lettered. From listings only."""
        lake = current_lake()
        state = {"done": [], "missing": [], "dead_letter": []}
        for endpoint, item in self.game_work() if work is None else work:
            if is_done(lake, endpoint, item):
                state["done"].append((endpoint, item))
            elif is_dead_lettered(lake, endpoint, item, since=self.dead_letters_since):
                state["dead_letter"].append((endpoint, item))
            else:
                state["missing"].append((endpoint, item))
        return state

    def fetch_task(self, endpoint: endpoints.Endpoint, item: Item):
        if endpoint.scope == "game":
            return GameEndpoint(
                season=self.season,
                endpoint=endpoint.key,
                game_id=item.key,
                retry_dead_letters=self.retry_dead_letters,
            )
        return EntityEndpoint(
            season=self.season,
            endpoint=endpoint.key,
            key=item.key,
            retry_dead_letters=self.retry_dead_letters,
        )

    # --- luigi --------------------------------------------------------------------------

    def requires(self):
        return [] if self.dry_run else DiscoverGames(season=self.season)

    def complete(self):
        # Luigi asks this first in the launching process: from here on the run is summarised
        # at exit (merely building the task, e.g. to inspect state(), leaves no summary).
        observe.track_run()
        if self.dry_run:
            return getattr(self, "_planned", False)
        lake = current_lake()
        if not lake.exists(lake.layout.game_index(self.season)):
            return False
        state = self.state(self.game_work() + self.team_work())
        if state["missing"] or state["dead_letter"]:
            return False
        players = self.players_task()
        if players is None:
            return True
        if not players.complete():
            return False
        state = self.state(self.player_work(players))
        return not state["missing"] and not state["dead_letter"]

    def run(self):
        if self.dry_run:
            from pipeline.plan import print_plan

            print_plan(self)
            self._planned = True
            return
        lake = current_lake()
        lake.forget_listings()
        work = self.game_work() + self.team_work()
        yield from self.fetch_missing(work)
        players = self.players_task()
        if players is not None:
            yield players
            player_work = self.player_work(players)
            yield from self.fetch_missing(player_work)
            work += player_work
        self.write_report()
        dead = self.state(work)["dead_letter"]
        if dead:
            # Data the API does not have: the season is as complete as it can be, and the
            # run exits with [retcode] missing_data so nobody mistakes it for whole.
            yield [DeadLetter(season=self.season, endpoint=e.key, key=item.key) for e, item in dead]

    def fetch_missing(self, work):
        """Yield (as dynamic dependencies) fetch tasks for the work not yet in the lake."""
        state = self.state(work)
        observe.report_progress(self, state)
        if state["missing"]:
            yield [self.fetch_task(endpoint, item) for endpoint, item in state["missing"]]
            current_lake().forget_listings()

    def write_report(self) -> None:
        from pipeline.report import validate_season, write_report

        lake = current_lake()
        report = validate_season(
            lake, self.season, games=self.games(), endpoints=self.game_endpoints()
        )
        json_path, html_path = write_report(lake, self.season, report)
        summary = report.get("summary", {})
        print(
            f"validation: quality {summary.get('quality_score')} for "
            f"{summary.get('expected_games')} games; report {html_path}",
            flush=True,
        )
