# moelink: thin wrapper over meson. The two set-up commands:
#   make run    build and start moelink on 127.0.0.1:8080 (SQLite under ./var/)
#   make test   build with ASan+UBSan and run every test
BUILD      ?= build
TESTBUILD  ?= build-test
LISTEN     ?= 127.0.0.1:8080
MESON_ARGS ?=

.PHONY: all run sandbox test bootstrap build build-test clean fuzz bench check-style

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/build.ninja:
	@scripts/bootstrap
	meson setup $(BUILD) $(MESON_ARGS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	@mkdir -p var
	./$(BUILD)/moelink serve --listen $(LISTEN)

# The hub against the local MoEngage simulator (TLS, production URLs).
sandbox: build
	@scripts/sandbox $(BUILD)

$(TESTBUILD)/build.ninja:
	@scripts/bootstrap
	meson setup $(TESTBUILD) -Db_sanitize=address,undefined -Db_lundef=false $(MESON_ARGS)

build-test: $(TESTBUILD)/build.ninja
	ninja -C $(TESTBUILD)

test: build-test
	@scripts/run-tests $(TESTBUILD)

fuzz:
	@scripts/bootstrap --fuzz
	CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Db_lundef=false 2>/dev/null || true
	ninja -C build-fuzz
	@scripts/run-fuzz build-fuzz 20

bench:
	@scripts/bootstrap --bench
	meson setup build-bench -Dbench=true --buildtype=release 2>/dev/null || true
	ninja -C build-bench

check-style:
	@scripts/check-style

clean:
	rm -rf $(BUILD) $(TESTBUILD) build-fuzz build-bench
