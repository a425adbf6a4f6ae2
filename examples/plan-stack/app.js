'use strict';
// FairBid's bidding API as the plan's team might write it in Node.js (18 or newer, no framework):
//   POST /api/bids        {auctionId, userId, amount} [+ header Idempotency-Key]
//                         201 {"bid": {"id", "auctionId", "userId", "amount", "createdAt"}, "replayed": false}
//                         200 the same shape with "replayed": true when the key was seen before
//                         400/413 {"error": ...} for bad input; 503 {"error", "stored": "unknown"} when Redis fails
//   GET  /api/bids/{id}   200 {"bid": {...}} or 404 {"error": "not found"}
//   GET  /health          200 when Redis answers PING, else 503
//   GET  /internal/redis-client   200 the settings the running ioredis client uses, read from it (below)
// A bid is stored by one Lua script (EVALSHA): the bid hash, the idempotency key, the auction's top bid
// and the stream entry the consumer persists to MySQL, all or nothing.
// Environment: PORT (8080), HOST (0.0.0.0), SENTINELS, MASTER_NAME (mymaster), REDIS_PASSWORD,
// SENTINEL_PASSWORD, IDEMPOTENCY_TTL_S (86400), REDIS_APP_RETRIES (0: below), and the client's own
// (common.js): REDIS_COMMAND_TIMEOUT_MS (2000), REDIS_MAX_RETRIES_PER_REQUEST (2), REDIS_OFFLINE_QUEUE
// (true), REDIS_FAILOVER_DETECTOR (false), REDIS_RETRY_CAP_MS (2000), REDIS_CONNECT_TIMEOUT_MS (2000),
// REDIS_KEEPALIVE_MS (0), SENTINEL_COMMAND_TIMEOUT_MS (1000).
//
// REDIS_APP_RETRIES: how many more times a bid's script call is sent after a Redis failure, only for a
// bid that carries an Idempotency-Key, waiting 100 ms before the first retry and twice as long before
// each next one (at most 1 s). Every try sends the same bid id and time, and the script looks the key
// up before it writes anything, in one step: a try whose earlier attempt was stored (or runs later,
// from ioredis's queue after its timeout) is answered from it ("replayed": true), never stored twice;
// an attempt a failover lost is stored again under the same id, the row the consumer may have copied
// to MySQL already. Without a key a failed call may have been stored (503 "stored": "unknown"), and a
// second try would be a second bid: it is never retried here.

const http = require('node:http');
const crypto = require('node:crypto');
const { intEnv, makeLogger, createRedis, errorKind } = require('./common');
const IOREDIS_VERSION = require('ioredis/package.json').version;

const PORT = intEnv('PORT', 8080, { min: 1, max: 65535 });
const HOST = process.env.HOST || '0.0.0.0';
const IDEM_TTL_S = intEnv('IDEMPOTENCY_TTL_S', 86400, { min: 1 });
const APP_RETRIES = intEnv('REDIS_APP_RETRIES', 0, { min: 0, max: 100 });
const APP_RETRY_FIRST_MS = 100;
const APP_RETRY_MAX_MS = 1000;
// reply errors a retry can outlive: this server takes no writes now (a replica, loading, no master, too
// few replicas, busy). Any other reply error (a script's ERR, WRONGTYPE) would only come back again.
const RETRY_REPLIES = /^(READONLY|LOADING|MASTERDOWN|NOREPLICAS|TRYAGAIN|BUSY)\b/;
const MAX_BODY = 16 * 1024;
const MAX_AMOUNT = 1e12;
const MAX_ID = 64;
const MAX_IDEM_KEY = 128;

// the key layout
const K = {
  bid: (id) => `fb:bid:${id}`, // hash: bid_id, auction_id, user_id, amount, created_at
  idem: (key) => `fb:idem:${key}`, // string: the bid id stored for that Idempotency-Key (1 day)
  top: (auction) => `fb:auction:${auction}:top`, // hash: bid_id, user_id, amount of the highest bid
  stream: 'bids', // stream entries: bid_id, auction_id, user_id, amount, created_at
};

// KEYS: idempotency key (ignored when ARGV[1] is "0"), bid hash, auction top, stream
// ARGV: has-key flag, bid id, auction id, user id, amount, created_at (ms), key TTL (s), bid key prefix
// Returns {0, stored id, stored hash as a flat list} for a replay, {1, id, stream entry id} for a new bid.
// The replay reads the stored hash under a name built here (fb:bid:<id>): fine on one master, not on a cluster.
const PLACE_BID_LUA = `
if ARGV[1] == '1' then
  local existing = redis.call('GET', KEYS[1])
  if existing then
    return {0, existing, redis.call('HGETALL', ARGV[8] .. existing)}
  end
end
local id = ARGV[2]
redis.call('HSET', KEYS[2], 'bid_id', id, 'auction_id', ARGV[3], 'user_id', ARGV[4],
           'amount', ARGV[5], 'created_at', ARGV[6])
if ARGV[1] == '1' then
  redis.call('SET', KEYS[1], id, 'EX', ARGV[7])
end
local top = redis.call('HGET', KEYS[3], 'amount')
if (not top) or tonumber(ARGV[5]) > tonumber(top) then
  redis.call('HSET', KEYS[3], 'bid_id', id, 'user_id', ARGV[4], 'amount', ARGV[5])
end
local sid = redis.call('XADD', KEYS[4], '*', 'bid_id', id, 'auction_id', ARGV[3], 'user_id', ARGV[4],
                       'amount', ARGV[5], 'created_at', ARGV[6])
return {1, id, sid}
`;

