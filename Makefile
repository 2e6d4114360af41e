# authzc: policy-as-code toolchain.
#
#   make demo       build, then run the toolchain on examples/
#   make test       build and run every test (unit, CLI golden, docs)
#   make deps       install missing Debian packages
#   make SANITIZE=1 ...   everything with ASan+UBSan (in build/asan)
#   make CC=clang ...     another compiler
#
# Every source file under compiler/, runtime/ and tests/unit/ is picked up by
# wildcard, so adding a file needs no change here.

CC       ?= cc
PREFIX   ?= /usr/local
VERSION  := $(shell sed -n 's/^\#define AUTHZC_VERSION "\(.*\)"/\1/p' compiler/cli.h)
DESTDIR  ?=
BISON    ?= bison
FLEX     ?= flex

ifeq ($(SANITIZE),1)
BUILD    ?= build/asan
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      ?= -O1
else
BUILD    ?= build
SANFLAGS  =
OPT      ?= -O2
endif

WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wno-format-nonliteral
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
# Recursively expanded: pkg-config runs only when a recipe needs it, after
# `deps` has installed the packages on a fresh machine.
PKG_CFLAGS = $(shell pkg-config --cflags libcjson libgit2 libsodium)
PKG_LIBS   = $(shell pkg-config --libs libcjson libgit2 libsodium)
RT_LIBS    = $(shell pkg-config --libs libcjson libsodium)
CRIT_FLAGS = $(shell pkg-config --cflags criterion)
CRIT_LIBS  = $(shell pkg-config --libs criterion)

CFLAGS  ?= -g $(OPT)
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(SANFLAGS) -I$(BUILD)/gen -Icompiler -Iruntime $(PKG_CFLAGS)
LDFLAGS += $(SANFLAGS)

