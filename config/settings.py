"""Mallard settings: one module, every environment-specific value read from the environment.

Modes (DJANGO_ENV):
- ``development`` (default): DEBUG on, SQLite unless DATABASE_URL is set, tasks run eagerly unless
  REDIS_URL is set, e-mail printed to the console.
- ``test`` (set by pytest.ini): like development, with a fast password hasher, in-memory e-mail and temporary media.
- ``production``: DEBUG off, DJANGO_SECRET_KEY required, HTTPS-only cookies, HSTS, CSP;
  passes ``manage.py check --deploy`` with no warnings.
"""

import sys
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

# pytest.ini sets DJANGO_ENV=test for the test suite.
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise environ.ImproperlyConfigured(f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"
TESTING = DJANGO_ENV == "test"

if PRODUCTION:
    # No default: production refuses to start without a real key — nor with an empty or blank one.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    if not SECRET_KEY.strip():
        raise environ.ImproperlyConfigured("Set the DJANGO_SECRET_KEY environment variable (it is empty)")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-mallard-key-not-for-production-use-0123456789")

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION and not TESTING)
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("MALLARD_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # Course texts in more than one interface language (docs/i18n.md); before admin, as it requires.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.tiktok",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI files served locally for /api/docs/ (no CDN)
    "core",  # no models: its management commands (compile_catalogues, which make run and make test call)
    "core.llm",  # the language model client's usage ledger (docs/llm.md)
    "auditlog",  # the audit trail (accounts/audit.py); before accounts, whose admin replaces its LogEntry admin
    "accounts",
    "media_assets",
    "courses",
    "progress",
    "analytics",  # course analytics for authors: rollup tables and their admin pages
    "gamification",
    "tutor",
    "bubbles",
]

MIDDLEWARE = [
    # First: every error under /api/ in the API's JSON error shape, even those Django makes itself.
    "core.api.middleware.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language of a visitor: the language cookie (the footer's switcher), else the
    # browser's Accept-Language, else LANGUAGE_CODE (docs/i18n.md).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in learner's own interface language (the "locale" setting) wins over the browser's.
    "accounts.locale.UserLocaleMiddleware",
    # The audit trail: admin requests sign their changes with the staff user and IP; others write none.
    "accounts.audit.AuditMiddleware",
    # The client (IP address, user agent) of the activity-log rows written while serving a request.
    "accounts.activity.ActivityClientMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Axes last: it reads the outcome of authentication to count failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.csp",
                # Streak, gems, hearts and XP in the header (lazy: one query when shown).
                "gamification.context_processors.nav_stats",
                # Whether the Bubbles link is shown (a language model is configured).
                "bubbles.context_processors.bubbles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite on a bare laptop; PostgreSQL (psycopg 3) when DATABASE_URL is set.
if PRODUCTION and not env.str("DATABASE_URL", default="").strip():
    # Not the laptop's SQLite file by accident: production names its database.
    raise environ.ImproperlyConfigured("Set the DATABASE_URL environment variable (it is missing or empty)")
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that asks the connection's socket before any SELECT 1
    # (core/postgresql/base.py; docs/operations.md, "Database connections").
    DATABASES["default"]["ENGINE"] = "core.postgresql"
# Persistent connections (docs/operations.md, "Database connections"): in production each worker
# thread keeps its connection for DJANGO_CONN_MAX_AGE seconds instead of opening one per request
# (about 14 ms of a 25 ms request), and checks it before reusing it after an idle spell, so a
# restarted PostgreSQL or PgBouncer costs one retried connection, not an error page. 0 (development,
# tests) closes it at the end of each request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=60 if PRODUCTION else 0))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("DJANGO_CONN_HEALTH_CHECKS", default=True))
# Behind PgBouncer in transaction mode (docs/deploy.md) a server connection changes between
# transactions, so nothing may outlive one: no WITH HOLD cursors (``QuerySet.iterator()`` outside a
# transaction) and no prepared statements (below). Mallard takes no advisory locks and runs no
# session-level SET.
TRANSACTION_POOLING = env.bool("DJANGO_DB_TRANSACTION_POOLING", default=False)
DATABASES["default"].setdefault("DISABLE_SERVER_SIDE_CURSORS", TRANSACTION_POOLING)
if DATABASES["default"]["ENGINE"] == "core.postgresql" and env.bool(
    "DJANGO_DB_PREPARED_STATEMENTS", default=not TRANSACTION_POOLING
):
    # Prepared statements (docs/operations.md, "Database connections"): psycopg prepares a statement
    # on a connection once it has run 5 times there, and PostgreSQL then skips parsing and planning
    # it, which was a third of an answer's time. Preparing needs server-side parameter binding.
    # Off by default behind PgBouncer in transaction mode: before PgBouncer 1.21 a statement prepared
    # on one server connection is unknown on the next.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no deferrable unique constraints; PostgreSQL uses them so that siblings can swap
    # ordinals inside one transaction. The service layer reorders in two steps either way.
    SILENCED_SYSTEM_CHECKS = ["models.W038"]
    DATABASES["default"].setdefault("OPTIONS", {})
    # One writer at a time, and the others wait for it (docs/operations.md, "SQLite"): WAL lets pages
    # read while a command writes; IMMEDIATE takes the write lock when a transaction begins, so a
    # request waits (up to `timeout` seconds) for another writer to commit instead of failing with
    # "database is locked" when its read transaction has to become a write transaction.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        # Tests on SQLite use a file beside the database (like `make run`), not a shared in-memory one,
        # so WAL and locking behave as they do on a laptop.
        _sqlite_file = Path(DATABASES["default"]["NAME"])
        DATABASES["default"].setdefault("TEST", {}).setdefault(
            "NAME", str(_sqlite_file.with_name(f"test_{_sqlite_file.name}"))
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down: throttles and rate limits fail open with a logged warning (config/cache.py).
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="mallard"),
        }
    }
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mallard"}}
else:
    # The embedded default (a laptop, no Redis): a cache in files, shared by every process of this
    # checkout, so a course imported by `manage.py import_course` in one terminal (which replaces the
    # content version, courses/content_version.py) shows at once in the `runserver` of another.
    # A per-process local-memory cache would keep serving the old course structure for up to an hour.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.str("DJANGO_CACHE_DIR", default=str(BASE_DIR / ".django_cache")),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None) or None
