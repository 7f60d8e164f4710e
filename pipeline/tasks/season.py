"""SeasonBackfill: every game of a season, every endpoint, scheduled only where missing.

The task reads like a table of contents: the work model (pipeline.model.work) says what there is
to do and where it stands; the fetch tasks land it; the report checks it.
"""

from __future__ import annotations

import os

import luigi

from pipeline.app import run as observe
from pipeline.app import runtime
from pipeline.app.glue import register_season
from pipeline.core import config, seasons
from pipeline.model.work import (
    SWITCHES,
    Coverage,
    Scope,
    SeasonWork,
    Work,
    groups_off,
    switch_name,
    switches_of,
)
from pipeline.nba import endpoints
from pipeline.report.season import compaction_feed, write_scope_report
from pipeline.tasks import hosts
from pipeline.tasks.common import PipelineTask
from pipeline.tasks.discover import DiscoverGames
from pipeline.tasks.dispatch import fetch_task
from pipeline.tasks.entities import DiscoverPlayers
from pipeline.tasks.fetch import DeadLetter


class SeasonChoices:
    """What a season run covers: shared by SeasonBackfill and SeasonRange (Luigi collects
    parameters from base classes too). The dataset switches come from the catalogue."""

    season_types = luigi.Parameter(
        default=",".join(seasons.SEASON_TYPES),
        description="Comma-separated: " + ", ".join(seasons.SEASON_TYPES),
    )
    limit = luigi.IntParameter(default=0, description="At most N games a season (0: all)")
    retry_dead_letters = luigi.BoolParameter(default=False, significant=False)

    def choices(self) -> dict:
        """The choice parameters by name, to hand on to another task."""
        names = ["season_types", "limit", "retry_dead_letters"]
        names += SWITCHES
        return {name: getattr(self, name) for name in names}

    def scope(self, season: str, start=None, end=None) -> Scope:
        return Scope(
            season=season,
            season_types=tuple(t.strip() for t in self.season_types.split(",") if t.strip()),
            start=start,
            end=end,
            limit=self.limit,
            groups_off=groups_off(switches_of(self)),
            retry_dead_letters=self.retry_dead_letters,
        )


def _add_dataset_switches(cls) -> None:
    for group in endpoints.GROUPS:
        optional = group in endpoints.OPTIONAL_GROUPS
        verb = "Add" if optional else "Leave out"
        switch = luigi.BoolParameter(default=False, description=f"{verb} the {group} datasets")
        switch.__set_name__(cls, switch_name(group))  # as if written in the class body
        setattr(cls, switch_name(group), switch)


_add_dataset_switches(SeasonChoices)


