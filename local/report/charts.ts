/**
 * The report's charts, one piece each: a canvas, a title, a line saying how to read it,
 * and the script that draws it from the inlined `report`. A new plot is a new piece in
 * `chartPieces` (the page lays them out in that order); the helpers in `chartHelpers`
 * are shared by every piece.
 */
export interface ChartPiece {
  /** The canvas id. */
  readonly id: string;
  readonly title: string;
  /** How to read it, under the title (HTML-escaped by the page). */
  readonly note?: string;
  /** Draws the chart on `document.getElementById(id)`; runs after `chartHelpers`. */
  readonly script: string;
}

/**
 * In the page, before every piece: `series` plots one timeline field against time (a
 * linear axis in seconds, so uneven samples sit where they happened), `lines` plots
 * fields in their one look, `timeOptions` is the axes, `phaseMarkers` draws a labelled vertical line where each phase began, and
 * `consolidationMarkers` a red one where the host consolidator terminated a host.
 */
export const chartHelpers = `
const series = (key, label, color, dashed) => ({
  label, data: report.timeline.flatMap((p) => (p[key] === undefined ? [] : [{ x: p.t, y: p[key] }])),
  borderColor: color, backgroundColor: color, borderDash: dashed ? [6, 4] : [],
  stepped: true, pointRadius: 0, borderWidth: 2,
});
const timeOptions = (yTitle) => ({
  responsive: true, maintainAspectRatio: false, animation: false,
  interaction: { mode: "nearest", axis: "x", intersect: false },
  scales: {
    x: { type: "linear", min: 0, title: { display: true, text: "seconds since the scenario started" + (report.timeScale ? " (clock ×" + report.timeScale + ")" : "") } },
    y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: yTitle } },
  },
});
// A labelled vertical line at each mark's t: where it is drawn, its colours, its label.
// Labels take rows: each goes in the first row (row 0 at rowY(area, 0)) where it clears
// the label before it, so marks a second apart stay readable; one that would run off
// the right edge ends at its line instead. Where each went is kept on the chart
// (chart.markerLabels[id]) for the report's Chromium test.
const markers = (id, marks, style) => ({
  id,
  afterDatasetsDraw(chart) {
    const { ctx, chartArea, scales } = chart;
    ctx.save();
    ctx.font = "11px system-ui, sans-serif";
    ctx.strokeStyle = style.line;
    ctx.setLineDash(style.dash);
    const rowEnds = [];
    const placed = [];
    const visible = marks()
      .map((mark) => ({ mark, x: scales.x.getPixelForValue(mark.t) }))
      .filter(({ x }) => x >= chartArea.left && x <= chartArea.right)
      .sort((a, b) => a.x - b.x);
    for (const { mark, x } of visible) {
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top + style.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      const text = style.label(mark);
      const width = ctx.measureText(text).width;
      const left = x + 3 + width > chartArea.right ? x - 3 - width : x + 3;
      let row = rowEnds.findIndex((end) => end + 6 <= left);
      if (row < 0) row = rowEnds.length;
      rowEnds[row] = left + width;
      const y = style.rowY(chartArea, row);
      placed.push({ text, left, right: left + width, top: y - 10, bottom: y + 3 });
      // A pale box behind the text, so the series' lines do not cross it.
      ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
      ctx.fillRect(left - 1, y - 10, width + 2, 13);
      ctx.fillStyle = style.text;
      ctx.fillText(text, left, y);
    }
    chart.markerLabels = { ...chart.markerLabels, [id]: placed };
    ctx.restore();
  },
});
const phaseMarkers = markers("phaseMarkers", () => report.phases ?? [], {
  text: "#57606a", line: "#8c959f", dash: [2, 3], top: 0,
  label: (phase) => phase.label, rowY: (area, row) => area.top + 10 + row * 13,
});
const consolidationMarkers = markers("consolidationMarkers", () => report.consolidations ?? [], {
  text: "#cf222e", line: "#cf222e", dash: [4, 2], top: 14,
  label: (step) => "▼ " + step.ec2InstanceId.slice(-6) + " " + step.reason,
  rowY: (area, row) => area.bottom - 6 - row * 13,
});
// One look per timeline field, so a field is the same line, label and colour in every chart.
const looks = {
  demand: () => series("demand", "demand", "#6e7781"),
  capacity: () => series("capacity", "capacity", "#afb8c1", true),
  highPriorityDesired: () => series("highPriorityDesired", "P1 desired", "#0969da", true),
  highPriorityRunning: () => series("highPriorityRunning", "P1 running", "#0969da"),
  lowPriorityDesired: () => series("lowPriorityDesired", "P2 desired", "#bf8700", true),
  lowPriorityRunning: () => series("lowPriorityRunning", "P2 running", "#bf8700"),
  hosts: () => series("hosts", "ACTIVE hosts", "#6e7781"),
  drainingHosts: () => series("drainingHosts", "DRAINING hosts", "#cf222e", true),
  hostsDesired: () => series("hostsDesired", "desired capacity (Auto Scaling group)", "#1a7f37", true),
  perHostDesired: () => series("perHostDesired", "per-host desired", "#8250df", true),
  perHostRunning: () => series("perHostRunning", "per-host running", "#8250df"),
  reservation: () => series("reservation", "CapacityProviderReservation", "#cf222e"),
};
const lines = (...keys) => keys.map((key) => looks[key]());
const timeChart = (id, datasets, yTitle, markers = [phaseMarkers]) =>
  new Chart(document.getElementById(id), { type: "line", data: { datasets }, options: timeOptions(yTitle), plugins: markers });
`;

