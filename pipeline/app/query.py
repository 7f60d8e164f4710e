"""`nba-backfill sql "SELECT ..."`: DuckDB over the lake, local or on S3, one view per table.

Each table's view reads, season by season, its compacted files (compact/<table>/season=<s>/,
one per month) where they are current, and the per-game files otherwise (a season still
being filled, or a compacted file behind its inputs: then a warning says so). `season` is a
column.

    nba-backfill sql "SELECT count(*) FROM box_traditional_players"
    nba-backfill sql --csv "SELECT * FROM players WHERE season = '2024-25'" > players.csv
    nba-backfill sql --print-views            # the CREATE VIEW statements, for any DuckDB
    nba-backfill sql --write-db lake.duckdb   # a database file holding the views

On S3, DuckDB reads through its httpfs extension, loaded from the installed
duckdb-extension-httpfs package (nothing is downloaded at run time), with the lake's own
S3 settings: Luigi's [s3] section (endpoint_url, region_name, keys) and boto3's chain.
Credentials go into an in-memory DuckDB secret only: never printed, never written.
"""

from __future__ import annotations

import argparse
import csv
import pathlib
import posixpath
import re
import sys
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import duckdb

from pipeline.core.errors import BadInput
from pipeline.lake import compact, schema
from pipeline.lake.lake import Lake

GAMES_VIEW = "games"  # the season's game index: already one file per season


@dataclass
class View:
    """One table's view: its compacted files and the per-game globs of other seasons."""

    name: str
    compacted: list[str] = field(default_factory=list)
    per_game: list[str] = field(default_factory=list)
    monthly: bool = False  # per-game files sit in month=<m>/ folders (excluded as a column)

    def sql(self) -> str:
        parts = []
        if self.compacted:
            parts.append(f"SELECT * FROM {_read(self.compacted)}")
        if self.per_game:
            exclude = " EXCLUDE (month)" if self.monthly else ""
            parts.append(f"SELECT *{exclude} FROM {_read(self.per_game)}")
        body = "\nUNION ALL BY NAME\n".join(parts)
        return f'CREATE OR REPLACE VIEW "{self.name}" AS\n{body};'


def _read(paths: list[str]) -> str:
    quoted = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    return f"read_parquet([{quoted}], hive_partitioning = true, union_by_name = true)"


def lake_tables() -> list[str]:
    return [*schema.tables(), GAMES_VIEW]


def plan_views(lake: Lake, tables: list[str] | None = None, warn=None) -> list[View]:
    """A view for each table the lake holds: a season's compacted files where they are
    current, its per-game files otherwise. Costs one listing per table and one for compact/, plus
    one footer read per compacted file."""
    compacted = compact.compacted_files(lake)
    views = []
    for table in tables if tables is not None else lake_tables():
        if table == GAMES_VIEW:
            view = _games_view(lake)
        else:
            view = _table_view(lake, table, compacted, warn)
        if view is not None:
            views.append(view)
    return views


def _games_view(lake: Lake) -> View | None:
    index = lake.layout.game_index("*")
    folder = posixpath.dirname(posixpath.dirname(index))
    if not any(p.endswith(".parquet") for p in lake.store.list(folder)):
        return None
    return View(GAMES_VIEW, compacted=[index])


def _table_view(lake: Lake, table: str, compacted: dict, warn) -> View | None:
    endpoint, _ = schema.source(table)
    view = View(table, monthly=endpoint.per == "game")
    seasons = compact.table_inputs(lake, table)  # {None: ...} for a lake-wide table
    # A compacted file stands alone too (a lake published without its per-game files).
    for path in compacted:
        if path.startswith(lake.layout.compact_prefix(table) + "/season="):
            seasons.setdefault(lake.layout.relative(path).split("/")[2][len("season=") :], {})
    for season, inputs in sorted(seasons.items(), key=lambda item: item[0] or ""):
        files = compact.compacted_of(lake, table, season, compacted)
        state = compact.freshness(lake, table, season, compacted, inputs)
        if files and (state.state == "current" or not inputs):
            view.compacted.extend(files)
            continue
        if not inputs:
            continue
        if files and warn:
            warn(
                f"{table} {season or ''}: the compacted files are behind its per-game files; "
                f"reading those instead (the next season run compacts them again)"
            )
        folder = lake.layout.table_prefix(table, season)
        view.per_game.append(f"{folder}/*/*.parquet" if view.monthly else f"{folder}/*.parquet")
    return view if view.compacted or view.per_game else None


# --- DuckDB -------------------------------------------------------------------------------


def connect(lake: Lake, views: list[View], database: str = ":memory:"):
    """A DuckDB connection with the views (and S3 access, for an S3 lake)."""
    con = duckdb.connect(database)
    if lake.root.startswith("s3://"):
        load_httpfs(con)
        configure_s3(con, lake.root)
    for view in views:
        con.execute(view.sql())
    return con


