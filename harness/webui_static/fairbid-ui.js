// fairbid-ha's panel on Locust's page (and on its own pages): the run's phase, then its verdict with
// every failed check and its figure, the key figures and links (harness/webui.py /fairbid/status).
(function () {
  "use strict";
  var me = document.currentScript;
  var base = me.src.replace(/fairbid\/static\/[^/]+$/, "");
  var PHASES = {
    idle: "no run yet: start one with the form",
    starting: "starting: observers and the fault schedule",
    running: "running: faults fire at their offsets",
    healing: "healing every fault, Sentinel settling…",
    verifying: "verifying: every acknowledged write looked up…",
    analysing: "analysing: summary, report, plots…",
    done: "done",
    interrupted: "interrupted: healed, not verified"
  };
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fig(v) {
    if (v === null || v === undefined) return "n/a";
    if (typeof v === "number" && !Number.isInteger(v)) return String(Math.round(v * 1000) / 1000);
    return String(v);
  }
  function link(href, text) { return el("a", { href: base + href, target: "_blank", rel: "noopener" }, text); }
  if (!document.querySelector('link[href$="fairbid/static/fairbid.css"]')) {
    document.head.appendChild(el("link", { rel: "stylesheet", href: base + "fairbid/static/fairbid.css" }));
  }
  var panel = el("div", { id: "fairbid-panel" });
  var last = "";
  function render(s) {
    var key = JSON.stringify(s);
    if (key === last) return;
    last = key;
    panel.textContent = "";
    // its frame says where the run is: amber while the harness heals and verifies, then the verdict's colour
    panel.setAttribute("data-state", s.verdict ? (s.verdict === "PASS" ? "pass" : "fail")
      : (["healing", "verifying", "analysing"].indexOf(s.phase) >= 0 ? "pending" : "idle"));
    var hide = el("button", { "class": "fb-hide", title: "hide" }, "×");
    hide.onclick = function () { panel.style.display = "none"; };
    panel.appendChild(hide);
    var head = el("div", { "class": "fb-head" }, "fairbid-ha · " + (s.scenario || ""));
    panel.appendChild(head);
    var nav = el("div", { "class": "fb-links" });
    nav.appendChild(link("fairbid/timeline", "Timeline"));
    nav.appendChild(link("fairbid/report", "Project report"));
    nav.appendChild(link("stats/report", "Locust's report"));
    panel.appendChild(nav);
    var phase = el("div", { "class": "fb-phase", "data-phase": s.phase },
      (s.run_id ? "run " + s.run_id + ": " : "") + (PHASES[s.phase] || s.phase));
    panel.appendChild(phase);
    if (s.verdict) {
      var v = el("div", { "class": "fb-verdict " + (s.verdict === "PASS" ? "pass" : "fail"), id: "fairbid-verdict-label" },
        s.verdict);
      panel.appendChild(v);
      var reasons = s.reasons || [];
      if (reasons.length) {
        var ul = el("ul", { "class": "fb-reasons" });
        reasons.forEach(function (r) { ul.appendChild(el("li", {}, r)); });
        panel.appendChild(ul);
      }
      var f = s.figures || {};
      if (s.figures) {
        var lost = f.lost_acked_writes === null ? "n/a" : fig(f.lost_acked_writes) + " of " + fig(f.acked_writes);
        panel.appendChild(el("div", { "class": "fb-figures" }, "failover_s " + fig(f.failover_s) +
          " · error_window_s " + fig(f.error_window_s) + " · lost_acked_writes " + lost));
      }
      if (s.load_said) {
        panel.appendChild(el("div", { "class": "fb-load" }, "load as run: " + s.load_said +
          (s.load_differs && s.load_differs.length ? " (differs from the scenario: " + s.load_differs.join(", ") + ")" : "")));
      }
      var files = (s.links || {}).files || {};
      var fl = el("div", { "class": "fb-files" });
      Object.keys(files).forEach(function (name) { fl.appendChild(link(files[name], name)); });
      panel.appendChild(fl);
    }
  }
  function poll() {
    fetch(base + "fairbid/status", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function () { /* the web UI is gone (Locust quit): the panel keeps what it last said */ });
  }
  function start() {
    var nav = document.querySelector("body.fairbid-page > nav");
    if (nav) {  // fairbid-ha's own pages: under their links, not over their content
      panel.className = "inline";
      nav.parentNode.insertBefore(panel, nav.nextSibling);
    } else {
      document.body.appendChild(panel);
    }
    poll();
    setInterval(poll, 1000);
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
