#!/usr/bin/env bash
# Delivery throughput: compose + DKIM sign + SMTP on one core (taskset -c 0),
# to ajil's testkit SMTP sink and to a private Postfix (root only), with the
# OpenSSL signing speed of this machine as the anchor. Results: bench/out/.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/ajil-target}"
count="${COUNT:-3000}"
cargo build --release -q -p ajil-bench --bin delivery_throughput
bin="$CARGO_TARGET_DIR/release/delivery_throughput"
mkdir -p bench/out
out="bench/out/delivery-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
for algorithm in none ed25519 rsa; do
  taskset -c 0 "$bin" --sink testkit --algorithm "$algorithm" --count "$count" | tee -a "$out"
done
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/postfix ]; then
  taskset -c 0 "$bin" --sink postfix --algorithm rsa --count "$count" | tee -a "$out"
fi
taskset -c 0 openssl speed -seconds 3 rsa2048 ed25519 2>/dev/null | grep -E "^rsa 2048|Ed25519" | tee -a "$out.openssl"
