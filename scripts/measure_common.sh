# Sourced by the measurement scripts (run from the repository root): builds
# llama.cpp's tools once (scripts/build_llama_cpp.sh), fetches the SmolLM2
# GGUF, builds pathconf, and sets
#   bin   llama.cpp's bin directory     gguf  the GGUF file
#   pc    the pathconf binary
# and the helpers `free_port` (a free loopback port) and `wait_for URL`
# (until URL/v1/models answers, at most two minutes).
bin="$(bash scripts/build_llama_cpp.sh)"
bash scripts/fetch_smollm2.sh >/dev/null
gguf="${PATHCONF_MODELS:-$HOME/.cache/pathconf/models}/SmolLM2-135M-Instruct.Q4_1.gguf"
cargo build -q --release --bin pathconf
pc="${CARGO_TARGET_DIR:-target}/release/pathconf"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 600); do curl -sf "$1/v1/models" >/dev/null && return 0; sleep 0.2; done; return 1; }
