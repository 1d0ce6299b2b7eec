// The answers' pictures: a timeline, a map of countries, bar charts of counts. Each is a Vega-Lite
// chart drawn by vega-embed as SVG (vendored in /static/vendor, loaded by the page). `ast: true`
// makes Vega evaluate its expressions with vega-interpreter (bundled in vega-embed) instead of
// compiling them with `new Function`, which our Content-Security-Policy forbids.
// The same rows give the same picture: the data go in in a fixed order, nothing is random.
import { countBy } from "./facets.js";
import { getJson, isIri } from "./util.js";

const EMBED = { renderer: "svg", actions: false, ast: true, tooltip: true };
const MAX_BARS = 25;
const ATLAS = "/static/vendor/world-atlas/countries-110m.json";
const CODES = "/static/vendor/iso-countries/codes.json";

let atlas = null; // { topology, numeric: Map(alpha3 -> numeric code) }, fetched once

/** Draw a Vega-Lite spec into a container (replacing what was there); resolves to the Vega view. */
export async function draw(container, spec) {
  if (container.embedded) container.embedded.finalize();
  // vega-embed makes its element an inline block as wide as the chart: a child of ours, so the
  // container keeps its width and scrolls a wider chart instead of spilling over its neighbours
  container.embedded = null;
  const chart = document.createElement("div");
  container.replaceChildren(chart);
  const drawing = (container.drawing = (container.drawing || 0) + 1);
  const result = await window.vegaEmbed(chart, spec, EMBED);
  if (drawing !== container.drawing) result.finalize(); // a later picture took its place meanwhile
  else container.embedded = result;
  return result.view;
}

/** The width of the plot itself: the container's, less room for the axis labels and a legend. */
function widthOf(container, room = 520) {
  return Math.max(220, Math.min(900, (container.clientWidth || 800) - room));
}

/** A text for a cell: an IRI's label when it has one; a rolled-up list's items "; "-joined. */
function textOf(row, name) {
  const value = row[name];
  if (value === null || value === undefined) return "";
  const label = row[`${name}_label`];
  if (Array.isArray(value)) return value.map((item, i) => (Array.isArray(label) && label[i]) || item).join("; ");
  return String(label || value);
}

/** Milliseconds since 1970 (UTC) of "2012", "2012-05" or "2012-05-01", or null. */
export function utc(text) {
  const match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(String(text || ""));
  if (!match) return null;
  return Date.UTC(Number(match[1]), match[2] ? Number(match[2]) - 1 : 0, match[3] ? Number(match[3]) : 1);
}

/** Labels made unique (a nominal axis would merge two values that share a label). */
function uniqueLabels(entries) {
  const seen = new Map();
  return entries.map((entry) => {
    const n = (seen.get(entry.label) || 0) + 1;
    seen.set(entry.label, n);
    return { ...entry, shown: n > 1 ? `${entry.label} (${n})` : entry.label };
  });
}

/** Which columns a timeline draws: the first date column as the start, `end` as the end, the
 * first IRI column whose values differ between rows as the line (the member, not the group). */
export function timelineColumns(columns, rows) {
  const dates = columns.filter((c) => c.type === "date");
  const iris = columns.filter((c) => c.type === "iri" && !c.label_of);
  const varied = iris.find((c) => new Set(rows.map((r) => r[c.name])).size > 1) || iris[0];
  const text = columns.find((c) => c.type === "text");
  const kind = columns.find((c) => ["kind", "relation", "role", "kinds", "roles"].includes(c.name));
  return {
    start: dates[0],
    // "last": a rolled-up answer's latest date (partners-covering's first to last)
    end: dates.find((c) => (c.name === "end" || c.name === "last") && c !== dates[0]),
    line: varied || text,
    kind,
  };
}

/** A timeline: a dot at each row's date, a bar to its end date when it has one, one line per item. */
export async function timeline(container, columns, rows) {
  const use = timelineColumns(columns, rows);
  const values = [];
  rows.forEach((row, index) => {
    const start = use.start ? utc(row[use.start.name]) : null;
    if (start === null) return;
    const end = use.end ? utc(row[use.end.name]) : null;
    values.push({
      index,
      line: use.line ? textOf(row, use.line.name) : String(index + 1),
      start,
      end: end !== null && end >= start ? end : null,
      from: String(row[use.start.name]),
      to: use.end && row[use.end.name] ? String(row[use.end.name]) : "",
      kind: use.kind ? textOf(row, use.kind.name) : "",
    });
  });
  const x = { field: "start", type: "temporal", scale: { type: "utc" }, title: null, axis: { grid: true, labelOverlap: true } };
  const color = use.kind ? { field: "kind", type: "nominal", title: use.kind.title, sort: "ascending" } : { value: "#1f6feb" };
  const spec = {
    width: widthOf(container),
    height: { step: 18 },
    data: { values },
    encoding: { y: { field: "line", type: "nominal", sort: { field: "start", op: "min" }, title: null, axis: { labelLimit: 300 } } },
    layer: [
      {
        name: "spans",
        transform: [{ filter: { field: "end", valid: true } }],
        mark: { type: "rule", strokeWidth: 4, opacity: 0.6 },
        encoding: { x, x2: { field: "end" }, color },
      },
      {
        name: "dates",
        mark: { type: "point", filled: true, size: 70, opacity: 1 },
        encoding: {
          x,
          color,
          tooltip: [
            { field: "line", title: use.line ? use.line.title : "item" },
            { field: "from", title: "from" },
            { field: "to", title: "to" },
            ...(use.kind ? [{ field: "kind", title: use.kind.title }] : []),
          ],
        },
      },
    ],
  };
  await draw(container, spec);
  return { drawn: values.length, undated: rows.length - values.length };
}

