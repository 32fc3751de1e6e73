# SPDX-License-Identifier: GPL-2.0-or-later
# meshroute: plain make + pkg-config.  `make V=1` shows the commands.

PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DOCDIR     ?= $(PREFIX)/share/doc/meshroute
# Where systemd looks for units (/lib/systemd/system on Debian 12).
SYSTEMDUNITDIR ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),$(PREFIX)/lib/systemd/system)
# bash-completion loads completions on demand from here.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR    ?=

CC      ?= cc
PKGS    := libmnl inih libsystemd nettle libcap-ng
BUILD   ?= build
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-unused-parameter -D_GNU_SOURCE \
           -MMD -MP -Isrc $(shell pkg-config --cflags $(PKGS))
CFLAGS  += $(EXTRA_CFLAGS)
LDFLAGS += $(EXTRA_LDFLAGS)
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lm -pthread

ifeq ($(V),1)
Q :=
else
Q := @
endif

BINS     := meshrouted meshroutectl
LIB_SRCS := $(filter-out src/meshrouted.c src/meshroutectl.c,$(wildcard src/*.c))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/%)
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/%)

.PHONY: all deps unit lab check check-repeat check-trixie demo asan install uninstall clean bench bracket bracket-check
all: $(BINS:%=$(BUILD)/%) $(TOOL_BINS)

# A recipe that fails leaves no half-written target behind to be taken for
# a good one by the next make.
.DELETE_ON_ERROR:

$(BUILD)/%.o: src/%.c | $(BUILD)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libmeshroute.a: $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

$(BUILD)/meshrouted: $(BUILD)/meshrouted.o $(BUILD)/libmeshroute.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/meshroutectl: $(BUILD)/meshroutectl.o $(BUILD)/libmeshroute.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/test_%: tests/unit/test_%.c $(BUILD)/libmeshroute.a
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.a,$^) $(LDLIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/%: tests/tools/%.c
	@$(if $(Q),echo "  TOOL    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS) -lm

$(BUILD):
	$(Q)mkdir -p $@

# Installs (only what is missing) every Debian package that build, tests and demo need.
deps:
	$(Q)./scripts/install-deps.sh

unit: $(UNIT_BINS)
	$(Q)./tests/run-unit.sh $(UNIT_BINS)

lab: all
	$(Q)./tests/lab/run.sh

# Same sources with AddressSanitizer + UBSan, in their own build folder.
# CFLAGS goes through the environment: on the command line it would override
# the `CFLAGS +=` lines above (warnings, -Isrc, pkg-config and EXTRA_CFLAGS).
asan:
	$(Q)CFLAGS="-O1 -g" $(MAKE) --no-print-directory BUILD=build-asan CC=clang \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" all $(UNIT_SRCS:tests/unit/%.c=build-asan/%)

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./tests/check.sh

# Debian 13 (Proxmox VE 9): build, unit and packaging tests in a trixie root
# file system from Debian's mirror (root, network; not part of check).
check-trixie: deps
	$(Q)./tests/packaging/trixie.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./tests/lab/demo.sh

# The flake finder: the lab suite N times, each test's pass rate at the end;
# LOAD=stress runs it with stress-ng --cpu 2 in the background (LOAD_CPUS),
# TESTS="t_silent t_carrier" only those.  Needs root, as lab does.
N ?= 5
check-repeat: all
	$(Q)LOAD="$(LOAD)" ./tests/lab/repeat.sh $(N) $(TESTS)

# ---- fuzzing: libFuzzer harnesses tests/fuzz/fuzz_*.c (clang, ASan + UBSan) ----
# `make fuzz` runs each for FUZZ_TIME seconds from a copy of its seed corpus;
# `make fuzz-check` replays tests/fuzz/regress/ and runs each briefly (<= 40 s
# in all).  Crashes are saved under build-fuzz/artifacts/.
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS  := $(FUZZ_NAMES:%=build-fuzz/fuzz_%)
FUZZ_TIME  ?= 60
# fuzz_control: reload and drain replaced by fakes, they would touch netlink.
FUZZ_LDFLAGS_control := -Wl,--wrap=daemon_reload -Wl,--wrap=daemon_drain \
	-Wl,--wrap=daemon_drain_done

.PHONY: fuzz fuzz-build fuzz-check fuzz-clean
fuzz-build:
	$(Q)CFLAGS="-O1 -g" $(MAKE) --no-print-directory $(if $(Q),-s) BUILD=build-fuzz CC=clang \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=fuzzer,address,undefined" $(FUZZ_BINS)

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libmeshroute.a
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(FUZZ_LDFLAGS_$*) -o $@ $(filter %.c %.a,$^) $(LDLIBS)

fuzz: fuzz-build
	$(Q)./tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_NAMES)

fuzz-check: fuzz-build
	$(Q)./tests/fuzz/run.sh --check $(FUZZ_NAMES)

fuzz-clean:
	rm -rf build-fuzz

install: $(BUILD)/meshrouted $(BUILD)/meshroutectl
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/iproute2/rt_protos.d \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(BUILD)/meshrouted $(BUILD)/meshroutectl $(DESTDIR)$(SBINDIR)/
	install -m 0644 etc/rt_protos.d/meshroute.conf $(DESTDIR)$(SYSCONFDIR)/iproute2/rt_protos.d/meshroute.conf
	install -m 0644 man/meshrouted.8 man/meshroutectl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/meshroute.conf.5 $(DESTDIR)$(MANDIR)/man5/
	sed 's|/usr/sbin/meshroute|$(SBINDIR)/meshroute|' etc/meshrouted.service >$(BUILD)/meshrouted.service
	install -m 0644 $(BUILD)/meshrouted.service $(DESTDIR)$(SYSTEMDUNITDIR)/meshrouted.service
	install -m 0644 etc/meshroute.conf.example $(DESTDIR)$(DOCDIR)/examples/meshroute.conf
	install -m 0644 etc/completion/meshroutectl.bash $(DESTDIR)$(BASHCOMPDIR)/meshroutectl
	install -m 0755 contrib/meshroute-alert-mail contrib/meshroute-alert-webhook $(DESTDIR)$(DOCDIR)/examples/

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/meshrouted $(DESTDIR)$(SBINDIR)/meshroutectl \
	      $(DESTDIR)$(SYSCONFDIR)/iproute2/rt_protos.d/meshroute.conf \
	      $(DESTDIR)$(MANDIR)/man8/meshrouted.8 $(DESTDIR)$(MANDIR)/man8/meshroutectl.8 \
	      $(DESTDIR)$(MANDIR)/man5/meshroute.conf.5 \
	      $(DESTDIR)$(SYSTEMDUNITDIR)/meshrouted.service \
	      $(DESTDIR)$(BASHCOMPDIR)/meshroutectl \
	      $(DESTDIR)$(DOCDIR)/examples/meshroute.conf \
	      $(DESTDIR)$(DOCDIR)/examples/meshroute-alert-mail \
	      $(DESTDIR)$(DOCDIR)/examples/meshroute-alert-webhook
	rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null || true

# Failover outage, cost and false positives in the namespace lab, side by
# side with FRR's bfdd (docs/BENCHMARKS.md).  Needs root; installs what it
# needs first (FRR, iperf3, stress-ng: the one install script), as check does.
bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./bench/run.sh

# Printable full-height PCIe bracket (hardware/bracket/README.md).
bracket: $(BUILD)/bracket/bracket.stl

$(BUILD)/bracket/bracket.stl: hardware/bracket/bracket.scad
	@$(if $(Q),echo "  SCAD    $@")
	$(Q)mkdir -p $(@D)
	$(Q)openscad --export-format binstl -o $@ $< 2>$(@D)/openscad.log || { cat $(@D)/openscad.log; rm -f $@; exit 1; }

bracket-check:
	$(Q)BUILD=$(BUILD) ./tests/hardware/t_bracket.sh

clean:
	rm -rf build build-asan build-fuzz

-include $(wildcard $(BUILD)/*.d)
