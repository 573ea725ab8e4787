# The two set-up commands: `make run` (the product on its embedded default) and `make test`.
.PHONY: run test bench clean

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh $(ARGS)

bench:
	@bash scripts/bench.sh $(ARGS)

clean:
	rm -rf .venv var
