#!/usr/bin/env node
// Drives a Kinesis-API endpoint (kinesalite) with PutRecords over JSON 1.1: creates a stream, keeps
// CONCURRENCY requests of BATCH records in flight for DURATION seconds after a WARMUP, and prints one
// "RESULT ..." line. Bounded in time; loopback only. Uses only Node's http module.
//
// usage: node kinesis-put.js PORT RECORD_SIZE [DURATION=20] [WARMUP=5] [SHARDS=2] [CONCURRENCY=8] [BATCH=500]
'use strict';
const http = require('http');
const crypto = require('crypto');

const [port, recordSize, duration = 20, warmup = 5, shards = 2, concurrency = 8, batch = 500] =
  process.argv.slice(2).map(Number);
if (!port || !recordSize) {
  console.error('usage: node kinesis-put.js PORT RECORD_SIZE [DURATION] [WARMUP] [SHARDS] [CONCURRENCY] [BATCH]');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency + 2 });
const stream = 'peer-' + Date.now().toString(36);

function call(op, body) {
  const payload = Buffer.from(JSON.stringify(body));
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, path: '/', method: 'POST', agent,
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'Kinesis_20131202.' + op,
        'X-Amz-Date': amzDate,
        // kinesalite wants a well-formed SigV4 header but does not check the signature
        'Authorization': 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/' + amzDate.slice(0, 8)
          + '/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0',
        'Content-Length': payload.length,
      },
    }, res => {
      const chunks = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) {
          reject(new Error(op + ' -> ' + res.statusCode + ' ' + text.slice(0, 200)));
        } else {
          resolve(text ? JSON.parse(text) : {});
        }
      });
    });
    req.setTimeout(60000, () => req.destroy(new Error(op + ' timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

async function main() {
  await call('CreateStream', { StreamName: stream, ShardCount: shards });
  for (let i = 0; i < 100; i++) {
    const d = await call('DescribeStream', { StreamName: stream });
    if (d.StreamDescription.StreamStatus === 'ACTIVE') break;
    await new Promise(r => setTimeout(r, 100));
  }
  const data = crypto.randomBytes(recordSize).toString('base64');
  const records = [];
  for (let i = 0; i < batch; i++) records.push({ PartitionKey: 'k' + i, Data: data });
  const body = { StreamName: stream, Records: records };

  const start = Date.now();
  const windowStart = start + warmup * 1000;
  const windowEnd = windowStart + duration * 1000;
  let stored = 0, failed = 0, atStart = -1, atEnd = -1, lastPrint = start, lastStored = 0;
  const latencies = [];
  const tick = setInterval(() => {
    const now = Date.now();
    console.log(`[${((now - start) / 1000).toFixed(1)}s] stored=${Math.round((stored - lastStored) * 1000 / (now - lastPrint))}/s`);
    lastPrint = now; lastStored = stored;
  }, 5000);
  async function chain() {
    while (Date.now() < windowEnd) {
      const t0 = process.hrtime.bigint();
      try {
        const r = await call('PutRecords', body);
        const bad = r.FailedRecordCount || 0;
        stored += records.length - bad;
        failed += bad;
      } catch (e) {
        failed += records.length;
      }
      const now = Date.now();
      if (now >= windowStart && now < windowEnd) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (atStart < 0 && now >= windowStart) atStart = stored;
    }
    if (atEnd < 0) atEnd = stored;
  }
  await Promise.all(Array.from({ length: concurrency }, chain));
  clearInterval(tick);
  latencies.sort((a, b) => a - b);
  const pct = p => latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(3) : 'NaN';
  const rate = (atEnd - Math.max(0, atStart)) / duration;
  console.log(`RESULT peer=kinesalite records_per_s=${rate.toFixed(0)} mb_per_s=${(rate * (recordSize + 5) / 1e6).toFixed(2)} `
    + `failed=${failed} record_size=${recordSize} concurrency=${concurrency} batch=${batch} shards=${shards} `
    + `call_p50_ms=${pct(0.5)} call_p99_ms=${pct(0.99)}`);
  await call('DeleteStream', { StreamName: stream }).catch(() => {});
  agent.destroy();
}

main().catch(e => { console.error('kinesis-put: ' + e.message); process.exit(1); });
