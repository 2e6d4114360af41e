# authzc: policy-as-code toolchain.
#
#   make demo       install what is missing, build, run the toolchain on examples/
#   make test       install what is missing, build, run every test
#   make deps       install missing Debian packages (nothing else does, but
#                   demo and test)
#   make            build; fails with one line naming `make deps` when a
#                   package is missing
#   make V=1 ...    print full command lines (quiet by default)
#   make SANITIZE=1 ...   everything with ASan+UBSan (in build/asan)
#   make CC=clang ...     another compiler
#
# The tree and its one-way dependency rule (ARCHITECTURE.md):
#
#   compiler/util -> evidence -> lang -> testing -> analysis -> git -> serve -> lsp -> cli   runtime/ (libauthz)
#
# Each folder is compiled with the include paths of itself and the folders
# below it, and only the packages it uses, so an include that runs the wrong
# way does not compile.  Everything may include the public runtime headers
# (runtime/include/); only the code generator sees the runtime's own headers,
# for the bundle writer.  The runtime sees nothing of compiler/.
#
# Every source file is picked up by wildcard, so adding a file needs no change
# here; a new folder under compiler/ needs its layer below.

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BISON    ?= bison
FLEX     ?= flex
VERSION  := $(shell sed -n 's/^\#define AUTHZC_VERSION "\(.*\)"/\1/p' compiler/util/version.h)

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
           -Wpointer-arith -Wformat=2 -Wno-format-nonliteral \
           -Werror=implicit-function-declaration
CSTD     = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS  ?= -g $(OPT)
BASE_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(SANFLAGS) -MMD -MP
LDFLAGS += $(SANFLAGS)

# ---- quiet output ------------------------------------------------------------

ifeq ($(V),1)
say =
else
say = @printf '  %-4s %s\n' '$(1)' '$(patsubst $(BUILD)/obj/%,%,$(2))';
endif

# ---- packages: each tree gets only the flags it needs ------------------------
#
# Recursively expanded: pkg-config runs only when a recipe needs it, after
# `make deps` has installed the packages on a fresh machine.

CJSON_CFLAGS  = $(shell pkg-config --cflags libcjson)
CJSON_LIBS    = $(shell pkg-config --libs libcjson)
GIT_CFLAGS    = $(shell pkg-config --cflags libgit2)
GIT_LIBS      = $(shell pkg-config --libs libgit2)
SODIUM_CFLAGS = $(shell pkg-config --cflags libsodium nettle)
# The runtime's crypto: libsodium, and nettle for SHA-256 on the CPU's SHA
# instructions (bundle digests at load time).
SODIUM_LIBS   = $(shell pkg-config --libs libsodium nettle)
MHD_CFLAGS    = $(shell pkg-config --cflags libmicrohttpd)
MHD_LIBS      = $(shell pkg-config --libs libmicrohttpd)
CURL_CFLAGS   = $(shell pkg-config --cflags libcurl)
CURL_LIBS     = $(shell pkg-config --libs libcurl)
CRIT_CFLAGS   = $(shell pkg-config --cflags criterion)
CRIT_LIBS     = $(shell pkg-config --libs criterion)
Z3_CFLAGS     = $(shell pkg-config --cflags z3)
Z3_LIBS       = $(shell pkg-config --libs z3)

# ---- sources -------------------------------------------------------------------

GEN      = $(BUILD)/gen
LAYERS   = util evidence lang testing analysis git serve lsp cli

