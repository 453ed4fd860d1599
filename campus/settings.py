"""Campus settings: one module, driven by environment variables (see docs/configuration.md).

Defaults are the embedded, single-machine set-up: SQLite in WAL mode and a filesystem
Celery broker under ./var/. Production sets DEBUG=0, SECRET_KEY, DATABASE_URL, ...
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from campus.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CAMPUS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# The insecure key only ever serves DEBUG runs; campus.core.checks refuses to start
# a production (DEBUG off) process that still uses it.
INSECURE_DEFAULT_SECRET_KEY = "campus-insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])
# A web frontend served from another origin (e.g. the original MdSC Next.js app on
# http://localhost:3000) may call the API: list its origins, comma-separated. None by
# default. Only /api/ answers cross-origin; the API authenticates by bearer token, so no
# cookie is ever sent cross-origin (no credentials), and pages stay same-origin only.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["Retry-After", "ETag", "Last-Modified"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "corsheaders",
    "ninja",
    "campus.core",
    "campus.accounts",
    "campus.courses",
    "campus.live",
    "campus.notifications",
    "campus.agenda",
    "campus.ratings",
    "campus.certificates",
    "campus.forum",
    "bench",
]

MIDDLEWARE = [
    # First, so that a preflight (OPTIONS) is answered before anything else runs.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses every page and fragment (static files come precompressed from WhiteNoise,
    # above); before anything that reads or writes the body. Why it is safe against
    # BREACH: docs/configuration.md, "Compressed pages".
    "campus.core.middleware.GZipMiddleware",
    # An unchanged poll (the live class's Q&A list) is answered here, before the
    # session or the user is read: campus.core.polls.
    "campus.core.polls.PollShortcutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "campus.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (below) and Permissions-Policy: campus.core.security.
    "campus.core.middleware.ContentSecurityPolicyMiddleware",
    "campus.core.middleware.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "campus.core.middleware.ApiErrorEnvelopeMiddleware",
]
if DEBUG:
    # Development serves static files from the source folders, uncompressed: gzip them on
    # the fly as well. Production serves WhiteNoise's precompressed copies, untouched.
    MIDDLEWARE.remove("campus.core.middleware.GZipMiddleware")
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "campus.core.middleware.GZipMiddleware",
    )

ROOT_URLCONF = "campus.urls"
WSGI_APPLICATION = "campus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campus.core.context_processors.site",
                "campus.notifications.context_processors.unread_notifications",
                "campus.notifications.context_processors.waiting_for_moderators",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'campus.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue (busy timeout) instead of failing mid-transaction.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file (not :memory:) so threaded tests share one database; one per test process
    # so simultaneous runs do not trample each other (the test runner deletes it).
    _db["TEST"] = {"NAME": str(VAR_DIR / f"test-campus-{os.getpid()}.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.mysql":
    _db["OPTIONS"] = {"charset": "utf8mb4", "isolation_level": "read committed"}
    _db["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
if _db["ENGINE"] != "django.db.backends.sqlite3":
    # One test database per test process, so two runs on one server never drop each
    # other's database (the test runner creates and drops it).
    _db.setdefault("TEST", {})["NAME"] = f"test_{_db['NAME']}_{os.getpid()}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, throttles, poll stamps): shared by every process --------------
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        # Django's Redis backend, reusing its client object (campus/core/cache.py).
        "default": {"BACKEND": "campus.core.cache.RedisCache", "LOCATION": CACHE_URL}
    }
    # Page sessions read from Redis, written through to the database: one query fewer
    # per page request. A logout deletes both, so it still ends the session at once.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "campus_cache",
        }
    }

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
# Each role's home (courses.home dispatches: courses, teaching dashboard, admin overview).
LOGIN_REDIRECT_URL = "courses:home"
LOGOUT_REDIRECT_URL = "courses:catalogue"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24 * 30)
# Refresh tokens (POST /api/auth/refresh-token): each use rotates it; unused, it expires.
API_REFRESH_TOKEN_TTL_DAYS = env_int("API_REFRESH_TOKEN_TTL_DAYS", 60)
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
# Failed logins per address (an IPv6 /64 counts as one) in the same window. High: behind
# carrier-grade NAT or a campus network, one address is thousands of students, and the
# per-account limit above is what protects each password (docs/configuration.md).
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 200)
# Password-reset requests per window: per address (an IPv6 /64 counts as one) every
# request counts, high for the same reason; per account, emails sent (the rest are
# dropped silently), so one inbox is never flooded whatever the addresses asking.
PASSWORD_RESET_WINDOW_SECONDS = env_int("PASSWORD_RESET_WINDOW_SECONDS", 60 * 60)
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 200)
PASSWORD_RESET_EMAIL_LIMIT = env_int("PASSWORD_RESET_EMAIL_LIMIT", 3)
# Self-registrations per address (an IPv6 /64 counts as one) and window, pages and API:
# a high ceiling (a whole class may register from one campus network) against mass signup.
REGISTER_WINDOW_SECONDS = env_int("REGISTER_WINDOW_SECONDS", 60 * 60)
REGISTER_ADDRESS_LIMIT = env_int("REGISTER_ADDRESS_LIMIT", 100)
# Public certificate verification per address and window: every lookup counts against a
# high ceiling (a campus checking its certificates), unknown codes against a lower one
# (what guessing produces; codes are 192 random bits, so this bounds probing and load).
CERTIFICATE_VERIFY_WINDOW_SECONDS = env_int("CERTIFICATE_VERIFY_WINDOW_SECONDS", 10 * 60)
CERTIFICATE_VERIFY_ADDRESS_LIMIT = env_int("CERTIFICATE_VERIFY_ADDRESS_LIMIT", 1000)
CERTIFICATE_VERIFY_MISS_LIMIT = env_int("CERTIFICATE_VERIFY_MISS_LIMIT", 50)

# --- I18n / time ----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# How dates and times read, per language (one place; campus.core.formatting uses them).
FORMAT_MODULE_PATH = ["campus.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Africa/Porto-Novo")
DEFAULT_USER_TIME_ZONE = TIME_ZONE

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Files Campus keeps (session recordings): under the data directory, never served from a
# public URL; views check access on every request and stream them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# --- Email ----------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if not env_str("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Campus <no-reply@campus.local>")

# --- Celery ---------------------------------------------------------------------------
# kombu's filesystem transport ignores the host, but warns "No hostname was supplied" on
# every connection when the URL names none: the embedded broker names the default one.
_EMBEDDED_BROKER_URL = "filesystem://localhost/"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", _EMBEDDED_BROKER_URL)
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_URL = _EMBEDDED_BROKER_URL
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL == _EMBEDDED_BROKER_URL:
    # Producers and consumers share one folder: kombu reads messages from data_folder_in.
    for _sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "heartbeat": {"task": "campus.core.tasks.beat_heartbeat", "schedule": 60.0},
    "live-close-stale-attendance": {
        "task": "campus.live.tasks.close_stale_attendance",
        "schedule": 60.0,
    },
    "live-auto-end-sessions": {"task": "campus.live.tasks.auto_end_sessions", "schedule": 60.0},
    "notifications-reminders": {
        "task": "campus.notifications.tasks.send_reminders",
        "schedule": 60.0,
    },
    "notifications-deliver": {
        "task": "campus.notifications.tasks.deliver_emails",
        "schedule": 60.0,
    },
}

# --- Security (production = DEBUG off) -------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_https = SITE_URL.startswith("https://")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _https)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _https)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _https)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _https)
# Every page: everything from this site only (default-src, which styles, fetches, fonts
# and frames fall back to), scripts also by the request's nonce, images also as data:
# URLs; no inline style or handler, no eval, no plugin, never framed. The live room adds
# the configured Jitsi origin to script-src and frame-src, for its page only
# (campus.core.security.embeds, campus.live.jitsi.embed_origins). JSON answers get
# "default-src 'none'; frame-ancestors 'none'". docs/configuration.md, "Content-Security-Policy".
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Jitsi (docs/jitsi.md) -------------------------------------------------------------
# public = no JWT (meet.jit.si, demo only); selfhosted = prosody token auth (HS256);
# jaas = 8x8 Jitsi as a Service (RS256). The check in campus/live/checks.py refuses a
# mode whose credentials are missing.
JITSI_MODE = env_str("JITSI_MODE", "public").strip().lower()
JITSI_SERVER_URL = env_str("JITSI_SERVER_URL", "https://meet.jit.si").rstrip("/")
JITSI_DOMAIN = env_str("JITSI_DOMAIN", urlsplit(JITSI_SERVER_URL).netloc or "meet.jit.si")
JITSI_ROOM_PREFIX = env_str("JITSI_ROOM_PREFIX", "campus")
JITSI_APP_ID = env_str("JITSI_APP_ID")
# Its own HS256 secret, shared with prosody only: never SECRET_KEY.
JITSI_APP_SECRET = env_str("JITSI_APP_SECRET")
JITSI_AUDIENCE = env_str("JITSI_AUDIENCE", "jitsi")
JITSI_SUBJECT = env_str("JITSI_SUBJECT", JITSI_DOMAIN)
JITSI_JAAS_APP_ID = env_str("JITSI_JAAS_APP_ID")
JITSI_JAAS_KEY_ID = env_str("JITSI_JAAS_KEY_ID")
JITSI_JAAS_PRIVATE_KEY = env_str("JITSI_JAAS_PRIVATE_KEY")
JITSI_TOKEN_GRACE_MINUTES = env_int("JITSI_TOKEN_GRACE_MINUTES", 30)
JITSI_TOKEN_MAX_HOURS = env_int("JITSI_TOKEN_MAX_HOURS", 4)
# A session still live this long after its scheduled end is ended by a sweep.
LIVE_AUTO_END_AFTER_MINUTES = env_int("LIVE_AUTO_END_AFTER_MINUTES", 120)
# The join page: heartbeat while in the room (the stale sweep closes attendance after
# 2 minutes without one), the waiting room's check for the start, the Q&A panel's refresh.
LIVE_HEARTBEAT_SECONDS = env_int("LIVE_HEARTBEAT_SECONDS", 30)
LIVE_WAITING_POLL_SECONDS = env_int("LIVE_WAITING_POLL_SECONDS", 5)
LIVE_QA_POLL_SECONDS = env_int("LIVE_QA_POLL_SECONDS", 5)
# Events from the conference server (docs/jitsi.md, "Attendance and recordings from the
# server"). JaaS: the Authorization header's value set for the webhook in the JaaS
# console. Prosody's event_sync component: the bearer token of its `api_headers`. Empty:
# that endpoint answers 401 to everything, and attendance comes from the browsers.
JITSI_WEBHOOK_SECRET = env_str("JITSI_WEBHOOK_SECRET")
JITSI_EVENT_SYNC_TOKEN = env_str("JITSI_EVENT_SYNC_TOKEN")
# Recordings fetched from the server's links: the largest file kept, the link schemes
# accepted (https only, but for a test's local server), the attempts before giving up.
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 4 * 1024**3)
RECORDING_LINK_SCHEMES = env_list("RECORDING_LINK_SCHEMES", ["https"])
RECORDING_FETCH_ATTEMPTS = env_int("RECORDING_FETCH_ATTEMPTS", 8)

# --- Ratings and certificates ------------------------------------------------------------
# pre: new reviews wait for approval (default); post: shown at once, can be rejected.
RATINGS_MODERATION = env_str("RATINGS_MODERATION", "pre").strip().lower()
# off: no question asked; prompt: the rating form first, "Plus tard" skips it (default);
# required: no certificate before a review has been submitted.
CERTIFICATE_REQUIRES_RATING = env_str("CERTIFICATE_REQUIRES_RATING", "prompt").strip().lower()

# --- Limits ---------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
API_PAGE_MAX_LIMIT = 100
API_PAGE_DEFAULT_LIMIT = 20
# The one range of dates accepted anywhere (campus.core.dates): 1970-01-01 to this many
# years from today.
DATE_HORIZON_YEARS = env_int("DATE_HORIZON_YEARS", 10)
if not 1 <= DATE_HORIZON_YEARS <= 1000:
    raise ImproperlyConfigured("DATE_HORIZON_YEARS must be between 1 and 1000.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
