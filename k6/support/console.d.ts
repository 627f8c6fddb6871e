// k6's runtime has a console (log, debug, info, warn, error), but @types/k6 does not declare it and
// the DOM lib would bring in a browser world k6 does not have.
declare const console: {
  log(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
