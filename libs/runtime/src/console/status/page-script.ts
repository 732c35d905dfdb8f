/**
 * The status page's script, plain browser JavaScript served as is (no bundler, no build
 * step: the string ships inside the compiled runtime). It polls status.json?since=<last>
 * so each poll carries only new points, keeps five minutes of them, and redraws only the
 * cards that match the search box, so a yard of 100 models stays light.
 * Written without template literals so it can live inside this one.
 */
export const PAGE_SCRIPT = String.raw`'use strict';
(function () {
  var WINDOW_MS = 5 * 60 * 1000;
  var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f'];
  var state = { since: 0, startedAt: 0, intervalMs: 2000, models: new Map(), series: new Map(), open: new Set(), firstRender: true };
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var el = function (tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  var fmt = function (v, digits) { return v === null || v === undefined ? '–' : Number(v).toFixed(digits === undefined ? 1 : digits); };
  var time = function (ms) { return new Date(ms).toLocaleTimeString(); };

  function seriesKey(model, s) { return model + '|' + s.version + '|' + s.protocol; }

  function merge(status) {
    state.startedAt = status.startedAt;
    state.intervalMs = status.intervalMs;
    var cutoff = status.time - WINDOW_MS;
    status.models.forEach(function (m) {
      state.models.set(m.name, m);
      m.series.forEach(function (s) {
        var key = seriesKey(m.name, s);
        var known = state.series.get(key);
        if (!known) { known = { model: m.name, version: s.version, protocol: s.protocol, points: [] }; state.series.set(key, known); }
        s.points.forEach(function (p) { if (!known.points.length || p[0] > known.points[known.points.length - 1][0]) known.points.push(p); });
        while (known.points.length && known.points[0][0] < cutoff) known.points.shift();
      });
    });
    state.since = status.time;
    state.now = status.time;
    state.ready = status.ready;
  }

  function seriesOf(model) {
    var out = [];
    state.series.forEach(function (s) { if (s.model === model) out.push(s); });
    return out.sort(function (a, b) { return (a.version + a.protocol).localeCompare(b.version + b.protocol); });
  }

  // One small line chart on a canvas: time on x (up to the last five minutes, at least one,
  // so a fresh app's first points are not squeezed against the right edge), value on y.
  // A bare chart (the sparkline) has no axes or labels.
  function drawLines(canvas, lines, unit, bare) {
    var ratio = window.devicePixelRatio || 1;
    var w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== w * ratio || canvas.height !== h * ratio) { canvas.width = w * ratio; canvas.height = h * ratio; }
    var ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    var left = bare ? 1 : 44, right = bare ? 1 : 6, top = bare ? 2 : 6, bottom = bare ? 2 : 16;
    var t1 = state.now || Date.now(), t0 = Math.min(t1 - 60 * 1000, Math.max(t1 - WINDOW_MS, state.startedAt));
    var max = 0;
    lines.forEach(function (l) { l.points.forEach(function (p) { if (p[1] !== null && p[1] > max) max = p[1]; }); });
    max = max > 0 ? max * 1.15 : 1;
    ctx.strokeStyle = '#e5e7eb'; ctx.fillStyle = '#6b7280'; ctx.font = '10px system-ui, sans-serif'; ctx.lineWidth = 1;
    for (var g = 0; g <= 2 && !bare; g++) {
      var gy = top + (h - top - bottom) * (1 - g / 2);
      ctx.beginPath(); ctx.moveTo(left, gy); ctx.lineTo(w - right, gy); ctx.stroke();
      ctx.fillText(fmt(max * g / 2, max < 10 ? 2 : 0) + (g === 2 ? ' ' + unit : ''), 2, gy + 3);
    }
    if (!bare) {
      ctx.fillText('-' + Math.round((t1 - t0) / 60000) + ' min', left, h - 3);
      ctx.fillText('now', w - right - 20, h - 3);
    }
    var x = function (t) { return left + (w - left - right) * (t - t0) / (t1 - t0); };
    var y = function (v) { return top + (h - top - bottom) * (1 - v / max); };
    lines.forEach(function (l) {
      ctx.strokeStyle = l.color; ctx.lineWidth = 1.5; ctx.setLineDash(l.dash || []);
      ctx.beginPath();
      var drawing = false;
      l.points.forEach(function (p) {
        if (p[0] < t0 || p[1] === null) { drawing = false; return; }
        if (drawing) ctx.lineTo(x(p[0]), y(p[1])); else ctx.moveTo(x(p[0]), y(p[1]));
        drawing = true;
      });
      ctx.stroke();
    });
    ctx.setLineDash([]);
    canvas.dataset.points = String(lines.reduce(function (n, l) { return n + l.points.filter(function (p) { return p[1] !== null; }).length; }, 0));
  }

  function column(points, i) { return points.map(function (p) { return [p[0], p[i]]; }); }

  // The batch-size histogram as inline SVG bars: rows per batch run by the batcher.
  function batchSvg(batches) {
    var counts = [], labels = [];
    batches.forEach(function (b) { b.counts.forEach(function (c, i) { counts[i] = (counts[i] || 0) + c; labels[i] = b.le[i]; }); });
    var total = counts.reduce(function (a, b) { return a + b; }, 0);
    if (!total) return null;
    var NS = 'http://www.w3.org/2000/svg', w = 22, h = 60;
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('width', String(counts.length * w)); svg.setAttribute('height', String(h + 14));
    svg.setAttribute('class', 'batches');
    var max = Math.max.apply(null, counts);
    counts.forEach(function (c, i) {
      var bh = max ? Math.round((h - 2) * c / max) : 0;
      var r = document.createElementNS(NS, 'rect');
      r.setAttribute('x', String(i * w + 2)); r.setAttribute('y', String(h - bh)); r.setAttribute('width', String(w - 4)); r.setAttribute('height', String(bh));
      r.setAttribute('fill', '#2563eb');
      var tip = document.createElementNS(NS, 'title'); tip.textContent = '≤ ' + labels[i] + ' rows: ' + c + ' batches'; r.appendChild(tip);
      svg.appendChild(r);
      var t = document.createElementNS(NS, 'text');
      t.setAttribute('x', String(i * w + w / 2)); t.setAttribute('y', String(h + 11)); t.setAttribute('text-anchor', 'middle'); t.textContent = labels[i] === '+Inf' ? '∞' : labels[i];
      svg.appendChild(t);
    });
    return svg;
  }

  function versionRows(m, tbody) {
    tbody.textContent = '';
    m.versions.forEach(function (v) {
      var tr = el('tr');
      tr.appendChild(el('td', '', String(v.version)));
      var st = el('td', 'state ' + v.state.toLowerCase(), v.state); if (v.error) st.title = v.error; tr.appendChild(st);
      tr.appendChild(el('td', '', v.labels.join(', ')));
      tr.appendChild(el('td', '', v.loadedAt ? time(v.loadedAt) + ' (' + fmt(v.loadSeconds, 2) + ' s)' : ''));
      var d = v.details || {}, parts = [];
      if (d.inline) parts.push(d.engine === 'interpreter' ? "in modelyard's ONNX interpreter, on the serving loop" : 'onnxruntime inline, on the serving loop');
      if (d.workers) parts.push('workers ' + d.workers.busy + '/' + d.workers.size + ' busy, ' + d.workers.inFlight + ' in flight');
      if (d.graphService) parts.push('graph service ' + d.graphService.address + ': ' + (d.graphService.available ? 'available' : 'unavailable') + ', breaker ' + d.graphService.breaker);
      if (v.warning) parts.push('⚠ ' + v.warning);
      tr.appendChild(el('td', 'details', parts.join('; ')));
      tbody.appendChild(tr);
    });
  }

  function card(name) {
    var c = el('section', 'model'); c.dataset.model = name;
    var head = el('div', 'head');
    var title = el('button', 'name', name); title.type = 'button'; title.title = 'show or hide the plots';
    head.appendChild(title);
    head.appendChild(el('span', 'backend'));
    ['rps', 'errors', 'latency', 'requests'].forEach(function (k) { head.appendChild(el('span', 'figure ' + k)); });
    var spark = el('canvas', 'spark'); head.appendChild(spark);
    c.appendChild(head);
    var body = el('div', 'body');
    body.appendChild(el('p', 'description'));
    var table = el('table', 'versions');
    table.innerHTML = '<thead><tr><th>version</th><th>state</th><th>labels</th><th>loaded</th><th>backend</th></tr></thead><tbody></tbody>';
    body.appendChild(table);
    var charts = el('div', 'charts');
    [['rate-chart', 'requests / s'], ['latency-chart', 'latency p50 (dashed) · p95 · p99 (dotted)'], ['error-chart', 'errors / s (5xx solid, 4xx dashed)']].forEach(function (spec) {
      var f = el('figure'); var cv = el('canvas', spec[0]); f.appendChild(cv); f.appendChild(el('figcaption', '', spec[1])); charts.appendChild(f);
    });
    var bf = el('figure', 'batch-figure'); bf.appendChild(el('div', 'batch-plot')); bf.appendChild(el('figcaption', '', 'rows per batch')); charts.appendChild(bf);
    body.appendChild(charts);
    body.appendChild(el('div', 'legend'));
    c.appendChild(body);
    title.addEventListener('click', function () { if (state.open.has(name)) state.open.delete(name); else state.open.add(name); render(); });
    return c;
  }

  var cards = new Map();
  function render() {
    var list = $('#models');
    var query = $('#search').value.trim().toLowerCase();
    var sort = $('#sort').value;
    var models = Array.from(state.models.values());
    if (state.firstRender) { if (models.length <= 4) models.forEach(function (m) { state.open.add(m.name); }); state.firstRender = false; }
    models.sort(function (a, b) {
      if (sort === 'name') return a.name.localeCompare(b.name);
      if (sort === 'errors') return b.traffic.recent.errorRate - a.traffic.recent.errorRate || a.name.localeCompare(b.name);
      return b.traffic.recent.rps - a.traffic.recent.rps || b.traffic.requests - a.traffic.requests || a.name.localeCompare(b.name);
    });
    var shown = 0, total = 0;
    models.forEach(function (m) {
      total += m.traffic.requests;
      var c = cards.get(m.name);
      if (!c) { c = card(m.name); cards.set(m.name, c); }
      var visible = !query || m.name.toLowerCase().indexOf(query) >= 0 || (m.description || '').toLowerCase().indexOf(query) >= 0;
      c.hidden = !visible;
      list.appendChild(c); // re-appending keeps the DOM in sort order without rebuilding it
      if (!visible) return;
      shown++;
      var r = m.traffic.recent;
      $('.backend', c).textContent = m.backend + (m.primary ? ' · /get_score' : '');
      $('.rps', c).textContent = fmt(r.rps) + ' req/s';
      $('.errors', c).textContent = fmt(r.errorRate * 100) + ' % 5xx';
      $('.latency', c).textContent = 'p50 ' + fmt(r.p50) + ' · p95 ' + fmt(r.p95) + ' · p99 ' + fmt(r.p99) + ' ms';
      $('.requests', c).textContent = m.traffic.requests + ' requests';
      var series = seriesOf(m.name);
      var totalRate = new Map();
      series.forEach(function (s) { s.points.forEach(function (p) { totalRate.set(p[0], (totalRate.get(p[0]) || 0) + p[1]); }); });
      drawLines($('.spark', c), [{ color: '#2563eb', points: Array.from(totalRate.entries()).sort(function (a, b) { return a[0] - b[0]; }) }], '/s', true);
      var open = state.open.has(m.name);
      c.classList.toggle('open', open);
      if (!open) return;
      $('.description', c).textContent = m.description || '';
      versionRows(m, $('.versions tbody', c));
      // Safety gates (docs/safety.md): the canary split and what the shadow comparison found.
      var gates = $('.gates', c);
      if (!gates) { gates = el('p', 'gates'); $('.versions', c).after(gates); }
      var g = m.gates || {}, said = [];
      if (g.canary) said.push('canary: ' + g.canary.percent + ' % of unpinned traffic to ' + g.canary.to);
      if (g.shadow) said.push('shadow ' + g.shadow.to + ' (' + g.shadow.percent + ' %): ' + g.shadow.labelFlips + ' label flips in ' + g.shadow.rows + ' rows (' + fmt(g.shadow.labelFlipRate * 100, 2) + ' %), max |Δ| ' + fmt(g.shadow.maxAbsDelta, 4) + ', ' + fmt(g.shadow.servingMeanMs, 2) + ' ms serving vs ' + fmt(g.shadow.shadowMeanMs, 2) + ' ms shadow');
      gates.textContent = said.join(' · ');
      var rate = [], lat = [], err = [], legend = $('.legend', c);
      legend.textContent = '';
      series.forEach(function (s, i) {
        var color = COLORS[i % COLORS.length];
        rate.push({ color: color, points: column(s.points, 1) });
        lat.push({ color: color, dash: [4, 3], points: column(s.points, 4) });
        lat.push({ color: color, points: column(s.points, 5) });
        lat.push({ color: color, dash: [1, 2], points: column(s.points, 6) });
        err.push({ color: color, points: column(s.points, 2) });
        err.push({ color: color, dash: [4, 3], points: column(s.points, 3) });
        var item = el('span', 'item', 'v' + s.version + ' ' + s.protocol); item.style.borderColor = color; legend.appendChild(item);
      });
      drawLines($('.rate-chart', c), rate, '/s');
      drawLines($('.latency-chart', c), lat, 'ms');
      drawLines($('.error-chart', c), err, '/s');
      var plot = $('.batch-plot', c); plot.textContent = '';
      var svg = batchSvg(m.batches);
      if (svg) plot.appendChild(svg); else plot.appendChild(el('span', 'none', m.batches.length ? 'no batches yet' : 'no batching configured'));
    });
    $('#shown').textContent = shown + ' of ' + models.length + ' models';
    $('#total-requests').textContent = String(total);
    $('#ready').textContent = state.ready ? 'ready' : 'not ready';
    $('#ready').className = state.ready ? 'ok' : 'bad';
    $('#uptime').textContent = 'up since ' + time(state.startedAt);
  }

  function poll() {
    fetch('status.json?since=' + state.since, { cache: 'no-store' })
      .then(function (res) { if (!res.ok) throw new Error('status.json answered ' + res.status); return res.json(); })
      .then(function (status) { merge(status); render(); $('#problem').hidden = true; })
      .catch(function (err) { $('#problem').hidden = false; $('#problem').textContent = 'cannot read status.json: ' + err.message; })
      .finally(function () { setTimeout(poll, state.intervalMs); });
  }

  $('#search').addEventListener('input', render);
  $('#sort').addEventListener('change', render);
  window.addEventListener('resize', render);
  poll();
})();
`;
