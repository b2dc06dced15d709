# attn — plain make. Targets:
#   make            library (build/libattn.a, build/libattn.so) and CLI (./attn)
#   make test       unit, gradient, fixture and end-to-end tests (+ Python tests if .venv exists)
#   make asan       the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer
#   make check      test + asan + tsan
#   make bench      benchmarks (not tests); see bench/
#   make install    attn, libattn.{a,so}, the headers and attn.pc under PREFIX
#                   (default /usr/local; DESTDIR for staging); make uninstall
# Options: WERROR=1 (CI), BLAS=0 (ignore an installed BLAS), OPENMP=0, MPI=0 (ignore an installed MPI).

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wdouble-promotion -Wcast-qual -Wformat=2 -Wvla -Wno-unused-parameter
CFLAGS  ?= $(OPT) -g
# -fno-math-errno: nothing reads errno after libm calls, and with it sqrtf
# and friends vectorise (as instructions, not calls that may set errno).
CFLAGS  += -std=c11 $(WARN) -fPIC -Iinclude -Isrc -D_GNU_SOURCE -fno-math-errno
LDLIBS  := -lm
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif

# ---- dependencies ------------------------------------------------------------
# cJSON is required (Debian: libcjson-dev), as is utf8proc. A BLAS (OpenBLAS) and OpenMP are optional.
CJSON_CFLAGS := $(shell pkg-config --cflags libcjson 2>/dev/null)
CJSON_LIBS   := $(shell pkg-config --libs libcjson 2>/dev/null || echo -lcjson)
# utf8proc (Debian: libutf8proc-dev) gives the tokenizers Unicode categories,
# case mapping and NFD.
UTF8PROC_CFLAGS := $(shell pkg-config --cflags libutf8proc 2>/dev/null)
UTF8PROC_LIBS   := $(shell pkg-config --libs libutf8proc 2>/dev/null || echo -lutf8proc)
# liblbfgs (Debian: liblbfgs-dev) is the optimiser of attn scaling fit's
# parametric law (src/eval/scaling.c).
LBFGS_LIBS := $(shell pkg-config --libs liblbfgs 2>/dev/null || echo -llbfgs)
CFLAGS  += $(CJSON_CFLAGS) $(UTF8PROC_CFLAGS)
LDLIBS  += $(CJSON_LIBS) $(UTF8PROC_LIBS) $(LBFGS_LIBS)
# libmicrohttpd (Debian: libmicrohttpd-dev) is attn serve's HTTP server,
# linked into the CLI only: libattn opens no sockets (cli/cmd_serve.c).
MHD_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd) -lpthread

OPENMP ?= 1
ifeq ($(OPENMP),1)
HAVE_OPENMP := $(shell echo 'int main(void){return 0;}' | $(CC) -fopenmp -x c - -o /dev/null 2>/dev/null && echo 1)
ifeq ($(HAVE_OPENMP),1)
CFLAGS  += -fopenmp
LDLIBS  += -fopenmp
endif
endif
ifneq ($(HAVE_OPENMP),1)
# without OpenMP the kernels' `#pragma omp` lines are plain loops
CFLAGS  += -Wno-unknown-pragmas
endif

BLAS ?= 1
# OpenBLAS is not linked: libattn loads it with dlopen on the first matrix
# product that wants it, and not under a memory limit too small for its
# buffers (src/kernels/blas.h). Prefer Debian's OpenMP build: it shares our
# OpenMP thread pool, where the pthreads build would spin its own threads
# against ours. Linking libattn.a takes: -lm -lcjson -lutf8proc -llbfgs -ldl
# (and -fopenmp in an OpenMP build).
OPENBLAS_OMP_DIR := $(firstword $(wildcard /usr/lib/$(shell $(CC) -dumpmachine)/openblas-openmp))
BLAS_LIB := $(firstword $(wildcard $(OPENBLAS_OMP_DIR)/libopenblas.so.0) \
              $(if $(shell /sbin/ldconfig -p 2>/dev/null | grep -F 'libopenblas.so.0 '),libopenblas.so.0))
