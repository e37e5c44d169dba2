"""BlogTube settings: one module, configured from environment variables.

Every variable is listed in the README. The defaults give the embedded
configuration (SQLite, ORM task broker, in-process channel layer) so a fresh
clone runs with nothing to install; DATABASE_URL and REDIS_URL scale it out.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")


def _local_secret_key() -> str:
    # A fresh clone has no SECRET_KEY; generating one per clone (and keeping it,
    # git-ignored) keeps sessions valid across restarts without a setup step.
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        # `make run` starts web and worker at once: each writes a file of its own and links
        # it in place, which only the first can do, so both read the same whole key.
        mine = path.with_name(f".secret_key.{os.getpid()}")
        mine.write_text(secrets.token_urlsafe(50))
        mine.chmod(0o600)
        try:
            os.link(mine, path)
        except FileExistsError:
            pass
        finally:
            mine.unlink()
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
# Old keys still accepted after a rotation: sessions stay valid and provider keys
# stored in admin stay readable (providers.crypto decrypts with these too).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS -------------------------------------------------------------------
# Off by default: `make run` serves plain http on 127.0.0.1. BLOGTUBE_SECURE=true is the one
# switch for a site served over https; each setting below can still be set on its own.
BLOGTUBE_SECURE = env.bool("BLOGTUBE_SECURE", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=BLOGTUBE_SECURE)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=BLOGTUBE_SECURE)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=BLOGTUBE_SECURE)
# A year once secure; browsers then refuse plain http to this host for that long.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if BLOGTUBE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Behind a proxy that ends TLS, the header it sets to "https" (e.g. X-Forwarded-Proto): only
# then does Django know a request came over https. Set it only if the proxy always sets or
# strips that header, or clients could claim https themselves.
_PROXY_SSL_HEADER = env.str("SECURE_PROXY_SSL_HEADER", default="")
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")

# --- Content Security Policy (django-csp) -----------------------------------
# No inline script or style anywhere: what a model, a video or a front matter manages to
# smuggle into a page cannot run. Pictures from YouTube's thumbnail hosts, the player from
# youtube-nocookie; WebSockets to the page's own host are added per request
# (blogtube_site.content_security).
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [
            _SELF,
            "https://i.ytimg.com",
            "https://*.ytimg.com",
            "https://img.youtube.com",
            "https://yt3.ggpht.com",
        ],
        "connect-src": [_SELF],
        "frame-src": ["https://www.youtube-nocookie.com"],
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    },
}

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "django_q",
    "template_partials",
    # The JSON API's docs page from its own static files: without it ninja links a CDN.
    "ninja",
    # The site's own: sign-in, the first-account link and its management command.
    "blogtube_site",
    "videos",
    "providers",
    "jobs",
    "publishing",
]

MIDDLEWARE = [
    # First, so every log line of the request (the 500's too) carries its id.
    "blogtube_site.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "blogtube_site.content_security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "blogtube_site.nul_characters.refuse_nul_characters",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a signed-in user unless it says @login_not_required: a new
    # view is private by default. Anonymous visitors are sent to LOGIN_URL?next=...
    # (an htmx swap by HX-Redirect: blogtube_site.accounts.SignInRequired).
    "blogtube_site.accounts.SignInRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before SignInRequired's process_view, which asks request.htmx.
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "blogtube_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% partialdef %} in every template, as Django 6 has it built in.
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "blogtube_site.wsgi.application"
ASGI_APPLICATION = "blogtube_site.asgi.application"

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'blogtube.sqlite3'}"),
}
# django-q2 "closes old connections" before every task and every broker poll: with Django's
# default of 0 that is a new connection each time (and, on SQLite, a WAL checkpoint at each
# close), a good share of a short job. The task cluster keeps its connections (checked
# before reuse); web processes keep 0, as Django advises under ASGI.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DATABASE_CONN_MAX_AGE", default=600 if sys.argv[1:2] == ["qcluster"] else 0
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The live pages' shared reads all run on one long-lived thread of the web process: it keeps
# its connection this long after a read (0: a new connection for every read), see jobs/fanout.py.
BLOGTUBE_LIVE_CONN_SECONDS = env.float("BLOGTUBE_LIVE_CONN_SECONDS", default=60.0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A worker and the web process write at the same time. With Django's
    # defaults nearly every job died with "database is locked"; WAL lets readers
    # run beside a writer, IMMEDIATE takes the write lock at BEGIN (so SQLite
    # can wait for it instead of failing a deadlocked upgrade), and the busy
    # timeout is how long it waits.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A file, not :memory:, so a live server and a worker process can share it;
    # one per test run, so runs side by side do not corrupt each other's.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str(
            "BLOGTUBE_TEST_DATABASE", default=str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")
        )
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Every key BlogTube writes to Redis starts with this (cache, channel layer, the Redis task
# queue): sites sharing one Redis, or test runs side by side, never read each other's keys.
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="blogtube")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "blogtube_cache",
    }
}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": REDIS_KEY_PREFIX,
    }
# What only this process needs and may ask again (which models a server on this machine
# lists): kept in memory, so reading or refreshing it is never a database query.
CACHES["process"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "blogtube-process",
}

# --- Channels: the channel layer is a doorbell, the database is the truth ---
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A web process's sockets share one Redis list; at the default 100 a busy process
            # (a thousand viewers) had rings dropped, and a job's last one is never repeated.
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": f"{REDIS_KEY_PREFIX}-asgi",
                "capacity": 10_000,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Without Redis a worker's group_send never reaches the web process, so each
# web process runs one poller that reads new JobEvents and rings local groups.
BLOGTUBE_EVENT_POLLER = env.bool("BLOGTUBE_EVENT_POLLER", default=not REDIS_URL)
BLOGTUBE_POLL_INTERVAL = env.float("BLOGTUBE_POLL_INTERVAL", default=0.05)

# --- django-q2 --------------------------------------------------------------
BLOGTUBE_JOB_TIMEOUT = env.int("BLOGTUBE_JOB_TIMEOUT", default=1800)
# A running job's worker writes a heartbeat this often; the reaper (jobs.recovery, every
# minute, and on every beat) puts back a job silent for longer than
# BLOGTUBE_LOST_AFTER_SECONDS: several missed beats, so a slow write is not a death.
BLOGTUBE_HEARTBEAT_SECONDS = env.float("BLOGTUBE_HEARTBEAT_SECONDS", default=10)
BLOGTUBE_LOST_AFTER_SECONDS = env.int("BLOGTUBE_LOST_AFTER_SECONDS", default=60)
# The hourly clean-up (jobs.retention). Jobs are kept forever unless asked: deleting
# people's posts on an upgrade would lose what nobody chose to lose.
BLOGTUBE_KEEP_JOBS_DAYS = env.int("BLOGTUBE_KEEP_JOBS_DAYS", default=0)
# A job deleted on the dashboard stays restorable this long, then the clean-up purges it.
BLOGTUBE_RESTORE_DAYS = env.int("BLOGTUBE_RESTORE_DAYS", default=30)
BLOGTUBE_COMPACT_EVENTS = env.bool("BLOGTUBE_COMPACT_EVENTS", default=True)
BLOGTUBE_CLEANUP_BATCH = env.int("BLOGTUBE_CLEANUP_BATCH", default=200)
Q_CLUSTER = {
    "name": "blogtube",
    "orm": "default",
    "workers": env.int("BLOGTUBE_WORKERS", default=2),
    "timeout": BLOGTUBE_JOB_TIMEOUT,
    # retry must exceed timeout: a shorter one redelivers a task that is still
    # running, and the same job would run twice at once.
    "retry": BLOGTUBE_JOB_TIMEOUT + 300,
    # A job's own retry policy lives on the Job (attempts, error codes);
    # django-q2's blind redelivery would repeat permanent failures.
    "max_attempts": 1,
    "catch_up": False,
    "ack_failures": True,
    # A successful task is not stored: the job's own rows (status, steps, events) are its
    # record, and django-q2 paid for each stored one with a write transaction that read
    # every kept success back (up to save_limit rows, unpickled) and two more writes.
    # Failed tasks (a crash outside the job's own handling) are still kept.
    "save_limit": -1,
    "label": "Task queue",
}
if REDIS_URL and env.bool("BLOGTUBE_REDIS_BROKER", default=False):
    Q_CLUSTER["redis"] = REDIS_URL
    Q_CLUSTER.pop("orm")
    # The Redis broker's list key is the cluster's name (the default prefix keeps the old one).
    Q_CLUSTER["name"] = REDIS_KEY_PREFIX

# --- BlogTube ---------------------------------------------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
# "offline" needs no key and no network; with a key the default is OpenAI.
BLOGTUBE_DEFAULT_PROVIDER = env.str(
    "BLOGTUBE_DEFAULT_PROVIDER", default="openai" if OPENAI_API_KEY else "offline"
)
# Offer Ollama and LM Studio while they answer on this machine (providers.local_servers).
BLOGTUBE_DETECT_LOCAL_MODELS = env.bool("BLOGTUBE_DETECT_LOCAL_MODELS", default=True)
YOUTUBE_PROXY_URL = env.str("YOUTUBE_PROXY_URL", default="")
# Webshare's rotating residential proxies, the kind youtube-transcript-api documents.
WEBSHARE_PROXY_USERNAME = env.str("WEBSHARE_PROXY_USERNAME", default="")
WEBSHARE_PROXY_PASSWORD = env.str("WEBSHARE_PROXY_PASSWORD", default="")
YOUTUBE_COOKIES_FILE = env.str("YOUTUBE_COOKIES_FILE", default="")
# Requests to YouTube per minute, shared by every worker through the cache.
YOUTUBE_REQUESTS_PER_MINUTE = env.int("YOUTUBE_REQUESTS_PER_MINUTE", default=30)
# How long video info, track lists and transcripts are reused before asking YouTube again.
YOUTUBE_CACHE_SECONDS = env.int("YOUTUBE_CACHE_SECONDS", default=7 * 24 * 3600)
# Playlists and channels: at most this many jobs per batch.
BLOGTUBE_BATCH_LIMIT = env.int("BLOGTUBE_BATCH_LIMIT", default=50)
# What one account may ask of the server and of the owner's provider credit; an admin
# overrides them per person (jobs.limits). 0: no limit.
BLOGTUBE_JOBS_PER_MINUTE = env.int("BLOGTUBE_JOBS_PER_MINUTE", default=10)
BLOGTUBE_PREVIEWS_PER_MINUTE = env.int("BLOGTUBE_PREVIEWS_PER_MINUTE", default=30)
# As many as one full batch, so a playlist of BLOGTUBE_BATCH_LIMIT videos still fits.
BLOGTUBE_ACTIVE_JOBS_PER_USER = env.int("BLOGTUBE_ACTIVE_JOBS_PER_USER", default=50)
# Speech to text when a video has no captions (needs requirements-whisper.txt).
WHISPER_MODEL = env.str("WHISPER_MODEL", default="base")
WHISPER_ENABLED = env.bool("WHISPER_ENABLED", default=True)
# Transient failures (rate limits, outages) retry after 1, 2, 4… minutes, this many runs in all.
BLOGTUBE_MAX_ATTEMPTS = env.int("BLOGTUBE_MAX_ATTEMPTS", default=4)
BLOGTUBE_RETRY_SECONDS = env.int("BLOGTUBE_RETRY_SECONDS", default=60)
# Publishing destinations on private, loopback or link-local addresses (a WordPress on the
# operator's own network); off, a site address resolving there is refused at connect time.
BLOGTUBE_PUBLISH_PRIVATE_ADDRESSES = env.bool("BLOGTUBE_PUBLISH_PRIVATE_ADDRESSES", default=False)
BLOGTUBE_DRAFT_FLUSH_SECONDS = env.float("BLOGTUBE_DRAFT_FLUSH_SECONDS", default=0.25)
# A secret of its own for the API keys typed in admin, so rotating SECRET_KEY never
# touches them; empty: derived from SECRET_KEY (see providers.crypto).
BLOGTUBE_ENCRYPTION_KEY = env.str("BLOGTUBE_ENCRYPTION_KEY", default="")
# Minutes between django-q2's provider health checks; 0 unschedules them.
BLOGTUBE_HEALTH_CHECK_MINUTES = env.int("BLOGTUBE_HEALTH_CHECK_MINUTES", default=30)
# Parallel model calls while a long transcript is summarized in chunks: more is
# faster until the provider's rate limit answers with 429s.
BLOGTUBE_LLM_CONCURRENCY = env.int("BLOGTUBE_LLM_CONCURRENCY", default=4)
# OpenRouter credits requests to the app at this address (its HTTP-Referer header).
BLOGTUBE_SITE_URL = env.str("BLOGTUBE_SITE_URL", default="") or "http://localhost"

# --- Static and media ---------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# English only: no translation ships, and off, Django's translation machinery is skipped on
# every string a page renders (a quarter of a jobs-table row's time).
USE_I18N = False
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "jobs:home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# text (one line, with [req=... job=...]) or json (one object a line, for a log shipper).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "blogtube_site.log_context.RequestAndJob"},
        # An API key a provider's error quoted is replaced in every line (providers.redaction).
        "redact_keys": {"()": "providers.redaction.RedactKeysFilter"},
    },
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [req=%(request_id)s job=%(job_id)s]: "
            "%(message)s"
        },
        "json": {"()": "blogtube_site.log_context.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["context", "redact_keys"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) would print its lines a second time.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "daphne": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
        # One line per request to the AI provider drowns the job's own log.
        "httpx": {"level": "WARNING"},
        "httpx2": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
# /metrics for a scraper: `Authorization: Bearer <token>`; empty: staff sessions only.
BLOGTUBE_METRICS_TOKEN = env.str("BLOGTUBE_METRICS_TOKEN", default="")
# Durations and failures on /metrics are of the jobs finished in this many minutes.
BLOGTUBE_METRICS_WINDOW_MINUTES = env.int("BLOGTUBE_METRICS_WINDOW_MINUTES", default=60)
# Tests run the pipeline inside the request; never set this in production.
BLOGTUBE_TASKS_SYNC = env.bool("BLOGTUBE_TASKS_SYNC", default=False)
