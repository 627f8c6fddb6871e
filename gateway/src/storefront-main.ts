/**
 * The storefront as a process of its own (the container image's SERVICE=storefront, the
 * `storefront` service of docker-compose.yml): serves web/dist, built into the image, on
 * STOREFRONT_HOST:STOREFRONT_PORT (default 0.0.0.0:5173), its /config.json pointing the browser at
 * STOREFRONT_GATEWAY_URL (default http://localhost:4000/graphql, the gateway as the browser sees
 * it). Stops on SIGTERM/SIGINT.
 */
import { startStorefront } from './storefront-server';

async function main(): Promise<void> {
  const port = Number(process.env.STOREFRONT_PORT ?? 5173);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`STOREFRONT_PORT must be a port number (got '${process.env.STOREFRONT_PORT}')`);
  const storefront = await startStorefront({
    port,
    host: process.env.STOREFRONT_HOST ?? '0.0.0.0',
    gatewayUrl: process.env.STOREFRONT_GATEWAY_URL ?? 'http://localhost:4000/graphql',
    dir: process.env.STOREFRONT_DIR,
  });
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), service: 'storefront', url: storefront.url, msg: 'storefront ready' })}\n`);
  const stop = () => void storefront.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`storefront: ${(err as Error).message}\n`);
  process.exit(1);
});
