"""Production mode: check --deploy is clean, a missing secret key stops start-up, Argon2id hashes.

Each runs in a subprocess, because settings are read once, from the environment, at import.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ACCOUNT_", "EMAIL_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="mallard.example.com",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mallard"),
    )
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_check_deploy_passes_with_no_warnings():
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output.upper().replace("--FAIL-LEVEL WARNING", "")


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = run([sys.executable, "-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ImproperlyConfigured: Set the DJANGO_SECRET_KEY environment variable" in result.stderr


def test_production_refuses_to_start_with_an_empty_secret_key():
    for empty in ("", "   "):
        result = run([sys.executable, "-c", "import django; django.setup()"], production_env(DJANGO_SECRET_KEY=empty))
        assert result.returncode != 0
        assert "ImproperlyConfigured: Set the DJANGO_SECRET_KEY environment variable" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    for empty in (None, "", " "):
        env = production_env()
        if empty is None:
            del env["DATABASE_URL"]
        else:
            env["DATABASE_URL"] = empty
        result = run([sys.executable, "-c", "import django; django.setup()"], env)
        assert result.returncode != 0
        assert "ImproperlyConfigured: Set the DATABASE_URL environment variable" in result.stderr


@pytest.mark.slow
def test_production_refuses_an_unknown_email_verification_mode():
    result = run(
        [sys.executable, "-c", "import django; django.setup()"], production_env(ACCOUNT_EMAIL_VERIFICATION="maybe")
    )
    assert result.returncode != 0
    assert "ACCOUNT_EMAIL_VERIFICATION" in result.stderr


@pytest.mark.slow
def test_production_hashes_passwords_with_argon2id_and_requires_verification():
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.contrib.auth.hashers import make_password, check_password\n"
        "from allauth.account import app_settings\n"
        "encoded = make_password('quack-quack-1234')\n"
        "print(settings.PASSWORD_HASHERS[0])\n"
        "print(encoded.split('$')[0], encoded.split('$')[1])\n"
        "print(check_password('quack-quack-1234', encoded))\n"
        "print(app_settings.EMAIL_VERIFICATION.value)\n"
    )
    result = run([sys.executable, "-c", code], production_env())
    assert result.returncode == 0, result.stderr
    hasher, scheme, check, verification = result.stdout.strip().splitlines()
    assert hasher == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert scheme == "argon2 argon2id"
    assert check == "True"
    assert verification == "mandatory"


def test_the_suite_runs_in_test_mode_chosen_by_pytest_ini():
    """pytest.ini sets DJANGO_ENV=test (pytest-env); settings no longer guess from the running program."""
    from django.conf import settings

    assert os.environ["DJANGO_ENV"] == "test"
    assert settings.TESTING and not settings.DEBUG
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_production_keeps_database_connections_and_checks_them():
    """Persistent, health-checked connections by default in production; a setting turns them off, and
    transaction pooling (PgBouncer) turns WITH HOLD cursors off."""
    show = (
        "import django; django.setup(); from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], d['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    assert run([sys.executable, "-c", show], production_env()).stdout.split() == ["60", "True", "False"]
    pooled = production_env(DJANGO_CONN_MAX_AGE="0", DJANGO_DB_TRANSACTION_POOLING="true")
    assert run([sys.executable, "-c", show], pooled).stdout.split() == ["0", "True", "True"]


def test_prepared_statements_on_postgresql_unless_behind_a_transaction_pooler():
    """Server-side binding with psycopg's prepare threshold on PostgreSQL; off (Django's client-side
    binding, nothing prepared) with transaction pooling unless asked for, and never on SQLite."""
    show = (
        "import django; django.setup(); from django.conf import settings; o = settings.DATABASES['default'].get("
        "'OPTIONS', {}); print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    assert run([sys.executable, "-c", show], production_env()).stdout.split() == ["True", "5"]
    pooled = production_env(DJANGO_DB_TRANSACTION_POOLING="true")
    assert run([sys.executable, "-c", show], pooled).stdout.split() == ["None", "None"]
    newer_bouncer = production_env(DJANGO_DB_TRANSACTION_POOLING="true", DJANGO_DB_PREPARED_STATEMENTS="true")
    assert run([sys.executable, "-c", show], newer_bouncer).stdout.split() == ["True", "5"]
    turned_off = production_env(DJANGO_DB_PREPARED_STATEMENTS="false")
    assert run([sys.executable, "-c", show], turned_off).stdout.split() == ["None", "None"]
    sqlite = production_env(DATABASE_URL="sqlite:////tmp/mallard-settings-check.sqlite3")
    assert run([sys.executable, "-c", show], sqlite).stdout.split() == ["None", "None"]
