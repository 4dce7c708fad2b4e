// Draws a report's charts from `timeline` (one point per second of the
// load) with uPlot. A rehearsal's page also defines `bands` (fault windows,
// alarms, the flash sale), shaded on the same seconds axis and listed in
// #bands-legend; a load report has none. Plain script, no modules: the
// page must work from file://.
(function () {
  const tl = timeline || [];
  const bs = (typeof bands !== "undefined" && bands) || [];
  const x = tl.map(p => p.t);
  const col = k => tl.map(p => p[k]);
  const width = Math.min(1150, document.body.clientWidth - 20);
  const faultColours = ["rgba(207,34,46,0.13)", "rgba(130,80,223,0.13)", "rgba(191,135,0,0.16)", "rgba(9,105,218,0.12)", "rgba(26,127,55,0.13)"];
  const labels = [...new Set(bs.filter(b => b.kind === "fault").map(b => b.label))];
  const colour = b => b.kind === "alarm" ? "rgba(207,34,46,0.55)" : b.kind === "sale" ? "rgba(191,135,0,0.6)" :
    faultColours[labels.indexOf(b.label) % faultColours.length];
  // Faults fill the plot's height; alarms are a strip along its top and the
  // flash sale one along its bottom, so all show where they overlap.
  const shade = u => {
    const ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
    ctx.save();
    for (const b of bs) {
      const x0 = u.valToPos(b.from, "x", true), x1 = u.valToPos(b.to, "x", true);
      ctx.fillStyle = colour(b);
      if (b.kind === "alarm") ctx.fillRect(x0, top, Math.max(x1 - x0, 2), 6 * devicePixelRatio);
      else if (b.kind === "sale") ctx.fillRect(x0, top + h - 6 * devicePixelRatio, Math.max(x1 - x0, 2), 6 * devicePixelRatio);
      else ctx.fillRect(x0, top, Math.max(x1 - x0, 2), h);
    }
    ctx.restore();
  };
  const xmax = Math.max(x.length ? x[x.length - 1] : 0, ...bs.map(b => b.to));
  function chart(id, series, data) {
    const el = document.getElementById(id);
    if (!tl.length) { el.textContent = "no data"; return; }
    new uPlot({width, height: 240, scales: {x: {time: false, range: [0, xmax]}},
      axes: [{label: "seconds since the load started"}, {}], hooks: {drawClear: [shade]},
      series: [{label: "s"}].concat(series)}, [x].concat(data), el);
  }
  chart("chart-traffic", [
    {label: "shopper req/s", stroke: "#0969da"},
    {label: "errors/s", stroke: "#cf222e"},
    {label: "hostile req/s", stroke: "#8250df"},
  ], [col("requests"), col("errors"), col("hostile")]);
  chart("chart-latency", [
    {label: "p50 ms", stroke: "#1a7f37"},
    {label: "p99 ms", stroke: "#bf8700"},
  ], [col("p50_ms"), col("p99_ms")]);
  chart("chart-orders", [
    {label: "orders/s", stroke: "#1a7f37"},
    {label: "sessions in flight", stroke: "#6e7781"},
  ], [col("orders"), col("in_flight")]);
  const legend = document.getElementById("bands-legend");
  for (const b of legend ? bs : []) {
    const s = document.createElement("span");
    s.className = "band";
    s.style.background = colour(b);
    s.textContent = b.label + " " + b.from.toFixed(0) + "–" + b.to.toFixed(0) + " s";
    legend.appendChild(s);
  }
})();
