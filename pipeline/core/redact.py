"""Keep secrets out of every log line, the run summary and alerts.

Two nets: patterns for secret-shaped text (AWS keys, key=value credentials, Authorization
headers, webhook tokens, passwords in URLs), and the literal values of secret-named
environment variables and alert settings, because a secret can appear in any shape.
"""

from __future__ import annotations

import os
import re

MASK = "***"
SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|PASSWD|KEY|CREDENTIAL", re.IGNORECASE)
# Shorter values ("1", "true") would mask innocent text everywhere.
MIN_SECRET_LENGTH = 6
# Secret-named settings whose names are not secrets: ids, paths, counts.
NOT_SECRET_NAMES = re.compile(r"^(?:AWS_ACCESS_KEY_ID|.*KEY_?PATH|.*KEY_?FILE)$", re.IGNORECASE)

_VALUE = r"[^\s\"',;&}]+"
PATTERNS = [
    # AWS access key ids (AKIA... long-term, ASIA... temporary).
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), MASK),
    # key=value / key: value credentials, also inside JSON or repr() text.
    (
        re.compile(
            r"(?i)((?:aws_secret_access_key|aws_session_token|secret(?:_access)?_key|secret|"
            r"password|passwd|pwd|api_key|apikey|access_token|token|smtp_password)"
            r"[\"']?\s*[=:]\s*[\"']?)" + _VALUE
        ),
        r"\1" + MASK,
    ),
    # Authorization headers, with or without a scheme word.
    (
        re.compile(
            r"(?i)(authorization[\"']?\s*[=:]\s*[\"']?)(?:(?:bearer|basic|token)\s+)?" + _VALUE
        ),
        r"\1" + MASK,
    ),
    # Webhook URLs carry their token in the path.
    (re.compile(r"(?i)(https?://hooks\.slack\.com/)[^\s\"'<>]+"), r"\1" + MASK),
    (
        re.compile(r"(?i)(https?://[\w.-]*discord(?:app)?\.com/api/webhooks/)[^\s\"'<>]+"),
        r"\1" + MASK,
    ),
    (re.compile(r"(?i)(https?://[\w.-]*webhook\.office\.com/)[^\s\"'<>]+"), r"\1" + MASK),
    # Tokens in query strings and passwords in URLs.
    (
        re.compile(
            r"(?i)([?&](?:token|key|sig|signature|secret|password|access_token|code)=)"
            r"[^&\s\"'<>]+"
        ),
        r"\1" + MASK,
    ),
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@\"']+:)[^@\s/\"']+@"), r"\1" + MASK + "@"),
]

_extra_values: set[str] = set()


def add_secret(value) -> None:
    """Mask this literal value from now on (an alert password, a webhook path...)."""
    if value and len(str(value)) >= MIN_SECRET_LENGTH:
        _extra_values.add(str(value))


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not NOT_SECRET_NAMES.match(name)


def secret_values() -> list[str]:
    values = set(_extra_values)
    for name, value in os.environ.items():
        if is_secret_name(name) and len(value) >= MIN_SECRET_LENGTH:
            values.add(value)
    # Longest first, so a secret containing another is masked whole.
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    if not text:
        return text
    for value in secret_values():
        if value in text:
            text = text.replace(value, MASK)
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_url(url: str | None) -> str | None:
    """Only scheme and host of a URL survive (webhook URLs are credentials)."""
    if not url:
        return url
    match = re.match(r"^([a-z][a-z0-9+.-]*://[^/?#@]*@?[^/?#]*)", str(url), re.IGNORECASE)
    host = match.group(1) if match else ""
    host = re.sub(r"//[^@/]*@", "//", host)
    return f"{host}/{MASK}" if host else MASK


def redact_value(value):
    """Redact strings anywhere inside dicts, lists and tuples."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return redact_mapping(value)
    if isinstance(value, (list, tuple)):
        return [redact_value(v) for v in value]
    return value


def redact_mapping(mapping: dict) -> dict:
    """A copy with secret-named keys masked and every string value scrubbed."""
    out = {}
    for key, value in mapping.items():
        name = str(key)
        if value not in (None, "") and is_secret_name(name):
            out[key] = MASK
        elif "url" in name.lower() and isinstance(value, str) and "webhook" in name.lower():
            out[key] = redact_url(value)
        else:
            out[key] = redact_value(value)
    return out
