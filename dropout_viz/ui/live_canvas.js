// Dropout Lab's live canvas: draws what Python sends, many times a second.
//
// Streamlit calls the default export on mount and again with new `data` at every
// rerun of the fragment. The canvases stay in place between calls, so no frame
// ever shows an empty chart: each call just repaints them. A payload is a
// "board" of panels ("boundary", "network", "lines"; a "stack" holds several in
// one grid cell). Arrays arrive as base64 of packed bytes. The payloads are
// built, and unit-tested, in dropout_viz/figures/live.py.

const CLASS0 = [245, 147, 34]; // orange, as in TensorFlow Playground
const CLASS1 = [8, 119, 189]; // blue
// More classes (own data: up to 10), each its own hue; two classes stay orange and blue.
const CLASSES = [CLASS0, CLASS1, [0, 158, 115], [148, 103, 189], [213, 94, 0], [86, 180, 233],
  [204, 121, 167], [140, 86, 75], [188, 189, 34], [100, 100, 100]];
const INK = "#31333f";
const MUTED = "#6b7280"; // axis text too: 4.8:1 on white, over WCAG AA's 4.5:1

const UTF8 = new TextDecoder();

export default function (component) {
  const { parentElement, setTriggerValue } = component;
  // A payload arrives as JSON bytes, encoded once on the server however many screens
  // show it (a class following its teacher), or as an object.
  const data = ArrayBuffer.isView(component.data)
    ? JSON.parse(UTF8.decode(component.data))
    : component.data;
  let root = parentElement.querySelector(".dl-board");
  if (!root) {
    // For screen readers: the board is one named, focusable group, described by a
    // visually hidden summary that is rewritten each update but never announced
    // (aria-live off): it is read when the learner moves to it, not 20 times a second.
    const summary = document.createElement("p");
    summary.className = "dl-sr-only";
    summary.id = `dl-summary-${Math.random().toString(36).slice(2)}`;
    summary.setAttribute("aria-live", "off");
    parentElement.appendChild(summary);
    root = document.createElement("div");
    root.className = "dl-board";
    root.setAttribute("role", "group");
    root.setAttribute("aria-label", "Live training board");
    root.setAttribute("aria-describedby", summary.id);
    root.tabIndex = 0;
    root.summary = summary;
    parentElement.appendChild(root);
    // Repaint when the page is resized, with the last data we were given.
    new ResizeObserver(() => paintBoard(root)).observe(root);
    root.before(pngButton(root)); // the board as it is now, from the canvases' own pixels
  }
  if (data.kind === "follow") {
    follow(root, data.feed, data.help || []); // a class following its teacher: by feed
    return;
  }
  if (data.kind === "own") {
    own(root, data, setTriggerValue); // the learner's own run: by feed while it plays
    return;
  }
  root.liveData = data.kind === "board" ? data : { kind: "board", panels: [data], columns: 1 };
  paintBoard(root);
}

// ---- the board: one grid cell per panel (or stack of panels) ------------------------------
function paintBoard(root) {
  const board = root.liveData;
  if (!board) return;
  const started = performance.now();
  const columns = root.clientWidth < 700 ? "1fr" : `repeat(${board.columns}, 1fr)`;
  if (root.style.gridTemplateColumns !== columns) root.style.gridTemplateColumns = columns;
  // First every DOM change, then every width read, then the painting: a width read after
  // a change makes the browser lay the whole page out again, once per panel.
  const jobs = [];
  board.panels.forEach((item, i) => {
    let cell = root.children[i];
    if (!cell) {
      cell = document.createElement("div");
      cell.className = "dl-cell";
      root.appendChild(cell);
    }
    const panels = item.kind === "stack" ? item.panels : [item];
    panels.forEach((panel, j) => jobs.push({ box: panelBox(cell, j, panel), panel }));
  });
  jobs.forEach((job) => (job.width = Math.max(job.box.clientWidth, 120)));
  jobs.forEach((job) => paintPanel(job.box, job.width, job.panel, board));
  root.dataset.step = String(board.step ?? "");
  const text = boardSummary(board);
  if (root.summary.textContent !== text) root.summary.textContent = text;
  // How long painting took, for bench_live.py: the browser shares the CPU with the server.
  root.dataset.paintMs = (performance.now() - started).toFixed(2);
}

