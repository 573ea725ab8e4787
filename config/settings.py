"""Settings for the coaching platform.

Everything that differs between a laptop and production comes from the environment
(django-environ). With nothing set, the project runs on its embedded default: the embedded
PostgreSQL that ``make run`` starts (data and socket in ``var/pgdata``) and a Celery broker that
keeps its queue in files under ``var/broker``, so web, worker and beat run on one machine with
nothing to install but Python.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp import constants as csp

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env(
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -----------------------------------------------------------------------------

# With no SECRET_KEY in the environment the project runs as the embedded default: a
# development server on a laptop, DEBUG on. Production sets SECRET_KEY and DEBUG=0.
EMBEDDED = "SECRET_KEY" not in env
DEBUG = env.bool("DEBUG", default=EMBEDDED)
SECRET_KEY = env.str("SECRET_KEY", default="embedded-default-" + "insecure-" * 6)
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")

if EMBEDDED and not DEBUG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is not set: set SECRET_KEY (and ALLOWED_HOSTS) for production."
    )
# The embedded default (DEBUG on, a key anyone can read in this file) serves loopback only: a
# host name anyone else could reach means production, which sets its own SECRET_KEY.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
if EMBEDDED and not set(ALLOWED_HOSTS) <= LOOPBACK_HOSTS:
    from django.core.exceptions import ImproperlyConfigured

    public = ", ".join(sorted(set(ALLOWED_HOSTS) - LOOPBACK_HOSTS))
    raise ImproperlyConfigured(
        f"SECRET_KEY is not set but ALLOWED_HOSTS names {public}: "
        "the embedded default (DEBUG on, a public key) is for localhost only. Set SECRET_KEY (and DEBUG=0) "
        "to serve other hosts."
    )

INSTALLED_APPS = [
    "config.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # third party
    "rest_framework",
    "knox",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_jsonform",
    "django_celery_beat",
    "reversion",
    "reversion_compare",
    "import_export",
    "csp",
    # ours
    "config.apps.PlatformConfig",
    "curriculum",
    "training",
    "progress",
    "scenarios",
    "notifications",
]

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    "config.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.api.params.EmptyQueryParameterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last: turns a sign-in refused by the lockout policy into its answer (config/signin.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Content import and export (config/content_io.py): a file imports in one transaction, and only
# for those who may change the model; export needs the view right.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Content-Security-Policy (django-csp 4) --------------------------------------------
# Every response: scripts only from this site (static files, Swagger UI's bundle from
# drf-spectacular-sidecar) or a <script nonce="{{ CSP_NONCE }}"> of our own templates; no inline
# event handlers, no eval. Inline styles stay allowed (the admin, django-jsonform and Swagger UI
# set style attributes); nothing is loaded from another origin; nothing may frame the pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}

# --- Database -------------------------------------------------------------------------

# PostgreSQL only. DATABASE_URL names the server (postgres://USER:PASSWORD@HOST:PORT/NAME); with none
# the settings connect to the embedded PostgreSQL that `make run` starts: database "coach" through
# the unix socket in VAR_DIR/pgdata, where its data lives too (scripts/run.sh).
EMBEDDED_PGDATA = VAR_DIR / "pgdata"
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "coach",
            "USER": "postgres",
            "HOST": str(EMBEDDED_PGDATA),
        }
    }
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"DATABASE_URL names {DATABASES['default']['ENGINE']}: PostgreSQL is the only engine "
        "(postgres://...); leave it unset for the embedded one that `make run` starts."
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A request never waits on a row lock for long (a stuck transaction elsewhere answers 503 with
# Retry-After instead of tying up every worker), and a session left idle inside a transaction
# (a hung worker holding locks) is ended by the server. 0 turns either off.
_session = {
    "lock_timeout": env.int("DB_LOCK_TIMEOUT_MS", default=10_000),
    "idle_in_transaction_session_timeout": env.int("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", default=120_000),
    "statement_timeout": env.int("DB_STATEMENT_TIMEOUT_MS", default=0),
}
DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(
    f"-c {name}={value}" for name, value in _session.items()
)
# Server-side parameter binding with prepared statements: a statement a (persistent)
# connection has run DATABASE_PREPARE_THRESHOLD times is prepared and from then on only
# executed, not parsed and planned again (a fifth less PostgreSQL CPU on an events batch).
# Prepared statements live in the server session: behind PgBouncer in transaction pooling
# mode (without its max_prepared_statements support) set DATABASE_PREPARE_THRESHOLD=0, which
# goes back to client-side binding.
PREPARE_THRESHOLD = env.int("DATABASE_PREPARE_THRESHOLD", default=5)
if PREPARE_THRESHOLD > 0:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": PREPARE_THRESHOLD}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker -----------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")


def _next_redis_db(url: str) -> str:
    """``url`` pointed at the database after its own (the cache lives apart from the queues)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    current = parts.path.strip("/")
    return urlunsplit(parts._replace(path=f"/{int(current) + 1 if current.isdigit() else 1}"))


