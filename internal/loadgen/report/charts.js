// Draws the report's charts from `timeline` (one point per second) with
// uPlot. Plain script, no modules: the page must work from file://.
(function () {
  const tl = timeline || [];
  const x = tl.map(p => p.t);
  const col = k => tl.map(p => p[k]);
  const width = Math.min(1150, document.body.clientWidth - 20);
  const axes = [{label: "seconds"}, {}];
  const time = {time: false};
  function chart(id, series, data) {
    const el = document.getElementById(id);
    if (!tl.length) { el.textContent = "no data"; return; }
    new uPlot({width, height: 240, scales: {x: time}, axes, series: [{label: "s"}].concat(series)}, [x].concat(data), el);
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
})();