GEN      = $(BUILD)/gen
RT_SRC   = $(sort $(wildcard runtime/*.c))
CC_SRC   = $(sort $(filter-out compiler/main.c,$(wildcard compiler/*.c)))
UT_SRC   = $(sort $(wildcard tests/unit/*.c))
RT_OBJ   = $(RT_SRC:%.c=$(BUILD)/obj/%.o)
RT_PIC   = $(RT_SRC:%.c=$(BUILD)/pic/%.o)
CC_OBJ   = $(CC_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/parser.o $(BUILD)/obj/gen/lexer.o
UT_OBJ   = $(UT_SRC:%.c=$(BUILD)/obj/%.o)
HEADERS  = $(wildcard compiler/*.h runtime/*.h runtime/*.def) $(GEN)/parser.h $(GEN)/lexer.h

AUTHZC   = $(BUILD)/authzc
LIBA     = $(BUILD)/libauthz.a
LIBSO    = $(BUILD)/libauthz.so
UNIT     = $(BUILD)/unit-tests
STAMP    = build/.deps-ok

.PHONY: all deps demo test unit cli doctest check-man install clean bench memcheck fuzz fuzz-smoke fuzz-build fuzz-bins
.DEFAULT_GOAL := all

all: $(AUTHZC) $(LIBA) $(LIBSO)

deps:
	@sh tools/deps.sh

# A fresh checkout has no stamp, so the first build installs what is missing.
$(STAMP):
	@sh tools/deps.sh
	@mkdir -p $(dir $@) && touch $@

$(GEN)/parser.c $(GEN)/parser.h: grammar/parser.y | $(STAMP)
	@mkdir -p $(GEN)
	$(BISON) -Wall -Werror --defines=$(GEN)/parser.h -o $(GEN)/parser.c $<

$(GEN)/lexer.c $(GEN)/lexer.h: grammar/lexer.l $(GEN)/parser.h | $(STAMP)
	@mkdir -p $(GEN)
	$(FLEX) --header-file=$(GEN)/lexer.h -o $(GEN)/lexer.c $<

# Generated code: flex's skeleton trips a few of our extra warnings.
$(BUILD)/obj/gen/%.o: $(GEN)/%.c $(HEADERS) | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Wno-unused-function -Wno-sign-compare -Wno-missing-prototypes -Wno-shadow -c $< -o $@

$(BUILD)/obj/%.o: %.c $(HEADERS) | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(if $(findstring tests/unit,$<),$(CRIT_FLAGS) -Wno-missing-prototypes) -c $< -o $@

$(BUILD)/pic/%.o: %.c $(HEADERS) | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(LIBA): $(RT_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBSO): $(RT_PIC)
	$(CC) -shared -Wl,-soname,libauthz.so.0 $(LDFLAGS) -o $@ $^ $(RT_LIBS)

$(AUTHZC): $(BUILD)/obj/compiler/main.o $(CC_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# --wrap: tests/unit/test_failclosed.c injects allocation failures.
UNIT_WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

$(UNIT): $(UT_OBJ) $(CC_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) $(UNIT_WRAP) -o $@ $^ $(PKG_LIBS) $(CRIT_LIBS) -lm

# ---- tests -----------------------------------------------------------------

# The suite runs twice: as built, then under ASan+UBSan (leak checks on);
# then each fuzz target replays its corpus and fuzzes a few seconds.
test: all $(UNIT)
	@$(MAKE) --no-print-directory unit cli doctest check-man
ifneq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory SANITIZE=1 BUILD=$(BUILD)/asan unit cli
	@$(MAKE) --no-print-directory fuzz-smoke
endif

unit: $(UNIT)
	$(UNIT) --jobs 2 -j2

cli: $(AUTHZC)
	@AUTHZC=$(abspath $(AUTHZC)) sh tests/cli/run.sh

doctest: $(AUTHZC)
	@AUTHZC=$(abspath $(AUTHZC)) sh tests/doc/run.sh

check-man:
	@sh tools/lint-man.sh

demo: all
	@AUTHZC=$(abspath $(AUTHZC)) sh tools/demo.sh

# Unit suite and every golden CLI case under valgrind (never part of `make
# test`: about 15 minutes).  Fails on any valgrind error or definite leak.
memcheck: $(AUTHZC) $(UNIT)
	@WANT_OPTIONAL=1 sh tools/deps.sh
	@UNIT=$(abspath $(UNIT)) AUTHZC=$(abspath $(AUTHZC)) sh tests/fuzz/memcheck.sh

# ---- fuzzing (clang + libFuzzer, ASan + UBSan; tests/fuzz/) ------------------
#
#   make fuzz FUZZ_SECONDS=N   install clang's fuzzer runtime if missing, then
#                              fuzz each target N seconds (default 60)
#   make fuzz-smoke            replay the corpus and the regression inputs,
#                              fuzz FUZZ_SMOKE_SECONDS each; skipped (with a
#                              message) without clang and its fuzzer runtime

FUZZ_BUILD   ?= $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS  = policy schema request bundle
FUZZ_SAN      = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_CC      ?= clang

fuzz: $(AUTHZC)
	@WANT_FUZZ=1 sh tools/deps.sh
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ=$(abspath $(FUZZ_BUILD)) AUTHZC=$(abspath $(AUTHZC)) sh tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: $(AUTHZC)
	@if printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n; }\n' | \
	    $(FUZZ_CC) -fsanitize=fuzzer,address,undefined -x c - -o /dev/null >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory fuzz-build >/dev/null && \
	  FUZZ=$(abspath $(FUZZ_BUILD)) AUTHZC=$(abspath $(AUTHZC)) sh tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS); \
	else \
	  echo "fuzz-smoke: skipped: $(FUZZ_CC) with libFuzzer (libclang-rt-14-dev) is not installed; make fuzz installs it"; \
	fi

fuzz-build:
	@$(MAKE) --no-print-directory CC=$(FUZZ_CC) BUILD=$(FUZZ_BUILD) OPT=-O1 SANITIZE= \
	  SANFLAGS="$(FUZZ_SAN)" fuzz-bins

fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)
.PRECIOUS: $(BUILD)/obj/tests/fuzz/%.o

$(BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz_common.h $(HEADERS) | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DFUZZ_EXAMPLES='"$(abspath examples)"' -c $< -o $@

$(BUILD)/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(CC_OBJ) $(LIBA)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm

# ---- benchmarks (never part of `make test`) ---------------------------------

BENCH    = $(BUILD)/bench

bench: $(AUTHZC) $(BENCH)/gen $(BENCH)/gen_tests $(BENCH)/bench_front $(BENCH)/bench_decide $(BENCH)/schema_bundle
	@AUTHZC=$(abspath $(AUTHZC)) BENCH=$(abspath $(BENCH)) CC="$(CC)" sh tests/bench/run.sh

$(BENCH)/gen: tests/bench/gen.c | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $<

$(BENCH)/gen_tests: tests/bench/gen_tests.c | $(STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $<

$(BENCH)/bench_front: $(BUILD)/obj/tests/bench/bench_front.o $(CC_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

$(BENCH)/bench_decide: $(BUILD)/obj/tests/bench/bench_decide.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(RT_LIBS) -lm

$(BENCH)/schema_bundle: $(BUILD)/obj/tests/bench/schema_bundle.o $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(RT_LIBS) -lm

# ---- install ---------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man3 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(AUTHZC) $(DESTDIR)$(PREFIX)/bin/authzc
	install -m 644 runtime/authz.h $(DESTDIR)$(PREFIX)/include/authz.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' runtime/authz.pc.in \
	  >$(DESTDIR)$(PREFIX)/lib/pkgconfig/authz.pc
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/libauthz.a
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libauthz.so.0
	ln -sf libauthz.so.0 $(DESTDIR)$(PREFIX)/lib/libauthz.so
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/

clean:
	rm -rf build
