export * from './stock-hash';
export * from './stock-ledger';
