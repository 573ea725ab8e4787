# The two set-up commands: `make run` (the product on its embedded default) and `make test`.
.PHONY: run test bench lock clean

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(ARGS)

bench:
	@bash scripts/bench.sh $(ARGS)

# Regenerate requirements.lock and requirements-dev.lock (hashes, from PyPI) after changing
# requirements*.txt; see CONTRIBUTING.md.
lock:
	@bash scripts/lock.sh $(ARGS)

# Removes the virtualenv and var/, the embedded PostgreSQL's data (var/pgdata) with it.
clean:
	rm -rf .venv var