const demandChart: ChartPiece = {
  id: "demand",
  title: "Demand vs. P1/P2 tasks",
  note: "Capacity is the worker slots on ACTIVE hosts plus the worker tasks that hold one. It dips when hosts start draining (their slots leave at once) and while replaced tasks are still stopping; P1 + P2 follow it down, shrinking first.",
  script: `timeChart("demand", lines("demand", "capacity", "highPriorityDesired", "highPriorityRunning",
  "lowPriorityDesired", "lowPriorityRunning"), "tasks / demand");`,
};

const hostsChart: ChartPiece = {
  id: "hosts",
  title: "Hosts vs. per-host tasks",
  note: "Draining hosts still run their tasks until ECS has moved them; the per-host service counts ACTIVE hosts only.",
  script: `timeChart("hosts", lines("hosts", "drainingHosts", "hostsDesired", "perHostDesired", "perHostRunning"),
  "count", [phaseMarkers, consolidationMarkers]);`,
};

/** Both ways at once: P1's demand brings hosts, the consolidator takes them back. */
const rightSizingChart: ChartPiece = {
  id: "right-sizing",
  title: "Right-sized both ways: hosts, desired capacity, P1/P2, consolidation steps",
  note: "P1 tasks beyond the free slots wait (PROVISIONING) and managed scaling raises desired capacity; P2 only takes slots left free and is expendable. Each red line is a host the host consolidator terminated (TerminateInstanceInAutoScalingGroup, desired capacity decremented), with why: empty or underutilized.",
  script: `timeChart("right-sizing", lines("hosts", "hostsDesired", "highPriorityDesired", "highPriorityRunning",
  "lowPriorityRunning"), "hosts / tasks", [phaseMarkers, consolidationMarkers]);`,
};

/** Managed scaling's metric: above 100 it adds hosts, below it may remove empty ones. */
const reservationChart: ChartPiece = {
  id: "reservation",
  title: "Managed scaling: CapacityProviderReservation",
  note: "M / N × 100: the hosts the tasks need (M) over the hosts there are (N); managed scaling steers it to the target capacity.",
  script: `timeChart("reservation", lines("reservation"), "percent");`,
};

/** Latency only: requests/s has its own unit and is in the table above the chart. */
const latencyChart: ChartPiece = {
  id: "benchmark",
  title: "Benchmark latency",
  note: "Latency percentiles of the measured run, in milliseconds; throughput and failures are in the table.",
  script: `const bench = report.benchmark;
new Chart(document.getElementById("benchmark"), {
  type: "bar",
  data: { labels: ["p50", "p90", "p99", "max"], datasets: [
    { label: "latency (ms)", backgroundColor: "#0969da",
      data: bench ? [bench.latencyMs.p50, bench.latencyMs.p90, bench.latencyMs.p99, bench.latencyMs.max] : [] },
  ] },
  options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
    scales: { y: { beginAtZero: true, title: { display: true, text: "ms" } } } },
});`,
};

/** The outside probe on the load balancer during the good rollout: every answer, when it came. */
const rolloutChart: ChartPiece = {
  id: "rollout",
  title: "Probe answers during the rollout",
  note: "Each dot is one request through the load balancer while the rollout ran; red ones got no 2xx.",
  script: `const probe = report.rollout;
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
      x: { type: "linear", title: { display: true, text: "seconds since StartExecution" } },
      y: { beginAtZero: true, title: { display: true, text: "probe latency (ms)" } },
    },
  },
});`,
};

/** The timeline charts, in page order; the benchmark's and the rollout's follow their tables. */
export const timelineCharts: readonly ChartPiece[] = [
  rightSizingChart,
  demandChart,
  hostsChart,
  reservationChart,
];
export const benchmarkCharts: readonly ChartPiece[] = [latencyChart];
export const rolloutCharts: readonly ChartPiece[] = [rolloutChart];