# No broker configured: run tasks in-process so a laptop needs no Redis. Tests run tasks eagerly
# too, except the integration test that starts a real worker against Redis.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL or TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any other backend is asked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",  # Argon2id for every new password
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

SITE_ID = 1
# django-allauth: e-mail is the login; no usernames.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Display name and time zone on the sign-up forms (also the social one); saved by AccountAdapter.save_user.
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory" if PRODUCTION else "optional")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise environ.ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be mandatory, optional or none")
# Links in e-mails (verification, password reset) use https in production.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# django-axes owns the per-account lockout; allauth keeps only a coarse per-IP throttle on failures
# (its default per-e-mail limit would answer before axes could show its lockout page).
ACCOUNT_RATE_LIMITS = {"login_failed": env.str("ACCOUNT_LOGIN_FAILED_RATE", default="20/m/ip")}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Mallard] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
# TikTok returns no e-mail address: ask the learner for one before the account is created.
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APPS": [
            {
                "client_id": env.str("GOOGLE_CLIENT_ID", default=""),
                "secret": env.str("GOOGLE_CLIENT_SECRET", default=""),
            }
        ]
        if env.str("GOOGLE_CLIENT_ID", default="")
        else [],
        "SCOPE": ["profile", "email"],
    },
    "tiktok": {
        "APPS": [
            {
                "client_id": env.str("TIKTOK_CLIENT_KEY", default=""),
                "secret": env.str("TIKTOK_CLIENT_SECRET", default=""),
            }
        ]
        if env.str("TIKTOK_CLIENT_KEY", default="")
        else [],
        "SCOPE": ["user.info.basic"],
    },
}