function boardSummary(board) {
  // "Step 1,200. No dropout: train loss …, test loss …. Dropout: …. 31 units dropped …"
  // from the panels' own summaries; the loss charts repeat the same numbers, so they are
  // left out to keep it short.
  const panels = board.panels.flatMap((item) => (item.kind === "stack" ? item.panels : [item]));
  const parts = panels
    .filter((p) => p.kind !== "lines" && p.summary)
    .map((p) => p.summary[0].toUpperCase() + p.summary.slice(1));
  const step = Number(board.step ?? 0).toLocaleString("en-US");
  return [`Step ${step}`, ...parts].join(". ") + ".";
}

// ---- the board as a PNG: every panel's canvas pixels and caption, where they stand --------
function pngButton(root) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "dl-png";
  button.textContent = "Download board (PNG)";
  button.style.cssText =
    "display:block;margin:0 0 6px auto;padding:4px 10px;font:14px var(--st-font,sans-serif);" +
    "color:var(--st-text-color,#31333f);background:transparent;cursor:pointer;" +
    "border:1px solid rgba(49,51,63,0.3);border-radius:6px;";
  button.addEventListener("click", () => {
    boardImage(root).toBlob((blob) => {
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `dropout_lab_board_step_${root.dataset.step || 0}.png`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    }, "image/png");
  });
  return button;
}

function boardImage(root) {
  // The board's size on screen times the pixel ratio, like each canvas.
  const ratio = window.devicePixelRatio || 1;
  const area = root.getBoundingClientRect();
  const image = document.createElement("canvas");
  image.width = Math.round(area.width * ratio);
  image.height = Math.round(area.height * ratio);
  const ctx = image.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, image.width, image.height);
  ctx.scale(ratio, ratio);
  for (const figure of root.querySelectorAll("figure.dl-panel")) {
    const [caption, canvas] = [figure.firstChild, figure.lastChild];
    const place = canvas.getBoundingClientRect();
    ctx.drawImage(canvas, place.left - area.left, place.top - area.top, place.width, place.height);
    const box = caption.getBoundingClientRect();
    const style = getComputedStyle(caption);
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    ctx.fillStyle = INK;
    ctx.textBaseline = "top";
    const lineHeight = parseFloat(style.lineHeight) || 1.3 * parseFloat(style.fontSize);
    let line = "";
    let y = box.top - area.top;
    for (const word of caption.textContent.split(" ")) {
      if (line && ctx.measureText(`${line} ${word}`).width > box.width) {
        ctx.fillText(line, box.left - area.left, y);
        line = word;
        y += lineHeight;
      } else line = line ? `${line} ${word}` : word;
    }
    ctx.fillText(line, box.left - area.left, y);
  }
  return image;
}

function panelBox(cell, index, panel) {
  let box = cell.children[index];
  if (!box) {
    box = document.createElement("figure");
    box.className = "dl-panel";
    box.innerHTML = '<figcaption></figcaption><canvas role="img"></canvas>';
    cell.appendChild(box);
  }
  const caption = box.firstChild;
  const text = panel.title || "";
  if (caption.textContent !== text) caption.textContent = text; // only a change costs layout
  return box;
}

function paintPanel(box, width, panel, board) {
  const canvas = box.lastChild;
  const height = panel.height || board.height || 300;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = width + "px";
    canvas.style.height = height + "px";
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "12px sans-serif";
  const painters = { boundary: paintBoundary, network: paintNetwork, lines: paintLines };
  painters[panel.kind](ctx, width, height, panel);
  // What was drawn, for people using screen readers and for the end-to-end tests.
  canvas.dataset.kind = panel.kind;
  canvas.dataset.step = String(board.step ?? "");
  canvas.dataset.summary = panel.summary || "";
  canvas.setAttribute("aria-label", `${panel.title || panel.kind}. ${panel.summary || ""}`);
}

