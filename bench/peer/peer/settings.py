"""Settings of the Django peer: production-like (DEBUG off, no sessions,
no admin), the database from the environment (bench/run sets it)."""
import os

SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "peer.urls"
WSGI_APPLICATION = "peer.wsgi.application"
USE_TZ = True
TIME_ZONE = "UTC"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "rest_framework",
    "django_filters",
    "catalog",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": os.environ.get("PEER_DB_HOST", ""),
        "PORT": os.environ.get("PEER_DB_PORT", ""),
        "NAME": os.environ.get("PEER_DB_NAME", "marquee"),
        "USER": os.environ.get("PEER_DB_USER", "marquee"),
        # a connection kept per worker, as a tuned deployment would
        "CONN_MAX_AGE": 600,
    }
}

REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "catalog.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGGING = {"version": 1, "disable_existing_loggers": False}