# django-axes: lock an account+IP after repeated failed log-ins.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# allauth authenticates with email=..., not username=...: this reads the address from either.
AXES_USERNAME_CALLABLE = "accounts.lockout.client_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
# Behind N reverse proxies that append to X-Forwarded-For, the client is the N-th address from the
# right; 0 (default) uses REMOTE_ADDR. Never set it higher than the proxies you run (spoofable).
MALLARD_TRUSTED_PROXY_COUNT = env.int("MALLARD_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"

# --- E-mail ---------------------------------------------------------------------------------
# Django 6.1 mailers. EMAIL_URL (django-environ syntax, e.g. smtp+tls://user:pass@host:587) picks
# the backend; a laptop prints mail to the console; tests keep it in memory.
if TESTING:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
else:
    _email = env.email("EMAIL_URL", default="smtp://localhost:25" if PRODUCTION else "consolemail://")
    _email_options = {
        "host": _email.get("EMAIL_HOST"),
        "port": _email.get("EMAIL_PORT"),
        "username": _email.get("EMAIL_HOST_USER"),
        "password": _email.get("EMAIL_HOST_PASSWORD"),
        "use_tls": _email.get("EMAIL_USE_TLS"),
        "use_ssl": _email.get("EMAIL_USE_SSL"),
        # A mail server that does not answer must not hold a sign-up request for long.
        "timeout": env.int("EMAIL_TIMEOUT", default=10),
    }
    _email_is_smtp = _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
    if _email["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend":
        # Printed decoded, so a confirmation link copies cleanly (no quoted-printable line breaks).
        _email["EMAIL_BACKEND"] = "core.mail.ConsoleEmailBackend"
    MAILERS = {
        "default": {
            "BACKEND": _email["EMAIL_BACKEND"],
            "OPTIONS": {k: v for k, v in _email_options.items() if v not in (None, "")} if _email_is_smtp else {},
        }
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mallard <noreply@mallard.local>")

# --- I18N / time ----------------------------------------------------------------------------
# The interface ships in these languages (docs/i18n.md): each has a catalogue in locale/ and is a
# choice of the learner's "interface language" setting. Names in their own language, for the switcher.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Course texts (titles, descriptions, tips, instructions, hints, achievement names) have a column per
# language (django-modeltranslation): a text missing in the interface language shows the other one —
# with two languages, always the course's source language, the one its own texts are written in.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "es"), "en": ("es",), "es": ("en",)}
# django-stubs' mypy plugin cannot type the managers modeltranslation patches at registration: under
# mypy the models are type-checked as declared (the translated columns are plain fields to it).
MODELTRANSLATION_ENABLE_REGISTRATIONS = "mypy" not in sys.modules
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True  # every datetime is stored in UTC; a learner's day comes from their own zone.

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
if TESTING:
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="mallard-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "core.staticfiles.ManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    # S3-compatible object storage (django-storages) for uploaded and generated media.
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_QUERYSTRING_AUTH = True

# --- REST framework and schema --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token owner's interface language for the rest of the request (docs/i18n.md).
        "accounts.api.authentication.LocaleTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # The API's one error shape (docs/api.md "Errors"); JSON in and out only.
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    # JSON bounded in size and nesting before it is decoded (core/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("THROTTLE_AUTH", default="20/min"),
        "answers": env.str("THROTTLE_ANSWERS", default="120/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mallard API",
    "DESCRIPTION": "The learner's API: courses, path, lesson runs, answers, profile and wallet.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "gamification.api.serializers.RUN_STATUSES",
        "RunKindEnum": "gamification.api.serializers.RUN_KINDS",
        "SkipKindEnum": "gamification.api.serializers.SKIP_KINDS",
        "ReportKindEnum": "progress.models.ProblemReport.Kind",
        "ReportStatusEnum": "progress.models.ProblemReport.Status",
        "BubbleStatusEnum": "bubbles.models.Bubble.Status",
        "BubblePhaseStatusEnum": "bubbles.api.serializers.PHASE_STATUSES",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.api_schema.postprocess"],
}

# --- Game rules that are settings (docs/game-rules.md) ----------------------------------------------
MALLARD_HEART_REFILL_PRICE_GEMS = env.int("MALLARD_HEART_REFILL_PRICE_GEMS", default=50)
# Gems one streak freeze costs in the shop (a learner holds at most two; docs/game-rules.md).
MALLARD_STREAK_FREEZE_PRICE_GEMS = env.int("MALLARD_STREAK_FREEZE_PRICE_GEMS", default=100)
# Minutes a learner waits after a failed (or abandoned) checkpoint before taking it again (docs/game-rules.md).
MALLARD_CHECKPOINT_COOLDOWN_MINUTES = env.int("MALLARD_CHECKPOINT_COOLDOWN_MINUTES", default=60)
MALLARD_ACTIVITY_RETENTION_DAYS = env.int("MALLARD_ACTIVITY_RETENTION_DAYS", default=180)
# The learner's activity log (docs/accounts.md): how long its rows are kept (purge_activity deletes
# older ones) and what is kept of the client's IP address: "full", "truncated" (IPv4 /24, IPv6 /48)
# or "none".
MALLARD_ACTIVITY_LOG_RETENTION_DAYS = env.int(
    "MALLARD_ACTIVITY_LOG_RETENTION_DAYS", default=MALLARD_ACTIVITY_RETENTION_DAYS
)
MALLARD_ACTIVITY_LOG_IP = env.str("MALLARD_ACTIVITY_LOG_IP", default="full")
if MALLARD_ACTIVITY_LOG_IP not in ("full", "truncated", "none"):
    raise environ.ImproperlyConfigured(
        f"MALLARD_ACTIVITY_LOG_IP must be 'full', 'truncated' or 'none', not {MALLARD_ACTIVITY_LOG_IP!r}"
    )
# Problem reports (docs/authoring.md, "Reports"): how many a learner may send per hour, and whether
# the learners whose answer an author accepted get an e-mail saying so.
MALLARD_REPORTS_PER_HOUR = env.int("MALLARD_REPORTS_PER_HOUR", default=20)
MALLARD_REPORT_ACCEPTED_EMAIL = env.bool("MALLARD_REPORT_ACCEPTED_EMAIL", default=False)
# The memory model that schedules words (docs/learning.md): "fsrs" (FSRS-6, default) or "sm2".
MALLARD_SCHEDULER = env.str("MALLARD_SCHEDULER", default="fsrs")
if MALLARD_SCHEDULER not in ("fsrs", "sm2"):
    raise environ.ImproperlyConfigured(f"MALLARD_SCHEDULER must be 'fsrs' or 'sm2', not {MALLARD_SCHEDULER!r}")
MALLARD_AUDIO_MAX_UPLOAD_BYTES = env.int("MALLARD_AUDIO_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
MALLARD_JOB_BATCH_SIZE = env.int("MALLARD_JOB_BATCH_SIZE", default=5000)
# The largest course file the admin import form accepts (the demo course is about 85 KB).
MALLARD_COURSE_FILE_MAX_BYTES = env.int("MALLARD_COURSE_FILE_MAX_BYTES", default=5 * 1024 * 1024)
# Learners fitted per fit_memory_models run (each fit takes about a second; docs/learning.md).
MALLARD_FIT_BATCH_SIZE = env.int("MALLARD_FIT_BATCH_SIZE", default=500)

# --- Language model (docs/llm.md) ------------------------------------------------------------
# Any server speaking the OpenAI-compatible chat-completions API: OpenAI, Ollama, vLLM, llama.cpp's
# server. LLM_BASE_URL is the part before /chat/completions (usually ending in /v1). Without a base
# URL and a model, the features built on the model are hidden from learners and admin says why.
LLM_BASE_URL = env.str("LLM_BASE_URL", default="")
LLM_MODEL = env.str("LLM_MODEL", default="")
LLM_API_KEY = env.str("LLM_API_KEY", default="")
# Seconds to connect (at most 10) and between two pieces of an answer: a local model can be slow.
LLM_TIMEOUT = env.float("LLM_TIMEOUT", default=60.0)
# Retries after a 429, a 5xx or a failed connection; each waits what Retry-After asks (else 1, 2, 4 s …),
# never more than LLM_MAX_RETRY_WAIT seconds.
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)
LLM_MAX_RETRY_WAIT = env.float("LLM_MAX_RETRY_WAIT", default=30.0)
# Estimated spending per calendar month (UTC) after which no more requests are sent; empty = no cap.
# The estimate is tokens times the prices below (in the currency the prices are in; 0 for a local model).
LLM_MONTHLY_COST_CAP = env.str("LLM_MONTHLY_COST_CAP", default="") or None
LLM_PRICE_PROMPT_PER_MILLION = env.str("LLM_PRICE_PROMPT_PER_MILLION", default="0")
LLM_PRICE_COMPLETION_PER_MILLION = env.str("LLM_PRICE_COMPLETION_PER_MILLION", default="0")
for _name in ("LLM_MONTHLY_COST_CAP", "LLM_PRICE_PROMPT_PER_MILLION", "LLM_PRICE_COMPLETION_PER_MILLION"):
    _value = globals()[_name]
    try:
        if _value is not None and Decimal(_value) < 0:
            raise InvalidOperation
    except InvalidOperation:
        raise environ.ImproperlyConfigured(f"{_name} must be a number of at least 0, not {_value!r}") from None

# --- Audit trail (django-auditlog; docs/operations.md "Audit trail") ----------------------------
# Changes are stored as JSON {field: [old, new]} with their types.
AUDITLOG_STORE_JSON_CHANGES = True
# Raw saves (fixtures, a test database restored from its serialized copy) are loads, not changes.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# --- Ask Tutor (docs/llm.md, "Ask Tutor"); the model provider itself is configured by LLM_* ----------
# The longest message a learner may send, in characters.
MALLARD_TUTOR_MAX_MESSAGE_CHARS = env.int("MALLARD_TUTOR_MAX_MESSAGE_CHARS", default=1000)
# Messages a learner may send to the tutor in any hour and in any 24 hours (pages and API together).
MALLARD_TUTOR_MESSAGES_PER_HOUR = env.int("MALLARD_TUTOR_MESSAGES_PER_HOUR", default=20)
MALLARD_TUTOR_MESSAGES_PER_DAY = env.int("MALLARD_TUTOR_MESSAGES_PER_DAY", default=100)
# The longest reply asked of the model (max_tokens), the earlier messages it is given, and how many
# of the learner's recent mistakes in the lesson.
MALLARD_TUTOR_MAX_REPLY_TOKENS = env.int("MALLARD_TUTOR_MAX_REPLY_TOKENS", default=800)
MALLARD_TUTOR_HISTORY_MESSAGES = env.int("MALLARD_TUTOR_HISTORY_MESSAGES", default=20)
MALLARD_TUTOR_CONTEXT_MISTAKES = env.int("MALLARD_TUTOR_CONTEXT_MISTAKES", default=10)
# A reply still being written after this long is taken as interrupted (the learner may write again).
MALLARD_TUTOR_REPLY_STALE_SECONDS = env.int("MALLARD_TUTOR_REPLY_STALE_SECONDS", default=600)

# --- Bubbles: generated practice (docs/llm.md, "Bubbles") ---------------------------------------
MALLARD_BUBBLES_PER_DAY = env.int("MALLARD_BUBBLES_PER_DAY", default=5)
# A dotted path to check(text) -> reason or None, run on every phase's generated text; a reason fails it.
MALLARD_BUBBLES_MODERATION = env.str("MALLARD_BUBBLES_MODERATION", default="")
# Speech for a bubble by the text-to-speech engine (espeak-ng); off, or without the tools, no audio.
MALLARD_BUBBLES_AUDIO = env.bool("MALLARD_BUBBLES_AUDIO", default=True)
MALLARD_BUBBLES_MAX_TOKENS = env.int("MALLARD_BUBBLES_MAX_TOKENS", default=3000)
# Days a generation record keeps its prompt and raw response (emptied by purge_activity).
MALLARD_BUBBLES_TRACE_RETENTION_DAYS = env.int("MALLARD_BUBBLES_TRACE_RETENTION_DAYS", default=30)
# More data that purge_activity purges: dotted paths to hook(*, now, dry_run) -> rows, from higher apps.
MALLARD_PURGE_HOOKS = ["bubbles.services.purge_generation_texts"]

# --- Security -------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, with the session's read built once per process (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # /healthz is probed over plain HTTP by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

if PRODUCTION:
    # WhiteNoise serves the collected static files (no separate web server needed).
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
