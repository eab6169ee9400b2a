# oci-logfwd — plain Makefile, pkg-config for every library, everything built under $(BUILD).
#
#   make            build build/oci-logfwd and the simulators
#   make check      install missing packages (deps), build, run unit + integration tests
#   make asan       the same tests built with AddressSanitizer + UBSan
#   make demo       see the daemon forward simulated OCI logs (well under a minute)
#   make bench      throughput / CPU / RSS benchmark (bench/RESULTS.md)
#   make fuzz       libFuzzer over the normalizer and encoders (clang)
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        build/oci-logfwd_<version>_<arch>.deb (dpkg-deb, no debian/ folder)

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
SYSTEMD_UNITDIR ?= $(PREFIX)/lib/systemd/system
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
MAN_PAGES := daemon/oci-logfwd.8 conf/oci-logfwd.conf.5
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0)

CC       ?= cc
PKG_CONFIG ?= pkg-config
PKGS     := libcurl jansson libevent libevent_openssl libssl libcrypto inih libsystemd yajl libdeflate zlib rdkafka

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wold-style-definition -Wformat=2 -Wvla -Wimplicit-fallthrough -Wundef \
            -Wno-unused-parameter
OPT      ?= -O2 -g
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS   ?=
CFLAGS_ALL = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L $(OPT) $(WARN) \
             -DOCI_LOGFWD_VERSION='"$(VERSION)"' $(LIB_DIRS:%=-I%) \
             $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LDFLAGS_ALL = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS     = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm

ifeq ($(WERROR),1)
CFLAGS_ALL += -Werror
endif
ifeq ($(SANITIZE),1)
OPT      := -O1 -g -fno-omit-frame-pointer
HARDEN   :=
CFLAGS_ALL += -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS_ALL += -fsanitize=address,undefined
endif
CFLAGS_ALL += $(HARDEN)

# lib/ by layer, in the order data flows: core (buffers, queue, acks, clock, HTTP) -> oci
# (config, signing, search) -> format (normalize, encoders) -> sink (engine, one file per
# type) -> pipeline (config, sources, routing, state, metrics).  Headers are included by
# name: every layer's folder is on the include path.
LIB_DIRS := lib/core lib/oci lib/format lib/sink lib/pipeline
LIB_SRC  := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB_A    := $(BUILD)/liboci-logfwd.a
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Each simulator is a folder of .c files under tests/sim/NAME/; it may use lib/ too.
SIM_DIRS := $(sort $(wildcard tests/sim/*/))
SIM_BIN  := $(foreach d,$(SIM_DIRS),$(BUILD)/$(notdir $(patsubst %/,%,$(d))))
IT_TESTS := $(sort $(wildcard tests/it/test_*.sh))

.PHONY: all deps check unit it asan demo bench fuzz install clean lint deb lint-man check-alerts
.DELETE_ON_ERROR:

all: $(BUILD)/oci-logfwd $(SIM_BIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

DAEMON_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(sort $(wildcard daemon/*.c)))
BENCH_BIN  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(sort $(wildcard bench/*.c)))

$(BUILD)/oci-logfwd: $(DAEMON_OBJ) $(LIB_A)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

# Unit tests: one cmocka binary per tests/unit/test_*.c, linked with the library.
$(BUILD)/tests/%: tests/unit/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -MMD -MP -o $@ $< $(LIB_A) $(LIBS) \
	    $(shell $(PKG_CONFIG) --cflags --libs cmocka)

# Micro-benchmarks: one binary per bench/*.c, linked with the library.
$(BUILD)/bench/%: bench/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -MMD -MP -o $@ $< $(LIB_A) $(LIBS)

.SECONDEXPANSION:
$(SIM_BIN): $(BUILD)/%: $$(patsubst %.c,$(BUILD)/obj/%.o,$$(wildcard tests/sim/%/*.c)) $(LIB_A)
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

deps:
	@sh tests/deps.sh

# The README's test command: sets up a fresh machine, builds, runs every test.
check: deps
	$(MAKE) all
	$(MAKE) lint-man check-alerts unit it

unit: $(UNIT_BIN)
	@BUILD=$(BUILD) sh tests/run-unit.sh $(UNIT_BIN)

it: all $(UNIT_BIN)
	@BUILD=$(BUILD) bash tests/run-it.sh $(IT_TESTS)

asan: deps
	$(MAKE) BUILD=build/asan SANITIZE=1 all unit it

demo: deps
	$(MAKE) all
	@BUILD=$(BUILD) bash tests/demo.sh

bench: deps
	$(MAKE) BUILD=build/bench OPT="-O2 -g -DNDEBUG" all $(BENCH_BIN:$(BUILD)/%=build/bench/%)
	@BUILD=build/bench bash bench/run.sh

FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
fuzz: deps
	$(MAKE) BUILD=build/fuzz CC=clang OPT="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" build/fuzz/liboci-logfwd.a
	@BUILD=build/fuzz CFLAGS_ALL='$(CFLAGS_ALL)' LIBS='$(LIBS)' FUZZ_SECONDS=$${FUZZ_SECONDS:-300} bash tests/fuzz/run.sh $(FUZZ_SRC)

install: $(BUILD)/oci-logfwd
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)/etc/oci-logfwd $(DESTDIR)$(SYSTEMD_UNITDIR)
	install -m 0755 $(BUILD)/oci-logfwd $(DESTDIR)$(SBINDIR)/oci-logfwd
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 daemon/oci-logfwd.8 $(DESTDIR)$(MANDIR)/man8/oci-logfwd.8
	install -m 0644 conf/oci-logfwd.conf.5 $(DESTDIR)$(MANDIR)/man5/oci-logfwd.conf.5
	@# 0644: the unit's DynamicUser must read it; secrets go into LoadCredential= files.
	@if [ -e $(DESTDIR)/etc/oci-logfwd/oci-logfwd.conf ]; then \
	    echo "keeping existing $(DESTDIR)/etc/oci-logfwd/oci-logfwd.conf"; \
	else install -m 0644 conf/oci-logfwd.conf $(DESTDIR)/etc/oci-logfwd/oci-logfwd.conf; fi
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/oci-logfwd.service > $(DESTDIR)$(SYSTEMD_UNITDIR)/oci-logfwd.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/oci-logfwd.service

# Man pages: mandoc's lint (Debian mandoc) must be silent, warnings included.
lint-man:
	mandoc -T lint -W warning $(MAN_PAGES)

# Alert rules: syntax (check rules) and behaviour (test rules, synthetic series).
check-alerts:
	promtool check rules conf/prometheus/oci-logfwd-alerts.yml
	cd conf/prometheus && promtool test rules oci-logfwd-alerts.test.yml

# The .deb: its own build under $(BUILD)/deb (the package version compiled in, so that
# -V matches dpkg -l; from scratch, as objects do not depend on -D flags), `make install`
# into a staging tree, then conf/deb/mkdeb.sh.
DEB_VERSION = $(shell sh conf/deb/version.sh)
deb:
	rm -rf $(BUILD)/deb
	$(MAKE) BUILD=$(BUILD)/deb VERSION=$(DEB_VERSION) PREFIX=/usr SBINDIR=/usr/bin \
	    SYSTEMD_UNITDIR=/lib/systemd/system DESTDIR=$(abspath $(BUILD)/deb/root) install
	sh conf/deb/mkdeb.sh $(BUILD)/deb/root $(DEB_VERSION) $(BUILD)

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
