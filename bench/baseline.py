"""The smallest Django app of the same shape as Mallard's requests: the benchmark's yardstick
(docs/performance.md, "make bench"). Served by gunicorn beside Mallard, with the same workers:

- ``GET /read/``: one indexed PostgreSQL read (a row by primary key), a small JSON response;
- ``POST /write/``: one transaction that locks a row (``SELECT … FOR NO KEY UPDATE``), inserts a row
  and updates the locked one — the shape of an answer — and a small JSON response.

    BASELINE_DATABASE_URL=postgres://… gunicorn bench.baseline:application

``python -m bench.baseline setup`` creates its two tables (1,000 rows to read) in that database.
"""

import os
import random
import sys
from urllib.parse import urlsplit

import django
from django.conf import settings

_url = urlsplit(os.environ.get("BASELINE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mallard_bench"))
settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-baseline-not-a-secret",  # noqa: S106 - a throw-away benchmark app
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": _url.path.lstrip("/"),
            "USER": _url.username or "",
            "PASSWORD": _url.password or "",
            "HOST": _url.hostname or "",
            "PORT": _url.port or "",
            # the same connection policy as Mallard in production
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    },
)
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

ROWS = 1000


def read(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, n FROM bench_baseline_row WHERE id = %s", [random.randint(1, ROWS)])
        row = cursor.fetchone()
    return JsonResponse({"id": row[0], "n": row[1]})


@csrf_exempt
def write(request):
    row_id = random.randint(1, ROWS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT n FROM bench_baseline_row WHERE id = %s FOR NO KEY UPDATE", [row_id])
        n = cursor.fetchone()[0]
        cursor.execute("INSERT INTO bench_baseline_log (row_id, n, at) VALUES (%s, %s, now())", [row_id, n + 1])
        cursor.execute("UPDATE bench_baseline_row SET n = n + 1 WHERE id = %s", [row_id])
    return JsonResponse({"id": row_id, "n": n + 1})


urlpatterns = [path("read/", read), path("write/", write)]


def setup() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline_log, bench_baseline_row")
        cursor.execute("CREATE TABLE bench_baseline_row (id integer PRIMARY KEY, n integer NOT NULL)")
        cursor.execute(
            "CREATE TABLE bench_baseline_log (id bigserial PRIMARY KEY, row_id integer NOT NULL "
            "REFERENCES bench_baseline_row (id), n integer NOT NULL, at timestamptz NOT NULL)"
        )
        cursor.execute("CREATE INDEX ON bench_baseline_log (row_id)")
        cursor.execute("INSERT INTO bench_baseline_row SELECT g, 0 FROM generate_series(1, %s) g", [ROWS])


if __name__ == "__main__" and sys.argv[1:] == ["setup"]:
    setup()
else:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
