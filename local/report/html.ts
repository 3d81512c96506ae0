import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

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
  .meta { color: #5b6670; }
  .chart { position: relative; height: 300px; }
  table { border-collapse: collapse; margin: 8px 0; }
  td, th { border: 1px solid #d0d7de; padding: 4px 10px; text-align: left; }
  .ok { color: #1a7f37; font-weight: 600; }
  .bad { color: #cf222e; font-weight: 600; }
</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<p class="meta">Generated ${escapeHtml(report.generatedAt)} · scenario took ${report.durationSeconds.toFixed(1)} s</p>
<h2>Controllers</h2>
<table><tr><th>controller</th><th>outcome</th><th>detail</th></tr>
${rows}
</table>
<h2>Demand vs. P1/P2 tasks</h2>
<div class="chart"><canvas id="demand"></canvas></div>
<h2>Hosts vs. per-host tasks</h2>
<div class="chart"><canvas id="hosts"></canvas></div>
<h2>Managed scaling: CapacityProviderReservation</h2>
<div class="chart"><canvas id="reservation"></canvas></div>
<h2>Benchmark</h2>
${deployment}
${benchTable}
<div class="chart"><canvas id="benchmark"></canvas></div>
<h2>Availability during the rollout</h2>
${rollout}
<div class="chart"><canvas id="rollout"></canvas></div>
${refusal}
<script>${chartJsSource()}</script>
<script>
const report = ${scriptJson(report)};
const seconds = report.timeline.map((p) => p.t.toFixed(1));
const series = (key, label, color, dashed) => ({
  label, data: report.timeline.map((p) => p[key] ?? null), borderColor: color, backgroundColor: color,
  borderDash: dashed ? [6, 4] : [], stepped: true, pointRadius: 0, borderWidth: 2, spanGaps: true,
});
const lineOptions = (yTitle) => ({
  responsive: true, maintainAspectRatio: false, animation: false,
  interaction: { mode: "index", intersect: false },
  scales: { x: { title: { display: true, text: "seconds" } }, y: { beginAtZero: true, title: { display: true, text: yTitle } } },
});
new Chart(document.getElementById("demand"), {
  type: "line",
  data: { labels: seconds, datasets: [
    series("demand", "demand", "#6e7781"),
    series("capacity", "capacity", "#d0d7de", true),
    series("highPriorityDesired", "P1 desired", "#0969da", true),
    series("highPriorityRunning", "P1 running", "#0969da"),
    series("lowPriorityDesired", "P2 desired", "#bf8700", true),
    series("lowPriorityRunning", "P2 running", "#bf8700"),
  ] },
  options: lineOptions("tasks / demand"),
});
new Chart(document.getElementById("hosts"), {
  type: "line",
  data: { labels: seconds, datasets: [
    series("hosts", "ACTIVE hosts", "#6e7781"),
    series("hostsDesired", "desired capacity (Auto Scaling group)", "#1a7f37", true),
    series("perHostDesired", "per-host desired", "#8250df", true),
    series("perHostRunning", "per-host running", "#8250df"),
  ] },
  options: lineOptions("count"),
});
new Chart(document.getElementById("reservation"), {
  type: "line",
  data: { labels: seconds, datasets: [
    series("reservation", "CapacityProviderReservation", "#cf222e"),
  ] },
  options: lineOptions("percent"),
});
const bench = report.benchmark;
new Chart(document.getElementById("benchmark"), {
  type: "bar",
  data: {
    labels: ["p50", "p90", "p99", "max", "requests/s"],
    datasets: [
      { label: "latency (ms)", yAxisID: "ms", backgroundColor: "#0969da",
        data: bench ? [bench.latencyMs.p50, bench.latencyMs.p90, bench.latencyMs.p99, bench.latencyMs.max, null] : [] },
      { label: "requests/s", yAxisID: "rps", backgroundColor: "#1a7f37",
        data: bench ? [null, null, null, null, bench.requestsPerSecond] : [] },
    ],
  },
  options: {
    responsive: true, maintainAspectRatio: false, animation: false,
    scales: {
      ms: { position: "left", beginAtZero: true, title: { display: true, text: "ms" } },
      rps: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "requests/s" } },
    },
  },
});
const probe = report.rollout;
new Chart(document.getElementById("rollout"), {
  type: "scatter",
  data: { datasets: [
    { label: "2xx", backgroundColor: "#1a7f37", pointRadius: 2,
      data: probe ? probe.samples.filter((s) => s.status >= 200 && s.status < 300).map((s) => ({ x: s.t / 1000, y: s.latencyMs })) : [] },
    { label: "not 2xx", backgroundColor: "#cf222e", pointRadius: 4,
      data: probe ? probe.samples.filter((s) => s.status < 200 || s.status >= 300).map((s) => ({ x: s.t / 1000, y: s.latencyMs })) : [] },
  ] },
  options: {
    responsive: true, maintainAspectRatio: false, animation: false,
    scales: {
      x: { title: { display: true, text: "seconds since StartExecution" } },
      y: { beginAtZero: true, title: { display: true, text: "probe latency (ms)" } },
    },
  },
});
</script>
</body>
</html>
`;
}