function bytes(text) {
  const raw = atob(text || "");
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function floats(text) {
  return new Float32Array(bytes(text).buffer);
}

// ---- shared helpers -------------------------------------------------------------------
function mix(t) {
  // t in [0, 1]: 0 -> class 0 colour, 1 -> class 1 colour, through white at 0.5
  const c = t < 0.5 ? CLASS0 : CLASS1;
  const s = Math.abs(t - 0.5) * 2;
  return c.map((v) => Math.round(255 + (v - 255) * s));
}

function tint(colour, probability, classes) {
  // The predicted class's colour, white where the network is no surer than a guess.
  const s = Math.max(0, (probability - 1 / classes) / (1 - 1 / classes));
  return colour.map((v) => Math.round(255 + (v - 255) * s));
}

function scaler(lo, hi, a, b) {
  return (v) => a + ((v - lo) / (hi - lo || 1)) * (b - a);
}

function title(ctx, text, x, y) {
  ctx.fillStyle = INK;
  ctx.font = "bold 12px sans-serif";
  ctx.fillText(text, x, y);
  ctx.font = "12px sans-serif";
}

// ---- decision boundary or fitted curve --------------------------------------------------
function paintBoundary(ctx, width, height, d) {
  const size = Math.min(width, height);
  const x0 = (width - size) / 2;
  const [[xmin, xmax], [ymin, ymax]] = d.extent;
  const sx = scaler(xmin, xmax, x0, x0 + size);
  const sy = d.task === "regression" ? scaler(d.yextent[0], d.yextent[1], size - 4, 4)
                                     : scaler(ymin, ymax, size, 0);
  if (d.task === "regression") {
    ctx.strokeStyle = "#e6e6e6";
    ctx.strokeRect(x0, 0, size, size);
    if (d.truth) drawCurve(ctx, d.truth, sx, sy, MUTED, [4, 4], 1.5);
    drawCurve(ctx, d.curve, sx, sy, INK, [], 2.5);
  } else {
    // The probability grid, painted small and scaled up smoothly.
    const n = d.resolution;
    const grid = bytes(d.grid);
    const sure = d.classes ? bytes(d.confidence) : null; // more classes: how sure, per cell
    const tile = document.createElement("canvas");
    tile.width = n;
    tile.height = n;
    const image = tile.getContext("2d").createImageData(n, n);
    for (let row = 0; row < n; row++) {
      for (let col = 0; col < n; col++) {
        const cell = row * n + col;
        const [r, g, b] = d.classes ? tint(CLASSES[grid[cell]], sure[cell] / 255, d.classes)
                                    : mix(grid[cell] / 255);
        const at = ((n - 1 - row) * n + col) * 4; // row 0 is the bottom of the plot
        image.data.set([r, g, b, 200], at);
      }
    }
    tile.getContext("2d").putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, x0, 0, size, size);
  }
  // Test points: hollow rings; training points: filled with a white edge. One path per
  // colour, not one per point: a few hundred separate strokes cost milliseconds a frame.
  const train = { x: floats(d.train.x), y: floats(d.train.y), label: bytes(d.train.label) };
  const test = { x: floats(d.test.x), y: floats(d.test.y), label: bytes(d.test.label) };
  const dots = (set, label, radius) => {
    ctx.beginPath();
    for (let i = 0; i < set.x.length; i++) {
      if (d.task !== "regression" && set.label[i] !== label) continue;
      const px = sx(set.x[i]);
      const py = sy(set.y[i]);
      ctx.moveTo(px + radius, py);
      ctx.arc(px, py, radius, 0, 2 * Math.PI);
    }
  };
  const labels = d.task === "regression" ? [1] : [...Array(d.classes || 2).keys()];
  ctx.lineWidth = 1.2;
  for (const label of labels) {
    const colour = CLASSES[label];
    dots(test, label, 3);
    ctx.strokeStyle = `rgba(${colour},0.8)`;
    ctx.stroke();
  }
  for (const label of labels) {
    dots(train, label, 4);
    ctx.fillStyle = `rgb(${CLASSES[label]})`;
    ctx.fill();
    ctx.strokeStyle = "white";
    ctx.stroke();
  }
  if (d.highlight !== null && d.highlight !== undefined) {
    // The training example whose mask the network drawing shows.
    ctx.beginPath();
    ctx.arc(sx(train.x[d.highlight]), sy(train.y[d.highlight]), 9, 0, 2 * Math.PI);
    ctx.strokeStyle = INK;
    ctx.lineWidth = 2;
    ctx.stroke();
  }
  ctx.fillStyle = INK;
  ctx.fillText("● train   ○ test", x0 + 6, size - 8);
}

