/** Where the order subgraph reads "now". Tests pass their own clock to move time instead of waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