if REDIS_URL:
    CACHES = {
        "default": {
            # Redis unreachable: reads are misses, writes are dropped, and it is logged (config/cache.py).
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": env.str("CACHE_URL", default=_next_redis_db(REDIS_URL)),
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="coach"),
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_TIMEOUT_S", default=1.0),
                "socket_timeout": env.float("CACHE_TIMEOUT_S", default=1.0),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth and passwords ---------------------------------------------------------------

# One sign-in policy for every door (the admin's login form, POST /api/v1/auth/token/, anything that
# calls authenticate()): django-axes refuses a username after SIGNIN_FAILURE_LIMIT wrong passwords
# from any addresses, and a client address after SIGNIN_ADDRESS_FAILURE_LIMIT wrong passwords for any
# usernames, until SIGNIN_COOLOFF_MIN minutes have passed without another failure. See config/signin.py.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
SIGNIN_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=20)
SIGNIN_COOLOFF_MIN = env.int("SIGNIN_COOLOFF_MIN", default=15)
AXES_HANDLER = "config.signin.SignInLockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = "config.signin.failure_limit"
AXES_COOLOFF_TIME = "config.signin.cool_off"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.clientip.client_address"
AXES_LOCKOUT_CALLABLE = "config.signin.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Client addresses come from REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies that each append to
# X-Forwarded-For, from that header's entry the outermost trusted proxy appended (config/clientip.py).
# Never more than the proxies really in front: the rest of the header is whatever the client sent.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Staff must confirm a TOTP code (django-otp) to use the admin; off for the embedded demo.
ADMIN_OTP_REQUIRED = env.bool("ADMIN_OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Coaching platform")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- I18N and time --------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security (production defaults; check --deploy passes with DEBUG off) -------------

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Logging --------------------------------------------------------------------------

# LOG_FORMAT=json: one JSON object per line (timestamp, level, logger, message, request_id, exc_info).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # Both redact secrets in URLs (calendar feed tokens): config/logging.py.
        "plain": {
            "()": "config.logging.RedactingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Lockouts and failures are warnings; every successful sign-in is not worth a line.
        "axes": {"level": "WARNING"},
        # The development server's access log, through the redacting handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- API ------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.PlatformAutoSchema",
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("AUTH_THROTTLE_RATE", default="30/min"),
    },
    # Throttles identify a client the same way as the sign-in lockout (config/clientip.py).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # JSON bodies only (a form body would read an empty field as "not sent"); a file upload view
    # names its own multipart parser.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
}
# Seconds an API token's user is kept in the shared cache, keyed by the token's digest (0: ask the
# database every request). Revocation and user changes clear it at once; only worth it with Redis.
API_TOKEN_CACHE_S = env.int("API_TOKEN_CACHE_S", default=300 if REDIS_URL else 0)
# API tokens (django-rest-knox): only a SHA-512 digest is stored; a token expires API_TOKEN_TTL_H
# hours after its last use (the new expiry is written at most once an hour), and never later than
# API_TOKEN_MAX_AGE_D days after it was issued.
API_TOKEN_TTL_H = env.int("API_TOKEN_TTL_H", default=720)
API_TOKEN_MAX_AGE_D = env.int("API_TOKEN_MAX_AGE_D", default=90)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_H),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=API_TOKEN_MAX_AGE_D),
    "MIN_REFRESH_INTERVAL": 3600,
    "AUTH_HEADER_PREFIX": "Token",
}
# Idempotency-Key: how long a key's first answer is replayed (at least 24 hours), and after how many
# seconds a key whose request never finished (its process died) may be used again.
IDEMPOTENCY_KEY_TTL_H = max(24, env.int("IDEMPOTENCY_KEY_TTL_H", default=48))
IDEMPOTENCY_LOCK_S = env.int("IDEMPOTENCY_LOCK_S", default=60)