# libauthz: everything in runtime/ but the bundle writer, which only the
# compiler (and tests that build bundles) link.
RT_SRC   = $(sort $(filter-out runtime/bundle_write.c,$(wildcard runtime/*.c)))
WR_SRC   = runtime/bundle_write.c
CC_SRC   = $(sort $(filter-out compiler/cli/main.c,$(foreach l,$(LAYERS),$(wildcard compiler/$(l)/*.c))))
UT_SRC   = $(sort $(wildcard tests/unit/*.c tests/unit/*/*.c))

RT_OBJ   = $(RT_SRC:%.c=$(BUILD)/obj/%.o)
RT_PIC   = $(RT_SRC:%.c=$(BUILD)/pic/%.o)
WR_OBJ   = $(WR_SRC:%.c=$(BUILD)/obj/%.o)
GEN_OBJ  = $(BUILD)/obj/gen/parser.o $(BUILD)/obj/gen/lexer.o
CC_OBJ   = $(CC_SRC:%.c=$(BUILD)/obj/%.o) $(GEN_OBJ) $(WR_OBJ)
UT_OBJ   = $(UT_SRC:%.c=$(BUILD)/obj/%.o)

AUTHZC   = $(BUILD)/authzc
LIBA     = $(BUILD)/libauthz.a
LIBSO    = $(BUILD)/libauthz.so
UNIT     = $(BUILD)/unit-tests
DEPS_OK  = $(BUILD)/.deps-ok

# ---- include paths, layer by layer --------------------------------------------

PUBLIC   = -Iruntime/include
INC_util    = -Icompiler/util $(PUBLIC)
INC_evidence = -Icompiler/evidence $(INC_util)
INC_lang    = -Icompiler/lang $(INC_evidence) -I$(GEN)
INC_testing = -Icompiler/testing $(INC_lang)
INC_analysis = -Icompiler/analysis $(INC_testing)
INC_git     = -Icompiler/git $(INC_analysis)
INC_serve   = -Icompiler/serve $(INC_git)
INC_lsp     = -Icompiler/lsp $(INC_serve)
INC_cli     = -Icompiler/cli $(INC_lsp)

$(BUILD)/obj/runtime/%.o $(BUILD)/pic/runtime/%.o: LAYER = -Iruntime $(PUBLIC) $(SODIUM_CFLAGS)
$(BUILD)/obj/compiler/util/%.o:    LAYER = $(INC_util) $(CJSON_CFLAGS)
# Keys, signatures and hashes: libsodium, as in the runtime.
$(BUILD)/obj/compiler/evidence/%.o: LAYER = $(INC_evidence) $(SODIUM_CFLAGS)
$(BUILD)/obj/compiler/lang/%.o:    LAYER = $(INC_lang) $(CJSON_CFLAGS)
$(BUILD)/obj/compiler/testing/%.o: LAYER = $(INC_testing) $(CJSON_CFLAGS)
# The symbolic model reads bundles as the runtime holds them (bundle.h)
# and drives Z3.
$(BUILD)/obj/compiler/analysis/%.o: LAYER = $(INC_analysis) -Iruntime $(CJSON_CFLAGS) $(Z3_CFLAGS)
$(BUILD)/obj/compiler/git/%.o:     LAYER = $(INC_git) $(CJSON_CFLAGS) $(GIT_CFLAGS)
# Decision-log chains (logchain): SHA-256 and checkpoint signatures, libsodium.
$(BUILD)/obj/compiler/serve/%.o:   LAYER = $(INC_serve) $(CJSON_CFLAGS) $(MHD_CFLAGS) $(CURL_CFLAGS) $(SODIUM_CFLAGS)
$(BUILD)/obj/compiler/lsp/%.o:     LAYER = $(INC_lsp) $(CJSON_CFLAGS) $(Z3_CFLAGS)
$(BUILD)/obj/compiler/cli/%.o:     LAYER = $(INC_cli) $(CJSON_CFLAGS) $(GIT_CFLAGS)
# The code generator drives the bundle writer (runtime/bundle_write.h).
$(BUILD)/obj/compiler/lang/codegen.o: LAYER = $(INC_lang) -Iruntime $(CJSON_CFLAGS)
# Flex's skeleton trips a few of our extra warnings.
$(BUILD)/obj/gen/%.o: LAYER = $(INC_lang) -Wno-unused-function -Wno-sign-compare \
                              -Wno-missing-prototypes -Wno-shadow
# Tests, fuzz targets and benchmarks reach into every tree.
TEST_LAYER = $(INC_cli) -Iruntime -Itests/unit $(CJSON_CFLAGS) $(GIT_CFLAGS) $(SODIUM_CFLAGS) $(Z3_CFLAGS) $(MHD_CFLAGS) \
             $(CURL_CFLAGS) \
             $(CRIT_CFLAGS) -Wno-missing-prototypes
$(BUILD)/obj/tests/%.o: LAYER = $(TEST_LAYER)
# Unit tests read shared fixture files by absolute path (tests/unit/fixture.h).
$(BUILD)/obj/tests/unit/fixture.o: LAYER = $(TEST_LAYER) -DTEST_FIXTURES='"$(abspath tests/fixtures)"'

.PHONY: all deps demo test test-all unit cli doctest check-man test-serve test-lsp install clean bench bench-serve memcheck \
        fuzz fuzz-smoke fuzz-build fuzz-bins
.DEFAULT_GOAL := all

all: $(AUTHZC) $(LIBA) $(LIBSO)

# Only these three install packages; a plain build checks and says so.
deps:
	@sh tools/deps.sh

$(DEPS_OK):
	@sh tools/deps.sh --check
	@mkdir -p $(@D) && touch $@

# ---- build ---------------------------------------------------------------------

$(GEN)/parser.c $(GEN)/parser.h: grammar/parser.y | $(DEPS_OK)
	@mkdir -p $(GEN)
	$(call say,GEN,$(GEN)/parser.c)$(BISON) -Wall -Werror --defines=$(GEN)/parser.h -o $(GEN)/parser.c $<

$(GEN)/lexer.c $(GEN)/lexer.h: grammar/lexer.l $(GEN)/parser.h | $(DEPS_OK)
	@mkdir -p $(GEN)
	$(call say,GEN,$(GEN)/lexer.c)$(FLEX) --header-file=$(GEN)/lexer.h -o $(GEN)/lexer.c $<

# The generated headers must exist before anything in the compiler's tree
# first compiles; after that, -MMD's dependency files track them.
$(CC_OBJ) $(UT_OBJ) $(BUILD)/obj/compiler/cli/main.o: | $(GEN)/parser.h $(GEN)/lexer.h

$(BUILD)/obj/gen/%.o: $(GEN)/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(BASE_CFLAGS) $(LAYER) -c $< -o $@

$(BUILD)/obj/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(BASE_CFLAGS) $(LAYER) -c $< -o $@

$(BUILD)/pic/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(BASE_CFLAGS) $(LAYER) -fPIC -fvisibility=hidden -c $< -o $@

$(LIBA): $(RT_OBJ)
	@rm -f $@
	$(call say,AR,$@)ar rcs $@ $^

$(LIBSO): $(RT_PIC)
	$(call say,LD,$@)$(CC) -shared -Wl,-soname,libauthz.so.0 $(LDFLAGS) -o $@ $^ $(SODIUM_LIBS)

COMPILER_LIBS = $(CJSON_LIBS) $(GIT_LIBS) $(MHD_LIBS) $(CURL_LIBS) $(SODIUM_LIBS) $(Z3_LIBS) -lpthread -lm

$(AUTHZC): $(BUILD)/obj/compiler/cli/main.o $(CC_OBJ) $(LIBA)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(COMPILER_LIBS)

# --wrap: tests/unit/hardening/alloc_fail.c injects allocation failures and
# counts live blocks.
UNIT_WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free

$(UNIT): $(UT_OBJ) $(CC_OBJ) $(LIBA)
	$(call say,LD,$@)$(CC) $(LDFLAGS) $(UNIT_WRAP) -o $@ $^ $(COMPILER_LIBS) $(CRIT_LIBS)


# ---- tests -----------------------------------------------------------------------

# Install what is missing, then run everything: the suites as built, again
# under ASan+UBSan (leak checks on), then each fuzz target replays its corpus
# and fuzzes a few seconds.
test:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory test-all

test-all: all $(UNIT)
	@$(MAKE) --no-print-directory unit cli doctest check-man test-serve test-lsp
ifneq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory SANITIZE=1 BUILD=$(BUILD)/asan unit cli test-serve test-lsp
	@$(MAKE) --no-print-directory fuzz-smoke
endif

# A leak that LeakSanitizer reports when a test's process exits does not fail
# that test in criterion, so the log is searched for one.
unit: $(UNIT)
	@$(UNIT) --jobs 2 -j2 >$(BUILD)/unit.log 2>&1; rc=$$?; cat $(BUILD)/unit.log; \
	if grep -q 'ERROR: LeakSanitizer' $(BUILD)/unit.log; then \
	  echo "unit: LeakSanitizer found leaks (above)"; exit 1; fi; exit $$rc

cli: $(AUTHZC)
	@AUTHZC=$(abspath $(AUTHZC)) sh tests/cli/run.sh

# authzc serve end to end: every example test's request through HTTP as eval
# decides it, reloads under load, a corrupt bundle, and NGINX's auth_request
# in front of the gateway endpoint (tests/serve/run.sh).
SERVE_REQUESTS = $(BUILD)/serve-requests

test-serve: $(AUTHZC) $(SERVE_REQUESTS)
	@AUTHZC=$(abspath $(AUTHZC)) REQUESTS=$(abspath $(SERVE_REQUESTS)) sh tests/serve/run.sh

$(BUILD)/obj/tests/serve/requests.o: | $(GEN)/parser.h $(GEN)/lexer.h
$(SERVE_REQUESTS): $(BUILD)/obj/tests/serve/requests.o $(CC_OBJ) $(LIBA)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(COMPILER_LIBS)

# authzc lsp driven by a scripted client through whole sessions, and the
# editors' keyword lists checked against the lexer's (tests/lsp/run.sh).
LSP_CLIENT = $(BUILD)/lsp-client

test-lsp: $(AUTHZC) $(LSP_CLIENT)
	@AUTHZC=$(abspath $(AUTHZC)) CLIENT=$(abspath $(LSP_CLIENT)) sh tests/lsp/run.sh

$(LSP_CLIENT): $(BUILD)/obj/tests/lsp/lsp_client.o
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(CJSON_LIBS)

doctest: $(AUTHZC)
	@AUTHZC=$(abspath $(AUTHZC)) sh tests/doc/run.sh

check-man:
	@sh tools/lint-man.sh

demo:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory all
	@AUTHZC=$(abspath $(AUTHZC)) sh tools/demo.sh

# Unit suite and every golden CLI case under valgrind (never part of `make
# test`: about 15 minutes).  Fails on any valgrind error or definite leak.
memcheck:
	@WANT_OPTIONAL=1 sh tools/deps.sh
	@$(MAKE) --no-print-directory $(AUTHZC) $(UNIT)
	@UNIT=$(abspath $(UNIT)) AUTHZC=$(abspath $(AUTHZC)) sh tests/fuzz/memcheck.sh

# ---- fuzzing (clang + libFuzzer, ASan + UBSan; tests/fuzz/) ----------------------
#
#   make fuzz FUZZ_SECONDS=N   install clang's fuzzer runtime if missing, then
#                              fuzz each target N seconds (default 60)
#   make fuzz-smoke            replay the corpus and the regression inputs,
#                              fuzz FUZZ_SMOKE_SECONDS each; skipped (with a
#                              message) without clang and its fuzzer runtime

FUZZ_BUILD   ?= $(BUILD)/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_TARGETS  = policy schema request bundle serve lsp
FUZZ_SAN      = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_CC      ?= clang

fuzz:
	@WANT_FUZZ=1 sh tools/deps.sh
	@$(MAKE) --no-print-directory $(AUTHZC) fuzz-build
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

$(BUILD)/obj/tests/fuzz/%.o: LAYER = $(TEST_LAYER) -DFUZZ_EXAMPLES='"$(abspath examples)"'
$(FUZZ_TARGETS:%=$(BUILD)/obj/tests/fuzz/fuzz_%.o): | $(GEN)/parser.h $(GEN)/lexer.h

$(BUILD)/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(CC_OBJ) $(LIBA)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(COMPILER_LIBS)

# ---- benchmarks (never part of `make test`) ---------------------------------------

BENCH    = $(BUILD)/bench

bench:
	@$(MAKE) --no-print-directory $(AUTHZC) $(BENCH)/gen $(BENCH)/gen_tests $(BENCH)/bench_front \
	  $(BENCH)/bench_decide $(BENCH)/schema_bundle $(BENCH)/bench_symdiff $(BENCH)/bench_lsp $(BENCH)/bench_logchain $(BENCH)/bench_load
	@AUTHZC=$(abspath $(AUTHZC)) BENCH=$(abspath $(BENCH)) CC="$(CC)" sh tests/bench/run.sh

$(BENCH)/gen $(BENCH)/gen_tests $(BENCH)/gen_pair: $(BENCH)/%: tests/bench/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(CSTD) $(WARN) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/obj/tests/bench/bench_front.o: | $(GEN)/parser.h $(GEN)/lexer.h

$(BENCH)/bench_front: $(BUILD)/obj/tests/bench/bench_front.o $(CC_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(COMPILER_LIBS)

$(BUILD)/obj/tests/bench/bench_symdiff.o $(BUILD)/obj/tests/bench/bench_logchain.o: | $(GEN)/parser.h $(GEN)/lexer.h

$(BENCH)/bench_logchain: $(BUILD)/obj/tests/bench/bench_logchain.o $(CC_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(COMPILER_LIBS)

$(BENCH)/bench_symdiff: $(BUILD)/obj/tests/bench/bench_symdiff.o $(CC_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(COMPILER_LIBS)

# A client of `authzc lsp` over pipes: cJSON only.
$(BUILD)/obj/tests/bench/bench_lsp.o: LAYER = $(CJSON_CFLAGS)
$(BENCH)/bench_lsp: $(BUILD)/obj/tests/bench/bench_lsp.o
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(CJSON_LIBS)

# Only the public header (and cJSON to read the request file): what an
# embedder compiles against.
$(BUILD)/obj/tests/bench/bench_decide.o: LAYER = $(PUBLIC) $(CJSON_CFLAGS)
$(BENCH)/bench_decide: $(BUILD)/obj/tests/bench/bench_decide.o $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(CJSON_LIBS) $(SODIUM_LIBS) -lm

# Only the public header, as bench_decide.
$(BUILD)/obj/tests/bench/bench_load.o: LAYER = $(PUBLIC)
$(BENCH)/bench_load: $(BUILD)/obj/tests/bench/bench_load.o $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(SODIUM_LIBS) -lm

$(BENCH)/schema_bundle: $(BUILD)/obj/tests/bench/schema_bundle.o $(WR_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(call say,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(CJSON_LIBS) $(SODIUM_LIBS) -lm

# authzc serve under load with wrk (tests/bench/serve.sh); never part of `make test`.
bench-serve:
	@WANT_BENCH=1 sh tools/deps.sh
	@$(MAKE) --no-print-directory $(AUTHZC) $(BENCH)/gen_pair
	@# Cerbos's PDP, side by side (its binary from the npm registry).
	@test -x $(BUILD)/cerbos/node_modules/@cerbos/cerbos-linux-x64/cerbos-linux-x64 || \
	  npm install --silent --no-audit --no-fund --prefix $(BUILD)/cerbos @cerbos/cerbos-linux-x64
	@AUTHZC=$(abspath $(AUTHZC)) BENCH=$(abspath $(BENCH)) \
	  CERBOS=$(abspath $(BUILD))/cerbos/node_modules/@cerbos/cerbos-linux-x64/cerbos-linux-x64 sh tests/bench/serve.sh

# ---- install -----------------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man3 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(AUTHZC) $(DESTDIR)$(PREFIX)/bin/authzc
	install -m 644 runtime/include/authz.h runtime/include/authz_limits.h $(DESTDIR)$(PREFIX)/include/
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

# Header dependencies, as the compiler found them (-MMD -MP).
ALL_OBJ = $(RT_OBJ) $(RT_PIC) $(CC_OBJ) $(UT_OBJ) $(BUILD)/obj/compiler/cli/main.o \
          $(FUZZ_TARGETS:%=$(BUILD)/obj/tests/fuzz/fuzz_%.o) $(BUILD)/obj/tests/serve/requests.o \
          $(BUILD)/obj/tests/lsp/lsp_client.o \
          $(patsubst %,$(BUILD)/obj/tests/bench/%.o,bench_front bench_decide schema_bundle bench_symdiff bench_lsp bench_logchain bench_load)
-include $(wildcard $(ALL_OBJ:.o=.d))
