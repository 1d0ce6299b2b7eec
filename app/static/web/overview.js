// The front page's overview: what the graph holds at a glance, each chart opening the question
// behind it. Drawn from one canned answer (every arrangement, with its kind, parties, start,
// topics and species), so each count is one the question it opens will show.
import { countBy } from "./facets.js";
import { bars } from "./pictures.js";
import { config, getJson } from "./util.js";

const SOURCE = "arrangements";
const TOP = 8; // bars per chart: the overview is a glance, the question behind it has them all

function open(hash) {
  window.location.hash = hash;
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
  const width = 240;
  const drawn = [];
  if (column("kind") && column("parties")) {
    drawn.push(
      bars(document.getElementById("overview-partners"), partnersByKind(answer.rows), {
        title: "partners",
        width,
        limit: TOP,
        onPick: (kind) => open(`#ask/${SOURCE}?${new URLSearchParams({ type: kind })}`),
      }),
    );
  }
  const start = column("start");
  if (start) {
    drawn.push(
      bars(document.getElementById("overview-years"), countBy(answer.rows, start), {
        title: "arrangements",
        width,
        limit: TOP,
        onPick: (year) => open(`#ask/${SOURCE}?${new URLSearchParams({ [`_${start.name}`]: year })}`),
      }),
    );
  }
  const subjectColumns = ["topics", "species"].map(column).filter(Boolean);
  if (subjectColumns.length && config.queries["partners-covering"]) {
    drawn.push(
      bars(document.getElementById("overview-subjects"), subjects(answer.rows, subjectColumns), {
        title: "arrangements",
        width,
        limit: TOP,
        onPick: (subject) => open(`#ask/partners-covering?${new URLSearchParams({ subject })}`),
      }),
    );
  }
  await Promise.all(drawn);
  section.hidden = false;
  section.dataset.ready = "true";
}