async function loadAtlas() {
  if (!atlas) {
    const [topology, codes] = await Promise.all([getJson(ATLAS), getJson(CODES)]);
    atlas = { topology, numeric: new Map(codes.map(([, alpha3, numeric]) => [alpha3, numeric])) };
  }
  return atlas;
}

/** The countries the rows name, through any IRI column holding places (config.countries gives a
 * place's country); places not within one country (regions) are returned apart. */
export function countriesOf(columns, rows, countries) {
  const byCountry = new Map();
  const elsewhere = new Map();
  const placeColumns = columns.filter((c) => (c.type === "iri" || c.type === "term") && !c.label_of);
  for (const row of rows) {
    const seen = new Set();
    for (const column of placeColumns) {
      const cell = row[column.name];
      const labels = row[`${column.name}_label`];
      const items = Array.isArray(cell) ? cell : [cell]; // a rolled-up list names several
      items.forEach((value, i) => {
        if (!isIri(value)) return;
        const country = countries[value];
        if (country) seen.add(country.alpha3);
        else if (/\/id\/place\//.test(value)) elsewhere.set(value, String((Array.isArray(labels) ? labels[i] : labels) || value));
      });
    }
    for (const alpha3 of seen) byCountry.set(alpha3, (byCountry.get(alpha3) || 0) + 1);
  }
  return { byCountry, elsewhere };
}

/** A world map: the countries the rows name, shaded by how many rows name each. */
export async function map(container, columns, rows, countries) {
  const { topology, numeric } = await loadAtlas();
  const { byCountry, elsewhere } = countriesOf(columns, rows, countries);
  const values = [...byCountry].sort().map(([alpha3, count]) => ({ id: numeric.get(alpha3), alpha3, count }));
  const shapes = { values: topology, format: { type: "topojson", feature: "countries" } };
  const spec = {
    width: widthOf(container, 120),
    height: Math.round(widthOf(container, 120) * 0.5),
    projection: { type: "equalEarth" },
    layer: [
      { name: "world", data: shapes, mark: { type: "geoshape", fill: "#e6e9ee", stroke: "#ffffff", strokeWidth: 0.5 } },
      {
        name: "countries",
        data: shapes,
        transform: [
          { lookup: "id", from: { data: { values }, key: "id", fields: ["alpha3", "count"] } },
          { filter: { field: "count", valid: true } },
        ],
        mark: { type: "geoshape", stroke: "#24292f", strokeWidth: 0.5 },
        encoding: {
          color: { field: "count", type: "quantitative", title: "rows", scale: { scheme: "blues", domainMin: 0 }, legend: { format: "d", tickMinStep: 1 } },
          tooltip: [{ field: "properties.name", title: "country" }, { field: "count", title: "rows" }],
        },
      },
    ],
  };
  await draw(container, spec);
  const drawn = new Set(topology.objects.countries.geometries.map((g) => g.id));
  const missing = values.filter((v) => !drawn.has(v.id)).map((v) => v.alpha3);
  return { countries: values.length - missing.length, missing, elsewhere: [...elsewhere.values()].sort() };
}

/** Horizontal bars of counts, most first (at most MAX_BARS); `onPick(value)` on a click. */
export async function bars(container, entries, { title = "rows", onPick = null, width = null, limit = MAX_BARS } = {}) {
  const shown = uniqueLabels(entries.slice(0, limit));
  const spec = {
    name: "bars",
    width: width || widthOf(container, 320),
    height: { step: 20 },
    data: { values: shown.map((e, order) => ({ ...e, order })) },
    mark: { type: "bar", cursor: onPick ? "pointer" : "default", color: "#1f6feb" },
    encoding: {
      y: { field: "shown", type: "nominal", sort: { field: "order" }, title: null, axis: { labelLimit: 260 } },
      x: { field: "count", type: "quantitative", title, axis: { tickMinStep: 1 } },
      tooltip: [{ field: "shown", title: "value" }, { field: "count", title }],
    },
  };
  const view = await draw(container, spec);
  if (onPick) {
    view.addEventListener("click", (event, item) => {
      if (item && item.datum && item.datum.value !== undefined) onPick(item.datum.value);
    });
  }
  return { drawn: shown.length, of: entries.length };
}

/** Bars of one column's counts over the rows (the facet rule, so they agree with the facets). */
export async function barsOf(container, column, rows, onPick) {
  return bars(container, countBy(rows, column), { onPick });
}
