# nba-season-backfill: the same install as the README (`pip install -e .`), as a non-root user.
FROM python:3.12-slim

RUN useradd --create-home --uid 10001 backfill
WORKDIR /app
COPY setup.py setup.cfg pyproject.toml README.md luigi.cfg ./
COPY pipeline ./pipeline
RUN pip install --no-cache-dir -e . && mkdir -p /data && chown backfill /data

USER backfill
# JSON logs for log collectors; override with -e LOG_FORMAT=text or --log-format text.
ENV LAKE_ROOT=/data/lake LOG_FORMAT=json PYTHONUNBUFFERED=1
# luigi reads ./luigi.cfg; the lake defaults to /data/lake (mount a volume) or S3 via env.
ENTRYPOINT ["luigi", "--module", "pipeline", "SeasonBackfill", "--local-scheduler"]
CMD ["--season", "2024-25"]
