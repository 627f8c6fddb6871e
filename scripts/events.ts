/**
 * Operator commands for the event streams between subgraphs.
 *   npm run events -- dead-letters [--stream <stock|order|name>] [--json]
 *       lists the dead letters (events a consumer gave up on, with the reason), oldest first
 *   npm run events -- redrive <dead-letter id> [--stream <stock|order|name>]
 *       puts that event back on its stream (same event id: applied at most once) and deletes the
 *       dead letter; without --stream, every known stream's dead letters are searched for the id
 * Reads REDIS_URL and REDIS_PREFIX like every process (README "Configuration").
 */
import { parseArgs } from 'node:util';
import type Redis from 'ioredis';
import { createRedis, deadLetterStream, DeadLetter, eventStreams, listDeadLetters, loadConfigOrExit, redriveDeadLetter } from '@flashsale/platform';

const USAGE = `usage:
  npm run events -- dead-letters [--stream <stock|order|stream name>] [--json]
  npm run events -- redrive <dead-letter id> [--stream <stock|order|stream name>]
`;

/** `stock` / `order` name a known stream; anything else is taken as a stream name. */
function streamsFrom(option: string | undefined): string[] {
  if (!option) return Object.values(eventStreams).map((c) => c.stream);
  const known = (eventStreams as Record<string, { stream: string }>)[option];
  return [known ? known.stream : option];
}

function describe(letter: DeadLetter): string {
  return [
    `${deadLetterStream(letter.stream)} ${letter.deadId}`,
    `  event ${letter.eventId} (${letter.type || 'no type'}) from ${letter.stream} entry ${letter.streamId}, group ${letter.group}`,
    `  ${letter.kind}${letter.kind === 'failed' ? ` after ${letter.attempts} attempts` : ''} at ${letter.failedAt} on ${letter.consumer}`,
    `  reason: ${letter.reason}`,
    `  payload: ${letter.payload}`,
  ].join('\n');
}

export async function runEventsCommand(redis: Redis, argv: string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { stream: { type: 'string' }, json: { type: 'boolean' } } });
  const [command, id] = positionals;
  const streams = streamsFrom(values.stream);
  if (command === 'dead-letters') {
    const letters = (await Promise.all(streams.map((s) => listDeadLetters(redis, s)))).flat();
    if (values.json) out(`${JSON.stringify(letters, null, 2)}\n`);
    else out(letters.length ? `${letters.map(describe).join('\n')}\n${letters.length} dead letter(s)\n` : `no dead letters in ${streams.map(deadLetterStream).join(', ')}\n`);
    return 0;
  }
  if (command === 'redrive' && id) {
    for (const stream of streams) {
      const newId = await redriveDeadLetter(redis, stream, id);
      if (newId) {
        out(`redrove dead letter ${id} onto ${stream} as entry ${newId}\n`);
        return 0;
      }
    }
    out(`no dead letter ${id} in ${streams.map(deadLetterStream).join(', ')}\n`);
    return 1;
  }
  out(USAGE);
  return 2;
}

async function main() {
  const config = loadConfigOrExit();
  const redis = createRedis(config);
  try {
    process.exitCode = await runEventsCommand(redis, process.argv.slice(2), (s) => process.stdout.write(s));
  } catch (err) {
    process.stderr.write(`events: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    redis.disconnect();
  }
}

if (require.main === module) void main();
