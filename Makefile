# vigil — the two commands a newcomer needs: `make demo` and `make test`.
.PHONY: demo test bench tools postgres

NPM_STAMP := node_modules/.installed

# anvil and solc come from the npm registry, pinned in package.json / package-lock.json.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The store, series and journal tests run against a real PostgreSQL server they start
# themselves (crates/testkit); the server comes from Debian's packages.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { \
		echo "installing PostgreSQL from Debian's packages"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends postgresql; }

tools: $(NPM_STAMP) postgres

demo: $(NPM_STAMP)
	cargo run -p vigil -- demo

test: tools
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo nextest run --workspace --profile ci
	cargo test --workspace --doc

bench: $(NPM_STAMP)
	cargo run --release -p vigil -- bench
