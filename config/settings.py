"""Settings, read from the environment.

With nothing set this is the embedded default: SQLite in ``var/``, local private
storage in ``var/media``, Celery tasks run eagerly, e-mail printed to the console.
``DATABASE_URL``, ``CELERY_BROKER_URL`` and ``AWS_STORAGE_BUCKET_NAME`` (with the
other ``AWS_*`` values and ``AWS_S3_ENDPOINT_URL``) switch to PostgreSQL, Redis
and S3. ``PRODUCTION=true`` turns on the hardened mode that ``check --deploy``
accepts: it requires ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``FIELD_ENCRYPTION_SALT``.
"""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab

from config.cache import caches_from_env
from config.storage import storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
PRODUCTION = env.bool("PRODUCTION", default=False)

# --- core -------------------------------------------------------------------
if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    SALT_KEY = env.str("FIELD_ENCRYPTION_SALT")
    DEBUG = False
else:
    SECRET_KEY = env.str(
        "SECRET_KEY", default="embedded-default-not-secret-7f3a9c1e5b2d4f6a8e0c2b4d6f8a0c2e"
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
    SALT_KEY = env.str("FIELD_ENCRYPTION_SALT", default="embedded-default-salt")
    # Off unless asked for: the embedded default looks like the product (its own 404 and
    # 500 pages); DEBUG=true brings back Django's technical pages for development.
    DEBUG = env.bool("DEBUG", default=False)

INSTALLED_APPS = [
    "cms",
    "marketplace",
    "workflows",
    "media",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_fsm_log",
    "rest_framework",
    "drf_spectacular",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cms.csp.FramingAwareCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "marketplace.middleware.PrivatePagesNotCachedMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "media.errors.StorageUnavailableMiddleware",  # an unreachable file store: a 503 page
    "axes.middleware.AxesMiddleware",  # keep last: turns a lockout into its page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- data -------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite behind a web server (several requests writing at once, e.g. Wagtail's autosave
    # and a publish): WAL lets readers run beside the writer; IMMEDIATE takes the write
    # lock at BEGIN, so a writer waits its turn (up to ``timeout`` seconds) instead of
    # failing with "database is locked" when a read-then-write transaction upgrades.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A Redis cache that treats Redis being down as misses (config/cache.py).
CACHES = caches_from_env(env)

# --- auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "marketplace.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "login"
# Login lockout (django-axes): after LOGIN_FAILURE_LIMIT failures for one account from one
# address, that pair is locked for LOGIN_LOCKOUT_MINUTES, counted again from each attempt
# made while locked; a successful login resets the pair's count. An address is locked for
# every account after LOGIN_ADDRESS_FAILURE_LIMIT failures within LOGIN_LOCKOUT_MINUTES,
# whatever accounts they tried (higher: a school or the bureau may share one NAT address).
# The login page says how long to wait (marketplace/views/account.py). The same backend
# guards Wagtail's own login form.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "marketplace.views.account.LockoutHandler"  # a limit for each parameter
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "marketplace.views.account.lockout"
AXES_DISABLE_ACCESS_LOG = True  # no table of every login's address and browser
# Behind a load balancer: how many proxies append to X-Forwarded-For (the client's address
# is read that far from the right, where a client cannot forge it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "marketplace.views.account.client_ip"
# One way to reset a forgotten password, for every role: /accounts/password_reset/.
WAGTAIL_PASSWORD_RESET_ENABLED = False

# --- language and time ------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media" / "public"
STORAGES = storages_from_env(env, VAR_DIR)
# Static files are served by WhiteNoise whatever DEBUG says; the embedded default reads
# them from the apps (no collectstatic needed), production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)

# --- tasks ------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "expiry-warnings-and-suspensions": {
        "task": "marketplace.tasks.enforce_expiry",
        "schedule": crontab(hour=6, minute=30),
    },
    "advance-bookings": {  # agreed → active → completed by the calendar
        "task": "marketplace.booking.tasks.advance_bookings",
        "schedule": crontab(hour=0, minute=20),
    },
    "redispatch-side-effects": {  # the outbox (workflows/outbox.py)
        "task": "workflows.tasks.redispatch_side_effects",
        "schedule": 60.0,
    },
}
# A broker that cannot be reached fails fast instead of holding a web request.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0),
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = env.float("CELERY_BROKER_CONNECT_TIMEOUT", default=2.0)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- e-mail -----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)  # seconds; a hung SMTP server frees the worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@bureau.example.cn")

# --- Wagtail ----------------------------------------------------------------
WAGTAIL_SITE_NAME = env.str("SITE_NAME", default="课后服务资源平台")
WAGTAILADMIN_BASE_URL = env.str("BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no external avatar service on an intranet

# --- public API (read-only, anonymous; see cms/api.py) -----------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "After-school service catalogue API",
    "DESCRIPTION": "Read-only public data of the district's after-school candidate list: "
                   "listed providers, their offerings, notices and list versions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["cms.api.public_endpoints_only"],
    "ENUM_NAME_OVERRIDES": {
        "ProviderKindEnum": "marketplace.choices.ProviderKind",
        "NoticeKindEnum": "marketplace.choices.NoticeKind",
        "CredentialTypeEnum": "marketplace.choices.CredentialType",
    },
}

# --- policy (defaults from the policy documents; see workflows/policy.py) ----
POLICY = {
    "BACKGROUND_CHECK_VALID_MONTHS": env.int("BACKGROUND_CHECK_VALID_MONTHS", default=12),
    "EXPIRY_WARNING_DAYS": env.int("EXPIRY_WARNING_DAYS", default=30),
    "REAPPLY_BAR_MONTHS": env.int("REAPPLY_BAR_MONTHS", default=12),
    "PROFESSIONAL_FEE_CAP_PER_SESSION": env.int("PROFESSIONAL_FEE_CAP_PER_SESSION", default=200),
    "PERSONALISED_COURSE_CAP_PER_TERM": env.int("PERSONALISED_COURSE_CAP_PER_TERM", default=600),
    "SERVICE_END_PRIMARY": env.str("SERVICE_END_PRIMARY", default="18:30"),
    "SERVICE_END_JUNIOR": env.str("SERVICE_END_JUNIOR", default="19:00"),
    "ADMISSION_AGREEMENT_YEARS": env.int("ADMISSION_AGREEMENT_YEARS", default=3),
}

# --- security ---------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp; see cms/csp.py). Scripts come
# only from our own origin: no inline script, no eval. Styles also allow inline CSS,
# which Wagtail's admin and its bundled libraries (axe-core in the user bar and content
# checker, jQuery UI, the date picker) write at run time; CSS cannot run script. A view
# that lets Wagtail's preview frame it gets frame-ancestors 'self'; private downloads
# keep their own stricter policy (media/downloads.py).
# Images kept on S3 (Wagtail images, credential thumbnails) load from the store's origin.
_STORE_ORIGINS = []
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    from urllib.parse import urlsplit

    _endpoint = urlsplit(env.str("AWS_S3_ENDPOINT_URL", default=""))
    _STORE_ORIGINS = ([f"{_endpoint.scheme}://{_endpoint.netloc}"] if _endpoint.netloc
                      else ["https://*.amazonaws.com", "https://*.amazonaws.com.cn"])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_STORE_ORIGINS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The balancer polls the health URLs over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- logging: personal data never reaches a log line -------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "media.logging.RedactPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # lockouts only, not every login
    },
}
