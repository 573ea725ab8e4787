"""Settings read from the environment: production, and the embedded default."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, env, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def base_env(**extra):
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "VIRTUAL_ENV")}
    return {**keep, **extra}


def test_deploy_check_has_no_warnings_with_production_settings():
    env = base_env(
        SECRET_KEY="k7#Qz!r2-" + "production-secret-for-the-deploy-check-" + "9xT4v",
        DEBUG="0",
        ALLOWED_HOSTS="coach.example.com",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
    )
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", env=base_env(DEBUG="0"))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_embedded_default_refuses_any_host_but_loopback_without_a_secret_key():
    for hosts in ("coach.example.com", "localhost,coach.example.com", "*", "0.0.0.0"):
        result = manage("check", env=base_env(ALLOWED_HOSTS=hosts))
        assert result.returncode != 0, hosts
        assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY is not set" in result.stderr, hosts
    for hosts in ("localhost,127.0.0.1,[::1]", "127.0.0.1"):
        assert manage("check", env=base_env(ALLOWED_HOSTS=hosts)).returncode == 0, hosts
    with_key = base_env(ALLOWED_HOSTS="coach.example.com", SECRET_KEY="k" * 50, DEBUG="1")
    assert manage("check", env=with_key).returncode == 0


def test_embedded_default_uses_the_embedded_postgresql_and_the_filesystem_broker(tmp_path):
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['HOST'], d['NAME']); print(s.CELERY_BROKER_URL); print(s.DEBUG); "
        "print(s.CACHES['default']['BACKEND']); print(s.API_TOKEN_CACHE_S)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=base_env(VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        str(tmp_path / "pgdata"),
        "coach",
        "filesystem://",
        "True",
        "django.core.cache.backends.filebased.FileBasedCache",
        "0",
    ]


def test_a_database_url_of_another_engine_stops_start_up(tmp_path):
    result = manage("check", env=base_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "PostgreSQL is the only engine" in result.stderr


def test_database_and_redis_urls_switch_to_the_real_services():
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL.split(':')[0]); "
        "print(s.API_TOKEN_CACHE_S)"
    )
    env = base_env(DATABASE_URL=os.environ["DATABASE_URL"], REDIS_URL=os.environ["REDIS_URL"])
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.split() == ["django.db.backends.postgresql", "redis", "300"], result.stderr
