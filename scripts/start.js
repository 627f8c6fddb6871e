#!/usr/bin/env node
/**
 * `npm start`: build (incremental), check that MySQL and Redis answer, start the four subgraphs
 * (each creates and migrates its database), wait until each is healthy, start the gateway, print
 * its URL, and stop everything on Ctrl-C / SIGTERM or when any process dies.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { resolve } = require('node:path');

const root = resolve(__dirname, '..');
const say = (msg) => process.stdout.write(`[start] ${msg}\n`);

function build() {
  say('building (tsc -b, incremental)…');
  const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('[start] build failed\n');
    process.exit(r.status ?? 1);
  }
}

async function checkServers(platform, config) {
  const mysql = require('mysql2/promise');
  try {
    const conn = await mysql.createConnection({ uri: config.MYSQL_URL, connectTimeout: 3000 });
    await conn.end();
  } catch (err) {
    throw platform.mysqlUnreachable(config, err);
  }
  const Redis = require('ioredis');
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await platform.pingRedis(config, redis);
  } catch (err) {
    throw err instanceof platform.DependencyError ? err : platform.redisUnreachable(config, err);
  } finally {
    redis.disconnect();
  }
}

async function waitHealthy(name, url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} during start-up`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not healthy at ${url} within ${timeoutMs / 1000}s`);
}

async function main() {
  build();
  const platform = require(resolve(root, 'subgraphs/platform/dist'));
  let config;
  try {
    // `.env` in the working directory, if any; the processes started below inherit it.
    if (platform.loadEnvFile()) say('read .env');
    config = platform.loadConfig();
    await checkServers(platform, config);
    // Generate development keys once, before several processes would race to create them.
    platform.loadSecrets(config, { needPrivateKey: true });
  } catch (err) {
    process.stderr.write(`[start] ${err.message}\n`);
    process.exit(1);
  }

  const children = [];
  let stopping = false;
  const stopAll = (code) => {
    if (stopping) return;
    stopping = true;
    say('stopping all processes…');
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }, config.SHUTDOWN_GRACE_MS + 2000);
    force.unref();
    Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => process.exit(code));
  };
  process.on('SIGINT', () => stopAll(0));
  process.on('SIGTERM', () => stopAll(0));

  const launch = (name, script) => {
    const child = spawn(process.execPath, ['--enable-source-maps', script], { cwd: root, env: process.env, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(`[start] ${name} exited unexpectedly (${signal ?? code}); stopping the others\n`);
        stopAll(1);
      }
    });
    children.push(child);
    return child;
  };
  const healthUrl = (port) => `http://${config.HOST}:${port}/health`;

  try {
    const subgraphs = [
      ['user', config.USER_PORT],
      ['product', config.PRODUCT_PORT],
      ['cart', config.CART_PORT],
      ['order', config.ORDER_PORT],
    ];
    const started = subgraphs.map(([name, port]) => [name, port, launch(name, `subgraphs/${name}/dist/main.js`)]);
    await Promise.all(started.map(([name, port, child]) => waitHealthy(name, healthUrl(port), child)));
    const gateway = launch('gateway', 'gateway/dist/main.js');
    await waitHealthy('gateway', healthUrl(config.GATEWAY_PORT), gateway);
  } catch (err) {
    process.stderr.write(`[start] ${err.message}\n`);
    stopAll(1);
    return;
  }
  say(`ready: gateway at http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.GATEWAY_PORT}/graphql` + (config.NODE_ENV === 'production' ? '' : ' (open it in a browser for Apollo Sandbox)'));
}

main();