class SeasonBackfill(SeasonChoices, PipelineTask):
    """Fill the lake with one season. A rerun fetches only what is missing."""

    season = config.SeasonParameter(default="2024-25", env_var="NBA_TARGET_SEASON")
    start_date = config.OptionalDateParameter(default=None)
    end_date = config.OptionalDateParameter(default=None)
    dry_run = config.EnvBoolParameter(env_var="DRY_RUN", default=False, significant=False)
    # The older CLI's names, mapped onto Luigi's config so forked workers see them too.
    rate_limit = luigi.OptionalFloatParameter(default=None, significant=False)
    max_retries = luigi.OptionalIntParameter(default=None, significant=False)
    s3_bucket = luigi.OptionalParameter(default=None, significant=False)
    s3_prefix = luigi.OptionalParameter(default=None, significant=False)
    # A range lists each season's work only when that season runs (SeasonRange explains).
    list_work = luigi.BoolParameter(
        default=True, significant=False, parsing=luigi.BoolParameter.EXPLICIT_PARSING
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope = self.scope(self.season, self.start_date, self.end_date)
        self._since = config.run_started() if self.retry_dead_letters else None
        config.apply_older_options(
            self.rate_limit, self.max_retries, self.s3_bucket, self.s3_prefix
        )
        if not self.dry_run:
            runtime.current().preflight()
        observe.start_run(self.coverage(), dry_run=self.dry_run)

    @property
    def work(self) -> SeasonWork:
        # Within a round of run(), the round's own: its work lists (6,000 items a season)
        # are made once, not once per use (state, progress, the game-log check). Elsewhere
        # built on each use: a forked task process has its own runtime and lake listings,
        # and the launching process must see what the others have written since.
        in_round = getattr(self, "_round", None)
        if in_round is not None and in_round[0] == os.getpid():
            return in_round[1]
        return runtime.current().season_work(self._scope, dead_letters_since=self._since)

    def coverage(self) -> Coverage:
        return Coverage(
            self.season, self.task_id, self.to_str_params(), (self._scope,), self._since
        )

    # --- luigi --------------------------------------------------------------------------

    def requires(self):
        # Listed once per task: run() may move files aside (a stat correction) and fetch
        # them again, which must not turn into unfulfilled requirements at run time.
        if not hasattr(self, "_required"):
            self._required = self._list_requirements()
        return self._required

    def _list_requirements(self) -> list:
        if self.dry_run:
            return []
        discovery = self.discovery()
        if not self.list_work or not discovery.complete():
            return [discovery]  # the rest is yielded by run() once the index exists
        # The index exists: list the work here, so that every host running this same command
        # against one luigid schedules the same fetch tasks, and so may run them (luigid hands
        # a task only to a worker that scheduled it; tasks yielded by run() are the runner's).
        work = self.work
        todo = work.state(work.game_work() + work.team_work() + work.season_work(logs=False))
        return [discovery, *self.fetch_tasks(todo.missing)]

    def discovery(self) -> DiscoverGames:
        """The season's game index: final once the season is over, else this run's."""
        return DiscoverGames(season=self.season, as_of=self.work.discovery_as_of())

    def complete(self):
        # Luigi asks this first in the launching process: from here on the run is summarised
        # at exit (merely building the task, e.g. to inspect its work, leaves no summary).
        observe.track_run()
        if self.dry_run:
            return getattr(self, "_planned", False)
        hosts.watch_slots()
        return self.work.is_complete()

    def run(self):
        # Luigi runs run() again from the top after each round of yielded tasks (in a
        # process of its own with --workers > 1): the round's work model lives as long.
        self._round = (os.getpid(), self.work)
        try:
            yield from self._round_of_run()
        finally:
            self._round = None

    def _round_of_run(self):
        if self.dry_run:
            from pipeline.app.plan import print_plan

            print_plan(self.work)
            self._planned = True
            return
        work = self.work
        work.lake.forget_listings()
        work.compaction_pending()
        # A season in progress: its season-level answers are asked for again by each run.
        logs = work.season_work(logs=True) if work.checks_game_logs() else []
        work.supersede(work.stale_season_work(work.season_work(logs=False) + logs))
        # An uncertain era: its probes first, then its verdict decides what else is asked.
        yield from self.probe()
        covered = work.game_work() + work.team_work() + work.season_work(logs=False)
        # The game logs in the games' round: a round is a process that lists the season.
        yield from self.fetch_missing(covered + logs)
        if work.wants_players():
            games = work.player_source_games()
            yield DiscoverPlayers(
                season=self.season, digest=work.games_digest(games), game_ids=games
            )
            yield from self.probe()
            players = work.player_work(work.player_ids() or [])
            yield from self.fetch_missing(players)
            covered += players
        if work.checks_game_logs():
            if not work.check_done():
                yield from self.check_game_logs()
            covered += logs
        # Validation takes what compaction reads: the season's files are read once.
        compacted = work.compact(reader=compaction_feed(work.lake))
        print(compacted.summary(), flush=True)
        register_season(work)  # in the Glue Data Catalog, if [glue] database is set
        observe.report_progress(self, work)  # all fetched: the visualiser shows it
        report, html_path = write_scope_report(work, compacted)
        summary = report.get("summary", {})
        print(
            f"validation: quality {summary.get('quality_score')} for "
            f"{summary.get('expected_games')} games; report {html_path}",
            flush=True,
        )
        dead = work.state(covered).dead_letter
        if dead:
            # Data the API does not have: the season is as complete as it can be, and the
            # run exits with [retcode] missing_data so nobody mistakes it for whole.
            yield [
                DeadLetter(season=item.season or "", endpoint=e.key, key=item.key)
                for e, item in dead
            ]

    def probe(self):
        """Fetch the probes of the season's uncertain eras and keep each verdict
        (pipeline/model/eras.py): a few requests, once per lake."""
        work = self.work
        probes = work.probe_work()
        if probes:
            yield from self.fetch_missing(probes)
            for verdict in work.settle_probes():
                observe.record({"event_type": "era_learned", **verdict.as_dict()})

    def check_game_logs(self):
        """Compare the season's game logs (fetched with the games) with the stored box
        scores, and fetch again (once) every game that differs: a stat correction. What
        still differs after that is reported, and the run moves on.

        Luigi runs run() again from the top after each round of yielded tasks, so the games
        to fetch again are decided once, written down, and read back on the next rounds."""
        work = self.work
        corrected = work.corrections_under_way()
        if corrected is None:
            corrected = sorted({d.game_id for d in work.compare_with_logs()})
            work.supersede(work.correction_work(set(corrected)))
            for game_id in corrected:
                observe.record({"event_type": "corrected", "game_id": game_id})
            work.write_check(corrected, unresolved=None)
        yield from self.fetch_missing(work.correction_work(set(corrected)))
        unresolved = work.compare_with_logs(only=set(corrected)) if corrected else []
        work.write_check(corrected, unresolved)

    def fetch_missing(self, work: Work):
        """Yield (as dynamic dependencies) fetch tasks for the work not yet in the lake."""
        state = self.work.state(work)
        if state.missing:
            # Once per round that fetches: the outlook reads the whole season's state.
            observe.report_progress(self, self.work)
            yield self.fetch_tasks(state.missing)
            self.work.lake.forget_listings()

    def fetch_tasks(self, work: Work) -> list:
        return [fetch_task(e, item, self.retry_dead_letters) for e, item in work]