function drawCurve(ctx, curve, sx, sy, colour, dash, lineWidth) {
  const xs = floats(curve.x);
  const ys = floats(curve.y);
  ctx.beginPath();
  ctx.setLineDash(dash);
  xs.forEach((x, i) => (i ? ctx.lineTo(sx(x), sy(ys[i])) : ctx.moveTo(sx(x), sy(ys[i]))));
  ctx.strokeStyle = colour;
  ctx.lineWidth = lineWidth;
  ctx.stroke();
  ctx.setLineDash([]);
}

// ---- the network and the masks of this step ---------------------------------------------
function paintNetwork(ctx, width, height, d) {
  // Per layer: units, name, and packed bytes: kept (0/1), dropped_share (0..255), value
  // (0..255 for -1..1). Weights: one byte each, 127 = 0, relative to the layer's largest.
  const layers = d.layers.map((l) => ({
    ...l,
    kept: l.kept === undefined ? null : bytes(l.kept),
    dropped_share: l.dropped_share === undefined ? null : Array.from(bytes(l.dropped_share), (v) => v / 255),
    value: l.value === undefined ? null : Array.from(bytes(l.value), (v) => v / 127.5 - 1),
  }));
  const weights = d.weights.map(bytes);
  const top = 30;
  const bottom = height - 40; // room for the legend
  const xs = layers.map((_, i) => 40 + (i * (width - 80)) / (layers.length - 1));
  const most = Math.max(...layers.map((l) => l.units));
  const gap = Math.min(26, (bottom - top) / Math.max(most - 1, 1));
  const radius = Math.max(2.5, Math.min(8, gap * 0.36));
  const ys = layers.map((layer) => {
    const start = (top + bottom) / 2 - (gap * (layer.units - 1)) / 2;
    return Array.from({ length: layer.units }, (_, i) => start + i * gap);
  });
  const dropped = (layer, i) => layer.kept !== null && !layer.kept[i];
  // Edges: width by |weight|, colour by sign; none from or to a dropped unit. Edges are
  // grouped by look (sign, and width and opacity in small steps) and each group is one
  // stroke: a thousand separate strokes were most of this panel's painting time.
  const groups = new Map();
  weights.forEach((matrix, l) => {
    const from = layers[l];
    const to = layers[l + 1];
    for (let i = 0; i < from.units; i++) {
      if (dropped(from, i)) continue;
      const seen = from.dropped_share ? 1 - from.dropped_share[i] : 1;
      for (let j = 0; j < to.units; j++) {
        if (dropped(to, j)) continue;
        const w = (matrix[i * to.units + j] - 127) / 127; // -1..1 of the layer's largest
        const alpha = Math.round((0.15 + 0.6 * Math.abs(w) * seen) * 40) / 40;
        const lineWidth = Math.round((0.3 + 2.2 * Math.abs(w)) * 8) / 8;
        const style = `rgba(${w >= 0 ? CLASS1 : CLASS0},${alpha})`;
        const key = `${style} ${lineWidth}`;
        if (!groups.has(key)) groups.set(key, { style, lineWidth, segments: [] });
        groups.get(key).segments.push(xs[l], ys[l][i], xs[l + 1], ys[l + 1][j]);
      }
    }
  });
  groups.forEach(({ style, lineWidth, segments }) => {
    ctx.strokeStyle = style;
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    for (let k = 0; k < segments.length; k += 4) {
      ctx.moveTo(segments[k], segments[k + 1]);
      ctx.lineTo(segments[k + 2], segments[k + 3]);
    }
    ctx.stroke();
  });
  // Units.
  layers.forEach((layer, l) => {
    ctx.fillStyle = INK;
    ctx.textAlign = "center";
    ctx.fillText(layer.name, xs[l], 12);
    ctx.textAlign = "left";
    for (let i = 0; i < layer.units; i++) {
      const x = xs[l];
      const y = ys[l][i];
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      if (dropped(layer, i)) {
        ctx.fillStyle = "#e0e0e0";
        ctx.fill();
        ctx.strokeStyle = MUTED;
        ctx.lineWidth = 1;
        ctx.stroke();
        ctx.beginPath(); // the cross of a dropped unit
        ctx.moveTo(x - radius, y - radius);
        ctx.lineTo(x + radius, y + radius);
        ctx.moveTo(x + radius, y - radius);
        ctx.lineTo(x - radius, y + radius);
        ctx.strokeStyle = "#c62828";
        ctx.lineWidth = 1.5;
        ctx.stroke();
      } else if (layer.dropped_share) {
        const g = Math.round(255 - 200 * layer.dropped_share[i]); // darker = dropped more often
        ctx.fillStyle = `rgb(${g},${g},${g})`;
        ctx.fill();
        ctx.strokeStyle = INK;
        ctx.lineWidth = 1;
        ctx.stroke();
      } else {
        const v = layer.value ? layer.value[i] : 0;
        ctx.fillStyle = `rgb(${mix((v + 1) / 2)})`;
        ctx.fill();
        ctx.strokeStyle = INK;
        ctx.lineWidth = 1;
        ctx.stroke();
      }
    }
    if (layer.hidden_units) {
      ctx.fillStyle = MUTED;
      ctx.textAlign = "center";
      ctx.fillText(`+${layer.hidden_units} more`, xs[l], bottom + 16);
      ctx.textAlign = "left";
    }
  });
  networkLegend(ctx, width, height, Boolean(layers.some((l) => l.dropped_share)));
}

