"""``python -m bench NAME [options]`` (normally via ``make bench ARGS="NAME ..."``)."""

import argparse
import importlib
import os
import sys
import time


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.harness import Report

    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("name", help="benchmark module in bench/, e.g. scenarios")
    parser.add_argument("--no-migrate", action="store_true", help="skip migrate")
    known, rest = parser.parse_known_args(argv)
    module = importlib.import_module(f"bench.{known.name}")
    sub = argparse.ArgumentParser(prog=f"bench {known.name}")
    if hasattr(module, "add_arguments"):
        module.add_arguments(sub)
    args = sub.parse_args(rest)
    if not known.no_migrate:
        call_command("migrate", verbosity=0)
    report = Report(known.name)
    print(f"== bench {known.name}", flush=True)
    start = time.perf_counter()
    module.run(args, report)
    report.add("total_seconds", round(time.perf_counter() - start, 1))
    print(f"== saved {report.save()}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
