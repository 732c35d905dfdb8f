/** The status page's markup and style: static, small, no external resource. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>status — modelyard</title>
<link rel="stylesheet" href="status-page.css">
<link rel="icon" href="data:,">
</head>
<body>
<header>
  <h1>modelyard</h1>
  <span id="ready"></span>
  <span id="uptime"></span>
  <span><b id="total-requests">0</b> requests</span>
  <nav><a href="docs">API docs</a> · <a href="openapi.json">openapi.json</a> · <a href="metrics">metrics</a> · <a href="status.json">status.json</a></nav>
</header>
<div class="controls">
  <input id="search" type="search" placeholder="search models" aria-label="search models">
  <label>sort <select id="sort"><option value="traffic">by traffic</option><option value="errors">by error rate</option><option value="name">by name</option></select></label>
  <span id="shown"></span>
</div>
<p id="problem" hidden></p>
<main id="models"></main>
<script src="status-page.js"></script>
</body>
</html>
`;

export const PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header { display: flex; gap: 1.2em; align-items: baseline; padding: .6em 1em; background: #111827; color: #f9fafb; flex-wrap: wrap; }
header h1 { font-size: 1.1em; margin: 0; }
header a { color: #93c5fd; }
header nav { margin-left: auto; }
.ok { color: #4ade80; } .bad { color: #f87171; }
.controls { display: flex; gap: 1em; align-items: center; padding: .6em 1em; }
#search { padding: .3em .5em; width: 16em; }
#problem { color: #b91c1c; padding: 0 1em; }
main { padding: 0 1em 1em; }
.model { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; margin-bottom: .5em; }
.model .head { display: flex; gap: 1em; align-items: center; padding: .4em .6em; flex-wrap: wrap; }
.model .name { font: inherit; font-weight: 600; border: 0; background: none; cursor: pointer; padding: 0; min-width: 8em; text-align: left; color: #1d4ed8; }
.model .backend { color: #6b7280; min-width: 9em; }
.model .figure { font-variant-numeric: tabular-nums; min-width: 7em; }
.model .latency { min-width: 18em; }
.model canvas.spark { width: 160px; height: 32px; margin-left: auto; }
.model .body { display: none; padding: 0 .6em .6em; }
.model.open .body { display: block; }
.description { color: #4b5563; margin: .2em 0 .5em; }
table.versions { border-collapse: collapse; margin-bottom: .5em; }
table.versions th, table.versions td { text-align: left; padding: .15em .8em .15em 0; border-bottom: 1px solid #f3f4f6; }
td.state.available { color: #15803d; } td.state.loading { color: #b45309; } td.state.end { color: #b91c1c; }
td.details { color: #4b5563; }
.charts { display: flex; gap: 1em; flex-wrap: wrap; align-items: flex-start; }
.charts figure { margin: 0; }
.charts canvas { width: 300px; height: 110px; display: block; }
figcaption { color: #6b7280; font-size: 12px; }
svg.batches text { font-size: 9px; fill: #6b7280; }
.batch-plot { min-height: 74px; display: flex; align-items: flex-end; }
.batch-plot .none { color: #9ca3af; }
.legend .item { border-left: 4px solid; padding-left: .3em; margin-right: 1em; font-size: 12px; }
`;
