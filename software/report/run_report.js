// The page of `subbit report` (software/report/run_report.cpp embeds this file): draws the charts and
// tables from the JSON in #data with Chart.js. #status ends as "ok" with the charts drawn and their
// point counts, which tests/acceptance/report.sh reads back from headless Chromium.
const data = JSON.parse(document.getElementById('data').textContent);
const status = document.getElementById('status');
window.addEventListener('error', (e) => {
  status.dataset.status = 'error';
  status.textContent = 'error: ' + e.message;
});
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.font.size = 11;
const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac',
                 '#1f77b4', '#aec7e8', '#ffbb78', '#98df8a', '#c5b0d5', '#c49c94', '#f7b6d2', '#dbdb8d', '#9edae5', '#393b79'];
const colour = (i) => palette[i % palette.length];
const drawn = [];

function fmt(v, digits) {
  if (v === undefined || v === null || Number.isNaN(v)) return '-';
  return Number(v).toLocaleString('en-US', {maximumFractionDigits: digits, minimumFractionDigits: digits});
}
function pct(v) { return v === undefined || v === null ? '-' : fmt(100 * v, 1) + ' %'; }
function fillTable(id, header, rows) {
  const t = document.getElementById(id);
  const head = t.createTHead().insertRow();
  for (const h of header) {
    const th = document.createElement('th');
    th.textContent = h;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of r) tr.insertCell().textContent = c;
  }
}
function chart(id, config, points) {
  const c = new Chart(document.getElementById(id), config);
  drawn.push(id + ':' + points);
  return c;
}

const layers = data.layers || [];
const names = layers.map((l) => l.name);
const energy = data.energy || null;
const area = data.area || null;
const mhz = data.clock_mhz || 0;

// Summary.
const summary = [
  ['network', data.name + ' (' + data.network + ')'],
  ['platform', data.platform],
  ['latency', fmt(data.cycles, 0) + ' cycles = ' + fmt(data.latency_us, 1) + ' µs (' + fmt(data.inferences_per_s, 0) + ' inferences/s)'],
  ['PE utilization', pct(data.pe_utilization)],
  ['roofline bound', fmt(data.roofline_cycles, 0) + ' cycles; reached ' + pct(data.roofline_fraction)],
  ['bottleneck', data.bound],
  ['DRAM traffic', fmt(data.dram_read_bytes, 0) + ' B read, ' + fmt(data.dram_write_bytes, 0) + ' B written' +
                   (data.dram ? '; row hits ' + pct(data.dram.row_hit_rate) : '')],
];
if (energy) {
  summary.push(['energy per inference', fmt(energy.per_inference_uj, 3) + ' µJ (' + energy.table_name + ', ' + energy.technology_nm + ' nm)']);
  summary.push(['XOR decryption, energy share', pct(energy.xor_decrypt_share)]);
}
if (area) {
  summary.push(['area', fmt(area.total_mm2, 3) + ' mm² (' + area.table_name + ', ' + area.technology_nm + ' nm; logic ' +
                fmt(area.logic_um2 / 1e6, 3) + ' mm², SRAM ' + fmt(area.sram_um2 / 1e6, 3) + ' mm²)']);
  summary.push(['XOR decryption, area share', pct(area.xor_decrypt_share)]);
}
if (data.accuracy !== undefined) summary.push(['accuracy', fmt(data.accuracy, 2) + ' % on ' + data.images + ' images']);
summary.push(['golden reference', data.golden_match ? 'every output matched' : data.golden_mismatches + ' mismatched']);
fillTable('summary', ['', ''], summary);

// Stacked energy bars per layer.
if (energy && energy.layers) {
  const sets = data.energy_parts.map(([key, label], i) => ({
    label: label,
    data: energy.layers.map((e) => (e[key] || 0) * 1e-3),
    backgroundColor: colour(i),
  }));
  chart('energy-chart', {
    type: 'bar',
    data: {labels: energy.layers.map((e) => e.name), datasets: sets},
    options: {scales: {x: {stacked: true}, y: {stacked: true, title: {display: true, text: 'energy (nJ)'}}},
              plugins: {title: {display: true, text: 'Energy per layer by component'}}},
  }, energy.layers.length);
}

// Area breakdown.
if (area && area.units) {
  chart('area-chart', {
    type: 'bar',
    data: {labels: area.units.map((u) => u.name + ' (' + u.source + ')'),
           datasets: [{label: 'area (mm²)', data: area.units.map((u) => u.area_um2 / 1e6),
                       backgroundColor: area.units.map((u) => (u.name.indexOf('xor') >= 0 ? '#e15759' : '#4e79a7'))}]},
    options: {indexAxis: 'y', scales: {x: {title: {display: true, text: 'mm²'}}},
              plugins: {legend: {display: false}, title: {display: true, text: 'Area by unit, total ' + fmt(area.total_mm2, 3) + ' mm²'}}},
  }, area.units.length);
  fillTable('area', ['unit', 'area (mm²)', 'share', 'source', 'how'],
            area.units.map((u) => [u.name, fmt(u.area_um2 / 1e6, 4), pct(u.share), u.source, u.detail || '']));
} else {
  document.getElementById('area-chart').parentElement.textContent = 'no area model in this run';
}