function networkLegend(ctx, width, height, frequency) {
  // Items in a row, wrapped onto a second line when the panel is narrow (the presenter
  // view's one-row board): the network leaves 40 px below it for this.
  const items = [];
  const item = (draw, text) => items.push({ draw, text, width: 24 + ctx.measureText(text).width });
  const dot = (fill) => (cx, cy) => {
    ctx.beginPath();
    ctx.arc(cx, cy, 5, 0, 2 * Math.PI);
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.strokeStyle = INK;
    ctx.lineWidth = 1;
    ctx.stroke();
  };
  const edge = (colour) => (cx, cy) => {
    ctx.beginPath();
    ctx.moveTo(cx - 7, cy);
    ctx.lineTo(cx + 7, cy);
    ctx.strokeStyle = `rgb(${colour})`;
    ctx.lineWidth = 2.5;
    ctx.stroke();
  };
  if (frequency) {
    item(dot("rgb(235,235,235)"), "rarely dropped");
    item(dot("rgb(70,70,70)"), "often dropped");
  } else {
    item(dot(`rgb(${mix(0.9)})`), "kept (colour = activation)");
    item((cx, cy) => {
      ctx.beginPath();
      ctx.moveTo(cx - 5, cy - 5);
      ctx.lineTo(cx + 5, cy + 5);
      ctx.moveTo(cx + 5, cy - 5);
      ctx.lineTo(cx - 5, cy + 5);
      ctx.strokeStyle = "#c62828";
      ctx.lineWidth = 2;
      ctx.stroke();
    }, "dropped");
  }
  item(edge(CLASS1), "weight > 0");
  item(edge(CLASS0), "weight < 0");
  const lines = [[]];
  let used = 8;
  items.forEach((it) => {
    if (used + it.width > width && lines[lines.length - 1].length) {
      lines.push([]);
      used = 8;
    }
    lines[lines.length - 1].push(it);
    used += it.width;
  });
  lines.slice(0, 2).forEach((line, row, shown) => {
    const y = height - 10 - 16 * (shown.length - 1 - row);
    let x = 8;
    line.forEach(({ draw, text, width: w }) => {
      draw(x + 6, y - 4);
      ctx.fillStyle = INK;
      ctx.fillText(text, x + 16, y);
      x += w;
    });
  });
}

