"""Refuse to install from a lock that no longer matches its requirements file.

Every package pinned in ``requirements.txt`` / ``requirements-dev.txt`` (``name==version``, and
the files they include with ``-r``) must appear in ``requirements.lock`` / ``requirements-dev.lock``
with the same version, and every package in a lock must carry hashes. If not, someone changed a
requirements file without running ``make lock``. Standard library only: it runs before the
virtualenv exists (``scripts/venv.sh``) and in the test suite (``tests/test_dependencies.py``).
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"requirements.txt": "requirements.lock", "requirements-dev.txt": "requirements-dev.lock"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;#\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """``{name: version}`` of the ``name==version`` lines of a requirements file and its ``-r`` files."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split(" #", 1)[0].strip()
        if line.startswith(("-r ", "--requirement ")):
            found.update(pins(path.parent / line.split(None, 1)[1]))
            continue
        match = PIN.match(line)
        if match:
            found[canonical(match.group(1))] = match.group(2)
    return found


def locked(path: Path) -> tuple[dict[str, str], list[str]]:
    """``{name: version}`` of a lock file, and the packages in it without a hash."""
    versions, unhashed = {}, []
    # One logical line per package: "name==version \\ --hash=sha256:... \\ --hash=..."
    for line in re.sub(r"\\\n\s*", " ", path.read_text()).splitlines():
        match = PIN.match(line.strip())
        if match:
            name = canonical(match.group(1))
            versions[name] = match.group(2)
            if "--hash=sha256:" not in line:
                unhashed.append(name)
    return versions, unhashed


def problems(root: Path = ROOT) -> list[str]:
    found = []
    for source, lock in LOCKS.items():
        lock_path = root / lock
        if not lock_path.exists():
            found.append(f"{lock} is missing: run `make lock`")
            continue
        versions, unhashed = locked(lock_path)
        for name, version in sorted(pins(root / source).items()):
            if name not in versions:
                found.append(f"{source} pins {name}=={version}, which {lock} lacks")
            elif versions[name] != version:
                found.append(f"{source} pins {name}=={version} but {lock} has {versions[name]}")
        found += [f"{lock}: {name} has no hash" for name in unhashed]
    return found


def main() -> int:
    found = problems()
    if found:
        print("The lock files do not match the requirements files:", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        print("Run `make lock` and commit requirements*.lock.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