// Roofline: achieved MACs/cycle against MACs per compulsory byte.
const peak = data.peak_macs_per_cycle;
const bw = data.dram_peak_bytes_per_cycle;
const roofLayers = layers.filter((l) => l.macs > 0 && l.compulsory_bytes > 0 && l.cycles > 0);
if (roofLayers.length > 0 && peak > 0 && bw > 0) {
  const xs = roofLayers.map((l) => l.macs / l.compulsory_bytes);
  const lo = Math.min(...xs, peak / bw) / 4, hi = Math.max(...xs, peak / bw) * 4;
  const roof = [{x: lo, y: lo * bw}, {x: peak / bw, y: peak}, {x: hi, y: peak}];
  chart('roofline-chart', {
    type: 'scatter',
    data: {datasets: [
      {label: 'roof: array peak ' + fmt(peak, 0) + ' MACs/cycle, DRAM peak ' + fmt(bw, 2) + ' B/cycle', data: roof, showLine: true,
       borderColor: '#333', backgroundColor: '#333', pointRadius: 0, borderWidth: 2},
      {label: 'layers (achieved)', data: roofLayers.map((l) => ({x: l.macs / l.compulsory_bytes, y: l.macs / l.cycles, name: l.name})),
       backgroundColor: '#e15759', pointRadius: 5},
      {label: "layer's bound", data: roofLayers.map((l) => ({x: l.macs / l.compulsory_bytes, y: l.macs / l.roofline_cycles, name: l.name})),
       borderColor: '#4e79a7', backgroundColor: 'rgba(0,0,0,0)', pointRadius: 6, pointStyle: 'circle'},
    ]},
    options: {
      scales: {x: {type: 'logarithmic', title: {display: true, text: 'operational intensity (MACs per compulsory DRAM byte)'}},
               y: {type: 'logarithmic', title: {display: true, text: 'MACs per cycle'}}},
      plugins: {tooltip: {callbacks: {label: (ctx) => (ctx.raw.name ? ctx.raw.name + ': ' : '') + fmt(ctx.raw.y, 1) + ' MACs/cycle at ' +
                                                          fmt(ctx.raw.x, 2) + ' MACs/B'}}},
    },
  }, roofLayers.length);
}

// Latency per layer against its bound.
if (layers.length > 0) {
  chart('latency-chart', {
    type: 'bar',
    data: {labels: names, datasets: [
      {label: 'cycles', data: layers.map((l) => l.cycles), backgroundColor: '#4e79a7'},
      {label: 'roofline bound', data: layers.map((l) => l.roofline_cycles), backgroundColor: '#bab0ac'},
    ]},
    options: {scales: {y: {title: {display: true, text: 'cycles'}}}},
  }, layers.length);
}

// Unit timeline: one floating bar per activity, a dataset per layer.
const tl = data.timeline;
if (tl && tl.events.length > 0) {
  const byLayer = new Map();
  for (const [start, end, unit, layer, detail] of tl.events) {
    if (!byLayer.has(layer)) byLayer.set(layer, []);
    byLayer.get(layer).push({x: [start, end], y: tl.units[unit], detail: detail});
  }
  const sets = [...byLayer.keys()].sort((a, b) => a - b).map((layer, i) => ({
    label: (tl.layer_names[layer] || ('layer ' + layer)),
    data: byLayer.get(layer),
    backgroundColor: colour(i),
    borderWidth: 0,
    barPercentage: 0.9,
    categoryPercentage: 1.0,
    grouped: false,
  }));
  chart('timeline-chart', {
    type: 'bar',
    data: {labels: tl.units, datasets: sets},
    options: {
      indexAxis: 'y',
      scales: {x: {type: 'linear', title: {display: true, text: 'time (ns)'}}, y: {stacked: false}},
      plugins: {tooltip: {callbacks: {label: (ctx) => ctx.dataset.label + ' ' + ctx.raw.y + ' ' + fmt(ctx.raw.x[0], 0) + '-' +
                                                      fmt(ctx.raw.x[1], 0) + ' ns ' + ctx.raw.detail}}},
    },
  }, tl.events.length);
} else {
  document.getElementById('timeline-chart').parentElement.textContent = 'no timeline recorded';
}

// Per-layer table.
fillTable('layers', ['layer', 'op', 'mapping', 'cycles', 'µs', 'util', 'bound (cycles)', 'reached', 'bottleneck', 'DRAM B', 'row hits', 'energy (nJ)'],
          layers.map((l, i) => [l.name, l.op, l.mapping ? l.mapping.text : '', fmt(l.cycles, 0), mhz ? fmt(l.cycles / mhz, 2) : '-',
                                pct(l.utilization), fmt(l.roofline_cycles, 0), pct(l.roofline_fraction), l.bound, fmt(l.dram_bytes, 0),
                                l.dram ? pct(l.dram.row_hit_rate) : '-',
                                energy && energy.layers[i] ? fmt(energy.layers[i].total_pj * 1e-3, 2) : '-']));

if (status.dataset.status !== 'error') {
  status.dataset.status = 'ok';
  status.textContent = 'ok: ' + drawn.length + ' charts (' + drawn.join(', ') + ')';
}