def load_httpfs(con) -> None:
    """httpfs from the installed duckdb-extension-httpfs package: DuckDB would otherwise
    download it on first use, which needs the internet."""
    con.execute("SET autoinstall_known_extensions = false")
    try:
        import duckdb_extension_httpfs
    except ImportError:  # a platform the package has no build for: DuckDB's own download
        con.execute("INSTALL httpfs")
        con.execute("LOAD httpfs")
        return
    package = pathlib.Path(duckdb_extension_httpfs.__file__).parent / "extensions"
    binary = package / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
    if not binary.exists():
        raise RuntimeError(
            f"duckdb-extension-httpfs has no build for DuckDB {duckdb.__version__} "
            f"(found {sorted(p.name for p in package.iterdir())}): install matching versions"
        )
    con.execute(f"LOAD '{binary.as_posix()}'")


def s3_settings(root: str) -> dict:
    """DuckDB S3 secret parameters from the lake's own S3 settings (Luigi's [s3] section,
    then boto3's chain: environment, profile, instance role)."""
    import boto3

    from pipeline.app import runtime
    from pipeline.lake.s3.client import luigi_s3_section

    client = runtime.current().s3_client().boto  # the client the pipeline writes with
    section = luigi_s3_section()
    key, secret = section.get("aws_access_key_id"), section.get("aws_secret_access_key")
    token = section.get("aws_session_token")
    if not (key and secret):
        found = boto3.session.Session().get_credentials()
        if found is not None:
            frozen = found.get_frozen_credentials()
            key, secret, token = frozen.access_key, frozen.secret_key, frozen.token
    settings = {"TYPE": "s3", "REGION": client.meta.region_name or "us-east-1"}
    if key and secret:
        settings.update(KEY_ID=key, SECRET=secret)
        if token:
            settings["SESSION_TOKEN"] = token
    endpoint = urlsplit(client.meta.endpoint_url)
    if not (endpoint.hostname or "").endswith("amazonaws.com"):  # MinIO, moto, ...
        settings.update(
            ENDPOINT=endpoint.netloc, URL_STYLE="path", USE_SSL=endpoint.scheme == "https"
        )
    settings["SCOPE"] = "s3://" + root[len("s3://") :].split("/")[0]
    return settings


def configure_s3(con, root: str) -> None:
    settings = s3_settings(root)
    options = ", ".join(f"{k} {_literal(v)}" for k, v in settings.items())
    con.execute(f"CREATE OR REPLACE TEMPORARY SECRET lake_s3 ({options})")


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "s3":
        return value
    return "'" + str(value).replace("'", "''") + "'"


def tables_named(sql: str) -> list[str]:
    """The lake tables a query names (all of them if it names none, as SHOW TABLES)."""
    named = [t for t in lake_tables() if re.search(rf"\b{re.escape(t)}\b", sql)]
    return named or lake_tables()


# --- the command --------------------------------------------------------------------------


DESCRIPTION = (
    "Run SQL with DuckDB over the lake: one view per table "
    "(compacted files where current, per-game files otherwise)."
)


def sql_main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.app.query ...`: the same as `nba-backfill sql ...`."""
    parser = argparse.ArgumentParser(prog="nba-backfill sql", description=DESCRIPTION)
    add_sql_options(parser)
    args = parser.parse_args(argv)
    if not (args.query or args.print_views or args.write_db):
        parser.error("give a query, --print-views or --write-db")
    return run_sql(args)


def add_sql_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="?", help='e.g. "SELECT count(*) FROM players"')
    parser.add_argument("--csv", action="store_true", help="print CSV (header first)")
    parser.add_argument("--lake-root", default=None, help="default: [lake] root / LAKE_ROOT")
    parser.add_argument("--max-rows", type=int, default=40, help="rows shown as a table")
    parser.add_argument(
        "--print-views", action="store_true", help="print the CREATE VIEW statements"
    )
    parser.add_argument(
        "--write-db", metavar="PATH", help="write a DuckDB database file holding the views"
    )


def run_sql(args: argparse.Namespace) -> int:
    if not (args.query or args.print_views or args.write_db):
        raise BadInput("give a query, --print-views or --write-db")
    if args.lake_root is None:
        from pipeline.core import config

        args.lake_root = config.lake_root()
    lake = Lake(args.lake_root)
    warn = lambda message: print(f"warning: {message}", file=sys.stderr)  # noqa: E731
    if args.print_views or args.write_db:
        views = plan_views(lake, warn=warn)
        if args.print_views:
            print("\n\n".join(v.sql() for v in views))
        if args.write_db:
            pathlib.Path(args.write_db).unlink(missing_ok=True)
            connect(lake, views, args.write_db).close()
            print(f"wrote {len(views)} views to {args.write_db}", file=sys.stderr)
        if not args.query:
            return 0
    con = connect(lake, plan_views(lake, tables_named(args.query), warn=warn))
    try:
        result = con.sql(args.query)
    except (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if result is None:
        return 0
    if args.csv:
        write_csv(result, sys.stdout)
    else:
        result.show(max_rows=args.max_rows)
    return 0


def write_csv(result, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    while rows := result.fetchmany(10_000):
        writer.writerows(rows)


if __name__ == "__main__":
    sys.exit(sql_main())