const log = makeLogger('api');
let redis = null; // the client, made by main()
let logError = () => 'error';

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function send(res, status, body, headers = {}) {
  if (res.headersSent) return;
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(data),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(data);
}

// The body, at most MAX_BODY bytes: a longer one is refused (413) without reading it all.
function readBody(req) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY) {
      reject(new HttpError(413, `body over ${MAX_BODY} bytes`));
      return;
    }
    const chunks = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk) => {
      if (done) return;
      size += chunk.length;
      if (size > MAX_BODY) {
        done = true;
        reject(new HttpError(413, `body over ${MAX_BODY} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function idField(body, name) {
  let v = body[name];
  if (v === undefined || v === null || v === '') throw new HttpError(400, `${name} is required`);
  if (typeof v === 'number' && Number.isSafeInteger(v)) v = String(v);
  if (typeof v !== 'string') throw new HttpError(400, `${name} must be a string`);
  if (v.length > MAX_ID) throw new HttpError(400, `${name} is longer than ${MAX_ID} characters`);
  if (CONTROL.test(v)) throw new HttpError(400, `${name} holds control characters`);
  return v;
}

function parseBid(raw, headers) {
  let body;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'body must be a JSON object');
  }
  const auctionId = idField(body, 'auctionId');
  const userId = idField(body, 'userId');
  const amount = body.amount;
  if (amount === undefined || amount === null) throw new HttpError(400, 'amount is required');
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0 || amount > MAX_AMOUNT) {
    throw new HttpError(400, `amount must be a positive integer <= ${MAX_AMOUNT}`);
  }
  let key = headers['idempotency-key'];
  if (Array.isArray(key)) key = key[0];
  if (key !== undefined) {
    if (key.length === 0 || key.length > MAX_IDEM_KEY || !/^[\x21-\x7e]+$/.test(key)) {
      throw new HttpError(400, `Idempotency-Key must be 1-${MAX_IDEM_KEY} visible ASCII characters`);
    }
  }
  return { auctionId, userId, amount, key };
}

function pairs(flat) {
  const out = {};
  for (let i = 0; i + 1 < (flat || []).length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

function bidView(h) {
  return {
    id: h.bid_id,
    auctionId: h.auction_id,
    userId: h.user_id,
    amount: Number(h.amount),
    createdAt: Number(h.created_at),
  };
}

// A failure a retry may outlive: no connection, no answer in time, the offline queue refused or gave up,
// or a reply from a server that takes no writes just now
function retryable(err) {
  if (err && err.name === 'ReplyError') return RETRY_REPLIES.test(String(err.message));
  return true;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function redisFailure(res, err, context) {
  const kind = logError(err, context);
  send(res, 503, { error: `redis ${kind}: ${String(err && err.message).split('\n')[0]}`, stored: 'unknown' });
}

async function postBid(req, res) {
  const raw = await readBody(req);
  const bid = parseBid(raw, req.headers);
  const id = crypto.randomUUID();
  const createdAt = Date.now();
  const retries = bid.key ? APP_RETRIES : 0; // only a bid the script can recognize is sent again
  let wait = APP_RETRY_FIRST_MS;
  let reply;
  for (let attempt = 0; ; attempt += 1) {
    try {
      reply = await redis.placeBid(
        K.idem(bid.key || ''),
        K.bid(id),
        K.top(bid.auctionId),
        K.stream,
        bid.key ? '1' : '0',
        id,
        bid.auctionId,
        bid.userId,
        String(bid.amount),
        String(createdAt),
        String(IDEM_TTL_S),
        'fb:bid:',
      );
      break;
    } catch (err) {
      if (attempt >= retries || !retryable(err)) {
        redisFailure(res, err, attempt ? `POST /api/bids (after ${attempt} retries)` : 'POST /api/bids');
        return;
      }
      logError(err, `POST /api/bids (retry ${attempt + 1}/${retries} in ${wait} ms)`);
      await sleep(wait);
      wait = Math.min(wait * 2, APP_RETRY_MAX_MS);
    }
  }
  const [created, storedId, extra] = reply;
  if (Number(created) === 1) {
    send(
      res,
      201,
      { bid: { id, auctionId: bid.auctionId, userId: bid.userId, amount: bid.amount, createdAt }, replayed: false },
      { Location: `/api/bids/${id}` },
    );
    return;
  }
  const stored = pairs(extra);
  const view = stored.bid_id
    ? bidView(stored)
    : { id: String(storedId), auctionId: bid.auctionId, userId: bid.userId, amount: bid.amount };
  send(res, 200, { bid: view, replayed: true }, { Location: `/api/bids/${view.id}` });
}

async function getBid(res, id) {
  if (!id || id.length > MAX_ID) {
    send(res, 404, { error: 'not found' });
    return;
  }
  let h;
  try {
    h = await redis.hgetall(K.bid(id));
  } catch (err) {
    logError(err, 'GET /api/bids/{id}');
    send(res, 503, { error: `redis ${errorKind(err)}: ${String(err && err.message).split('\n')[0]}` });
    return;
  }
  if (!h || !h.bid_id) {
    send(res, 404, { error: 'not found' });
    return;
  }
  send(res, 200, { bid: bidView(h) });
}

async function health(res) {
  try {
    const pong = await redis.ping();
    send(res, 200, { status: 'ok', redis: pong });
  } catch (err) {
    send(res, 503, { status: 'unavailable', error: `redis ${errorKind(err)}: ${String(err && err.message).split('\n')[0]}` });
  }
}

// What the running client uses, read from it (client.options: ioredis's defaults merged with what
// createRedis gave), not from the environment. retryCapMs is the longest wait the reconnect strategy
// returns: its answer for a late attempt.
function clientSettings() {
  const o = redis.options;
  const num = (v) => (typeof v === 'number' ? v : null);
  const hostPort = (s) => {
    const host = s.host || '127.0.0.1';
    return `${host.includes(':') ? `[${host}]` : host}:${s.port || 26379}`;
  };
  return {
    client: 'ioredis',
    version: IOREDIS_VERSION,
    commandTimeoutMs: num(o.commandTimeout),
    maxRetriesPerRequest: num(o.maxRetriesPerRequest), // null: ioredis waits for the connection however long
    enableOfflineQueue: Boolean(o.enableOfflineQueue),
    failoverDetector: Boolean(o.failoverDetector),
    connectTimeoutMs: num(o.connectTimeout),
    keepAliveMs: num(o.keepAlive),
    retryCapMs: typeof o.retryStrategy === 'function' ? num(o.retryStrategy(1000)) : null,
    sentinel: { name: o.name, nodes: (o.sentinels || []).map(hostPort) },
    appRetries: APP_RETRIES,
  };
}

async function route(req, res) {
  let path;
  try {
    path = new URL(req.url, 'http://x').pathname;
  } catch {
    throw new HttpError(400, 'bad request target');
  }
  if (path === '/api/bids' || path === '/api/bids/') {
    if (req.method !== 'POST') return send(res, 405, { error: 'method not allowed' }, { Allow: 'POST' });
    return postBid(req, res);
  }
  if (path.startsWith('/api/bids/')) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, { error: 'method not allowed' }, { Allow: 'GET' });
    }
    let id;
    try {
      id = decodeURIComponent(path.slice('/api/bids/'.length));
    } catch {
      return send(res, 404, { error: 'not found' });
    }
    return getBid(res, id);
  }
  if (path === '/health') {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, { error: 'method not allowed' }, { Allow: 'GET' });
    }
    return health(res);
  }
  if (path === '/internal/redis-client') {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, { error: 'method not allowed' }, { Allow: 'GET' });
    }
    return send(res, 200, clientSettings());
  }
  return send(res, 404, { error: 'not found' });
}

function main() {
  ({ client: redis, logError } = createRedis(log));
  redis.defineCommand('placeBid', { numberOfKeys: 4, lua: PLACE_BID_LUA });
  log(`redis client: ${JSON.stringify(clientSettings())}`);
  const server = http.createServer((req, res) => {
    route(req, res).catch((err) => {
      if (err instanceof HttpError) {
        // a refused body is not read further: answer and close the connection
        const close = err.status === 413 ? { Connection: 'close' } : {};
        send(res, err.status, { error: err.message }, close);
        if (err.status === 413) req.resume();
        return;
      }
      if (err && (err.code === 'ECONNRESET' || err.code === 'ERR_STREAM_PREMATURE_CLOSE')) return; // client went away
      log(`http: unexpected error: ${err && err.stack ? err.stack.split('\n')[0] : err}`);
      send(res, 500, { error: 'internal error' });
    });
  });
  server.headersTimeout = 10000;
  server.requestTimeout = 15000;
  server.keepAliveTimeout = 5000;
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  server.listen(PORT, HOST, () => log(`listening on ${HOST}:${PORT}`));

  let stopping = false;
  function stop(signal) {
    if (stopping) return;
    stopping = true;
    log(`stopping (${signal})`);
    const force = setTimeout(() => process.exit(0), 5000);
    force.unref();
    server.close(() => {
      redis.removeAllListeners('close').removeAllListeners('end').removeAllListeners('reconnecting');
      redis
        .quit()
        .catch(() => redis.disconnect())
        .finally(() => {
          log('stopped');
          process.exitCode = 0;
        });
    });
    server.closeIdleConnections && server.closeIdleConnections();
  }
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) main();

module.exports = { parseBid, HttpError, PLACE_BID_LUA, K, main, retryable };
