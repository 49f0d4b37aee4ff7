"""Gunicorn settings for the web processes, read from the environment.

    gunicorn config.wsgi:application --config config/gunicorn.py     (Procfile: web)

``PORT`` (or ``GUNICORN_BIND``), ``WEB_CONCURRENCY`` (worker processes; default 2 per
CPU + 1), ``GUNICORN_THREADS``, ``GUNICORN_TIMEOUT`` (seconds a request may take),
``FORWARDED_ALLOW_IPS`` (the balancer's addresses, trusted for X-Forwarded-Proto).

The access log names the path only: no query string, no referrer, and the secret part of
the links sent by e-mail (password reset, registration confirmation) is masked.
"""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
keepalive = 5
# A worker is replaced after this many requests, so slow leaks cannot build up.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# %(U)s is the path without the query string; no referrer (%(f)s), which can hold one.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'

#: Paths whose last part is a secret sent by e-mail.
SECRET_PATHS = [
    re.compile(r"^(/accounts/reset/[^/]+/)(?!set-password/)[^/]+"),
    re.compile(r"^(/admin/password_reset/confirm/[^/]+/)(?!set-password/)[^/]+"),
    re.compile(r"^(/vendor/register/confirm/)[^/]+"),
]


def masked_path(path: str) -> str:
    for pattern in SECRET_PATHS:
        path = pattern.sub(r"\1…", path)
    return path


class AccessLogger(Logger):
    """Gunicorn's logger, with the secret part of e-mailed links masked."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = masked_path(atoms["U"] or "")
        return atoms


logger_class = AccessLogger
