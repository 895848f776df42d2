namespace Gateway;

/// <summary>The status page: plain HTML and a little script that fetches <c>stats</c> every 3 seconds and fills the tables.</summary>
/// <remarks>Every number sits in an element with an id or <c>data-profile</c>/<c>data-field</c> attributes and its exact value in <c>data-value</c>, so tests and scrapers can read it.</remarks>
internal static class StatusPage
{
    public const string Html = """
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LlmAdapters Gateway</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; background: #f5f6f8; color: #1d232b; }
  header { background: #1d2b3a; color: #fff; padding: 14px 28px; display: flex; align-items: baseline; gap: 18px; }
  header h1 { font-size: 19px; margin: 0; font-weight: 600; }
  header .muted { color: #a9b6c4; }
  main { padding: 20px 28px; max-width: 1150px; }
  .cards { display: flex; gap: 14px; flex-wrap: wrap; margin-bottom: 22px; }
  .card { background: #fff; border-radius: 8px; padding: 12px 18px; min-width: 140px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  .card .label { color: #5b6775; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
  .card .value { font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
  h2 { font-size: 15px; margin: 18px 0 8px; }
  table { border-collapse: collapse; width: 100%; background: #fff; border-radius: 8px; overflow: hidden; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  th, td { padding: 8px 12px; text-align: right; border-bottom: 1px solid #eceef1; font-variant-numeric: tabular-nums; }
  th { background: #fafbfc; color: #5b6775; font-weight: 600; font-size: 12px; }
  th.left, td.left { text-align: left; }
  td.key { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
  td.err { color: #b42318; }
  .pill { display: inline-block; border-radius: 10px; padding: 1px 8px; font-size: 12px; background: #e7f6ec; color: #146c2e; }
  .pill.bad { background: #fdecea; color: #b42318; }
  .pill.rest { background: #fff4e0; color: #8a5300; }
  .note { color: #5b6775; font-size: 12px; margin-top: 8px; }
  code { background: #eceef1; padding: 1px 4px; border-radius: 4px; }
</style>
</head>
<body>
<header><h1>LlmAdapters Gateway</h1><span class="muted">OpenAI-compatible API at <code style="background:#2c3e50;color:#fff" id="api-base"></code></span><span class="muted" id="store"></span><span class="muted" id="updated">loading…</span></header>
<main>
  <div class="cards">
    <div class="card"><div class="label">Uptime</div><div class="value" id="uptime">–</div></div>
    <div class="card"><div class="label">Requests</div><div class="value" id="total-requests">–</div></div>
    <div class="card"><div class="label">Errors</div><div class="value" id="total-errors">–</div></div>
    <div class="card"><div class="label">Rejected</div><div class="value" id="total-rejected">–</div></div>
    <div class="card"><div class="label">Input tokens</div><div class="value" id="total-input-tokens">–</div></div>
    <div class="card"><div class="label">Output tokens</div><div class="value" id="total-output-tokens">–</div></div>
  </div>
  <h2>Models (profiles)</h2>
  <table>
    <thead><tr><th class="left">Model</th><th class="left">Adapter</th><th>Requests</th><th>Errors</th><th>Input tokens</th><th>Output tokens</th><th>p50</th><th>p90</th><th>p99</th><th>First chunk p50</th></tr></thead>
    <tbody id="profiles"></tbody>
  </table>
  <h2>Upstream keys</h2>
  <table>
    <thead><tr><th class="left">Model</th><th class="left">Key</th><th class="left">Source</th><th>Requests</th><th>Failures</th><th class="left">State</th><th class="left">Reason</th></tr></thead>
    <tbody id="keys"></tbody>
  </table>
  <p class="note">Counts since the store was created (with Redis: every instance's); rejected: requests refused before any upstream call (wrong gateway key, unknown model, bad request), by reason: <span id="rejected-reasons">–</span>. Latency over the last 2048 calls of each model on this instance. Refreshed every 3 seconds from <a href="stats">stats</a>.</p>
</main>
<script>
const fields = ["requests", "errors", "inputTokens", "outputTokens", "latencyP50Ms", "latencyP90Ms", "latencyP99Ms", "timeToFirstChunkP50Ms"];
function cell(row, text, attrs, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) td.setAttribute(k, v);
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}
function num(n) { return n === null || n === undefined ? "–" : n.toLocaleString("en-US"); }
function ms(n) { return n === null || n === undefined ? "–" : (n >= 1000 ? (n / 1000).toFixed(2) + " s" : n.toFixed(1) + " ms"); }
function uptime(s) {
  s = Math.floor(s);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
  return (d ? d + "d " : "") + (d || h ? h + "h " : "") + m + "m " + (s % 60) + "s";
}
function setTotal(id, value) { const el = document.getElementById(id); el.textContent = num(value); el.dataset.value = value; }
function render(s) {
  document.getElementById("uptime").textContent = uptime(s.uptimeSeconds);
  document.getElementById("uptime").dataset.value = s.uptimeSeconds;
  setTotal("total-requests", s.totals.requests);
  setTotal("total-errors", s.totals.errors);
  setTotal("total-rejected", s.totals.rejected);
  document.getElementById("rejected-reasons").textContent = Object.entries(s.rejected).map(([r, c]) => r + ": " + c).join(", ") || "none";
  document.getElementById("store").textContent = "state: " + s.store;
  setTotal("total-input-tokens", s.totals.inputTokens);
  setTotal("total-output-tokens", s.totals.outputTokens);
  const body = document.getElementById("profiles");
  const keys = document.getElementById("keys");
  body.replaceChildren();
  keys.replaceChildren();
  for (const p of s.profiles) {
    const row = body.insertRow();
    cell(row, p.profile, { "data-profile": p.profile, "data-field": "profile" }, "left");
    cell(row, p.adapter || "", {}, "left");
    for (const f of fields) {
      const text = f.endsWith("Ms") ? ms(p[f]) : num(p[f]);
      const td = cell(row, text, { "data-profile": p.profile, "data-field": f, "data-value": p[f] === null ? "" : p[f] }, f === "errors" && p.errors > 0 ? "err" : "");
      if (f === "errors") td.title = Object.entries(p.errorsByType).map(([t, c]) => t + ": " + c).join(", ");
    }
    if (p.keys.length > 0) {
      for (const k of p.keys) {
        const r = keys.insertRow();
        cell(r, p.profile, {}, "left");
        cell(r, k.id, { "data-key": k.id, "data-field": "id" }, "left key");
        cell(r, k.source, {}, "left");
        cell(r, num(k.requests), { "data-key": k.id, "data-field": "requests", "data-value": k.requests });
        cell(r, num(k.failures), { "data-key": k.id, "data-field": "failures", "data-value": k.failures });
        const state = cell(r, "", { "data-key": k.id, "data-field": "state", "data-value": k.state }, "left");
        const pill = document.createElement("span");
        pill.className = "pill" + (k.state === "healthy" ? "" : k.state === "resting" || k.state === "rate_limited" ? " rest" : " bad");
        pill.textContent = k.state + (k.restUntil ? " until " + new Date(k.restUntil).toLocaleTimeString("en-GB") : "");
        state.appendChild(pill);
        cell(r, k.reason || "", {}, "left");
      }
    } else {
      const r = keys.insertRow();
      cell(r, p.profile, {}, "left");
      cell(r, "no upstream key (the profile needs none, or none was added yet)", {}, "left").colSpan = 6;
    }
  }
  document.getElementById("updated").textContent = "updated " + new Date(s.at).toLocaleTimeString("en-GB");
  document.getElementById("updated").dataset.at = s.at;
  document.body.dataset.loaded = "true";
}
async function refresh() {
  try {
    const r = await fetch("stats", { cache: "no-store" });
    render(await r.json());
  } catch (e) {
    document.getElementById("updated").textContent = "stats unavailable: " + e;
  }
}
document.getElementById("api-base").textContent = location.origin + "__PATH_PREFIX__/v1";
refresh();
setInterval(refresh, 3000);
</script>
</body>
</html>
""";
}
