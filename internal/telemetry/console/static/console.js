// peakshop console: polls /console/api/state and redraws. No framework;
// charts are uPlot (embedded, pinned in VERSIONS.txt).
(function () {
  "use strict";
  var body = document.body;
  var interval = parseInt(body.dataset.interval, 10) || 2000;
  var maxPoints = 300;
  var lastT = 0;
  var xs = [];
  var cols = {};
  var charts = {};
  var selected = null;
  var lastTraces = [];

  // chart id -> series (field in a point, label, colour)
  var defs = {
    "c-rps": [["rps", "requests/s", "#4493f8"]],
    "c-latency": [["p50_ms", "p50", "#3fb950"], ["p95_ms", "p95", "#d29922"], ["p99_ms", "p99", "#f85149"]],
    "c-errors": [["errors_per_s", "5xx/s", "#f85149"], ["client_errors_per_s", "4xx/s", "#d29922"]],
    "c-orders": [["orders_per_min", "orders/min", "#3fb950"], ["declines_per_min", "declines/min", "#f85149"], ["stockouts_per_min", "stock-outs/min", "#d29922"], ["synthetic_checkouts_per_min", "synthetic/min", "#8a96a3"]],
    "c-revenue": [["revenue_per_min", "revenue/min", "#a371f7"]],
    "c-cache": [["cache_hit_ratio", "hit ratio", "#39c5cf"]],
    "c-instances": [["instances", "instances", "#4493f8"]],
    "c-queue": [["queue_lag", "lag", "#d29922"], ["dead_letters", "dead letters", "#f85149"]],
    "c-waf": [["waf_blocks_per_s", "WAF blocks/s", "#f85149"], ["rate_blocks_per_s", "rate-rule blocks/s", "#d29922"]],
    "c-runtime": [["goroutines", "goroutines", "#4493f8"], ["heap_mb", "heap MB", "#a371f7"]]
  };

  function makeChart(id) {
    var el = document.getElementById(id);
    var series = [{}];
    var data = [xs];
    defs[id].forEach(function (d) {
      series.push({ label: d[1], stroke: d[2], width: 2, spanGaps: false, points: { show: false } });
      data.push(cols[d[0]]);
    });
    var opts = {
      width: Math.max(300, el.clientWidth || 420), height: 200, series: series,
      axes: [{ stroke: "#8a96a3", grid: { stroke: "#2a3440" } }, { stroke: "#8a96a3", grid: { stroke: "#2a3440" }, size: 55 }],
      scales: { x: { time: true } }, legend: { live: true }, cursor: { drag: { x: false, y: false } }
    };
    charts[id] = new uPlot(opts, data, el);
  }

  function addPoints(points) {
    points.forEach(function (p) {
      xs.push(p.t);
      Object.keys(defs).forEach(function (id) {
        defs[id].forEach(function (d) { (cols[d[0]] = cols[d[0]] || []).push(p[d[0]]); });
      });
      lastT = p.t;
    });
    if (xs.length > maxPoints) {
      var cut = xs.length - maxPoints;
      xs.splice(0, cut);
      Object.keys(cols).forEach(function (k) { cols[k].splice(0, cut); });
    }
  }

  function redraw(features) {
    document.querySelectorAll("[data-feature]").forEach(function (panel) {
      panel.classList.toggle("not-running", !features[panel.dataset.feature]);
    });
    Object.keys(defs).forEach(function (id) {
      if (!charts[id]) { makeChart(id); }
      var data = [xs];
      defs[id].forEach(function (d) { data.push(cols[d[0]] || []); });
      charts[id].setData(data);
    });
  }

  function text(tag, s, cls) {
    var e = document.createElement(tag);
    e.textContent = s;
    if (cls) { e.className = cls; }
    return e;
  }

  function fmt(v) { return v === null || v === undefined ? "·" : (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)); }

  function renderAlarms(alarms) {
    var tb = document.querySelector("#alarms tbody");
    tb.replaceChildren();
    if (!alarms || !alarms.length) {
      var tr = document.createElement("tr");
      var td = text("td", "no alarm engine running");
      td.colSpan = 5;
      tr.appendChild(td);
      tb.appendChild(tr);
      return;
    }
    alarms.forEach(function (a) {
      var tr = document.createElement("tr");
      tr.appendChild(text("td", a.name + (a.description ? " — " + a.description : "")));
      tr.appendChild(text("td", a.state, "state-" + a.state));
      tr.appendChild(text("td", new Date(a.since).toLocaleTimeString()));
      tr.appendChild(text("td", a.signal.kind + " " + a.signal.metric + " " + a.comparison + " " + a.threshold + ", " + a.datapoints + " of " + a.periods));
      tr.appendChild(text("td", (a.recent || []).map(fmt).join(" "), "spark"));
      tr.title = a.reason;
      tb.appendChild(tr);
    });
  }

  function renderTraces(traces) {
    lastTraces = traces || [];
    var tb = document.querySelector("#traces tbody");
    tb.replaceChildren();
    lastTraces.forEach(function (t) {
      var tr = document.createElement("tr");
      if (t.error) { tr.className = "err"; }
      if (t.trace_id === selected) { tr.classList.add("sel"); }
      tr.appendChild(text("td", new Date(t.start).toLocaleTimeString()));
      tr.appendChild(text("td", t.root));
      tr.appendChild(text("td", String(t.spans.length)));
      tr.appendChild(text("td", t.duration_ms.toFixed(2) + " ms"));
      tr.addEventListener("click", function () { selected = t.trace_id; renderTraces(lastTraces); });
      tb.appendChild(tr);
    });
    if (!selected && lastTraces.length) { selected = lastTraces[0].trace_id; }
    renderSpans(lastTraces.find(function (t) { return t.trace_id === selected; }));
  }

  function renderSpans(t) {
    var box = document.getElementById("spans");
    box.replaceChildren();
    if (!t) { return; }
    box.appendChild(text("h2", "trace " + t.trace_id));
    var t0 = new Date(t.start).getTime();
    var total = Math.max(t.duration_ms, 0.001);
    var depth = {};
    t.spans.forEach(function (s) {
      var d = s.parent_id && depth[s.parent_id] !== undefined ? depth[s.parent_id] + 1 : 0;
      depth[s.span_id] = d;
      var row = document.createElement("div");
      row.className = "span-row";
      var name = text("span", "\u00a0".repeat(d * 2) + s.name + " [" + s.service + "]");
      name.title = JSON.stringify(s.attributes || {}, null, 1);
      row.appendChild(name);
      var bar = document.createElement("div");
      bar.className = "span-bar";
      var i = document.createElement("i");
      if (s.error) { i.className = "err"; }
      i.style.left = ((new Date(s.start).getTime() - t0) / total * 100) + "%";
      i.style.width = (s.duration_ms / total * 100) + "%";
      bar.appendChild(i);
      row.appendChild(bar);
      row.appendChild(text("span", s.duration_ms.toFixed(3) + " ms"));
      box.appendChild(row);
    });
  }

  function renderMap(m) {
    var svg = document.getElementById("map");
    var ns = "http://www.w3.org/2000/svg";
    svg.replaceChildren();
    var nodes = (m && m.nodes) || [];
    if (!nodes.length) {
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", 10); t.setAttribute("y", 30); t.textContent = "no traces yet";
      svg.appendChild(t);
      return;
    }
    var order = { clients: 0, external: 1, service: 1, database: 2, queue: 2 };
    var cols = [[], [], []];
    nodes.forEach(function (n) { cols[order[n.kind] !== undefined ? order[n.kind] : 1].push(n); });
    var width = svg.clientWidth || 900;
    var pos = {};
    cols.forEach(function (col, ci) {
      col.forEach(function (n, ri) { pos[n.name] = { x: 20 + ci * (width - 200) / 2, y: 20 + ri * 50 }; });
    });
    (m.edges || []).forEach(function (e) {
      var a = pos[e.from], b = pos[e.to];
      if (!a || !b) { return; }
      var p = document.createElementNS(ns, "path");
      p.setAttribute("class", "edge");
      p.setAttribute("d", "M" + (a.x + 150) + "," + (a.y + 15) + " L" + b.x + "," + (b.y + 15));
      svg.appendChild(p);
      var l = document.createElementNS(ns, "text");
      l.setAttribute("x", (a.x + 150 + b.x) / 2 - 40); l.setAttribute("y", (a.y + b.y) / 2 + 10);
      l.textContent = e.calls + " calls, " + e.avg_ms.toFixed(2) + " ms" + (e.errors ? ", " + e.errors + " err" : "");
      svg.appendChild(l);
    });
    nodes.forEach(function (n) {
      var g = document.createElementNS(ns, "g");
      g.setAttribute("class", "node");
      var r = document.createElementNS(ns, "rect");
      r.setAttribute("x", pos[n.name].x); r.setAttribute("y", pos[n.name].y);
      r.setAttribute("width", 150); r.setAttribute("height", 30); r.setAttribute("rx", 4);
      var t = document.createElementNS(ns, "text");
      t.setAttribute("x", pos[n.name].x + 8); t.setAttribute("y", pos[n.name].y + 19);
      t.textContent = n.name + " (" + n.kind + ")";
      g.appendChild(r); g.appendChild(t);
      svg.appendChild(g);
    });
  }

  var status = document.getElementById("status");
  function poll() {
    fetch("/console/api/state?since=" + lastT, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 401) { window.location = "/console/login"; throw new Error("signed out"); }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      })
      .then(function (st) {
        addPoints(st.points || []);
        redraw(st.features || {});
        renderAlarms(st.alarms);
        renderTraces(st.traces);
        renderMap(st.service_map);
        status.textContent = "live · " + new Date(st.now).toLocaleTimeString();
        status.className = "status live";
        body.dataset.ready = "true";
      })
      .catch(function (e) { status.textContent = "disconnected: " + e.message; status.className = "status down"; })
      .finally(function () { setTimeout(poll, interval); });
  }
  // Read-only view of the charts' data, for the browser test (and anyone
  // curious in the developer tools).
  window.peakshopConsole = { cols: cols, times: xs };
  poll();
})();