ifeq ($(BLAS),1)
ifneq ($(BLAS_LIB),)
HAVE_BLAS := 1
CFLAGS  += -DATTN_HAVE_BLAS=1 -DATTN_BLAS_LIB='"$(BLAS_LIB)"'
LDLIBS  += -ldl
endif
endif
# The benchmarks call the BLAS directly too (bench_gemv), linked as usual
# where its header is installed.
COMMA := ,
HASH := \#
BENCH_BLAS := $(if $(HAVE_BLAS),$(shell printf '$(HASH)include <cblas.h>\nint main(void){return 0;}' | $(CC) -x c - -o /dev/null 2>/dev/null && echo 1))
BENCH_LIBS := $(if $(BENCH_BLAS),$(if $(OPENBLAS_OMP_DIR),-L$(OPENBLAS_OMP_DIR) -Wl$(COMMA)-rpath$(COMMA)$(OPENBLAS_OMP_DIR)) -lopenblas)

# MPI (Debian: mpich + libmpich-dev, or Open MPI) makes `mpirun -n W attn train`
# data-parallel; without it attn trains in one process and refuses a launch of
# several. Where both are installed MPICH is chosen (MPI_PC=ompi-c chooses
# Open MPI; attn --version names the one built in, whose launcher it needs).
# Only src/train/dist.c includes mpi.h (as a system header: its warnings are
# not ours). MPICH is not linked: dist.c loads it (dlopen, by its
# soname) when mpirun started the process, so no other command maps it; Open
# MPI (its handles are addresses in its library) is linked.
MPI ?= 1
ifeq ($(MPI),1)
MPI_PC := $(firstword $(foreach p,mpich ompi-c mpi,$(if $(shell pkg-config --exists $(p) 2>/dev/null && echo y),$(p))))
ifneq ($(MPI_PC),)
MPI_CFLAGS := $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(MPI_PC)))
MPI_LIBS   := $(shell pkg-config --libs $(MPI_PC))
HAVE_MPI   := $(shell printf '$(HASH)include <mpi.h>\nint main(void){return MPI_Init(0, 0);}' | \
                $(CC) $(MPI_CFLAGS) -x c - -o /dev/null $(MPI_LIBS) 2>/dev/null && echo 1)
