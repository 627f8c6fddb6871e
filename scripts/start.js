#!/usr/bin/env node
/**
 * `npm start [-- --replicas N] [--redis cluster]`: build (incremental), then launch the stack with
 * the one launcher (scripts/launcher/): check MySQL and Redis, start the subgraphs (each creates
 * and migrates its database) and the gateway, behind HAProxy when replicated, print the gateway's
 * URL, and stop everything on Ctrl-C / SIGTERM or when any process dies. `--help` lists the options.
 */
'use strict';
require('@swc-node/register');
const say = (msg) => process.stdout.write(`[start] ${msg}\n`);

try {
  // Before anything imports @flashsale/platform, whose compiled code the build produces.
  require('./launcher/build').build(say);
} catch (err) {
  process.stderr.write(`[start] ${err.message}\n`);
  process.exit(1);
}
require('./launcher/start').main(process.argv.slice(2), {
  // storefront (issue 13): seed an empty demo catalog, build the web app when stale, serve it on STOREFRONT_PORT.
  afterStart: (stack) => require('./storefront').storefrontAfterStart(stack),
});
