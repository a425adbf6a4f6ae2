'use strict';
// FairBid's stream consumer (the plan's `java -jar app.jar --consumer.id=N`): node consumer.js --id=N
// Reads stream `bids` in group `bid-persisters` as consumer-N, inserts each bid into MySQL table `bids`
// (UNIQUE bid_id: a redelivered entry stores nothing twice), then XACKs. Every CLAIM_INTERVAL_S it takes
// over entries left pending by others for CLAIM_IDLE_MS or more (XAUTOCLAIM, looping on the cursor);
// an entry delivered more than MAX_DELIVERIES times goes to stream `bids-dead` instead.
// Runs until SIGTERM/SIGINT (or --run-seconds=S / RUN_SECONDS), then stops cleanly.
//
// Environment: SENTINELS, MASTER_NAME (mymaster), REDIS_PASSWORD, SENTINEL_PASSWORD,
// MYSQL_HOST (127.0.0.1), MYSQL_PORT (3306), MYSQL_USER, MYSQL_PASSWORD, MYSQL_DATABASE (plan),
// ACK_DELAY_MS (0), CLAIM_IDLE_MS (30000), CLAIM_INTERVAL_S (5), MAX_DELIVERIES (5), BATCH (50),
// MYSQL_CONNECT_TIMEOUT_MS (2000), MYSQL_QUERY_TIMEOUT_MS (5000), or MYSQL_TIMEOUT_S for both,
// REDIS_COMMAND_TIMEOUT_MS (2000), REDIS_MAX_RETRIES_PER_REQUEST (2), REDIS_CONNECT_TIMEOUT_MS (2000), ...
// (common.js lists the client's variables)
//
// Log lines (stdout, one per event, "<ISO time> consumer-N <message>"):
//   started: stream bids group bid-persisters consumer consumer-N
//   persisted: N entries (M new)
//   redelivered: N already stored                 (N > 0 entries of a batch were in MySQL already)
//   persist error: N entries (<mysql error>)      (left pending, not acked; retried)
//   acked: N entries
//   claimed: N entries idle >= MS ms
//   dead-lettered: N entries (deliveries > MAX)
//   group recreated
//   redis: ready (master IP:PORT) | redis: reconnecting in N ms | redis: <kind> error in <where>: <message>
//   stopping (SIGTERM) | stopped

const mysql = require('mysql2/promise');
const { intEnv, makeLogger, createRedis, errorKind } = require('./common');

function argValue(names) {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    for (const name of names) {
      if (argv[i].startsWith(`${name}=`)) return argv[i].slice(name.length + 1);
      if (argv[i] === name && i + 1 < argv.length) return argv[i + 1];
    }
  }
  return undefined;
}

const rawId = argValue(['--id', '--consumer.id']) ?? process.env.CONSUMER_ID;
if (!rawId || !/^[A-Za-z0-9_.-]{1,32}$/.test(rawId)) {
  process.stderr.write('usage: node consumer.js --id=N   (consumer name consumer-N)\n');
  process.exit(2);
}
const NAME = `consumer-${rawId}`;
const STREAM = 'bids';
const GROUP = 'bid-persisters';
const DEAD = 'bids-dead';
const ACK_DELAY_MS = intEnv('ACK_DELAY_MS', 0);
const CLAIM_IDLE_MS = intEnv('CLAIM_IDLE_MS', 30000);
const CLAIM_INTERVAL_MS = intEnv('CLAIM_INTERVAL_S', 5, { min: 1 }) * 1000;
const MAX_DELIVERIES = intEnv('MAX_DELIVERIES', 5, { min: 1 });
const BATCH = intEnv('BATCH', 50, { min: 1, max: 10000 });
const BLOCK_MS = 1000; // below REDIS_COMMAND_TIMEOUT_MS, or the blocking read itself times out
const RUN_MS = Number(argValue(['--run-seconds']) ?? process.env.RUN_SECONDS ?? 0) * 1000;
// MYSQL_TIMEOUT_S (seconds, like the stand-in's FAIRBID_MYSQL_TIMEOUT_S) sets both where the _MS ones are not given
const mysqlTimeoutS = Number(process.env.MYSQL_TIMEOUT_S);
const MYSQL_TIMEOUT_MS = mysqlTimeoutS > 0 ? Math.round(mysqlTimeoutS * 1000) : null;
const MYSQL_QUERY_TIMEOUT_MS = intEnv('MYSQL_QUERY_TIMEOUT_MS', MYSQL_TIMEOUT_MS || 5000, { min: 1 });