endif
endif
ifeq ($(HAVE_MPI),1)
ifneq ($(filter -lmpich,$(MPI_LIBS)),)
MPI_SONAME := $(shell readelf -d $(realpath $(shell $(CC) -print-file-name=libmpich.so)) 2>/dev/null | \
                sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
endif
ifneq ($(MPI_SONAME),)
LDLIBS  += -ldl
$(BUILD)/src/train/dist.o: CFLAGS += -DATTN_HAVE_MPI=1 -DATTN_MPI_LIB='"$(MPI_SONAME)"' $(MPI_CFLAGS)
else
LDLIBS  += $(MPI_LIBS)
$(BUILD)/src/train/dist.o: CFLAGS += -DATTN_HAVE_MPI=1 $(MPI_CFLAGS)
endif
endif

# ---- sources -----------------------------------------------------------------
LIB_SRC  := $(sort $(wildcard src/*/*.c src/*/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
# kernels/cpu/ is built three times: baseline x86-64, AVX2 + FMA and
# AVX-512 (see cpu.h); the best build the CPU supports is chosen at run time.
CPU_SRC  := $(sort $(wildcard src/kernels/cpu/*.c))
AVX2_FLAGS   := -mavx2 -mfma -mf16c
AVX512_FLAGS := -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -mavx2 -mf16c
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(CPU_SRC:%.c=$(BUILD)/%.avx2.o) $(CPU_SRC:%.c=$(BUILD)/%.avx512.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HEADERS  := $(wildcard include/attn/*.h src/*/*.h src/*/*/*.h tests/*.h)

.PHONY: tsan all test test-bins attn-asan-test asan check check-plain check-openmpi bench clean demo fixtures install uninstall
all: attn

# copy then rename: a ./attn that is running keeps its file (no "Text file busy")
attn: $(BUILD)/attn
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/libattn.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/libattn.so: $(LIB_OBJ)
	$(CC) $(CFLAGS) -shared -o $@ $^ $(LDLIBS)

$(BUILD)/attn: $(CLI_OBJ) $(BUILD)/libattn.a $(BUILD)/libattn.so
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libattn.a $(LDLIBS) $(MHD_LIBS)

# attn serve's chat page is compiled in (.incbin of the HTML file).
$(BUILD)/cli/serve_page.o: cli/serve_page.html
$(BUILD)/cli/cmd_serve.o $(BUILD)/cli/serve_sched.o: cli/serve.h

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.avx2.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(AVX2_FLAGS) -DCPU_ISA=avx2 -c $< -o $@

$(BUILD)/%.avx512.o: %.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(AVX512_FLAGS) -DCPU_ISA=avx512 -c $< -o $@

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libattn.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/libattn.a $(LDLIBS)

# The CLI's objects depend on its header; its option parser is tested on
# its own, linked with the CLI's shared code.
$(CLI_OBJ): cli/cli.h
$(BUILD)/cli/cmd_chat.o $(BUILD)/cli/cmd_serve.o $(BUILD)/cli/rerank.o: cli/rerank.h
$(BUILD)/cli/cmd_chat.o $(BUILD)/cli/cmd_serve.o $(BUILD)/cli/cmd_cai.o $(BUILD)/cli/chat_tools.o: cli/chat_tools.h
$(BUILD)/tests/test_cli_options: tests/unit/test_cli_options.c $(BUILD)/cli/options.o $(BUILD)/cli/common.o $(BUILD)/libattn.a $(HEADERS) cli/cli.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/cli/options.o $(BUILD)/cli/common.o $(BUILD)/libattn.a $(LDLIBS)

# The public headers must compile alone, as C11 and as C++.
$(BUILD)/headers.ok: $(wildcard include/attn/*.h)
	@mkdir -p $(@D)
	for h in $^; do printf '#include "%s"\n' "$${h#include/}" | $(CC) -std=c11 $(WARN) -Werror -Iinclude -x c -c - -o /dev/null || exit 1; \
	  if command -v c++ >/dev/null; then printf '#include "%s"\n' "$${h#include/}" | c++ -std=c++11 -Wall -Werror -Iinclude -x c++ -c - -o /dev/null || exit 1; fi; done
	touch $@

# The test targets build what they run with -j$(NPROC) whatever the
# command line said (a plain `make check` compiles four trees); the tests
# themselves run one after another.
NPROC := $(shell nproc 2>/dev/null || echo 1)
ASAN_OPT := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
test-bins: $(BUILD)/attn $(TEST_BIN)

test:
	$(MAKE) -j$(NPROC) attn test-bins $(BUILD)/headers.ok
	BUILD=$(BUILD) sh tests/run.sh

asan:
	$(MAKE) -j$(NPROC) BUILD=build-asan OPT="$(ASAN_OPT)" test-bins
	$(MAKE) BUILD=build-asan OPT="$(ASAN_OPT)" attn-asan-test

attn-asan-test: $(BUILD)/attn $(TEST_BIN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  BUILD=$(BUILD) ATTN_BIN=$(BUILD)/attn ATTN_QUICK=1 sh tests/run.sh
	@# attn serve under the sanitizers: its live-server tests drive this build (the
	@# server must exit 0 after them, so a leak or a sanitizer report fails them)
	@# (one server per pytest-xdist worker, as tests/run.sh runs them side by side)
	if [ -x .venv/bin/python ]; then par=; [ $(NPROC) -gt 1 ] && .venv/bin/python -c 'import xdist' 2>/dev/null && \
	  par="-n $(NPROC) --dist load"; ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ATTN_BIN=$(BUILD)/attn \
	  .venv/bin/python -m pytest -q -p no:cacheprovider $$par tests/py/test_serve.py; fi

# ThreadSanitizer: requests decoding at once on one loaded model
# (tests/unit/test_decode_threads.c), in a build without OpenMP and the BLAS,
# whose own uninstrumented synchronisation it would report as races.
tsan:
	$(MAKE) -j$(NPROC) BUILD=build-tsan OPENMP=0 BLAS=0 MPI=0 OPT="-O1 -g -fsanitize=thread -fno-omit-frame-pointer" \
	  build-tsan/tests/test_decode_threads
	TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_decode_threads

check: test asan tsan

# The fallbacks a build without OpenMP and without a BLAS takes (one thread;
# gemm_f32 runs attn's packed kernels): the kernel, gradient and model
# tests, built into build-plain/.
PLAIN_TESTS := test_kernels test_grad test_bf16 test_gpt test_bert test_encdec test_precision test_llama
check-plain:
	$(MAKE) -j$(NPROC) BUILD=build-plain OPENMP=0 BLAS=0 MPI=0 $(PLAIN_TESTS:%=build-plain/tests/%)
	for t in $(PLAIN_TESTS); do out=$$(build-plain/tests/$$t 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "$$out" | tail -n 1; done

# The data-parallel test again on a build against Open MPI (build-ompi/,
# MPI_PC=ompi-c), under Open MPI's launcher; CI runs it after make check.
check-openmpi:
	$(MAKE) -j$(NPROC) BUILD=build-ompi MPI_PC=ompi-c build-ompi/attn
	build-ompi/attn --version | grep -q '^MPI: built in (Open MPI;' || \
	  { echo "check-openmpi: no Open MPI build (tools/setup.sh installs openmpi-bin and libopenmpi-dev)"; exit 1; }
	ATTN_BIN=build-ompi/attn sh tests/e2e/mpi.sh

demo: attn
	sh recipes/austen_demo.sh

$(BUILD)/bench/%: bench/%.c $(BUILD)/libattn.a $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(if $(BENCH_BLAS),,-UATTN_HAVE_BLAS) -o $@ $< $(BUILD)/libattn.a $(LDLIBS) $(BENCH_LIBS)

bench: attn $(BUILD)/bench/bench_model $(BUILD)/bench/bench_machine $(BUILD)/bench/bench_gemm $(BUILD)/bench/bench_gemv \
       $(BUILD)/bench/bench_attention $(BUILD)/bench/bench_batch
	sh bench/run.sh

fixtures:
	.venv/bin/python tests/ref/gen_gpt2_fixture.py
	.venv/bin/python tests/ref/gen_bert_fixture.py
	.venv/bin/python tests/ref/gen_bert_variant_fixture.py
	.venv/bin/python tests/ref/gen_classifier_fixture.py
	.venv/bin/python tests/ref/gen_rnn_fixture.py
	.venv/bin/python tests/ref/gen_bart_fixture.py
	.venv/bin/python tests/ref/gen_opt_fixture.py
	.venv/bin/python tests/ref/gen_bloom_fixture.py
	.venv/bin/python tests/ref/gen_esm_fixture.py
	.venv/bin/python tests/ref/gen_bloom_tokenizer.py
	.venv/bin/python tests/ref/gen_llama_fixture.py
	.venv/bin/python tests/ref/gen_dpo_fixture.py
	.venv/bin/python tests/ref/gen_muon_fixture.py
	.venv/bin/python tests/ref/gen_gpt2_variant_fixture.py
	.venv/bin/python tests/ref/gen_ppo_fixture.py

# ---- install -----------------------------------------------------------------
# attn.pc: `pkg-config --cflags --libs attn` links the shared library;
# `pkg-config --static --libs attn` adds what libattn.a needs (LDLIBS).
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
VERSION := $(shell sed -n 's/^\#define ATTN_VERSION_STRING "\(.*\)"/\1/p' include/attn/attn.h)

install: attn $(BUILD)/libattn.a $(BUILD)/libattn.so
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/attn
	install -m 755 attn $(DESTDIR)$(PREFIX)/bin/attn
	install -m 644 $(BUILD)/libattn.a $(DESTDIR)$(LIBDIR)/libattn.a
	install -m 755 $(BUILD)/libattn.so $(DESTDIR)$(LIBDIR)/libattn.so
	install -m 644 include/attn/*.h $(DESTDIR)$(INCLUDEDIR)/attn/
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCLUDEDIR)' '' \
	  'Name: attn' 'Description: transformer language models on the CPU: train, fine-tune, generate' \
	  'Version: $(VERSION)' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lattn' \
	  'Libs.private: $(strip $(LDLIBS))' > $(DESTDIR)$(LIBDIR)/pkgconfig/attn.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/attn $(DESTDIR)$(LIBDIR)/libattn.a $(DESTDIR)$(LIBDIR)/libattn.so \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/attn.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/attn

clean:
	rm -rf build build-asan build-plain build-tsan build-ompi attn

# ---- fuzzing and allocation-failure injection (see docs/robustness.md) ------
#   make fuzz          every libFuzzer harness of tests/fuzz for FUZZ_SECONDS (600) each
#   make fuzz-short    the same for FUZZ_SHORT_SECONDS (30) each (CI)
#   make alloc-fail    tests/unit/test_alloc_fail.c in the normal and the ASan build
# The library is built with clang, ASan, UBSan and libFuzzer's coverage
# into build-fuzz/ (no OpenMP, no BLAS: the parsers need neither). One
# fuzzer process runs at a time; new inputs go to build-fuzz/corpus/<harness>,
# crashes to build-fuzz/artifacts/. Seeds: tests/fuzz/corpus/<harness>.
# (clang's -Wdouble-promotion finds more than gcc's in the kernels: the
# fuzzing build is never -Werror.) make fuzz-clean removes build-fuzz/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SHORT_SECONDS ?= 30
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_HARNESS := $(sort $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BIN     := $(FUZZ_HARNESS:%=build-fuzz/fuzz/%)
FUZZ_RUN     := -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=20 -print_final_stats=1
FUZZ_ENV     := ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: fuzz fuzz-short fuzz-build fuzz-clean alloc-fail
fuzz-build:
	$(MAKE) -j$(NPROC) BUILD=build-fuzz CC=$(FUZZ_CC) OPENMP=0 BLAS=0 MPI=0 WERROR=0 OPT="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
	  build-fuzz/libattn.a
	$(MAKE) -j$(NPROC) $(FUZZ_BIN)

build-fuzz/fuzz/%: tests/fuzz/%.c tests/fuzz/*.h build-fuzz/libattn.a
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer -D_GNU_SOURCE -Iinclude -Isrc -Itests/fuzz \
	  $(CJSON_CFLAGS) $(UTF8PROC_CFLAGS) -o $@ $< build-fuzz/libattn.a -lm $(CJSON_LIBS) $(UTF8PROC_LIBS) $(LBFGS_LIBS)

# fuzz-run SECONDS: each harness in turn over its working corpus and seeds;
# a harness that fails has its log's tail shown, the others still run.
define fuzz-run
	@fail=; for h in $(FUZZ_HARNESS); do \
	  mkdir -p build-fuzz/corpus/$$h build-fuzz/artifacts; \
	  dict=; [ -f tests/fuzz/$$h.dict ] && dict=-dict=tests/fuzz/$$h.dict; \
	  echo "== $$h ($(1) s)"; \
	  if $(FUZZ_ENV) build-fuzz/fuzz/$$h $(FUZZ_RUN) $$dict -max_total_time=$(1) \
	      -artifact_prefix=build-fuzz/artifacts/$$h- build-fuzz/corpus/$$h tests/fuzz/corpus/$$h \
	      > build-fuzz/$$h.log 2>&1; then \
	    grep -E '^#[0-9]+[[:space:]]+DONE|^stat::(number_of_executed_units|peak_rss_mb)' build-fuzz/$$h.log | tr '\n' ' '; echo; \
	  else tail -n 60 build-fuzz/$$h.log; echo "$$h: FAILED (build-fuzz/$$h.log)"; fail="$$fail $$h"; fi; \
	done; [ -z "$$fail" ] || { echo "failed:$$fail"; exit 1; }
endef

fuzz: fuzz-build
	$(call fuzz-run,$(FUZZ_SECONDS))

fuzz-short: fuzz-build
	$(call fuzz-run,$(FUZZ_SHORT_SECONDS))

fuzz-clean:
	rm -rf build-fuzz

alloc-fail: $(BUILD)/tests/test_alloc_fail
	$(BUILD)/tests/test_alloc_fail
	$(MAKE) BUILD=build-asan OPT="-O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  build-asan/tests/test_alloc_fail
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 build-asan/tests/test_alloc_fail
