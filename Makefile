# vigil — the two commands a newcomer needs: `make demo` and `make test`.
.PHONY: demo test bench tools

NPM_STAMP := node_modules/.installed

# anvil and solc come from the npm registry, pinned in package.json / package-lock.json.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

tools: $(NPM_STAMP)

demo: $(NPM_STAMP)
	cargo run -p vigil -- demo

test: $(NPM_STAMP)
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo nextest run --workspace --profile ci
	cargo test --workspace --doc

bench: $(NPM_STAMP)
	cargo run --release -p vigil -- bench