const log = makeLogger(NAME);
const { client: redis, logError, settings } = createRedis(log);
if (settings.commandTimeout <= BLOCK_MS) {
  log(`warning: REDIS_COMMAND_TIMEOUT_MS ${settings.commandTimeout} <= BLOCK ${BLOCK_MS}: idle reads will time out`);
}

const pool = mysql.createPool({
  host: process.env.MYSQL_HOST || '127.0.0.1',
  port: intEnv('MYSQL_PORT', 3306, { min: 1, max: 65535 }),
  user: process.env.MYSQL_USER || 'fairbid',
  password: process.env.MYSQL_PASSWORD || '',
  database: process.env.MYSQL_DATABASE || 'plan',
  connectTimeout: intEnv('MYSQL_CONNECT_TIMEOUT_MS', MYSQL_TIMEOUT_MS || 2000, { min: 1 }),
  connectionLimit: 2,
  waitForConnections: true,
  queueLimit: 0,
  enableKeepAlive: true,
  supportBigNumbers: true,
  // affected rows, not rows found: a redelivered row left as it was counts 0 (see persist)
  flags: ['-FOUND_ROWS'],
});
pool.on('connection', (conn) => {
  // a row locked by another consumer's open transaction must not hold this one for InnoDB's 50 s
  conn.query('SET SESSION innodb_lock_wait_timeout = 5', () => {});
  conn.on('error', () => {}); // the pool drops a broken connection itself; the next query reports
});

let stopping = false;
let wake = null; // resolves the current sleep early on stop
function sleep(ms) {
  if (stopping || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      wake = null;
      resolve();
    }
    wake = done;
  });
}

