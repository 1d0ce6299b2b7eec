// The front page's overview: what the graph holds at a glance, each chart opening the question
// behind it. Drawn from one canned answer (every arrangement, with its kind, parties, start,
// topics and species), so each count is one the question it opens will show.
import { countBy } from "./facets.js";
import { bars } from "./pictures.js";
import { config, getJson, h } from "./util.js";

const SOURCE = "arrangements";
const TOP = 8; // bars per chart: the overview is a glance, the question behind it has them all

function open(hash) {
  window.location.hash = hash;
}

/** The chart's bars as links too, for the keyboard and for screen readers (bars take clicks only). */
function links(chart, entries, hashOf) {
  const list = h("ul", { class: "overview-links" });
  for (const entry of entries) {
    list.append(h("li", {}, h("a", { href: hashOf(entry.value) }, `${entry.label || entry.value}: ${entry.count}`)));
  }
  chart.after(h("details", { class: "overview-list" }, h("summary", {}, "As a list of links"), list));
}

/** Draw one chart and its list of links, at most TOP of each. */
function chart(id, entries, title, hashOf) {
  const container = document.getElementById(id);
  links(container, entries.slice(0, TOP), hashOf);
  return bars(container, entries, { title, width: 240, limit: TOP, onPick: (value) => open(hashOf(value)) });
}

/** Distinct parties per kind of arrangement: [{value: kind IRI, label, count}], most first. */
export function partnersByKind(rows) {
  const kinds = new Map();
  for (const row of rows) {
    if (!row.kind) continue;
    const entry = kinds.get(row.kind) || { value: row.kind, label: row.kind_label || row.kind, parties: new Set() };
    for (const party of String(row.parties || "").split("; ").filter(Boolean)) entry.parties.add(party);
    kinds.set(row.kind, entry);
  }
  const entries = [...kinds.values()].map(({ value, label, parties }) => ({ value, label, count: parties.size }));
  return entries.filter((e) => e.count).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label) || (a.value < b.value ? -1 : 1));
}

/** Topics and species together, by how many arrangements name each. */
function subjects(rows, columns) {
  const merged = new Map();
  for (const column of columns) {
    for (const entry of countBy(rows, column)) {
      merged.set(entry.value, { ...entry, count: (merged.get(entry.value)?.count || 0) + entry.count });
    }
  }
  return [...merged.values()].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

export async function init() {
  const section = document.getElementById("overview");
  const query = config.queries[SOURCE];
  if (!query || !window.vegaEmbed) return;
  const column = (name) => query.columns.find((c) => c.name === name);
  const answer = await getJson(`/api/queries/${SOURCE}?format=json`);
  const drawn = [];
  if (column("kind") && column("parties")) {
    drawn.push(chart("overview-partners", partnersByKind(answer.rows), "partners", (kind) => `#ask/${SOURCE}?${new URLSearchParams({ type: kind })}`));
  }
  const start = column("start");
  if (start) {
    const key = `_${start.name}`;
    drawn.push(chart("overview-years", countBy(answer.rows, start), "arrangements", (year) => `#ask/${SOURCE}?${new URLSearchParams({ [key]: year })}`));
  }
  const subjectColumns = ["topics", "species"].map(column).filter(Boolean);
  if (subjectColumns.length && config.queries["partners-covering"]) {
    const top = subjects(answer.rows, subjectColumns);
    drawn.push(chart("overview-subjects", top, "arrangements", (subject) => `#ask/partners-covering?${new URLSearchParams({ subject })}`));
  }
  await Promise.all(drawn);
  section.hidden = false;
  section.dataset.ready = "true";
}
