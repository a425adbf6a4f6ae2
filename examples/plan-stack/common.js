'use strict';
// What app.js and consumer.js share: the Sentinel-aware ioredis client with its production settings,
// the environment it reads, and the log line writer. Node 18 or newer, CommonJS.
//
// The client's environment (unset: the value in brackets, this example's production settings):
//   REDIS_COMMAND_TIMEOUT_MS (2000)       commandTimeout
//   REDIS_MAX_RETRIES_PER_REQUEST (2)     maxRetriesPerRequest (REDIS_MAX_RETRIES: its older name, read
//                                         where this one is unset)
//   REDIS_OFFLINE_QUEUE (true)            enableOfflineQueue: true|false
//   REDIS_FAILOVER_DETECTOR (false)       failoverDetector: true|false
//   REDIS_RETRY_CAP_MS (2000)             the longest wait between reconnect attempts (retryStrategy,
//                                         sentinelRetryStrategy)
//   REDIS_CONNECT_TIMEOUT_MS (2000)       connectTimeout
//   REDIS_KEEPALIVE_MS (0)                keepAlive: TCP keepalive's idle delay, 0 or 1000 and more
//   SENTINEL_COMMAND_TIMEOUT_MS (1000)    sentinelCommandTimeout
// A value that is not one of these refuses the start, naming the variable.

const Redis = require('ioredis');

