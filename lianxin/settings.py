"""Settings, driven by environment variables.

The defaults run a demo on SQLite with no server. Production sets at least
SECRET_KEY, DEBUG=0, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL. Policy that an
administrator changes (deadlines, categories, holidays) lives in the database.
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value in ("1", "true", "True", "yes"):
        return True
    if value in ("0", "false", "False", "no", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (0/1), not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Translate `sqlite:///path` or `postgres://user:pass@host:port/name` into Django's form."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///relative/path, sqlite:////absolute/path
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        return sqlite_database(Path(path) if Path(path).is_absolute() else BASE_DIR / path)
    if parts.scheme in ("postgres", "postgresql"):
        # Query parameters become connection options; "true"/"false" are booleans
        # (e.g. ?server_side_binding=true).
        options: dict = {
            key: {"true": True, "false": False}.get(value, value)
            for key, value in parse_qsl(parts.query)
        }
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", "0"),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": os.getenv("TEST_DATABASE_NAME") or None},
        }
    raise ImproperlyConfigured(f"DATABASE_URL has an unsupported scheme: {parts.scheme!r}")


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so that on SQLite too a
            # workflow action's check-then-write cannot interleave with another.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


SECRET_KEY = os.getenv("SECRET_KEY", "insecure-demo-key-change-me-in-production")
# The Fernet key (32 url-safe base64 bytes) for identity-card numbers at rest; empty means
# one derived from SECRET_KEY (lianxin.registry.idnumbers), lost if SECRET_KEY rotates.
FIELD_ENCRYPTION_KEY = os.getenv("FIELD_ENCRYPTION_KEY", "")
DEBUG = envbool("DEBUG", "1")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
if not DEBUG and SECRET_KEY.startswith("insecure-"):
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is off.")
# The key of the case timeline's hash chain (lianxin/cases/chain.py). Set it apart from
# SECRET_KEY in production and never change it: rotating SECRET_KEY must not make
# every chain look broken, and a changed key does (docs/security.md).
AUDIT_CHAIN_KEY = os.getenv("AUDIT_CHAIN_KEY", "") or SECRET_KEY

DATA_DIR = Path(os.getenv("DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "lianxin.accounts",
    "lianxin.orgs",
    "lianxin.workdays",
    "lianxin.cases",
    "lianxin.registry",
    "lianxin.programs",
    "lianxin.volunteers",
    "lianxin.projects",
    "lianxin.hazards",
    "lianxin.intel",
    "lianxin.figures",
    "lianxin.geo",
    "lianxin.ledgers",
    "lianxin.open311",
    "lianxin.upstream",
    "lianxin.notify",
    "lianxin.webhooks",
    "lianxin.workbench",
    "lianxin.portal",
    "lianxin.demo",
    "lianxin.ops",  # issue 18: health, logs, metrics
]

MIDDLEWARE = [
    "lianxin.ops.logs.RequestIdMiddleware",  # issue 18: first, so every line has the id
    "lianxin.ops.metrics.MetricsMiddleware",  # issue 18: requests and latency by view
    "lianxin.bodysize.RequestBodyLimitMiddleware",
    "lianxin.open311.middleware.CollapseOpen311SlashesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lianxin.accounts.middleware.StaffIdleTimeoutMiddleware",
    "lianxin.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lianxin.csp.ContentSecurityPolicyMiddleware",  # issue 18, docs/deploy.md
]

ROOT_URLCONF = "lianxin.urls"
WSGI_APPLICATION = "lianxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lianxin.workbench.context_processors.staff_nav",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.getenv("DATABASE_URL")
    else sqlite_database(DATA_DIR / "lianxin.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's four checks, on sign-up, password change and reset; two say it in our words.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "lianxin.accounts.passwords.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["phone", "full_name", "username", "email"]},
    },
    {"NAME": "lianxin.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "login"
# Staff are signed out after this many minutes without a request (0: never); residents
# keep Django's session age (docs/security.md).
STAFF_IDLE_MINUTES = envint("STAFF_IDLE_MINUTES", "30")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "lianxin" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

# Huey: SQLite storage next to the database by default, Redis when REDIS_URL is set.
REDIS_URL = os.getenv("REDIS_URL", "")
HUEY_IMMEDIATE = envbool("HUEY_IMMEDIATE", "0")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "lianxin",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": envint("HUEY_WORKERS", "2"), "periodic": True},
    }
else:
    import sqlite3

    class HueySqliteConnection(sqlite3.Connection):
        """Huey's SQLite queue in WAL mode (Huey's default) with `synchronous=NORMAL`.

        SQLite's default, FULL, fsyncs the WAL on every commit: 3-7 ms an enqueue, paid
        in the request that committed a case. NORMAL syncs only at checkpoints: 0.03 ms
        (bench/huey_enqueue_bench.py). The trade-off: a crash of the process loses
        nothing, and in WAL mode the file stays consistent through a power loss (OFF,
        Huey's `fsync=False`, is as fast but may corrupt it then); but a power loss or
        an OS crash may lose the last jobs enqueued, those the OS had not yet written to
        disk (Linux writes within about 30 s). That is no worse than Redis as usually
        run (snapshots, or an append-only file synced once a second); the outboxes'
        sweeps send again any message, delivery or push whose row exists, and a lost
        fan-out job loses its texts and webhooks as a queue that is down does
        (docs/notifications.md)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.execute("pragma synchronous=NORMAL")

    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "lianxin",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "journal_mode": "wal",  # Huey's default; NORMAL is only safe with it
        "connection": {"factory": HueySqliteConnection},  # passed to sqlite3.connect
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": envint("HUEY_WORKERS", "2"), "periodic": True},
    }

