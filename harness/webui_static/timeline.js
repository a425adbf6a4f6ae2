// fairbid-ha's live timeline (harness/webui.py /fairbid/timeline.json), drawn as SVG with no library:
// requests/s, failures/s and p95 latency per second since the test's start; each fault's band (red
// until the failover or its heal, grey hatched while still in place after the failover), Sentinel
// events as purple dotted lines (named in the top panel), probes and hand steps as green dashes.
(function () {
  "use strict";
  var base = document.currentScript.src.replace(/fairbid\/static\/[^/]+$/, "");
  var NS = "http://www.w3.org/2000/svg";
  var PANELS = [
    { key: "rps", title: "requests/s (1 s bins, per-request log)", color: "#1f77b4" },
    { key: "fps", title: "failures/s", color: "#d62728" },
    { key: "p95", title: "p95 latency, ms", color: "#222" }
  ];
  var H = 150, GAP = 34, LEFT = 56, RIGHT = 16, TOP = 70, BOTTOM = 40;

  function node(tag, attrs, parent, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function nice(max) {
    if (!(max > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(max))), m = max / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function ticks(max, n) {
    var step = nice(max / n), out = [];
    for (var v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 1000) / 1000);
    return out;
  }

  function draw(d) {
    var box = document.getElementById("timeline");
    var title = document.getElementById("tl-title");
    if (title) title.textContent = d.run_id ? d.scenario + " · run " + d.run_id + " · " + d.phase : "";
    if (!d.run_id) { box.textContent = "no run yet: start one from Locust's page"; return; }
    var W = Math.max(600, box.clientWidth || 1000);
    var innerW = W - LEFT - RIGHT;
    var series = d.series || [];
    var end = Math.max(10, d.now || 0, series.length ? series[series.length - 1].t + 1 : 0);
    (d.faults || []).forEach(function (f) { end = Math.max(end, f.to); });
    var x = function (t) { return LEFT + (Math.max(0, Math.min(end, t)) / end) * innerW; };
    var totalH = TOP + PANELS.length * H + (PANELS.length - 1) * GAP + BOTTOM;
    var svg = node("svg", { width: W, height: totalH, viewBox: "0 0 " + W + " " + totalH, id: "timeline-svg" });
    var defs = node("defs", {}, svg);
    var pat = node("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse",
      patternTransform: "rotate(45)" }, defs);
    node("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#999", "stroke-width": 2 }, pat);

    PANELS.forEach(function (p, i) {
      var y0 = TOP + i * (H + GAP);
      var g = node("g", { "class": "panel", "data-panel": p.key }, svg);
      var vals = series.map(function (s) { return s[p.key]; }).filter(function (v) { return v !== null; });
      var max = nice(Math.max.apply(null, vals.concat([1])));
      var y = function (v) { return y0 + H - (v / max) * H; };
      node("text", { x: LEFT, y: y0 - 6, "font-weight": "bold" }, g, p.title);
      // the faults' bands, under everything
      (d.faults || []).forEach(function (f) {
        node("rect", { "class": "band", "data-fault": f.fault, x: x(f.from), y: y0,
          width: Math.max(1, x(f.effect_to) - x(f.from)), height: H, fill: "rgba(220,30,30,0.16)" }, g)
          .appendChild(document.createElementNS(NS, "title")).textContent = f.label + " (" + f.from + " s)";
        if (f.to > f.effect_to) {
          node("rect", { "class": "band-rest", x: x(f.effect_to), y: y0, width: Math.max(0, x(f.to) - x(f.effect_to)),
            height: H, fill: "url(#hatch)", opacity: 0.5 }, g);
        }
      });
      // axes and grid
      ticks(max, 4).forEach(function (v) {
        node("line", { x1: LEFT, x2: W - RIGHT, y1: y(v), y2: y(v), stroke: "#e4e4e4" }, g);
        node("text", { x: LEFT - 6, y: y(v) + 4, "text-anchor": "end", fill: "#555" }, g, String(v));
      });
      ticks(end, 10).forEach(function (t) {
        node("line", { x1: x(t), x2: x(t), y1: y0 + H, y2: y0 + H + 4, stroke: "#555" }, g);
        node("text", { x: x(t), y: y0 + H + 16, "text-anchor": "middle", fill: "#555" }, g, String(t));
      });
      node("rect", { x: LEFT, y: y0, width: innerW, height: H, fill: "none", stroke: "#999" }, g);
      // events and steps
      (d.events || []).forEach(function (e) {
        node("line", { "class": "event-mark", x1: x(e.t), x2: x(e.t), y1: y0, y2: y0 + H, stroke: "purple",
          "stroke-dasharray": "2,3" }, g);
      });
      (d.steps || []).forEach(function (s) {
        node("line", { "class": "step-mark", x1: x(s.t), x2: x(s.t), y1: y0, y2: y0 + H, stroke: "green",
          "stroke-dasharray": "6,3" }, g);
      });
      // the line: a gap where a second has no value (p95 of a second without requests)
      var path = "", pen = false;
      series.forEach(function (s) {
        var v = s[p.key];
        if (v === null) { pen = false; return; }
        path += (pen ? "L" : "M") + x(s.t + 0.5).toFixed(1) + "," + y(v).toFixed(1);
        pen = true;
      });
      if (path) node("path", { d: path, fill: "none", stroke: p.color, "stroke-width": 1.5, "class": "series" }, g);
    });
    // names: faults above the top panel, events at staggered heights (the first of each kind per spot)
    var named = {};
    (d.faults || []).forEach(function (f) {
      node("text", { "class": "band-label", x: x(f.from) + 2, y: 14, fill: "#b00" }, svg, "#" + f.fault + " " + f.label);
    });
    var taken = [-1e9, -1e9, -1e9, -1e9, -1e9];  // per row of names: where the last name there ends
    (d.events || []).forEach(function (e) {
      var k = e.event + "@" + Math.round(e.t);
      if (named[k]) return;
      named[k] = true;
      var px = x(e.t), w = 6.5 * e.event.length;
      var right = px + w > LEFT + innerW;  // a name that would run off the edge goes to the left of its line
      var from = right ? px - 2 - w : px + 2;
      var level = taken.findIndex(function (end) { return from > end + 4; });
      if (level < 0) return;  // no row has room: the line stays, unnamed, rather than names written over names
      taken[level] = right ? px : px + 2 + w;
      node("text", { "class": "event-label", x: right ? px - 2 : px + 2, y: 22 + level * 11, fill: "purple",
                     "text-anchor": right ? "end" : "start" }, svg, e.event);
    });
    (d.steps || []).forEach(function (s) {
      node("text", { x: x(s.t) + 2, y: 66, fill: "green" }, svg, s.name);
    });
    node("text", { x: LEFT + innerW / 2, y: totalH - 8, "text-anchor": "middle", fill: "#333" }, svg,
      "seconds since the test's start (now " + (d.now || 0) + " s)");
    box.textContent = "";
    box.appendChild(svg);
  }

  function poll() {
    fetch(base + "fairbid/timeline.json", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(draw)
      .catch(function () { /* Locust quit: the last picture stays */ });
  }
  poll();
  setInterval(poll, 2000);
})();
