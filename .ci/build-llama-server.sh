#!/usr/bin/env bash
# Builds llama.cpp's llama-server, CPU only, from the llama.cpp source node-llama-cpp's npm package
# carries (the release Enclave runs), into a per-machine cache outside the repository:
#   ${ENCLAVE_LLAMA_CACHE:-~/.cache/enclave-llama}/src-<tag>/build/bin/llama-server
# Does nothing when that binary is there. The tests that need it (test/support/llama-server.ts)
# skip, saying why, when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

llama_dir=node_modules/node-llama-cpp/llama
tag=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).tag)' "$llama_dir/llama.cpp.info.json")
cache="${ENCLAVE_LLAMA_CACHE:-$HOME/.cache/enclave-llama}"
src="$cache/src-$tag"
binary="$src/build/bin/llama-server"

if [ -x "$binary" ]; then
  echo "llama-server $tag: $binary"
  exit 0
fi

mkdir -p "$cache"
if [ ! -f "$src/CMakeLists.txt" ]; then
  rm -rf "$src"
  git clone --quiet "$llama_dir/gitRelease.bundle" "$src"
fi
echo "building llama-server $tag (CPU only) in $src/build"
# GCC 12 miscompiles ggml's AMX code without these (dead-store elimination and scalar replacement).
gcc12_flags="-fno-tree-dse -fno-dse -fno-tree-sra -fno-store-merging"
cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_UI=OFF -DGGML_NATIVE=ON \
  -DCMAKE_C_FLAGS="$gcc12_flags" -DCMAKE_CXX_FLAGS="$gcc12_flags" >/dev/null
cmake --build "$src/build" -j"$(nproc)" --target llama-server >/dev/null
echo "llama-server $tag: $binary"
