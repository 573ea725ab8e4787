"""The lock files: every package pinned with hashes, in step with the requirements files, and
free of known vulnerabilities when an advisory database can be asked."""

import importlib.util
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ADVISORY_HOST = "api.osv.dev"  # pip-audit's OSV service (not a package registry)


def _check_lock():
    spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_lock = _check_lock()


def test_the_locks_pin_every_requirement_with_hashes():
    assert check_lock.problems() == []
    for lock in check_lock.LOCKS.values():
        versions, unhashed = check_lock.locked(ROOT / lock)
        assert len(versions) > 50 and unhashed == [], lock
    runtime, _ = check_lock.locked(ROOT / "requirements.lock")
    dev, _ = check_lock.locked(ROOT / "requirements-dev.lock")
    # The dev lock is built on the runtime lock: both install the same runtime versions.
    assert {name: dev[name] for name in runtime} == runtime


def test_a_requirement_changed_without_make_lock_is_refused(tmp_path):
    for name in ("requirements.txt", "requirements-dev.txt", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    requirements = tmp_path / "requirements.txt"
    text = requirements.read_text()
    django = next(line for line in text.splitlines() if line.startswith("Django=="))
    requirements.write_text(text.replace(django, "Django==5.2.999") + "left-pad==1.0\n")
    found = check_lock.problems(tmp_path)
    assert "requirements.txt pins django==5.2.999 but requirements.lock has " + django.split("==")[1] in found
    assert "requirements.txt pins left-pad==1.0, which requirements.lock lacks" in found
    # The dev lock includes requirements.txt through -r, so it is stale too.
    assert any(problem.startswith("requirements-dev.txt pins left-pad") for problem in found)


def test_the_install_step_stops_on_a_stale_lock(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    shutil.copy(ROOT / "scripts" / "check_lock.py", scripts / "check_lock.py")
    for name in ("requirements.txt", "requirements-dev.txt", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    with (tmp_path / "requirements-dev.txt").open("a") as extra:
        extra.write("left-pad==1.0\n")
    result = subprocess.run(
        [sys.executable, "scripts/check_lock.py"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "left-pad" in result.stderr and "make lock" in result.stderr


def _advisory_database_reachable() -> bool:
    try:
        with socket.create_connection((ADVISORY_HOST, 443), timeout=3):
            return True
    except OSError:
        return False


def test_no_locked_package_has_a_known_vulnerability():
    if not _advisory_database_reachable():
        pytest.skip(f"pip-audit not run: the advisory database ({ADVISORY_HOST}) is not reachable from here")
    pip_audit = Path(sys.executable).with_name("pip-audit")
    for lock in check_lock.LOCKS.values():
        result = subprocess.run(
            [
                str(pip_audit),
                "--vulnerability-service",
                "osv",
                "--disable-pip",
                "--require-hashes",
                "-r",
                lock,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"{lock}:\n{result.stdout}\n{result.stderr}"
