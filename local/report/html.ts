import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  benchmarkCharts,
  type ChartPiece,
  chartHelpers,
  rolloutCharts,
  timelineCharts,
} from "./charts";

/**
 * `report/index.html`: one self-contained page (Chart.js inlined, data inlined) that
 * shows what `npm start` saw, so it opens offline, from a CI artifact or a file URL.
 */

export interface TimelinePoint {
  /** Seconds since the scenario started. */
  t: number;
  demand?: number;
  capacity?: number;
  highPriorityDesired?: number;
  highPriorityRunning?: number;
  lowPriorityDesired?: number;
  lowPriorityRunning?: number;
  hosts?: number;
  /** The Auto Scaling group's desired capacity. */
  hostsDesired?: number;
  /** CapacityProviderReservation, percent (managed scaling's M / N × 100). */
  reservation?: number;
  /** Hosts DRAINING: still running tasks, no longer counted by the per-host service. */
  drainingHosts?: number;
  perHostDesired?: number;
  perHostRunning?: number;
}

export interface BenchmarkFigures {
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  requests: { total: number; ok: number };
  errors: number;
  timeouts?: number;
  non2xx: number;
  durationSeconds: number;
}

export interface RolloutProbe {
  intervalMs: number;
  availability: number;
  longestGapMs: number;
  /** Every probe: ms since the rollout started, HTTP status (0: no answer), latency. */
  samples: { t: number; status: number; latencyMs: number }[];
}

export interface ControllerOutcome {
  name: string;
  converged: boolean;
  detail: string;
}

export interface ScenarioReport {
  title: string;
  generatedAt: string;
  durationSeconds: number;
  /** How much faster than real time the run's clock went (schedules, waits, health checks). */
  timeScale?: number;
  /** DEMAND_SEED: the same seed replays the same demand walk. */
  seed?: string;
  /** Where each phase of the scenario began, drawn as a marker on every timeline chart. */
  phases?: { t: number; label: string }[];
  /** Each host the host consolidator terminated, marked on the host charts. */
  consolidations?: { t: number; ec2InstanceId: string; reason: string; tasks: number }[];
  timeline: TimelinePoint[];
  benchmark?: BenchmarkFigures;
  /** Deploy-and-benchmark execution status, e.g. SUCCEEDED. */
  deployment?: { status: string; executionArn: string; detail?: string };
  /** The outside probe on the load balancer during the good rollout. */
  rollout?: RolloutProbe;
  /** The deliberately bad release and what the gate made of it. */
  refusal?: { status: string; error?: string; cause?: string; taskDefinition: string };
  controllers: ControllerOutcome[];
}

/** The UMD build is not in chart.js's `exports`: find the package root from its main entry. */
function chartJsSource(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve("chart.js");
  return readFileSync(join(dirname(main), "chart.umd.js"), "utf8");
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** One chart's heading, how to read it, and its canvas. */
function section(piece: ChartPiece, level = 2): string {
  return `<h${level}>${escapeHtml(piece.title)}</h${level}>
${piece.note === undefined ? "" : `<p class="note">${escapeHtml(piece.note)}</p>`}
<div class="chart"><canvas id="${piece.id}"></canvas></div>`;
}

export function renderReport(report: ScenarioReport): string {
  const rows = report.controllers
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.name)}</td><td class="${c.converged ? "ok" : "bad"}">${
          c.converged ? "converged" : "did not converge"
        }</td><td>${escapeHtml(c.detail)}</td></tr>`,
    )
    .join("\n");
  const bench = report.benchmark;
  const benchTable = bench
    ? `<table><tr><th>requests/s</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>requests</th><th>ok</th><th>errors</th><th>non-2xx</th></tr>
<tr><td>${bench.requestsPerSecond.toFixed(0)}</td><td>${bench.latencyMs.p50}</td><td>${bench.latencyMs.p90}</td><td>${bench.latencyMs.p99}</td><td>${bench.latencyMs.max}</td><td>${bench.requests.total}</td><td>${bench.requests.ok}</td><td>${bench.errors}</td><td>${bench.non2xx}</td></tr></table>`
    : "<p>No benchmark ran.</p>";
  const deployment = report.deployment
    ? `<p>Deploy-and-benchmark execution <code>${escapeHtml(report.deployment.executionArn)}</code>: <strong>${escapeHtml(report.deployment.status)}</strong>${report.deployment.detail ? ` — ${escapeHtml(report.deployment.detail)}` : ""}</p>`
    : "";
  const rollout = report.rollout
    ? `<p>Outside probe on the load balancer every ${report.rollout.intervalMs} ms through the rollout: <strong class="${report.rollout.availability === 1 ? "ok" : "bad"}">${(report.rollout.availability * 100).toFixed(2)} % 2xx</strong> of ${report.rollout.samples.length}, longest gap ${report.rollout.longestGapMs} ms.</p>`
    : "";
  const refusal = report.refusal
    ? `<h2>A bad release, refused</h2>
<p>Web with BACKEND_RETRIES=0 (<code>${escapeHtml(report.refusal.taskDefinition)}</code>): <strong class="${report.refusal.error === "PerformanceGateFailed" ? "ok" : "bad"}">${escapeHtml(report.refusal.status)}${report.refusal.error ? ` ${escapeHtml(report.refusal.error)}` : ""}</strong>${report.refusal.cause ? ` — ${escapeHtml(report.refusal.cause)}` : ""}</p>`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #1d232a; padding: 0 16px; }
  h1 { font-size: 22px; margin-bottom: 4px; }
  h2 { font-size: 17px; margin-top: 28px; }
  .meta, .note { color: #5b6670; }
  .chart { position: relative; height: 300px; }
  table { border-collapse: collapse; margin: 8px 0; }
  td, th { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; }
  .ok { color: #1a7f37; font-weight: 600; }
  .bad { color: #cf222e; font-weight: 600; }
</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<p class="meta">Generated ${escapeHtml(report.generatedAt)} · scenario took ${report.durationSeconds.toFixed(1)} s${report.timeScale === undefined ? "" : ` · clock ×${report.timeScale}`}${report.seed === undefined ? "" : ` · DEMAND_SEED=${escapeHtml(report.seed)}`}</p>
<h2>Controllers</h2>
<table><tr><th>controller</th><th>outcome</th><th>detail</th></tr>
${rows}
</table>
${timelineCharts.map((piece) => section(piece)).join("\n")}
<h2>Benchmark</h2>
${deployment}
${benchTable}
${benchmarkCharts.map((piece) => section(piece, 3)).join("\n")}
<h2>Availability during the rollout</h2>
${rollout}
${rolloutCharts.map((piece) => section(piece, 3)).join("\n")}
${refusal}
<script>${chartJsSource()}</script>
<script>
const report = ${scriptJson(report)};
${chartHelpers}
${[...timelineCharts, ...benchmarkCharts, ...rolloutCharts].map((piece) => piece.script).join("\n")}
</script>
</body>
</html>
`;
}
