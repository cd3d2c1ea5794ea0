"""Settings of the jixiao web application.

Everything that differs between machines comes from the environment:
  DATABASE_URL     sqlite:///… (default: var/jixiao.sqlite3 under the working directory) or postgres://…
  JIXIAO_VAR       where the SQLite file, uploads and generated files live (default ./var)
  JIXIAO_SECRET_KEY, JIXIAO_ALLOWED_HOSTS, JIXIAO_DEBUG
  JIXIAO_TASKS     "db" (default: the database backend, nothing else to run) or "rq" (Redis, REDIS_URL)
  JIXIAO_JOB_BEAT_SECONDS, JIXIAO_JOB_STALE_SECONDS  a running job's heartbeat (5 s) and the age of the
                   last beat after which a worker ends the job as interrupted (30 s; jixiao/web/jobs/)
Production hardening (issue 12) builds on this file; the demo is for development machines.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

WEB_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("JIXIAO_VAR", Path.cwd() / "var")).resolve()

DEBUG = os.environ.get("JIXIAO_DEBUG", "0") == "1"
# A development key unless one is given; production settings (issue 12) will refuse to start without one.
SECRET_KEY = os.environ.get("JIXIAO_SECRET_KEY", "jixiao-development-only-not-a-secret")
ALLOWED_HOSTS = [h for h in os.environ.get("JIXIAO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "jixiao.web",
    "jixiao.web.security",
]

MIDDLEWARE = [  # in the order Django runs them on a request; nothing is inserted elsewhere
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # the Content-Security-Policy header (security/settings.py sets the policy)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "jixiao.web.api.errors.ErrorShapeMiddleware",  # the API's refusals made before its code (405, 413, CSRF) in its one shape
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # after authentication: it marks the user verified by TOTP or not
    "jixiao.web.security.middleware.AuditContextMiddleware",
    "jixiao.web.security.middleware.SecondFactorMiddleware",  # bureau and administrator roles: TOTP first
    "jixiao.web.security.middleware.PasswordChangeMiddleware",  # an initial or expired password: change it first
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jixiao.web.middleware.UploadLimitMiddleware",
    "jixiao.web.security.inputs.InputGuardMiddleware",  # NUL characters, over-deep JSON: a 400 before any view
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "jixiao.web.root_urls"
WSGI_APPLICATION = "jixiao.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jixiao.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A small office on SQLite: WAL (readers never wait for the writer), a busy timeout, and every
    # transaction taking the write lock when it begins (BEGIN IMMEDIATE). A deferred transaction that
    # reads and then writes cannot wait for the lock — SQLite answers "database is locked" at once,
    # since its snapshot is already stale — so two people saving at the same moment got a 500; now the
    # second waits its turn and then sees the first one's version (200 or a 409 conflict).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE",
         "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"})

AUTH_USER_MODEL = "web.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# `jixiao serve` is the whole server of a small deployment: WhiteNoise serves the vendored htmx and
# ECharts from the package itself (no collectstatic step, no CDN).
WHITENOISE_USE_FINDERS = True
# WhiteNoise looks in STATIC_ROOT too (after `collectstatic`); `jixiao serve` makes the folder. Not made
# here: loading the settings must write nothing (a command run in the wrong folder left a var/ there).
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "files"  # uploads and generated documents; never served directly

# Uploads: a package file is a few hundred KB. Larger bodies get a Chinese 413 from the middleware.
JIXIAO_MAX_UPLOAD_BYTES = int(os.environ.get("JIXIAO_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = JIXIAO_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = JIXIAO_MAX_UPLOAD_BYTES + 1024 * 1024

# The background jobs' heartbeat (jixiao/web/jobs/heartbeat.py): short enough that a job a killed
# worker left is ended within a minute, long enough that a busy database never ends a live one.
JIXIAO_JOB_BEAT_SECONDS = float(os.environ.get("JIXIAO_JOB_BEAT_SECONDS", 5))
JIXIAO_JOB_STALE_SECONDS = float(os.environ.get("JIXIAO_JOB_STALE_SECONDS", 30))

_TASKS = os.environ.get("JIXIAO_TASKS", "db")
if _TASKS == "rq":
    # Many workers on many machines: jobs go through Redis (REDIS_URL); `jixiao worker` runs `rqworker`.
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}}
    INSTALLED_APPS.append("django_rq")
elif _TASKS == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page's meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
CSRF_FAILURE_VIEW = "jixiao.web.entrance.csrf_failure"

# Issue 12: identity, sessions, headers and JIXIAO_ENV=production (jixiao/web/security/settings.py).
from .security.settings import apply as _apply_security  # noqa: E402

_apply_security(globals())
