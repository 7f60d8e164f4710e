"""nba-season-backfill: a Luigi graph that fills a Parquet lake with NBA seasons."""
