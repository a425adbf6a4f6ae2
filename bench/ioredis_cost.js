// Steady-state latency of one ioredis client setting: SETs through Sentinel at a fixed rate
// (open loop: one starts every 1000/rate ms however long the others take), no fault.
// Prints {"n", "failed", "p50_ms", "p99_ms"} as JSON on stdout; bench/client_cost.py runs it.
//   node bench/ioredis_cost.js '{"sentinels": [...], "name": ..., ...options}' RATE SECONDS
'use strict';
const path = require('path');
const Redis = require(path.join(__dirname, '..', 'examples', 'plan-stack', 'node_modules', 'ioredis'));

const options = JSON.parse(process.argv[2]);
const rate = Number(process.argv[3]);
const seconds = Number(process.argv[4]);
if (!(rate > 0 && rate <= 5000 && seconds > 0 && seconds <= 600)) {
  console.error('usage: ioredis_cost.js OPTIONS_JSON RATE(1-5000) SECONDS(1-600)');
  process.exit(2);
}
if (options.retryCapMs) {  // a capped exponential backoff, as the example's client has
  const cap = options.retryCapMs;
  delete options.retryCapMs;
  options.retryStrategy = (times) => Math.min(100 * 2 ** Math.min(times - 1, 6), cap);
}
const client = new Redis(options);
const times = [];
let failed = 0;
let started = 0;
const total = Math.round(rate * seconds);

function one() {
  const t0 = process.hrtime.bigint();
  client.set(`probe:io:${started}:${Date.now()}`, String(Date.now()))
    .then(() => times.push(Number(process.hrtime.bigint() - t0) / 1e6))
    .catch(() => { failed += 1; });
}

function pick(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] : null;
}

client.once('ready', () => {
  const t0 = Date.now();
  const timer = setInterval(() => {  // bounded: `total` operations, then stop
    const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate));
    while (started < due) { started += 1; one(); }
    if (started >= total) {
      clearInterval(timer);
      setTimeout(() => {
        const sorted = times.slice().sort((a, b) => a - b);
        const r = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
        process.stdout.write(JSON.stringify({ n: times.length, failed, p50_ms: r(pick(sorted, 0.5)),
                                              p99_ms: r(pick(sorted, 0.99)) }) + '\n');
        client.disconnect();
        process.exit(0);
      }, 3000);
    }
  }, 5);
});
setTimeout(() => { console.error('no ready client in 20 s'); process.exit(1); }, 20000 + seconds * 1000 + 10000);