SPECTACULAR_SETTINGS = {
    "TITLE": "Coaching platform API",
    "DESCRIPTION": (
        "JSON API for the coaching platform's client apps: curricula with Plan A/B/C/D "
        "alternatives, learning progress, conversation scenarios and notifications. "
        "Authenticate with `Authorization: Token <token>` from `POST /api/v1/auth/token/`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name across apps get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "ProgressStateEnum": "progress.models.learning.BlockState",
        "CurriculumEnrollmentStateEnum": "curriculum.models.Enrollment.State",
        "ForecastTypeEnum": [("program", "Program"), ("course", "Course")],
        "NodeTypeEnum": "progress.models.NodeType",
        "EnrollmentStatusEnum": "progress.models.learning.EnrollmentStatus",
        "ActivityKindEnum": "training.models.ActivityKind",
        "PlanStatusEnum": "training.models.PlanStatus",
        "SessionStatusEnum": "training.models.SessionStatus",
        "ExperienceLevelEnum": "training.models.ExperienceLevel",
        "WeekdayEnum": "training.models.Weekday",
        "WorkoutIntensityEnum": "training.workouts.intensity_choices",
        "ComplianceVerdictEnum": "training.workouts.verdict_choices",
        "NotificationKindEnum": "notifications.models.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.postprocess_platform_rules",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------------------

BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport: a real queue in files, consumed by a real worker process.
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A publish that fails is retried briefly, then kept in the pending task outbox (config/outbox.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True

# --- Metrics ----------------------------------------------------------------------------

# GET /metrics (Prometheus) answers clients from these addresses, or bearing METRICS_TOKEN
# (``Authorization: Bearer <token>``); everyone else gets a 404. Behind a proxy the address is the
# proxy's: use the token there.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Product settings (one block per app) ---------------------------------------------

ADMIN_SITE_HEADER = "Coaching platform"

# curriculum
# Smart plan selection: at most this many pseudo-attempts are borrowed from other learners
# while a trait segment is sparse (see curriculum.selectors.expected_success).
CURRICULUM_BORROW_STRENGTH = env.float("CURRICULUM_BORROW_STRENGTH", default=5.0)
# How the ranking explores (curriculum.selection): greedy, ucb or thompson. A curriculum may
# choose its own in the admin. The default comes from `manage.py simulate_selection` figures
# (curriculum/README.md).
CURRICULUM_SELECTION_POLICY = env.str("CURRICULUM_SELECTION_POLICY", default="ucb")
if CURRICULUM_SELECTION_POLICY not in ("greedy", "ucb", "thompson"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"CURRICULUM_SELECTION_POLICY={CURRICULUM_SELECTION_POLICY!r}: use greedy, ucb or thompson."
    )
# ucb: how many posterior standard deviations of optimism a plan gets (2: see the README).
CURRICULUM_UCB_WIDTH = env.float("CURRICULUM_UCB_WIDTH", default=2.0)

# progress
# Largest batch POST /api/v1/progress/events/ accepts.
PROGRESS_EVENTS_MAX_BATCH = env.int("PROGRESS_EVENTS_MAX_BATCH", default=500)
# Share of a video (0-1) that completes it, unless the block sets its own threshold.
PROGRESS_VIDEO_COMPLETION_SHARE = env.float("PROGRESS_VIDEO_COMPLETION_SHARE", default=0.9)
# Quiz score (0-1) at which a quiz is mastered, unless the block sets its own threshold.
PROGRESS_QUIZ_MASTERY_SCORE = env.float("PROGRESS_QUIZ_MASTERY_SCORE", default=0.8)
# How far in the future (seconds) an event's occurred_at may lie (client clock skew).
PROGRESS_EVENT_MAX_FUTURE_S = env.int("PROGRESS_EVENT_MAX_FUTURE_S", default=300)
# Seconds a rendered progress tree stays cached (keyed by content and roll-up versions, so it
# is never stale); 0 turns the cache off.
PROGRESS_TREE_CACHE_S = env.int("PROGRESS_TREE_CACHE_S", default=600)
# Each process keeps its last rendered trees and plans in front of Redis, within this many bytes
# per kind (config/lru.py).
LOCAL_CACHE_MAX_BYTES = env.int("LOCAL_CACHE_MAX_BYTES", default=8 * 1024 * 1024)
# Base IRI of xAPI activity ids and actor accounts in exported statements.
PROGRESS_XAPI_BASE_IRI = env.str("PROGRESS_XAPI_BASE_IRI", default="https://coach.example.com")

# scenarios
# Bayesian average for "top rated": (C * m + sum of ratings) / (m + number of ratings).
SCENARIO_RATING_PRIOR_MEAN = env.float("SCENARIO_RATING_PRIOR_MEAN", default=3.5)  # C
SCENARIO_RATING_PRIOR_WEIGHT = env.float("SCENARIO_RATING_PRIOR_WEIGHT", default=10.0)  # m
# "trending": attempts and completions, each worth half as much after this many hours.
SCENARIO_TRENDING_HALF_LIFE_HOURS = env.float("SCENARIO_TRENDING_HALF_LIFE_HOURS", default=72.0)
# The hourly recount covers scenarios with activity in this many past hours.
SCENARIO_RECONCILE_RECENT_HOURS = env.int("SCENARIO_RECONCILE_RECENT_HOURS", default=2)
# Lists cache the number of public scenarios per filter this long (scenario writes reset it).
SCENARIO_LIST_COUNT_CACHE_S = env.int("SCENARIO_LIST_COUNT_CACHE_S", default=60)

# notifications
# Delivery backend (dotted path), like Django's email backends: ...InMemoryBackend (tests),
# ...ConsoleBackend (logs each message; the embedded default), ...FCMBackend (Firebase Cloud
# Messaging through firebase-admin, with FCM_CREDENTIALS_FILE).
NOTIFICATIONS_BACKEND = env.str("NOTIFICATIONS_BACKEND", default="notifications.delivery.ConsoleBackend")
FCM_CREDENTIALS_FILE = env.str("FCM_CREDENTIALS_FILE", default="")
# Seconds any call to another service (FCM, the weather provider) may wait for an answer: a hung
# provider must not hold a sweep's lease. At most 10.
OUTBOUND_TIMEOUT_S = env.float("OUTBOUND_TIMEOUT_S", default=5.0)
if not 0 < OUTBOUND_TIMEOUT_S <= 10:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("OUTBOUND_TIMEOUT_S is seconds, more than 0 and at most 10.")
# Days ahead the scheduler keeps rows for (activation schedules them; a beat task rolls on).
NOTIFICATIONS_HORIZON_DAYS = env.int("NOTIFICATIONS_HORIZON_DAYS", default=7)
# Rows a sweep claims per transaction, and how long its claim holds (seconds).
NOTIFICATIONS_SWEEP_BATCH = env.int("NOTIFICATIONS_SWEEP_BATCH", default=500)
NOTIFICATIONS_CLAIM_LEASE_S = env.int("NOTIFICATIONS_CLAIM_LEASE_S", default=300)
# Retryable delivery failures: attempts in all, first back-off (doubling each time).
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_RETRY_BASE_S = env.int("NOTIFICATIONS_RETRY_BASE_S", default=60)
# A row this many hours past its send time is expired instead of sent.
NOTIFICATIONS_STALE_H = env.int("NOTIFICATIONS_STALE_H", default=12)
# Local times: a plan's default session start (when the plan says none and the analyzer is
# not confident), the Sunday digest, the missed follow-up the morning after.
NOTIFICATIONS_DEFAULT_START_TIME = env.str("NOTIFICATIONS_DEFAULT_START_TIME", default="07:00")
NOTIFICATIONS_DIGEST_TIME = env.str("NOTIFICATIONS_DIGEST_TIME", default="18:00")
NOTIFICATIONS_FOLLOW_UP_TIME = env.str("NOTIFICATIONS_FOLLOW_UP_TIME", default="09:00")
# Cadence analyzer: days of history it reads.
NOTIFICATIONS_CADENCE_DAYS = env.int("NOTIFICATIONS_CADENCE_DAYS", default=90)
# Weather in the copy: "offline" (deterministic, no network) or "openweathermap" (5-day
# forecast, needs OPENWEATHERMAP_API_KEY); forecasts are cached this many seconds.
NOTIFICATIONS_WEATHER_PROVIDER = env.str("NOTIFICATIONS_WEATHER_PROVIDER", default="offline")
OPENWEATHERMAP_API_KEY = env.str("OPENWEATHERMAP_API_KEY", default="")
NOTIFICATIONS_WEATHER_CACHE_S = env.int("NOTIFICATIONS_WEATHER_CACHE_S", default=3 * 3600)
# Optional copy hook: dotted path of a callable(kind, tone, context, title, body) -> (title,
# body) or None; off when empty. Any error in it falls back to the template's copy.
NOTIFICATIONS_COPY_HOOK = env.str("NOTIFICATIONS_COPY_HOOK", default="")
# Volume alerts: sends of a kind in an hour above this many times the median of the same
# hour on the trailing days.
NOTIFICATIONS_ANOMALY_RATIO = env.float("NOTIFICATIONS_ANOMALY_RATIO", default=3.0)
NOTIFICATIONS_ANOMALY_DAYS = env.int("NOTIFICATIONS_ANOMALY_DAYS", default=7)

# training
# Seconds a rendered plan (per zoom level) stays cached; keyed by the plan's updated_at, so it is
# never stale. 0 turns the cache off.
TRAINING_PLAN_CACHE_S = env.int("TRAINING_PLAN_CACHE_S", default=600)

# Activity files are untrusted input (README "Untrusted files"). One file, or one archive entry once
# decompressed, is at most this many bytes; reading it stops at the cap.
ACTIVITY_IMPORT_MAX_BYTES = env.int("ACTIVITY_IMPORT_MAX_BYTES", default=25 * 1024 * 1024)
# Seconds one file may take to parse (checked between FIT messages and XML elements).
ACTIVITY_IMPORT_PARSE_TIMEOUT_S = env.float("ACTIVITY_IMPORT_PARSE_TIMEOUT_S", default=10.0)
# A GPX or TCX file declaring more XML namespaces than this is refused before it is parsed.
ACTIVITY_XML_MAX_NAMESPACES = env.int("ACTIVITY_XML_MAX_NAMESPACES", default=12)
# Archives (POST /api/v1/activities/archive/): the upload's size, the zip's entries, the largest
# compression ratio of an entry (or of a gzip member) and the task's time limit.
ACTIVITY_ARCHIVE_MAX_BYTES = env.int("ACTIVITY_ARCHIVE_MAX_BYTES", default=256 * 1024 * 1024)
ACTIVITY_ARCHIVE_MAX_ENTRIES = env.int("ACTIVITY_ARCHIVE_MAX_ENTRIES", default=10_000)
ACTIVITY_ARCHIVE_MAX_RATIO = env.float("ACTIVITY_ARCHIVE_MAX_RATIO", default=100.0)
ACTIVITY_ARCHIVE_TIME_LIMIT_S = env.int("ACTIVITY_ARCHIVE_TIME_LIMIT_S", default=3600)

# Request bodies: a form or JSON body larger than this is refused (Django's check); an upload
# larger than FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to a temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
