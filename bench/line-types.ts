/**
 * The line scenario's options and results (bench/line.ts runs it, bench/line-report.ts reports it),
 * in a module of their own so the two import these without importing each other.
 */
import type { Audit } from './audit';
import type { CpuSample } from './cpu';
import type { BuyerRecord, CrowdStats } from './crowd';
import type { Fairness, FinalTimes, Numbering, SoldOutNews, requestTotals } from './crowd-stats';
import type { HistogramSummary } from './gateway-histogram';
import type { SettleResult } from './settle';
import type { LatencySummary } from './stats';

export const LINE_PARTS = ['crowd', 'burst'] as const;
export type LinePart = (typeof LINE_PARTS)[number];

export interface LineOptions {
  parts: LinePart[];
  crowd: number;
  rate: number;
  stock: number;
  joinOnly: number;
  referenceOrders: number;
  referenceRate: number;
  floorOrders: number;
  bursts: number;
  burstBuyers: number;
  burstStock: number;
  warmup: number;
  opensIn: number;
  settleMaxMs: number;
  giveUpMs: number;
  /** Connections for joins and held turn requests (capped by the open-file limit), and for orders. */
  lineConnections: number;
  orderConnections: number;
  /** Connections opened before each crowd's opening (0: every connection opens when first needed). */
  warmConnections: number;
  /**
   * `per-buyer`: each buyer on a connection of its own, opened on arrival, as browsers reach the
   * gateway directly; `shared`: pools whose connections carry one buyer after another, as a balancer
   * in front of the gateway holds them (the only model `warmConnections` applies to).
   */
  connectionModel: 'per-buyer' | 'shared';
  /** Only the waiting-room crowd (no plain crowd beside it), e.g. to profile the line alone. */
  lineOnly: boolean;
  writeDocs: boolean;
  /** The command line, for the report. */
  command: string;
}

/** A metered window: CPU ms per process from the first arrival until the system was idle again. */
export interface Cpu {
  total: CpuSample;
  during: CpuSample;
  windowMs: number;
  idleCores: number;
  settle: SettleResult;
  /** Connections the kernel dropped for a full accept queue during the window (machine-wide). */
  listenOverflows: number | null;
}

export interface CrowdRun {
  name: string;
  waitingRoom: boolean;
  buyers: number;
  rate: number;
  stock: number;
  productId: string;
  records: BuyerRecord[];
  stats: CrowdStats;
  finals: Record<string, number>;
  fairness: Fairness;
  numbering: Numbering;
  times: FinalTimes;
  soldOut: SoldOutNews;
  /** The last unit's reservation, ms after the first arrival (null when none was reserved). */
  lastUnitAfterMs: number | null;
  joinLatencyMs: LatencySummary | null;
  /** Joins as the gateway saw them (arrival stamp to answer, its histogram's buckets; null: no scrape). */
  gatewayJoinMs: HistogramSummary | null;
  orderLatencyMs: LatencySummary | null;
  sendLagMs: LatencySummary;
  /** Buyers' own connections open at once at the peak (null: shared pools). */
  ownConnectionsPeak: number | null;
  requests: ReturnType<typeof requestTotals>;
  cpu: Cpu;
  audit: Audit | null;
}

export interface BurstRun {
  run: number;
  orders: number;
  soldOut: number;
  busy: number;
  other: Record<string, number>;
  latencyMs: LatencySummary;
  /** Connections dropped for a full accept queue during the burst (kernel, machine-wide). */
  listenOverflows: number | null;
  audit: Audit;
}

export interface Costs {
  /** In-process Lua + SQL commit, all processes including the bench, ms per order. */
  floorMsPerOrder: number;
  floor: Cpu & { orders: number };
  /** Every buyer orders, below capacity: ms per committed order (no bench). */
  reference: CrowdRun | null;
  /** Join + held turn requests, nobody orders: ms per buyer (no bench). */
  joinOnly: CrowdRun | null;
}