function fields(flat) {
  const out = {};
  for (let i = 0; i + 1 < (flat || []).length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

// [[id, [k, v, ...]], ...] -> [{id, f}] ; entries deleted from the stream come back with null fields
function entriesOf(raw) {
  return (raw || []).map(([id, flat]) => ({ id: String(id), f: flat ? fields(flat) : null }));
}

function invalid(f) {
  if (!f) return 'deleted from the stream';
  if (!f.bid_id || f.bid_id.length > 64) return 'bid_id missing or longer than 64';
  if (!f.auction_id || f.auction_id.length > 64) return 'auction_id missing or longer than 64';
  if (!f.user_id || f.user_id.length > 64) return 'user_id missing or longer than 64';
  if (!/^\d{1,15}$/.test(f.amount || '')) return 'amount not an integer';
  if (!/^\d{1,16}$/.test(f.created_at || '')) return 'created_at not an integer';
  return null;
}

// XGROUP CREATE bids bid-persisters 0 MKSTREAM. From 0 also when recreated (a failover or a restart
// lost the group): every entry is delivered again, and the UNIQUE bid_id makes that harmless.
let groupSeen = false;
async function ensureGroup() {
  try {
    await redis.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
    log(groupSeen ? 'group recreated' : `group created: ${GROUP} on ${STREAM} from 0`);
  } catch (err) {
    if (!/BUSYGROUP/.test(String(err && err.message))) throw err;
  }
  groupSeen = true;
}

async function withGroup(fn, where) {
  try {
    return await fn();
  } catch (err) {
    if (/^NOGROUP\b/.test(String(err && err.message))) {
      logError(err, where);
      await ensureGroup();
      return fn();
    }
    throw err;
  }
}

async function ack(ids) {
  if (!ids.length) return;
  const n = await redis.xack(STREAM, GROUP, ...ids);
  log(`acked: ${n} entries`);
}

// Insert each entry in one transaction; a duplicate bid_id counts as stored. True when committed
// (then acked after ACK_DELAY_MS), false when MySQL failed (the entries stay pending, unacked).
async function persist(entries) {
  const good = [];
  const bad = [];
  for (const e of entries) (invalid(e.f) ? bad : good).push(e);
  if (bad.length) await deadLetter(bad, 'invalid');
  if (!good.length) return true;
  let conn;
  let inserted = 0;
  let duplicates = 0;
  try {
    conn = await pool.getConnection();
    // one multi-row statement per batch (a round trip per row cannot keep up with the stream); a row
    // already stored (a redelivery) changes nothing, so MySQL counts it as 0 affected rows
    const [result] = await conn.query({
      sql:
        'INSERT INTO bids (bid_id, auction_id, user_id, amount, created_at, stream_id, consumer) VALUES ? ' +
        'ON DUPLICATE KEY UPDATE bid_id = bid_id',
      values: [good.map((e) => [e.f.bid_id, e.f.auction_id, e.f.user_id, e.f.amount, e.f.created_at, e.id, NAME])],
      timeout: MYSQL_QUERY_TIMEOUT_MS,
    });
    inserted = result.affectedRows;
    duplicates = good.length - inserted;
    conn.release();
  } catch (err) {
    // one statement: stored whole or not at all
    if (conn) conn.destroy();
    log(`persist error: ${good.length} entries (${(err && (err.code || err.message)) || err})`);
    return false;
  }
  log(`persisted: ${good.length} entries (${inserted} new)`);
  if (duplicates > 0) log(`redelivered: ${duplicates} already stored`);
  await sleep(ACK_DELAY_MS);
  await ack(good.map((e) => e.id));
  return true;
}

async function deadLetter(entries, reason, counts = new Map()) {
  for (const e of entries) {
    const extra = e.f ? Object.entries(e.f).flat() : [];
    // one transaction: the dead letter is written and the entry acked, or neither
    const replies = await redis
      .multi()
      .xadd(DEAD, '*', 'source_id', e.id, 'deliveries', String(counts.get(e.id) || 0), 'reason', reason,
        'consumer', NAME, ...extra)
      .xack(STREAM, GROUP, e.id)
      .exec();
    const failed = (replies || []).find(([err]) => err);
    if (failed) throw failed[0];
  }
  log(`dead-lettered: ${entries.length} entries (${reason})`);
}

// XAUTOCLAIM to this consumer, looping on the cursor; what was delivered more than MAX_DELIVERIES
// times (XPENDING's count, which the claim itself raised) goes to the dead letters, the rest is persisted.
// Returns the claimed entries MySQL refused (now pending here, to retry), or null.
async function claim() {
  let cursor = '0-0';
  for (let round = 0; round < 1000 && !stopping; round += 1) {
    const reply = await withGroup(
      () => redis.xautoclaim(STREAM, GROUP, NAME, CLAIM_IDLE_MS, cursor, 'COUNT', 100),
      'XAUTOCLAIM',
    );
    cursor = String(reply[0]);
    const all = entriesOf(reply[1]);
    const entries = all.filter((e) => e.f);
    // Redis 7 lists ids deleted from the stream apart (reply[2]) and drops them from the PEL; 6.2 returns them with no fields
    const deleted = (reply[2] || []).length + (all.length - entries.length);
    if (all.length > entries.length) await ack(all.filter((e) => !e.f).map((e) => e.id));
    if (deleted) log(`claimed: ${deleted} entries deleted from the stream meanwhile (dropped)`);
    if (entries.length) {
      log(`claimed: ${entries.length} entries idle >= ${CLAIM_IDLE_MS} ms`);
      const ids = entries.map((e) => e.id);
      const pending = await redis.xpending(STREAM, GROUP, ids[0], ids[ids.length - 1], ids.length + 1000, NAME);
      const counts = new Map((pending || []).map((p) => [String(p[0]), Number(p[3])]));
      const dead = entries.filter((e) => (counts.get(e.id) || 0) > MAX_DELIVERIES);
      const live = entries.filter((e) => (counts.get(e.id) || 0) <= MAX_DELIVERIES);
      if (dead.length) await deadLetter(dead, `deliveries > ${MAX_DELIVERIES}`, counts);
      if (live.length && !(await persist(live))) return live;
    }
    if (cursor === '0-0') break;
  }
  return null;
}

async function read(fromHistory) {
  const args = ['GROUP', GROUP, NAME, 'COUNT', BATCH];
  if (!fromHistory) args.push('BLOCK', BLOCK_MS);
  args.push('STREAMS', STREAM, fromHistory ? '0' : '>');
  const reply = await withGroup(() => redis.xreadgroup(...args), 'XREADGROUP');
  if (!reply) return [];
  return entriesOf(reply[0][1]);
}

async function main() {
  log(`started: stream ${STREAM} group ${GROUP} consumer ${NAME}`);
  let history = true; // first this consumer's own pending entries (id 0), then new ones (>)
  let retry = null; // a batch MySQL refused: retried (not re-read, so its delivery count stays) with backoff
  let failures = 0;
  let groupReady = false;
  let nextClaim = Date.now() + CLAIM_INTERVAL_MS;
  const deadline = RUN_MS > 0 ? Date.now() + RUN_MS : Infinity;
  if (RUN_MS > 0) setTimeout(() => stop('run time over'), RUN_MS).unref();
  while (!stopping && Date.now() < deadline) {
    try {
      if (!groupReady) {
        await ensureGroup(); // BUSYGROUP when it exists; NOGROUP later is handled where it occurs
        groupReady = true;
      }
      if (retry) {
        await sleep(Math.min(500 * 2 ** Math.min(failures - 1, 4), 5000));
        if (stopping) break;
        if (await persist(retry)) {
          retry = null;
          failures = 0;
        } else {
          failures += 1;
        }
        continue;
      }
      if (Date.now() >= nextClaim) {
        nextClaim = Date.now() + CLAIM_INTERVAL_MS;
        const refused = await claim();
        if (refused) {
          retry = refused; // claimed, so pending here now
          failures = 1;
          continue;
        }
      }
      const entries = await read(history);
      if (history && entries.length === 0) {
        history = false;
        continue;
      }
      const live = entries.filter((e) => e.f);
      const gone = entries.filter((e) => !e.f); // pending, but deleted from the stream: nothing to store
      if (gone.length) await ack(gone.map((e) => e.id));
      if (live.length && !(await persist(live))) {
        retry = live;
        failures = 1;
        continue;
      }
      failures = 0;
    } catch (err) {
      // Redis failed (failover, timeout, ...): the entries read stay pending; start over from the PEL
      logError(err, 'loop');
      if (errorKind(err) === 'nogroup') groupReady = false;
      history = true;
      failures += 1;
      await sleep(Math.min(200 * 2 ** Math.min(failures - 1, 4), 3000));
    }
  }
}

function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${signal})`);
  if (wake) wake();
  setTimeout(() => {
    log('stopped (forced after 10 s)');
    process.exit(1);
  }, 10000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

main()
  .catch((err) => log(`fatal: ${err && err.stack ? err.stack.split('\n')[0] : err}`))
  .finally(async () => {
    redis.removeAllListeners('close').removeAllListeners('end').removeAllListeners('reconnecting');
    await redis.quit().catch(() => redis.disconnect());
    await pool.end().catch(() => {});
    log('stopped');
    process.exitCode = 0;
  });
