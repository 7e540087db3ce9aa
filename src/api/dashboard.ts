/**
 * The dashboard page served at `GET /` (DESIGN.md, "src/api"): static HTML plus a small vanilla script
 * (served at `/dashboard.js`, so the page runs under `Content-Security-Policy: default-src 'self'`) that
 * polls the JSON routes every two seconds and shows status, recent blocks, mempool, peers and SCP state.
 * Every value is written with `textContent`, never as HTML.
 */

/** The HTML of the dashboard page. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ZkVM node</title>
<link rel="icon" href="data:,">
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
h1 { font-size: 1.3rem; } h2 { font-size: 1.05rem; margin-top: 1.5rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
td, th { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; font-family: ui-monospace, monospace; }
th { background: #f0f0f0; } #error { color: #b00; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(26rem, 1fr)); gap: 1rem; }
</style>
</head>
<body>
<h1>ZkVM node <span id="network"></span></h1>
<p id="error"></p>
<div class="grid">
<section><h2>Status</h2><table id="status"></table></section>
<section><h2>Consensus (SCP)</h2><table id="quorum"></table></section>
</div>
<section><h2>Recent blocks</h2><table id="blocks"></table></section>
<div class="grid">
<section><h2>Mempool</h2><table id="mempool"></table></section>
<section><h2>Peers</h2><table id="peers"></table></section>
</div>
<script src="/dashboard.js"></script>
</body>
</html>
`;

/** The dashboard's script. */
export const DASHBOARD_JS = `"use strict";
(function () {
  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); return e; }
  function short(h) { return typeof h === "string" && h.length > 16 ? h.slice(0, 8) + "…" + h.slice(-8) : h; }
  function show(v) { return v !== null && typeof v === "object" ? JSON.stringify(v) : String(v); }
  function kv(id, obj) {
    var t = document.getElementById(id); t.replaceChildren();
    Object.keys(obj).forEach(function (k) { var r = el("tr"); r.append(el("th", k), el("td", show(obj[k]))); t.append(r); });
  }
  function rows(id, head, list, cells) {
    var t = document.getElementById(id); t.replaceChildren();
    var h = el("tr"); head.forEach(function (c) { h.append(el("th", c)); }); t.append(h);
    list.forEach(function (item) { var r = el("tr"); cells(item).forEach(function (c) { r.append(el("td", c)); }); t.append(r); });
  }
  function get(path) {
    return fetch(path, { headers: { accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return r.json();
    });
  }
  function tick() {
    Promise.all([get("/status"), get("/blocks?limit=10"), get("/mempool"), get("/peers"), get("/quorum")])
      .then(function (a) {
        document.getElementById("error").textContent = "";
        document.getElementById("network").textContent = "(" + a[0].network + ")";
        kv("status", a[0]);
        var q = a[4]; kv("quorum", q);
        rows("blocks", ["height", "id", "time", "txs"], a[1].blocks, function (b) {
          return [b.height, short(b.id), new Date(Number(b.timestampMs)).toISOString(), b.txids.length];
        });
        rows("mempool", ["txid", "size", "fee"], a[2].entries.slice(0, 50), function (e) { return [short(e.txid), e.size, e.fee]; });
        rows("peers", ["id", "address", "direction"], a[3].peers, function (p) { return [short(p.id), p.address || "", p.direction || ""]; });
      })
      .catch(function (e) { document.getElementById("error").textContent = String(e && e.message || e); });
  }
  tick();
  setInterval(tick, 2000);
})();
`;