# Map tiles: 天地图, OpenStreetMap or a city's own tile server. With none reachable
# the maps still draw points and grid outlines on a blank background.
MAP_TILE_URL = os.getenv("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.getenv("MAP_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
# The datum of the tiles: "wgs84" (OpenStreetMap, 天地图) or "gcj02" (高德 and other Chinese
# commercial maps). Coordinates are stored in WGS-84; the maps shift them to match the tiles,
# and a point picked on GCJ-02 tiles is shifted back before it is stored (docs/map.md).
MAP_TILE_DATUM = os.getenv("MAP_TILE_DATUM", "wgs84")
if MAP_TILE_DATUM not in ("wgs84", "gcj02"):
    raise ImproperlyConfigured(f"MAP_TILE_DATUM must be wgs84 or gcj02, not {MAP_TILE_DATUM!r}")

# How often the overdue scan runs, in minutes.
OVERDUE_SCAN_MINUTES = envint("OVERDUE_SCAN_MINUTES", "5")
# The hazards' year-end ranking of villages and estates: fewer inspections than this in
# the year and a place is listed, not ranked (one good visit is not a year's work).
HAZARD_RANKING_MIN_INSPECTIONS = envint("HAZARD_RANKING_MIN_INSPECTIONS", "3")

# Ledger exports of more rows than this run as a background job instead of streaming.
LEDGER_EXPORT_ASYNC_ROWS = envint("LEDGER_EXPORT_ASYNC_ROWS", "5000")
LEDGER_IMPORT_SYNC_ROWS = envint("LEDGER_IMPORT_SYNC_ROWS", "200")
# Load the Chinese word splitter in the background after a process starts, not in the
# first request that needs it.
INTEL_WARM_UP = envbool("INTEL_WARM_UP", "1")

# Text messages (docs/notifications.md): the backend class, the file the file backend
# appends to, the HTTP gateway, and the address residents follow their case at.
# The cache holds the rate limits' counters (lianxin/ratelimit.py), so it must be shared
# by every web process: Redis when REDIS_URL is set; else one process's memory (the demo).
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Behind a reverse proxy every request comes from the proxy: take the client's address
# from the last X-Forwarded-For entry, which the proxy appends (docs/security.md).
USE_X_FORWARDED_FOR = envbool("USE_X_FORWARDED_FOR", "0")
# Residents' submissions on /m/, per day (0 switches a limit off).
PORTAL_SUBMISSIONS_PER_ADDRESS = envint("PORTAL_SUBMISSIONS_PER_ADDRESS", "20")
PORTAL_SUBMISSIONS_PER_PHONE = envint("PORTAL_SUBMISSIONS_PER_PHONE", "5")
# Wrong guesses when following a case: per address in 15 minutes, per tracking number a day.
PORTAL_FOLLOW_FAILURES_PER_ADDRESS = envint("PORTAL_FOLLOW_FAILURES_PER_ADDRESS", "5")
PORTAL_FOLLOW_FAILURES_PER_CASE = envint("PORTAL_FOLLOW_FAILURES_PER_CASE", "20")
# Wrong passwords before sign-in is refused, per account and per client address, in a
# window of SIGNIN_LOCKOUT_MINUTES (0 switches a count off; docs/security.md).
SIGNIN_FAILURES_PER_ACCOUNT = envint("SIGNIN_FAILURES_PER_ACCOUNT", "10")
SIGNIN_FAILURES_PER_ADDRESS = envint("SIGNIN_FAILURES_PER_ADDRESS", "30")
SIGNIN_LOCKOUT_MINUTES = envint("SIGNIN_LOCKOUT_MINUTES", "15")
# Days the signed follow link in a resident's text stays valid (lianxin/cases/follow_links.py).
FOLLOW_LINK_DAYS = envint("FOLLOW_LINK_DAYS", "60")
# One-time codes that verify a phone before any text about a case goes to it.
PHONE_CODES_PER_PHONE = envint("PHONE_CODES_PER_PHONE", "5")  # per day
PHONE_CODES_PER_ADDRESS = envint("PHONE_CODES_PER_ADDRESS", "10")  # per day
PHONE_CODE_INTERVAL_SECONDS = envint("PHONE_CODE_INTERVAL_SECONDS", "60")
PHONE_CODE_MINUTES = envint("PHONE_CODE_MINUTES", "10")
PHONE_CODE_ATTEMPTS = envint("PHONE_CODE_ATTEMPTS", "5")

SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SMS_BACKEND = os.getenv("SMS_BACKEND", "lianxin.notify.backends.ConsoleBackend")
SMS_FILE_PATH = Path(os.getenv("SMS_FILE_PATH", str(DATA_DIR / "sms.jsonl")))
SMS_GATEWAY_URL = os.getenv("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = os.getenv("SMS_GATEWAY_KEY", "")
SMS_GATEWAY_TIMEOUT = envint("SMS_GATEWAY_TIMEOUT", "10")

# Request bodies (docs/security.md, "Uploads"): six photos of 10 MB and the form's fields
# fit; more is refused with 413 before it is read. nginx's client_max_body_size is 64m.
MAX_REQUEST_BYTES = envint("MAX_REQUEST_BYTES", str(64 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # the fields without files
# A form takes six photos at most (cases/photos.py): seven to ten get its Chinese refusal,
# more are refused by Django (400) before any is read.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# A file over 1 MiB goes to a temporary file while the request is read, not to memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# Posts with photos on /m/, per client address and hour: checking a photo costs CPU.
PORTAL_PHOTO_POSTS_PER_ADDRESS = envint("PORTAL_PHOTO_POSTS_PER_ADDRESS", "10")

# The keyless Open311 feed rounds coordinates to this many decimal places (3 is about
# 100 m of latitude): the place of a pothole, not of a door (docs/open311.md).
OPEN311_COORDINATE_DECIMALS = envint("OPEN311_COORDINATE_DECIMALS", "3")

# LOGGING: in the production block below.

# ---------------------------------------------------------------------------------------
# Production (issue 18, docs/deploy.md). Everything below is secure when DEBUG is off and
# each protection is relaxed by an environment variable, never by editing this file;
# deploy/lianxin.env lists every variable the project reads. With DEBUG on (the demo,
# runserver on http) the HTTPS-only ones default to off.
# ---------------------------------------------------------------------------------------
PRODUCTION_DEFAULT = "0" if DEBUG else "1"
# nginx terminates TLS and says so in X-Forwarded-Proto (deploy/nginx.conf overwrites
# whatever the client sent): request.is_secure() and the absolute links in Open311 and in
# messages then say https. Off only when Django is reached without such a proxy.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if envbool("SECURE_PROXY_SSL_HEADER", PRODUCTION_DEFAULT)
    else None
)
# The links in text messages are built on SITE_URL: unset in production, it is the first
# of ALLOWED_HOSTS over https, never the demo's http://127.0.0.1:8000.
if not DEBUG and not os.getenv("SITE_URL") and ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS[0]:
    SITE_URL = "https://" + ALLOWED_HOSTS[0].lstrip(".")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", PRODUCTION_DEFAULT)
# A load balancer asks for these over plain http on the private side.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", PRODUCTION_DEFAULT)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", PRODUCTION_DEFAULT)
# HSTS: a year, subdomains of the site's own host included; `preload` only allows a
# submission to the browsers' list, it submits nothing. SECURE_HSTS_SECONDS=0 turns it off.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000" if not DEBUG else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION_DEFAULT)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", PRODUCTION_DEFAULT)
# Content security policy (lianxin/csp.py): empty builds the default from the map's tile
# address; a text replaces it whole; "off" sends none. CSP_REPORT_ONLY=1 only reports.
CONTENT_SECURITY_POLICY = os.getenv("CONTENT_SECURITY_POLICY", "")
CSP_REPORT_ONLY = envbool("CSP_REPORT_ONLY", "0")
# Protected files (photos, exports) go out through views that check access; with this set
# (deploy/nginx.conf's internal location, e.g. /protected/) the view hands the file to
# nginx with X-Accel-Redirect instead of streaming it (lianxin/sendfile.py). Empty: stream.
MEDIA_ACCEL_REDIRECT = os.getenv("MEDIA_ACCEL_REDIRECT", "")
# /healthz (lianxin/ops/health.py): 503 when the case overdue scan last completed longer
# ago than this, when the city platform's last good pull (if the exchange is on) is
# older, or when more jobs than this wait in the queue (0: no limit).
HEALTHZ_OVERDUE_SCAN_MINUTES = envint(
    "HEALTHZ_OVERDUE_SCAN_MINUTES", str(max(15, 3 * OVERDUE_SCAN_MINUTES))
)
HEALTHZ_UPSTREAM_MINUTES = envint("HEALTHZ_UPSTREAM_MINUTES", "60")
HEALTHZ_QUEUE_MAX_PENDING = envint("HEALTHZ_QUEUE_MAX_PENDING", "1000")
# Logs (lianxin/ops/logs.py): one JSON object a line with the request id (LOG_FORMAT=json,
# the default with DEBUG off) or Django's plain text; LOG_REQUESTS adds a line a request.
LOG_FORMAT = os.getenv("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOG_REQUESTS = envbool("LOG_REQUESTS", PRODUCTION_DEFAULT)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lianxin.ops.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "lianxin.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # The consumer (run_huey) adds a plain-text handler of its own unless "huey" has one.
    "loggers": {"huey": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
# Error reporting to Sentry or GlitchTip when a DSN is set (lianxin/ops/apps.py imports
# sentry_sdk only then). No personal data is sent: send_default_pii stays off.
SENTRY_DSN = os.getenv("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.getenv("SENTRY_ENVIRONMENT", "production")
SENTRY_TRACES_SAMPLE_RATE = float(os.getenv("SENTRY_TRACES_SAMPLE_RATE", "0"))
# /metrics (lianxin/ops/metrics.py): Prometheus' text format for a scraper that sends
# "Authorization: Bearer <METRICS_TOKEN>"; unset, /metrics is not found for anyone.
# PROMETHEUS_MULTIPROC_DIR (read by prometheus_client itself) sums gunicorn's workers.
METRICS_TOKEN = os.getenv("METRICS_TOKEN", "")
