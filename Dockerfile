# nba-season-backfill: the same install as the README (`pip install -e .`), as a non-root user.
# Our Luigi defaults ([retcode], [resources], [worker], ...) ship inside the package
# (pipeline/app/defaults.cfg); mount a luigi.cfg and set LUIGI_CONFIG_PATH to override them.
FROM python:3.12-slim

RUN useradd --create-home --uid 10001 backfill
WORKDIR /app
COPY setup.py setup.cfg pyproject.toml README.md ./
COPY pipeline ./pipeline
RUN pip install --no-cache-dir -e . && mkdir -p /data && chown backfill /data

USER backfill
WORKDIR /data
# JSON logs for log collectors; override with -e LOG_FORMAT=text or --log-format text.
ENV LAKE_ROOT=/data/lake LOG_FORMAT=json PYTHONUNBUFFERED=1
# The lake defaults to /data/lake (mount a volume) or S3 via env. Exit codes as in the README.
ENTRYPOINT ["nba-backfill"]
CMD ["run", "--season", "2024-25"]
