# Sourced by the scripts: one place for paths and the toolchain environment.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_NATIVE="$ROOT/build"
BUILD_WASM="$ROOT/build-wasm"
BUILD_WASM_TESTS="$ROOT/build-wasm-tests"
DIST="$ROOT/dist"
# emcc's optimiser needs Debian's acorn, which NodeSource's node does not see by itself.
export NODE_PATH=/usr/share/nodejs
# emcc is a Python script; Debian's interpreter starts faster than a pyenv shim.
[ -x /usr/bin/python3 ] && export EMSDK_PYTHON=/usr/bin/python3
JOBS="$(nproc 2>/dev/null || echo 2)"
