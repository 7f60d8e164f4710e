"""Building the S3 clients of one process from Luigi's `[s3]` section.

Settings come from one place, Luigi's `[s3]` section (passed to boto3 as is, exactly as
luigi.contrib.s3.S3Client does), then boto3's own chain (env AWS_ACCESS_KEY_ID...,
AWS_ENDPOINT_URL, ~/.aws). The older CLI's AWS_REGION is mapped to region_name here because
boto3 only reads AWS_DEFAULT_REGION. Everything is read when a client is built, not at import.

A boto3 connection pool is not fork-safe: a forked process builds clients of its own.
"""

from __future__ import annotations

import os
from configparser import NoSectionError
from functools import cached_property

import boto3
import botocore.session
import luigi.configuration
from botocore.config import Config
from luigi.contrib.s3 import S3Client

DEFAULT_MAX_ATTEMPTS = 8
CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
_CREDENTIALS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")


def max_attempts() -> int:
    """Attempts per request, retries included (env AWS_MAX_ATTEMPTS, read now)."""
    return int(os.environ.get("AWS_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)


def retrying_config() -> Config:
    """botocore "standard" mode retries 500/502/503/504, SlowDown/Throttling and connection
    errors (reset, refused, read timeout) with jittered exponential backoff (max 20 s)."""
    return Config(
        retries={"max_attempts": max_attempts(), "mode": "standard"},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
    )


def luigi_s3_section() -> dict:
    """Luigi's `[s3]` section as S3Client reads it: its own keys only (not [DEFAULT]'s),
    numbers as ints. (Read here through the public config API, not S3Client's private one.)"""
    config = luigi.configuration.get_config()
    try:
        section = dict(config.items("s3"))
    except (NoSectionError, KeyError):
        return {}
    defaults = dict(config.defaults())
    options = {}
    for key, value in section.items():
        if key in defaults and value == defaults[key]:
            continue
        try:
            options[key] = int(value)
        except ValueError:
            options[key] = value
    return options


def client_options(config: Config | None = None) -> dict:
    """The keyword arguments for boto3: `[s3]`, then our retries/timeouts and region."""
    section = luigi_s3_section()
    options = {**section, "config": config or retrying_config()}
    region = os.environ.get("AWS_REGION")
    if region and "region_name" not in section:
        options["region_name"] = region  # the older config's name; boto3 ignores it
    return options


def _session(options: dict, *, raw_timestamps: bool = False) -> boto3.session.Session:
    """As luigi does, but on a session of our own: boto3's default session caches the
    credentials it found first, so a rebuilt client would never see new ones. Takes the
    credentials out of options."""
    keys = {k: options.pop(k, None) for k in _CREDENTIALS}
    options.pop("aws_role_session_name", None)
    core = botocore.session.Session()
    if raw_timestamps:
        core.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=str)
    return boto3.session.Session(botocore_session=core, **keys)


class LakeClient:
    """One process's S3 clients, all on the same settings:

    - `boto`: the low-level boto3 client (thread-safe), for the byte store;
    - `lister`: a client for listings only;
    - `luigi_client`: luigi's S3Client on the same connections, for S3Target.
    """

    def __init__(self, config: Config | None = None):
        self._options = client_options(config)
        if self._options.get("aws_role_arn"):
            # luigi's assume-role path, as is, through its public API.
            self.resource = S3Client(**self._options).s3
        else:
            options = dict(self._options)
            self.resource = _session(options).resource("s3", **options)
        self.boto = self.resource.meta.client

    @cached_property
    def lister(self):
        """Same settings, but LastModified left unparsed: parsing 1,000 timestamps is most of
        the client's time per page, and we never read them. (Separate, because luigi's
        listdir(start_time=...) compares datetimes.)"""
        if self._options.get("aws_role_arn"):
            return self.boto
        options = dict(self._options)
        return _session(options, raw_timestamps=True).client("s3", **options)

    @cached_property
    def luigi_client(self) -> S3Client:
        client = S3Client()
        client.s3 = self.resource  # luigi's public setter: it uses our connections as is
        return client


def build_client(config: Config | None = None) -> LakeClient:
    """New S3 clients from the settings as they are now (config: botocore retries and
    timeouts, standard retries with AWS_MAX_ATTEMPTS attempts unless given)."""
    return LakeClient(config)
