# The two quick-start commands and the pieces they are made of (see README.md).
.PHONY: serve test build bench clean
serve:   ## build and serve the lab at http://127.0.0.1:8080/
	scripts/serve.sh
test:    ## run every test suite (native, browser unit, end-to-end)
	scripts/test.sh
build:   ## build the static site into dist/
	scripts/bootstrap.sh && scripts/build-web.sh
bench:   ## native criterion + headless-Chromium + numpy/JAX/powerlaw anchors, one table (docs/BENCHMARKS.md)
	scripts/bench.sh
clean:
	rm -rf dist pkg test-results
