// The council map: draws the layers from the JSON block on a Leaflet map (folium's,
// see webmap.folium_map), fills the side panel and evaluates any clicked point.
// Every text from the data is inserted with textContent (never innerHTML).
function aldersvennligMap(map) {
  'use strict';
  const D = JSON.parse(document.getElementById('data').textContent);
  document.documentElement.lang = D.lang;
  // the large integer arrays travel as base64 zigzag varints (webmap.pack), 0 marking null
  function unpack(text) {
    const b = atob(text), out = [];
    for (let i = 0, v = 0, scale = 1; i < b.length; i++) {
      const c = b.charCodeAt(i);
      v += (c & 127) * scale;
      if (c & 128) { scale *= 128; continue; }
      const z = v - 1;
      out.push(v === 0 ? null : (z % 2 ? -(z + 1) / 2 : z / 2));
      v = 0; scale = 1;
    }
    return out;
  }
  const unpackIn = (obj, keys) => (keys || Object.keys(obj)).forEach(k => { obj[k] = unpack(obj[k]); });
  unpackIn(D.nodes);
  Object.values(D.routes).forEach(route => unpackIn(route));
  unpackIn(D.edges.per_m);
  unpackIn(D.edges, ['uv', 'lit', 'time', 'len']);
  unpackIn(D.sites, ['x', 'y', 'st', 'rank', 'score', 'tb']);
  Object.values(D.sites.f).forEach(f => unpackIn(f));
  unpackIn(D.sites.crit);
  unpackIn(D.dest, ['cat', 'x', 'y']);
  D.benches = unpack(D.benches);
  const T = D.labels;
  const Q = 1e-5, O = D.origin;
  const locale = {nb: 'nb-NO', nn: 'nn-NO'}[D.lang] || 'en-GB';
  // Norwegian groups thousands from five digits (Språkrådet), as catalogue.number does
  const grouping = D.lang === 'en' ? 'auto' : 'min2';

  // ---- small helpers ----
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  };
  const num = (v, dec) => v.toLocaleString(locale, {minimumFractionDigits: dec || 0, maximumFractionDigits: dec || 0, useGrouping: grouping});
  // the catalogue's templates: {name}, numbers written as the language writes them, and {n:singular|plural}
  const fill = (tpl, vals) => tpl.replace(/\{(\w+)(?::([^{}|]*)\|([^{}]*))?\}/g, (m, k, one, other) => {
    if (!(k in vals)) return m;
    const v = vals[k];
    if (one !== undefined) return v === 1 ? one : other;
    return typeof v === 'number' ? v.toLocaleString(locale, {maximumFractionDigits: 2, useGrouping: grouping}) : v;
  });
  const ll = (x, y) => [(O[1] + y) * Q, (O[0] + x) * Q];
  // one visual language (palette.py): the print and the QGIS styles use the same classes, colours and symbols
  const P = D.style;
  const SCORE_COLOURS = P.score, UNRANKED = P.not_ranked;
  const scoreClass = s => { let k = 0; while (k < SCORE_COLOURS.length - 1 && s >= P.breaks[k + 1]) k++; return k; };
  const scoreColour = s => (s === null || s === undefined ? UNRANKED : SCORE_COLOURS[scoreClass(s)]);
  const classes = SCORE_COLOURS.map((colour, k) => ({colour: colour, label: num(P.breaks[k]) + '–' + num(P.breaks[k + 1])})).reverse();
  // sizes by zoom: symbols and lines shrink as the map zooms out, so that at a whole town's extent the
  // sites read as score classes and destinations, benches and streets do not bury them; a size at
  // zoom 17 and closer, halved every `halve` zoom levels out, never below `least`
  const atZoom = (z, size, halve, least) => Math.max(least, size * Math.pow(2, (Math.min(z, 17) - 17) / halve));
  const zoomed = [];  // {layer, style: zoom => path style, last}: restyled when the zoom changes
  const byZoom = (layer, style) => zoomed.push({layer, style, last: null});
  function restyle() {
    const z = map.getZoom();
    zoomed.forEach(entry => {
      const style = entry.style(z), key = JSON.stringify(style);
      if (key === entry.last) return;
      entry.last = key;
      if (entry.layer instanceof L.LayerGroup) entry.layer.invoke('setStyle', style); else entry.layer.setStyle(style);
    });
  }
  const LIT_STYLE = [
    {label: T['layer.lit'], color: P.lit[0], weight: 2, opacity: 0.85},
    {label: T['layer.dark'], color: P.lit[1], weight: 2.5, dashArray: '5 4'},
    {label: T['layer.unknown'], color: P.lit[2], weight: 1.5},
  ];
  // destination symbols: the shapes of palette.py (QGIS marker names), as points around (0, 0) of radius 1
  const star = n => Array.from({length: 2 * n}, (_, k) => { const a = Math.PI * k / n - Math.PI / 2, r = k % 2 ? 0.45 : 1; return [r * Math.cos(a), r * Math.sin(a)]; });
  const polygon = (n, turn) => Array.from({length: n}, (_, k) => { const a = 2 * Math.PI * k / n - Math.PI / 2 + (turn || 0); return [Math.cos(a), Math.sin(a)]; });
  const W = 0.35;  // half the width of a cross's arm
  const SHAPES = {
    square: [[-0.85, -0.85], [0.85, -0.85], [0.85, 0.85], [-0.85, 0.85]],
    cross_fill: [[-W, -1], [W, -1], [W, -W], [1, -W], [1, W], [W, W], [W, 1], [-W, 1], [-W, W], [-1, W], [-1, -W], [-W, -W]],
    triangle: [[0, -1.1], [1, 0.7], [-1, 0.7]],
    diamond: [[0, -1.15], [1, 0], [0, 1.15], [-1, 0]],
    pentagon: polygon(5),
    star: star(5),
  };
  const shapeOf = name => SHAPES[name] || polygon(24);
  // a canvas marker drawn as one of those shapes (a circle marker whose path is the shape)
  const ShapeMarker = L.CircleMarker.extend({_updatePath() { this._renderer._updateShape(this); }});
  L.Canvas.include({
    _updateShape(layer) {
      if (!this._drawing || layer._empty()) return;
      const p = layer._point, ctx = this._ctx, r = Math.max(layer._radius, 1);
      ctx.beginPath();
      shapeOf(layer.options.shape).forEach(([x, y], k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, p.x + r * x, p.y + r * y));
      ctx.closePath();
      this._fillStroke(ctx, layer);
    },
  });

  // ---- decode the compact arrays ----
  function cumulative(c) {
    const n = c.length / 2, X = new Float64Array(n), Y = new Float64Array(n);
    let x = 0, y = 0;
    for (let i = 0; i < n; i++) { x += c[2 * i]; y += c[2 * i + 1]; X[i] = x; Y[i] = y; }
    return [X, Y];
  }
  function rings(R) {
    const out = [], c = unpack(R.c);
    let k = 0;
    for (const n of R.n) {
      const ring = [];
      let x = 0, y = 0;
      for (let i = 0; i < n; i++, k += 2) {
        if (i === 0) { x = c[k]; y = c[k + 1]; } else { x += c[k]; y += c[k + 1]; }
        ring.push(ll(x, y));
      }
      out.push(ring);
    }
    return out;
  }
  const [NQX, NQY] = cumulative(D.nodes.c);
  const nEdges = D.edges.uv.length / 2;
  const EU = new Int32Array(nEdges), EV = new Int32Array(nEdges);
  for (let i = 0, u = 0; i < nEdges; i++) { u += D.edges.uv[2 * i]; EU[i] = u; EV[i] = u + D.edges.uv[2 * i + 1]; }
  // snapping class per edge (2 main network, 1 small piece, 0 not snapped to): sent as the exceptions to 2
  const SNAP = new Int8Array(nEdges).fill(2);
  for (let i = 0, e = 0; i < D.edges.snap.at.length; i++) { e += D.edges.snap.at[i]; SNAP[e] = D.edges.snap.code[i]; }

  // ---- the map's panes and attribution ----
  const renderers = {};
  [['water', 300], ['buildings', 310], ['areas', 320], ['streets', 330], ['benches', 340]].forEach(([name, z]) => {
    const pane = map.createPane(name);
    pane.style.zIndex = z;
    pane.style.pointerEvents = 'none';
    renderers[name] = L.canvas({pane: name});
  });
  const attribution = L.control({position: 'bottomright'});
  attribution.onAdd = () => el('div', T.attribution, 'attribution');
  attribution.addTo(map);
  L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);

  const rows = [];  // layer rows of the panel: {label, layer, on, swatch, count, legend}
  const counts = {};
  function addRow(key, label, layer, on, swatch, count, legend) {
    counts[key] = count;
    rows.push({key, label, layer, on, swatch, count, legend});
  }

  // base: water, buildings, optional areas, streets by lighting
  const water = rings(D.water);
  if (water.length) {
    addRow('water', T['layer.water'], L.polygon(water, {renderer: renderers.water, interactive: false, stroke: false, fillColor: '#a6cbe3', fillOpacity: 1}),
      true, {area: '#a6cbe3'}, water.length);
  }
  const buildings = rings(D.buildings);
  if (buildings.length) {
    addRow('buildings', T['layer.buildings'], L.polygon(buildings, {renderer: renderers.buildings, interactive: false, color: '#a8a8a8', weight: 0.6, fillColor: '#dedede', fillOpacity: 1}),
      true, {area: '#dedede', border: '#a8a8a8'}, buildings.length);
  }
  const areaFeatures = {};
  Object.keys(D.areas).forEach(name => {
    const A = D.areas[name];
    const rs = rings(A.rings), byFeature = new Map();
    rs.forEach((r, i) => { const f = A.feature[i]; if (!byFeature.has(f)) byFeature.set(f, []); byFeature.get(f).push(r); });
    const colour = A.colour ? A.attrs[A.colour] : null;
    const group = L.layerGroup();
    byFeature.forEach((rr, f) => {
      const c = colour && colour[f] !== null ? scoreColour(colour[f]) : '#7570b3';
      L.polygon(rr, {renderer: renderers.areas, interactive: false, color: '#555', weight: 0.8, fillColor: c, fillOpacity: 0.35}).addTo(group);
    });
    areaFeatures[name] = {rings: rs, feature: A.feature, attrs: A.attrs};
    const legend = colour ? classes.map(k => ({area: k.colour, border: '#555', label: k.label})) : null;
    addRow(name, T['layer.' + name] || name, group, false, {area: colour ? SCORE_COLOURS[2] : '#7570b3', border: '#555'}, byFeature.size, legend);
  });
  // the survey's rating for a manual wheelchair (--accessibility): a wide line under the lighting, surveyed edges only
  const accessParts = [[], [], []];  // network.NOT_ACCESSIBLE, PARTLY_ACCESSIBLE, ACCESSIBLE
  for (let i = 0, e = 0; i < D.edges.access.at.length; i++) {
    e += D.edges.access.at[i];
    const c = D.edges.access.code[i];
    if (c >= 0 && c < 3) accessParts[c].push([ll(NQX[EU[e]], NQY[EU[e]]), ll(NQX[EV[e]], NQY[EV[e]])]);
  }
  const nAccess = accessParts.reduce((n, parts) => n + parts.length, 0);
  if (nAccess) {
    const access = L.layerGroup(accessParts.filter(parts => parts.length).map(parts => L.polyline(parts,
      {renderer: renderers.streets, interactive: false, color: P.access[accessParts.indexOf(parts)], weight: 7, opacity: 0.7})));
    byZoom(access, z => ({weight: atZoom(z, 7, 3, 2.5)}));
    const names = ['layer.access_no', 'layer.access_partly', 'layer.access_yes'];
    addRow('access', T['layer.access'], access, true, {line: P.access[0]}, nAccess,
      [2, 1, 0].map(c => ({line: P.access[c], label: T[names[c]]})));
  }
  const litParts = [[], [], []];
  for (let i = 0; i < nEdges; i++) {
    litParts[D.edges.lit[i]].push([ll(NQX[EU[i]], NQY[EU[i]]), ll(NQX[EV[i]], NQY[EV[i]])]);
  }
  [2, 1, 0].forEach(c => {
    const st = LIT_STYLE[c];
    const layer = L.polyline(litParts[c].length ? litParts[c] : [], Object.assign({renderer: renderers.streets, interactive: false}, st));
    byZoom(layer, z => ({weight: atZoom(z, st.weight, 3, st.weight / 3)}));
    addRow(['lit', 'dark', 'unknown'][c], st.label, layer, true, {line: st.color, dash: !!st.dashArray}, litParts[c].length);
  });

  // benches
  const benches = L.layerGroup();
  for (let i = 0; i < D.benches.length; i += 2) {
    L.circleMarker(ll(D.benches[i], D.benches[i + 1]), {renderer: renderers.benches, interactive: false, stroke: false, fillColor: '#8c510a', fillOpacity: 1}).addTo(benches);
  }
  byZoom(benches, z => ({radius: atZoom(z, 2.5, 3, 1)}));
  addRow('benches', T['layer.benches'], benches, true, {dot: '#8c510a'}, D.benches.length / 2);

  // destinations by category (interactive: tooltips with the name)
  const destGroups = D.dest_keys.map(() => L.featureGroup());
  const critLabel = {};
  D.criteria.forEach(c => { critLabel[c.key] = c.label; });
  D.dest.cat.forEach((c, i) => {
    if (c < 0) return;
    const [colour, shape] = P.dest[c];
    const m = new ShapeMarker(ll(D.dest.x[i], D.dest.y[i]), {shape: shape, color: '#000', fillColor: colour, fillOpacity: 1, bubblingMouseEvents: false});
    m.bindTooltip(() => el('span', critLabel[D.dest_keys[c]] + ': ' + (D.dest.name[i] || T.unnamed)), {direction: 'top', offset: [0, -6]});
    m.bindPopup(() => {
      const div = el('div', null, 'bd');
      div.appendChild(el('h3', D.dest.name[i] || T.unnamed));
      div.appendChild(el('p', critLabel[D.dest_keys[c]]));
      return div;
    });
    m.addTo(destGroups[c]);
  });
  destGroups.forEach(g => byZoom(g, z => { const r = atZoom(z, 6, 2, 1.5); return {radius: r, weight: r >= 3 ? 1 : 0}; }));
  D.dest_keys.forEach((k, c) => addRow('dest_' + k, T['layer.destinations'] + ': ' + critLabel[k], destGroups[c], true,
    {shape: P.dest[c][1], fill: P.dest[c][0]}, destGroups[c].getLayers().length));

  // sites by score, the best ones numbered
  const S = D.sites;
  const nSites = S.id.length;
  const ranked = [];
  for (let i = 0; i < nSites; i++) if (S.rank[i] !== null) ranked.push(i);
  ranked.sort((a, b) => S.rank[a] - S.rank[b]);
  const sharing = {};  // rank -> number of sites that share it
  ranked.forEach(i => { sharing[S.rank[i]] = (sharing[S.rank[i]] || 0) + 1; });
  const siteLL = i => ll(S.x[i], S.y[i]);
  const sites = L.featureGroup();
  for (let i = 0; i < nSites; i++) {
    const s = S.score[i] === null || S.rank[i] === null ? null : S.score[i] / 10;  // excluded sites keep a score, not a class
    L.circleMarker(siteLL(i), {color: '#222', fillColor: scoreColour(s), fillOpacity: 0.95, bubblingMouseEvents: false, site: i}).addTo(sites);
  }
  byZoom(sites, z => { const r = atZoom(z, 5, 3, 1.75); return {radius: r, weight: r >= 3 ? 1 : 0.5}; });
  // the best top_n: by rank, then site_id (ties beyond them are counted in the panel), numbered
  const topMarkers = D.top.map(i => L.circleMarker(siteLL(i), {color: '#000', fillColor: scoreColour(S.score[i] / 10), fillOpacity: 1, bubblingMouseEvents: false, site: i})
    .bindTooltip(el('span', String(S.rank[i])), {permanent: true, className: 'rank'}));
  const top = L.featureGroup(topMarkers.slice().reverse());  // the best drawn last, on top
  byZoom(top, z => ({radius: atZoom(z, 9, 4, 5.5), weight: z >= 16 ? 3 : 2}));
  // each rank label beside its marker on the first side where it covers neither a label placed before
  // it (best rank first) nor one of the best sites; hidden where no side is free, until zoomed in
  const SIDES = ['right', 'left', 'top', 'bottom'];
  function placeLabels() {
    if (!map.hasLayer(top)) return;
    const o = map.getContainer().getBoundingClientRect();
    const taken = topMarkers.map(m => {
      const p = map.latLngToContainerPoint(m.getLatLng()), r = m.getRadius() + m.options.weight / 2;
      return {left: o.left + p.x - r, right: o.left + p.x + r, top: o.top + p.y - r, bottom: o.top + p.y + r};
    });
    const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    topMarkers.forEach(m => {
      const tip = m.getTooltip(), label = tip.getElement(), r = m.getRadius() + m.options.weight / 2;
      label.style.display = '';
      const side = SIDES.find(side => {
        tip.options.direction = side;
        tip.options.offset = {right: [r, 0], left: [-r, 0], top: [0, -r], bottom: [0, r]}[side];
        tip.update();
        const box = label.getBoundingClientRect();
        return !taken.some(t => overlaps(box, t));
      });
      if (side) taken.push(label.getBoundingClientRect()); else label.style.display = 'none';
    });
  }
  top.on('add', placeLabels);
  let hover = null;
  [sites, top].forEach(g => {
    g.on('click', e => openSite(e.layer.options.site));
    g.on('mouseover', e => {
      const i = e.layer.options.site;
      hover = L.tooltip({direction: 'top', offset: [0, -6]}).setLatLng(siteLL(i))
        .setContent(el('span', T.site + ' ' + S.name[i] + (S.score[i] === null ? '' : ' · ' + num(S.score[i] / 10, 1))));
      map.openTooltip(hover);
    });
    g.on('mouseout', () => { if (hover) map.closeTooltip(hover); hover = null; });
  });
  const sitesLegend = classes.map(k => ({dot: k.colour, label: k.label}));
  sitesLegend.push({dot: UNRANKED, label: T['layer.unranked']});
  addRow('sites', T['layer.sites'], sites, true, null, nSites, sitesLegend);
  if (D.top_n > 0 && ranked.length) addRow('top', T.top_layer, top, true, {dot: SCORE_COLOURS[SCORE_COLOURS.length - 1], border: '#000'}, D.top.length);

  // ---- a scenario (aldersvennlig scenario): the proposed changes, suggested benches, the sites before or after ----
  const SC = D.scenario;
  let showScenario = null;
  if (SC) {
    const CHANGE = '#d95f02', SUGGESTED = '#7b3294';
    const changes = L.featureGroup();
    SC.changes.forEach(c => {
      const shape = c.line
        ? L.polyline(c.ll, {color: CHANGE, weight: 5, opacity: 0.9, dashArray: c.change === 'close_path' ? '8 6' : null})
        : L.circleMarker(c.ll[0], {radius: 7, color: CHANGE, weight: 3, fillColor: '#fff', fillOpacity: 1});
      shape.bindTooltip(el('span', c.change + ' · ' + c.label)).addTo(changes);
    });
    if (SC.changes.length) addRow('changes', T['scenario.changes'], changes, true, {line: CHANGE}, SC.changes.length);
    const suggested = L.featureGroup();
    SC.suggested.forEach(b => L.circleMarker(b.ll, {radius: 7, color: SUGGESTED, weight: 3, fillColor: '#fff', fillOpacity: 1})
      .bindTooltip(el('span', b.order + ' · ' + T['scenario.gain'] + ' ' + num(b.gain, 1))).addTo(suggested));
    if (SC.suggested.length) addRow('suggested', T['scenario.suggested'], suggested, true, {dot: '#fff', border: SUGGESTED}, SC.suggested.length);
    const afterScore = S.score.slice(), afterRank = S.rank.slice();
    showScenario = when => {
      const before = when === 'before';
      for (let i = 0; i < nSites; i++) {
        S.score[i] = before ? (SC.before[i] === null ? null : Math.round(SC.before[i] * 10)) : afterScore[i];
        S.rank[i] = before ? SC.rank_before[i] : afterRank[i];
      }
      sites.eachLayer(m => {
        const i = m.options.site, s = S.score[i] === null || S.rank[i] === null ? null : S.score[i] / 10;
        m.setStyle({fillColor: scoreColour(s)});
      });
      if (before) map.removeLayer(top); else if (document.querySelector('input[data-layer="top"]')?.checked) { top.addTo(map); placeLabels(); }
    };
  }

  const osm = L.tileLayer('https://tile.openstreetmap.org/{z}/{x}/{y}.png', {maxZoom: 19});
  addRow('osm', T['layer.osm'], osm, false, {area: '#f2efe9', border: '#999'}, 0);

  // interactive layers share one canvas: keep sites above destinations whatever is toggled
  const stack = () => { destGroups.forEach(g => map.hasLayer(g) && g.bringToFront()); [sites, top].forEach(g => map.hasLayer(g) && g.bringToFront()); };
  rows.forEach(r => { if (r.on) r.layer.addTo(map); });
  stack();

  // ---- breakdown popups ----
  // a criterion's measure as the popup writes it: the first of its cases whose fields are known
  function measureText(c, v) {
    const known = n => v[n] !== null && v[n] !== undefined;
    const d = c.describe.find(d => d.needs.every(known));
    if (!d) return '';
    const vals = {};
    Object.entries(d.values || {}).forEach(([k, [n, factor, dec]]) => { vals[k] = num(v[n] * factor, dec); });
    return fill(d.text, vals);
  }
  function breakdown(title, lines, v) {
    const div = el('div', null, 'bd');
    div.appendChild(el('h3', title));
    lines.forEach(text => div.appendChild(el('p', text)));
    const table = el('table'), head = el('tr');
    [T['col.criterion'], T['col.measure'], T['col.score'], T['col.weight']].forEach(h => head.appendChild(el('th', h)));
    table.appendChild(head);
    D.criteria.forEach(c => {
      const tr = el('tr');
      tr.appendChild(el('td', c.label));
      tr.appendChild(el('td', measureText(c, v.f[c.key])));
      tr.appendChild(el('td', v.crit[c.key] === null ? '–' : num(v.crit[c.key]), 'n'));
      tr.appendChild(el('td', num(c.weight * 100) + ' %', 'n'));
      table.appendChild(tr);
    });
    div.appendChild(table);
    return div;
  }
  function openSite(i) {
    const pick = obj => { const o = {}; Object.keys(obj).forEach(k => { o[k] = obj[k][i]; }); return o; };
    const v = {f: {}, crit: pick(S.crit)};
    D.criteria.forEach(c => {
      const raw = pick(S.f[c.key]);
      v.f[c.key] = {};
      Object.keys(raw).forEach(n => { v.f[c.key][n] = raw[n] === null ? null : raw[n] / 100; });
    });
    const lines = [];
    if (S.score[i] !== null) lines.push(T.score + ': ' + num(S.score[i] / 10, 1));
    const rankText = S.rank[i] === null ? fill(T.not_ranked, {status: S.status[S.st[i]]})
      : fill(sharing[S.rank[i]] > 1 ? T.rank_tied : T.rank_of, {rank: S.rank[i], n: ranked.length, tied: sharing[S.rank[i]]});
    lines.push(T.rank + ': ' + rankText);
    L.popup({maxWidth: 420}).setLatLng(siteLL(i)).setContent(breakdown(T.site + ' ' + S.name[i], lines, v)).openOn(map);
  }

  // ---- click to evaluate: nearest point on the network through a grid index ----
  const lat0 = (O[1] + NQY.reduce((a, b) => Math.max(a, b), 0) / 2) * Q;  // mid-latitude of the network
  const KX = 111320 * Math.cos(lat0 * Math.PI / 180) * Q, KY = 110574 * Q;  // metres per coordinate unit
  const CELL = 100;
  const index = new Map();
  const cellKey = (cx, cy) => (cx + 100000) * 200000 + (cy + 100000);
  for (let e = 0; e < nEdges; e++) {
    if (!SNAP[e]) continue;
    const u = EU[e], v = EV[e];
    const x0 = Math.floor(Math.min(NQX[u], NQX[v]) * KX / CELL), x1 = Math.floor(Math.max(NQX[u], NQX[v]) * KX / CELL);
    const y0 = Math.floor(Math.min(NQY[u], NQY[v]) * KY / CELL), y1 = Math.floor(Math.max(NQY[u], NQY[v]) * KY / CELL);
    for (let cx = x0; cx <= x1; cx++) for (let cy = y0; cy <= y1; cy++) {
      const k = cellKey(cx, cy);
      if (!index.has(k)) index.set(k, []);
      index.get(k).push(e);
    }
  }
  function nearestEdge(px, py, maxD, minSnap) {
    let best = null;
    const c0 = Math.floor(px / CELL), c1 = Math.floor(py / CELL);
    for (let r = 0; r * CELL <= maxD + CELL; r++) {
      for (let cx = c0 - r; cx <= c0 + r; cx++) for (let cy = c1 - r; cy <= c1 + r; cy++) {
        if (Math.max(Math.abs(cx - c0), Math.abs(cy - c1)) !== r) continue;
        const list = index.get(cellKey(cx, cy));
        if (!list) continue;
        for (const e of list) {
          if (SNAP[e] < minSnap) continue;
          const ax = NQX[EU[e]] * KX, ay = NQY[EU[e]] * KY, bx = NQX[EV[e]] * KX, by = NQY[EV[e]] * KY;
          const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
          const f = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
          const d = Math.hypot(px - ax - f * dx, py - ay - f * dy);
          if (d <= maxD && (!best || d < best.d)) best = {e, f, d, x: ax + f * dx, y: ay + f * dy};
        }
      }
      if (best && best.d <= r * CELL) break;
    }
    return best;
  }
  // ---- a point's routes, measures and scores: access.point_reach and criteria/rules.py, at a clicked point ----
  const ROUTE_SCALE = {time_s: 10};
  // the route of one searched criterion from a point at fraction f along edge e, acc metres away:
  // the faster of the walks through either end, the access leg and the part of the edge included
  function pointRoute(P, e, f, acc) {
    const u = EU[e], v = EV[e], te = D.edges.time[e] / 10, len = D.edges.len[e] / 10, w = D.walking;
    const at = (a, node) => (P[a][node] === null ? null : P[a][node] / (ROUTE_SCALE[a] || 1));
    const tu = at('time_s', u), tv = at('time_s', v);
    const viaA = tu === null ? Infinity : tu + f * te, viaB = tv === null ? Infinity : tv + (1 - f) * te;
    const useB = viaB < viaA, node = useB ? v : u, part = (useB ? 1 - f : f) * len;
    const time = Math.min(viaA, viaB) + acc / w.speed;
    const out = {time_s: null};
    if (!(time <= w.cutoff * 60)) return out;
    out.time_s = time;
    Object.keys(P).forEach(a => {
      if (a === 'time_s' || a === 'head_m' || a === 'gap_m') return;
      const per = D.edges.per_m[a] ? D.edges.per_m[a][e] / 1000 : (a === 'length_m' ? 1 : 0);
      out[a] = at(a, node) + part * per + (a === 'length_m' ? acc : 0);
    });
    if ('gap_m' in P) {  // the point's own stretch runs on to the node's first rest
      const head = part + acc + at('head_m', node);
      out.gap_m = Math.max(head, at('gap_m', node));
    }
    return out;
  }
  function pointMeasures(specs, routes) {
    const m = {};
    const of = keys => keys.filter(k => routes[k]).map(k => routes[k]);
    specs.forEach(s => {
      let x = null;
      if ('take' in s) {
        const r = routes[s.route];
        x = s.take === 'time_min' ? (r.time_s === null ? null : r.time_s / 60) : (r.time_s === null ? null : r[s.take]);
      } else if ('max' in s) {
        const xs = of(s.routes).map(r => r[s.max]).filter(y => y !== null && y !== undefined);
        x = xs.length ? Math.max(...xs) : null;
      } else if ('sum' in s) {
        x = of(s.routes).reduce((acc, r) => acc + (r.time_s === null ? 0 : r[s.sum]), 0);
      } else if ('reached' in s) {
        x = of(s.reached).some(r => r.time_s !== null) ? 1 : 0;
      } else if ('ratio' in s) {
        const [num, den] = s.ratio.map(names => names.reduce((acc, n) => acc + m[n], 0));
        x = den > 0 ? num / den : null;
      }
      m[s.name] = 'where' in s && !m[s.where] ? null : x;
    });
    return m;
  }
  const decay = (x, full, zero) => Math.max(0, Math.min(100, 100 * (zero - x) / (zero - full)));
  function ruleScore(rule, v) {
    const val = n => (v[n] === null || v[n] === undefined ? null : v[n]);
    if (rule.op === 'unknown') return rule.value;  // no data at all: neutral
    if (rule.route && !val(rule.route)) return 0;  // no route to walk
    if (rule.op === 'decay') return val(rule.x) === null ? 0 : decay(val(rule.x), rule.full, rule.zero);
    if (rule.op === 'best') return Math.max(...rule.x.map((x, i) => (val(x) === null ? 0 : decay(val(x), rule.full, rule.zero)) * rule.factor[i]));
    if (rule.op === 'known_share') return rule.unknown + (val(rule.known) || 0) * (100 * (val(rule.share) || 0) - rule.unknown);
    throw new Error('unknown score rule ' + rule.op);
  }
  function evaluate(lat, lon) {
    const px = (lon / Q - O[0]) * KX, py = (lat / Q - O[1]) * KY;
    const w = D.walking;
    const hit = nearestEdge(px, py, w.max_snap, 2) || nearestEdge(px, py, w.max_snap, 1);
    if (!hit) return null;
    const routes = {};
    Object.keys(D.routes).forEach(k => { routes[k] = pointRoute(D.routes[k], hit.e, hit.f, hit.d); });
    const r = {f: {}, crit: {}, access: hit.d, score: 0};
    D.criteria.forEach(c => {
      r.f[c.key] = pointMeasures(c.measures, routes);
      r.crit[c.key] = ruleScore(c.score, r.f[c.key]);
    });
    D.criteria.forEach(c => { r.score += c.weight * r.crit[c.key]; });
    r.score = Math.round(r.score * 10) / 10;
    // equal scores: the shorter weighted walk to the destinations (tiebreak_min) ranks first
    const dests = D.criteria.filter(c => c.tiebreak);
    const wsum = dests.reduce((acc, c) => acc + c.weight, 0);
    const walked = c => (r.f[c.key][c.tiebreak] === undefined ? null : r.f[c.key][c.tiebreak]);
    r.tb = dests.reduce((acc, c) => acc + (wsum > 0 ? c.weight / wsum : 1 / dests.length) * (walked(c) === null ? w.cutoff : walked(c)), 0);
    r.tb = Math.round(r.tb * 100) / 100;  // to 0.01, as ranking.csv writes tiebreak_min
    r.rank = 1 + ranked.filter(i => S.score[i] / 10 > r.score || (S.score[i] / 10 === r.score && S.tb[i] / 100 < r.tb)).length;
    r.latlng = [(O[1] + hit.y / KY) * Q, (O[0] + hit.x / KX) * Q];
    return r;
  }
  function inside(ring, lat, lon) {
    let c = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [yi, xi] = ring[i], [yj, xj] = ring[j];
      if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) c = !c;
    }
    return c;
  }
  function areaLines(lat, lon) {
    const lines = [];
    Object.keys(areaFeatures).forEach(name => {
      const A = areaFeatures[name];
      const rowOf = rows.find(r => r.key === name);
      if (!rowOf || !map.hasLayer(rowOf.layer)) return;
      const hits = new Map();
      A.rings.forEach((ring, k) => { if (inside(ring, lat, lon)) hits.set(A.feature[k], !hits.get(A.feature[k])); });
      hits.forEach((odd, f) => {
        if (!odd) return;
        lines.push(rowOf.label + ': ' + Object.keys(A.attrs).map(col => col + ' ' + (A.attrs[col][f] === null ? '–' : A.attrs[col][f])).join(', '));
      });
    });
    return lines;
  }
  map.on('click', e => {
    const r = evaluate(e.latlng.lat, e.latlng.lng);
    const extra = areaLines(e.latlng.lat, e.latlng.lng);
    let content;
    if (!r) {
      content = el('div', null, 'bd');
      content.appendChild(el('p', T.off_network));
      extra.forEach(text => content.appendChild(el('p', text)));
    } else {
      const lines = [T.score + ': ' + num(r.score, 1), fill(T.would_rank, {rank: r.rank, n: ranked.length})]
        .concat(extra, [fill(T.point_note, {m: num(r.access)})]);
      content = breakdown(T.point, lines, r);
    }
    L.popup({maxWidth: 420}).setLatLng(r ? r.latlng : e.latlng).setContent(content).openOn(map);
  });

  // ---- the side panel: title, layers with their legend, criteria, best sites, data ----
  const panel = document.getElementById('panel');
  panel.appendChild(el('h1', T.title));
  panel.appendChild(el('p', T.intro, 'intro'));
  if (SC && SC.changes.length) {  // the switch between the situation before and after the changes
    panel.appendChild(el('h2', T['scenario.title']));
    const sw = el('div', null, 'scenario');
    ['before', 'after'].forEach(when => {
      const label = el('label'), radio = el('input');
      radio.type = 'radio';
      radio.name = 'scenario';
      radio.value = when;
      radio.checked = when === 'after';
      radio.addEventListener('change', () => showScenario(when));
      label.appendChild(radio);
      label.appendChild(el('span', T['scenario.' + when]));
      sw.appendChild(label);
    });
    panel.appendChild(sw);
  }
  panel.appendChild(el('h2', T.layers));
  function swatch(sw) {
    const s = el('span', null, 'sw');
    if (sw.line) { s.classList.add('line'); s.style.borderTop = '3px ' + (sw.dash ? 'dashed ' : 'solid ') + sw.line; }
    if (sw.area) { s.classList.add('area'); s.style.background = sw.area; s.style.border = '1px solid ' + (sw.border || sw.area); }
    if (sw.dot) { s.classList.add('dot'); s.style.background = sw.dot; s.style.border = '1px solid ' + (sw.border || '#222'); }
    if (sw.shape) {
      const NS = 'http://www.w3.org/2000/svg', svg = document.createElementNS(NS, 'svg'), path = document.createElementNS(NS, 'path');
      svg.setAttribute('viewBox', '-1.3 -1.3 2.6 2.6');
      svg.setAttribute('width', '14');
      svg.setAttribute('height', '14');
      path.setAttribute('d', shapeOf(sw.shape).map(([x, y], k) => (k ? 'L' : 'M') + x.toFixed(3) + ' ' + y.toFixed(3)).join(' ') + ' Z');
      path.setAttribute('fill', sw.fill);
      path.setAttribute('stroke', '#000');
      path.setAttribute('stroke-width', '0.15');
      svg.appendChild(path);
      s.classList.add('shape');
      s.appendChild(svg);
    }
    return s;
  }
  const list = el('div', null, 'layers');
  rows.slice().reverse().forEach(r => {
    const label = el('label', null, 'row');
    const box = el('input');
    box.type = 'checkbox';
    box.checked = r.on;
    box.dataset.layer = r.key;
    box.addEventListener('change', () => { if (box.checked) { r.layer.addTo(map); stack(); } else { map.removeLayer(r.layer); } });
    label.appendChild(box);
    if (r.swatch) label.appendChild(swatch(r.swatch));
    label.appendChild(el('span', r.label));
    list.appendChild(label);
    if (r.legend) {
      const sub = el('div', null, 'legend');
      r.legend.forEach(item => { const line = el('div'); line.appendChild(swatch(item)); line.appendChild(el('span', item.label)); sub.appendChild(line); });
      list.appendChild(sub);
    }
  });
  panel.appendChild(list);
  panel.appendChild(el('h2', T.criteria));
  const crit = el('table', null, 'criteria');
  D.criteria.forEach(c => {
    const tr = el('tr');
    const name = el('td');
    name.appendChild(el('b', c.label));
    name.appendChild(el('div', c.rule, 'rule'));
    tr.appendChild(name);
    tr.appendChild(el('td', num(c.weight * 100) + ' %', 'n'));
    crit.appendChild(tr);
  });
  panel.appendChild(crit);
  panel.appendChild(el('p', T.speed, 'note'));
  if (ranked.length && D.top_n > 0) {
    panel.appendChild(el('h2', T.top));
    const ol = el('ol', null, 'top');
    D.top.forEach(i => {
      const li = el('li');
      li.value = S.rank[i];  // tied sites show the same number
      const a = el('a', S.name[i] + ' · ' + num(S.score[i] / 10, 1));
      a.href = '#';
      a.addEventListener('click', ev => { ev.preventDefault(); map.setView(siteLL(i), Math.max(map.getZoom(), 17)); openSite(i); });
      li.appendChild(a);
      ol.appendChild(li);
    });
    panel.appendChild(ol);
    if (T.top_more) panel.appendChild(el('p', T.top_more, 'note top-more'));
  }
  panel.appendChild(el('p', T.data, 'note'));
  panel.appendChild(el('p', T.attribution, 'note'));

  // ---- initial view ----
  const pts = nSites ? Array.from({length: nSites}, (_, i) => siteLL(i)) : Array.from(NQX, (x, i) => ll(x, NQY[i]));
  map.fitBounds(L.latLngBounds(pts), {padding: [20, 20], maxZoom: 17});
  restyle();
  placeLabels();
  map.on('zoomend', () => { restyle(); placeLabels(); });

  // a read-only hook for tests and for anyone scripting the page
  window.__aldersvennlig = {
    map, counts, evaluate, openSite, showScenario,
    shown: () => rows.filter(r => map.hasLayer(r.layer)).map(r => r.key),
    layer: key => rows.find(r => r.key === key).layer,
    siteIndex: id => S.id.indexOf(id),
    siteLatLng: siteLL,
    destLatLng: i => ll(D.dest.x[i], D.dest.y[i]),
  };
}
