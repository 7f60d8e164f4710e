"""One alert per run, at the end: a webhook (Slack-compatible {"text": ...}), SMTP, or both."""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from email.message import EmailMessage

from pipeline.core.config import alerts
from pipeline.core.redact import add_secret, redact

log = logging.getLogger("pipeline.app.alerts")
TIMEOUT_SECONDS = 10


def settings() -> alerts:
    conf = alerts()
    add_secret(conf.smtp_password)
    if conf.webhook_url and "://" in conf.webhook_url:
        add_secret(conf.webhook_url.split("://", 1)[1].partition("/")[2])
    return conf


def send(summary: dict, text: str) -> dict:
    """Send the run's one alert. Failures to alert are logged, never raised."""
    conf = settings()
    sent = {}
    if conf.only_on_failure and summary.get("status") == "success":
        return sent
    if conf.webhook_url:
        sent["webhook"] = _guard("webhook", _webhook, conf.webhook_url, text)
    if conf.smtp_host and conf.smtp_to:
        sent["smtp"] = _guard("smtp", _smtp, conf, summary, text)
    return sent


def _guard(channel, func, *args) -> bool:
    try:
        func(*args)
        return True
    except Exception as exc:  # an alert must never turn a run into a crash
        log.warning(
            "could not send the %s alert: %s",
            channel,
            redact(str(exc)),
            extra={"event_type": "alert_failed", "error_type": type(exc).__name__},
        )
        return False


def _webhook(url: str, text: str) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    # No proxy for loopback; the environment's proxy for anything else.
    handlers = []
    if urllib.request.urlparse(url).hostname in ("127.0.0.1", "localhost", "::1"):
        handlers.append(urllib.request.ProxyHandler({}))
    with urllib.request.build_opener(*handlers).open(request, timeout=TIMEOUT_SECONDS) as resp:
        resp.read()


def _smtp(conf: alerts, summary: dict, text: str) -> None:
    message = EmailMessage()
    message["Subject"] = (
        f"nba-backfill {summary.get('season')} {summary.get('status')} "
        f"(run {summary.get('run_id')})"
    )
    message["From"] = conf.smtp_from
    message["To"] = conf.smtp_to
    message.set_content(text + "\n\n" + json.dumps(summary, indent=2, default=str))
    with smtplib.SMTP(conf.smtp_host, conf.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if conf.smtp_starttls:
            smtp.starttls()
        if conf.smtp_user:
            smtp.login(conf.smtp_user, conf.smtp_password or "")
        smtp.send_message(message, to_addrs=[a.strip() for a in conf.smtp_to.split(",")])