// ---- line chart (log or linear y) ----------------------------------------------------------
const LOG_SPAN_MIN = 0.5; // decades
function paintLines(ctx, width, height, panel) {
  // Unpack each series; NaN marks a gap (e.g. no train-mode loss before the first step).
  const x = floats(panel.x); // every series of a chart shares its x (the evaluation steps)
  const d = { ...panel, series: panel.series.map((s) => ({ ...s, x, y: floats(s.y) })) };
  const legendRows = legend(ctx, width, d.series); // drawn first, at the top
  const area = { left: 46, right: width - 12, top: 10 + 16 * legendRows, bottom: height - 30 };
  const log = d.log_y;
  const tf = (v) => (log ? Math.log10(Math.max(v, 1e-7)) : v);
  let lo = Infinity;
  let hi = -Infinity;
  let xmax = 1;
  for (const s of d.series) {
    for (const v of s.y) {
      if (Number.isNaN(v)) continue;
      lo = Math.min(lo, tf(v));
      hi = Math.max(hi, tf(v));
    }
    xmax = Math.max(xmax, s.x[s.x.length - 1] || 1);
  }
  if (!isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-6) hi = lo + 1;
  // At least half a decade on a log axis, so that a tick (1, 2 or 5 times a power of ten)
  // falls inside it: at step 0 every loss is ~0.63 and the axis had no label at all.
  const short = log ? LOG_SPAN_MIN - (hi - lo) : 0;
  if (short > 0) {
    lo -= short / 2;
    hi += short / 2;
  }
  const pad = (hi - lo) * 0.05;
  lo -= pad;
  hi += pad;
  const sx = scaler(0, xmax, area.left, area.right);
  const sy = scaler(lo, hi, area.bottom, area.top);
  // Grid, y ticks on the left, x ticks below.
  ctx.lineWidth = 1;
  ctx.fillStyle = MUTED;
  ctx.textAlign = "right";
  for (const t of log ? logTicks(lo, hi) : niceTicks(lo, hi)) {
    const y = sy(log ? Math.log10(t) : t);
    ctx.strokeStyle = "#e4e4e4";
    ctx.beginPath();
    ctx.moveTo(area.left, y);
    ctx.lineTo(area.right, y);
    ctx.stroke();
    ctx.fillText(formatTick(t), area.left - 5, y + 4);
  }
  ctx.textAlign = "center";
  for (const t of niceTicks(0, xmax, 1)) { // whole steps: no "0 0 0 1 1 1" at step 0
    ctx.fillText(Math.round(t).toLocaleString("en-US"), sx(t), area.bottom + 14);
  }
  ctx.textAlign = "right";
  ctx.fillText(d.x_label, area.right, height - 2);
  ctx.textAlign = "left";
  ctx.save();
  ctx.translate(10, (area.top + area.bottom) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(d.y_label + (log ? " (log scale)" : ""), 0, 0);
  ctx.restore();
  ctx.strokeStyle = "#bbbbbb";
  ctx.strokeRect(area.left, area.top, area.right - area.left, area.bottom - area.top);
  // Series.
  for (const s of d.series) {
    ctx.beginPath();
    ctx.setLineDash(s.dash || []);
    let points = 0;
    let last = null;
    s.x.forEach((x, i) => {
      const v = s.y[i];
      if (Number.isNaN(v)) return;
      last = [sx(x), sy(tf(v))];
      if (points) ctx.lineTo(...last);
      else ctx.moveTo(...last);
      points += 1;
    });
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.width || 2;
    ctx.stroke();
    if (points === 1) {
      // One evaluation so far (step 0): a line needs two, so the point is shown as a dot.
      ctx.fillStyle = s.color;
      ctx.beginPath();
      ctx.arc(...last, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.setLineDash([]);
  }
}

function legend(ctx, width, series) {
  // One row of "— name" items, wrapping; returns how many rows it used.
  let x = 46;
  let row = 0;
  for (const s of series) {
    const w = 30 + ctx.measureText(s.name).width + 14;
    if (x + w > width && x > 46) {
      x = 46;
      row += 1;
    }
    const y = 10 + row * 16;
    ctx.strokeStyle = s.color;
    ctx.setLineDash(s.dash || []);
    ctx.lineWidth = s.width || 2;
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 24, y);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = INK;
    ctx.fillText(s.name, x + 30, y + 4);
    x += w;
  }
  return row + 1;
}

function logTicks(lo, hi) {
  // Powers of ten, plus 2 and 5 times them when the range is under two decades.
  const steps = hi - lo < 2 ? [1, 2, 5] : [1];
  const out = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    for (const m of steps) out.push(m * 10 ** e);
  }
  return out.filter((t) => Math.log10(t) >= lo && Math.log10(t) <= hi);
}

function niceTicks(lo, hi, minStep = 0) {
  const raw = (hi - lo) / 5 || 1;
  const base = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(minStep, [1, 2, 5, 10].map((m) => m * base).find((s) => s >= raw));
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(t);
  return out;
}

function formatTick(t) {
  return t >= 10000 || t < 0.001 ? t.toExponential(0) : String(Number(t.toPrecision(2)));
}

// ---- reading a run's updates from the feed ------------------------------------------------
// Both live screens, a follower's and one's own run while it plays, run no Streamlit
// script: they ask the server for the update after the one they have
// (dropout_viz/serving/feed.py: 200 with it as soon as it exists, 204 when none came
// within the wait, 410 when the run has ended). One request at a time, so a slow browser
// or a busy server means fewer updates, never a queue of them.
// request(): the URL to ask now, or null to stop. answered(status, update): the pause in
// ms before the next request (null: stop) and what to paint. A pause of 0 sends the next
// request before painting: the server makes the next update while the browser paints.
const HIDDEN_MS = 1000; // a tab nobody looks at asks once a second

function readFeed(request, answered, errorMs) {
  const next = async () => {
    const url = request();
    if (url === null) return;
    let pause = errorMs;
    let paint = null;
    try {
      const response = await fetch(url, {
        cache: "no-store",
        credentials: "same-origin", // the route cookie keeps us on the run's replica
      });
      const body = [200, 410].includes(response.status) ? await response.json() : null;
      ({ pause, paint = null } = answered(response.status, body));
    } catch (error) {
      // The network or the server hiccupped: try again a little later.
    }
    if (pause !== null) {
      if (document.hidden) setTimeout(next, HIDDEN_MS);
      else if (pause === 0) next();
      else setTimeout(next, pause);
    }
    if (paint) paint();
  };
  next();
}

// ---- a class following its teacher's run ---------------------------------------------
// The follower's page is drawn once; then it reads the teacher's updates, pausing after
// each answer.
const FOLLOW_PAUSE_MS = { live: 100, paused: 500, left: 1000, error: 2000 };

function follow(root, url, help) {
  if (root.feedUrl === url) return; // already following (a rerun sent the same data)
  root.feedUrl = url;
  const head = headOf(root, "dl-follow");
  let version = "";
  let state = "live";
  const viewer = Math.random().toString(36).slice(2, 12); // counts this screen in the class
  const request = () =>
    root.isConnected && root.feedUrl === url // (else the page has moved on)
      ? `${url}?after=${encodeURIComponent(version)}&viewer=${viewer}`
      : null;
  const answered = (status, update) => {
    if (status === 200) {
      ({ v: version, state } = update);
      const paint = () => {
        showHead(head, update.head, help);
        root.liveData = update.board;
        paintBoard(root);
      };
      return { pause: FOLLOW_PAUSE_MS[state], paint };
    }
    if (status === 204) return { pause: FOLLOW_PAUSE_MS[state] };
    if (status === 410) return { pause: null, paint: () => showHead(head, update.head) }; // gone
    if (status === 404) {
      const missing = "This server has no class feed: start it with: streamlit run app.py";
      return { pause: null, paint: () => showHead(head, { status: missing }) };
    }
    return { pause: FOLLOW_PAUSE_MS.error };
  };
  readFeed(request, answered, FOLLOW_PAUSE_MS.error);
}

// The lines above the board: for a follower the status and the teacher's settings, then
// for everyone the step line and the three numbers.
function headOf(root, className) {
  let head = root.parentNode.querySelector(`.${className}`); // (the parent may be a shadow root)
  if (!head) {
    head = document.createElement("div");
    head.className = `dl-head ${className}`;
    head.innerHTML =
      (className === "dl-follow" ? '<p class="dl-status" role="status"></p><p class="dl-settings"></p>' : "") +
      '<p class="dl-step"></p><div class="dl-metrics"></div>';
    (root.parentNode.querySelector(".dl-png") || root).before(head); // above the PNG button
  }
  return head;
}

function showHead(head, { status, settings, step, seed, metrics }, help = []) {
  // Text only (textContent): nothing from the wire is ever parsed as HTML.
  const [statusLine, settingsLine] = head.children;
  statusLine.textContent = status || "";
  if (step === undefined) return;
  if (settingsLine.textContent !== settings) settingsLine.textContent = settings;
  showNumbers(head, step, ` · seed ${seed} · following the teacher`, metrics, help);
}

function showNumbers(head, step, rest, metrics, help) {
  const stepLine = head.querySelector(".dl-step");
  const boxes = head.querySelector(".dl-metrics");
  if (!stepLine.firstChild) stepLine.innerHTML = "<strong></strong><span></span>";
  stepLine.firstChild.textContent = `Step ${step.toLocaleString("en-US")}`;
  stepLine.lastChild.textContent = rest;
  while (boxes.children.length < metrics.length) {
    const box = document.createElement("div");
    box.className = "dl-metric";
    box.innerHTML = '<div class="dl-label"></div><div class="dl-value"></div><div class="dl-delta"></div>';
    boxes.appendChild(box);
  }
  metrics.forEach(([label, value, delta], i) => {
    const [l, v, d] = boxes.children[i].children;
    l.textContent = label;
    if (help[i]) l.title = help[i];
    v.textContent = value;
    // Smaller is better (a gap): a rise is marked worse, a fall better, by arrow and colour.
    const sign = (delta || "").trim()[0];
    d.textContent = delta ? `${sign === "-" ? "▼" : "▲"} ${delta}` : "";
    d.className = `dl-delta${delta ? (sign === "-" ? " dl-better" : " dl-worse") : ""}`;
  });
}

// ---- the learner's own run, live ----------------------------------------------------------
// The page sends the run's update as it is when a script runs (a button, a widget). While
// the run plays, no script runs: the server's trainer makes the next update once this
// screen has asked for it (dropout_viz/serving/trainer.py), and this screen asks again as
// soon as an answer comes.
const OWN_ERROR_MS = 1000;
const serial = (version) => parseInt(version, 10);

function own(root, data, setTriggerValue) {
  const head = headOf(root, "dl-own");
  const show = (update) => {
    showNumbers(head, update.head.step, ` · seed ${update.head.seed}${update.head.note}`,
      update.head.metrics, data.help);
    root.liveData = update.board;
    paintBoard(root);
  };
  if (root.ownKey !== data.key) {
    // Another run on this screen (Reset keeps the run; a scene of the tour, a copy or a
    // run started anew do not): its updates count from 0 again.
    root.ownKey = data.key;
    root.ownVersion = "";
  }
  if (!root.ownVersion || serial(data.v) >= serial(root.ownVersion)) {
    root.ownVersion = data.v;
    show(data);
  }
  root.ownLive = data.state === "live";
  const loop = `${data.feed}?key=${data.key}`;
  if (!root.ownLive || root.ownLoop === loop) return; // paused, or already reading it
  root.ownLoop = loop;
  const request = () => {
    if (root.isConnected && root.ownLoop === loop && root.ownLive) {
      return `${loop}&after=${encodeURIComponent(root.ownVersion)}`;
    }
    if (root.ownLoop === loop) root.ownLoop = null;
    return null;
  };
  const answered = (status, update) => {
    if (root.ownLoop !== loop) return { pause: null }; // a new run took this canvas meanwhile
    if (status === 204) return { pause: 0 }; // it waited and nothing came: ask again
    if (status !== 200) {
      root.ownLoop = null; // the run is gone: the next script run draws what is there
      return { pause: null };
    }
    const newer = serial(update.v) >= serial(root.ownVersion);
    if (newer) root.ownVersion = update.v;
    const paint = newer ? () => show(update) : null;
    if (update.state === "live") return { pause: 0, paint };
    root.ownLive = false;
    root.ownLoop = null;
    // Stopped by itself (its training diverged): a rerun redraws Play and the warning.
    if (update.head.diverged) setTriggerValue("stopped", update.v);
    return { pause: null, paint };
  };
  readFeed(request, answered, OWN_ERROR_MS);
}