function intEnv(name, fallback, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], not ${JSON.stringify(raw)}`);
  }
  return value;
}

function boolEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Error(`${name} must be true or false, not ${JSON.stringify(raw)}`);
}

// REDIS_MAX_RETRIES_PER_REQUEST; where it is unset, REDIS_MAX_RETRIES (its older name, which compose.yml
// still passes). Both are checked, so a bad value of either refuses the start.
function maxRetriesEnv(fallback) {
  const value = intEnv('REDIS_MAX_RETRIES_PER_REQUEST', undefined, { min: 0 });
  const older = intEnv('REDIS_MAX_RETRIES', undefined, { min: 0 });
  return value ?? older ?? fallback;
}

// Node sets the keepalive delay in whole seconds (setKeepAlive: ms / 1000, truncated): 1..999 would be 0,
// which Linux refuses (TCP_KEEPIDLE 0: EINVAL), leaving the kernel's idle time (tcp_keepalive_time, commonly 2 h)
function keepAliveEnv(name, fallback) {
  const value = intEnv(name, fallback, { min: 0, max: 2147483647 });
  if (value > 0 && value < 1000) {
    throw new Error(`${name} must be 0 or at least 1000 (Node sets the keepalive delay in whole seconds), not ${value}`);
  }
  return value;
}

// Reconnect waits: 100 ms, doubling, at most capMs. Up to 6400 ms the exponent's bound (16) changes no
// wait: it is only there so any cap up to REDIS_RETRY_CAP_MS's maximum is reached.
function backoff(capMs) {
  return (times) => Math.min(100 * 2 ** Math.min(times - 1, 16), capMs);
}

// "host:port,host:port" (or host names alone: port 26379) -> ioredis `sentinels`
function parseSentinels(raw) {
  const list = String(raw || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(item);
      if (!m) throw new Error(`SENTINELS: cannot read ${JSON.stringify(item)}`);
      return { host: m[1], port: m[2] ? Number(m[2]) : 26379 };
    });
  if (!list.length) throw new Error('SENTINELS is empty: give host:port,host:port of the Sentinels');
  return list;
}

// One line per event, prefixed with the wall-clock time and who speaks. stdout writes to files and
// pipes are synchronous in Node on Linux, so every line is out when log() returns.
function makeLogger(who) {
  return (msg) => process.stdout.write(`${new Date().toISOString()} ${who} ${msg}\n`);
}

// The kind of a Redis failure, for the logs and the 503 body
function errorKind(err) {
  const msg = String((err && err.message) || err);
  if (err && err.name === 'MaxRetriesPerRequestError') return 'max-retries';
  if (/Command timed out/i.test(msg)) return 'timeout';
  const code = /^([A-Z]{4,})\b/.exec(msg);
  if (code && code[1] !== 'ERR') return code[1].toLowerCase(); // READONLY, NOREPLICAS, LOADING, MASTERDOWN, NOGROUP, ...
  if (/Connection is closed|Stream isn't writeable|enableOfflineQueue/i.test(msg)) return 'connection-closed';
  if (/sentinel/i.test(msg)) return 'sentinel';
  if (err && err.code) return String(err.code).toLowerCase(); // ECONNREFUSED, EHOSTUNREACH, ETIMEDOUT, ...
  return 'error';
}

// At most one line per error kind per second; the ones held back are counted on the next line.
function makeErrorLog(log, prefix) {
  const last = new Map();
  return (err, context) => {
    const kind = errorKind(err);
    const now = Date.now();
    const seen = last.get(kind) || { at: 0, held: 0 };
    if (now - seen.at < 1000) {
      seen.held += 1;
      last.set(kind, seen);
      return kind;
    }
    const held = seen.held ? ` (+${seen.held} more since the last line)` : '';
    log(`${prefix}: ${kind} error${context ? ` in ${context}` : ''}: ${String(err && err.message).split('\n')[0]}${held}`);
    last.set(kind, { at: now, held: 0 });
    return kind;
  };
}

function redisSettings() {
  return {
    sentinels: parseSentinels(process.env.SENTINELS),
    name: process.env.MASTER_NAME || 'mymaster',
    password: process.env.REDIS_PASSWORD || undefined,
    sentinelPassword: process.env.SENTINEL_PASSWORD || undefined,
    commandTimeout: intEnv('REDIS_COMMAND_TIMEOUT_MS', 2000, { min: 1 }),
    maxRetriesPerRequest: maxRetriesEnv(2),
    enableOfflineQueue: boolEnv('REDIS_OFFLINE_QUEUE', true),
    failoverDetector: boolEnv('REDIS_FAILOVER_DETECTOR', false),
    connectTimeout: intEnv('REDIS_CONNECT_TIMEOUT_MS', 2000, { min: 1 }),
    keepAlive: keepAliveEnv('REDIS_KEEPALIVE_MS', 0),
    sentinelCommandTimeout: intEnv('SENTINEL_COMMAND_TIMEOUT_MS', 1000, { min: 1 }),
    retryCapMs: intEnv('REDIS_RETRY_CAP_MS', 2000, { min: 1, max: 3600000 }),
  };
}

// The client through Sentinel, as ioredis's README describes it for production:
// - commandTimeout: a command with no reply in time fails ("Command timed out"), so a request never hangs;
// - maxRetriesPerRequest: commands queued while reconnecting fail after that many reconnect attempts;
// - retryStrategy: reconnect with a capped exponential backoff; every reconnect asks Sentinel again
//   for the master, which is how a killed master is left behind;
// - reconnectOnError: READONLY means we talk to a replica (a master demoted by a failover while the
//   connection stayed up): reconnect, re-ask Sentinel, and resend the command (2);
// - enableOfflineQueue: kept (true) by default, bounded by commandTimeout; false fails a command at
//   once while there is no connection (REDIS_OFFLINE_QUEUE);
// - failoverDetector (ioredis 5, off by default): once connected, subscribe to +switch-master on the
//   Sentinels and drop the connection when it comes, so the client reconnects to the new master even
//   when the old one went silent (a cut link or a stopped host sends no FIN or RST, and commandTimeout
//   alone fails commands without closing the connection);
// - keepAlive: ioredis always turns TCP keepalive on; 0 (its default) leaves the kernel's timing
//   (tcp_keepalive_time, commonly 2 h idle), N >= 1000 probes after N ms idle (Node 20: then every
//   1 s, 10 probes). Keepalive probes only an idle connection, never one with a command unanswered.
function createRedis(log, settings = redisSettings()) {
  const logError = makeErrorLog(log, 'redis');
  const client = new Redis({
    sentinels: settings.sentinels,
    name: settings.name,
    password: settings.password,
    sentinelPassword: settings.sentinelPassword,
    commandTimeout: settings.commandTimeout,
    maxRetriesPerRequest: settings.maxRetriesPerRequest,
    connectTimeout: settings.connectTimeout,
    keepAlive: settings.keepAlive,
    sentinelCommandTimeout: settings.sentinelCommandTimeout,
    failoverDetector: settings.failoverDetector,
    retryStrategy: backoff(settings.retryCapMs),
    sentinelRetryStrategy: backoff(settings.retryCapMs),
    reconnectOnError: (err) => (/^READONLY\b/.test(String(err && err.message)) ? 2 : false),
    enableOfflineQueue: settings.enableOfflineQueue,
  });
  client.on('connect', () => log('redis: connected'));
  client.on('ready', () => {
    const s = client.stream;
    const where = s && s.remoteAddress ? ` (master ${s.remoteAddress}:${s.remotePort})` : '';
    log(`redis: ready${where}`);
  });
  client.on('reconnecting', (delay) => log(`redis: reconnecting in ${delay} ms`));
  client.on('close', () => log('redis: connection closed'));
  client.on('end', () => log('redis: ended'));
  client.on('error', (err) => logError(err, 'connection'));
  return { client, logError, settings };
}

module.exports = { Redis, intEnv, boolEnv, parseSentinels, backoff, makeLogger, makeErrorLog, errorKind, redisSettings, createRedis };
