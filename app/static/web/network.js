// "See": the partnership network drawn by Cytoscape.js (served from /static/vendor), with filters.
import { clearProblem, showProblem } from "./errors.js";
import { completeFromGraph, getJson, h, linkTo, pageOf } from "./util.js";

const form = document.getElementById("network-form");
const status = document.getElementById("net-status");
const errorBox = document.getElementById("net-error");
const container = document.getElementById("network");
const list = document.getElementById("net-list");
const count = document.getElementById("net-count");
const detail = document.getElementById("net-detail");

let cy = null;
let running = null;
let loadedFor = null;

const COLOURS = { organisation: "#0b57d0", collaboration: "#8250df", instrument: "#bf5700" };

const STYLE = [
  {
    selector: "node",
    style: {
      label: "data(short)",
      "font-size": 9,
      "text-wrap": "ellipsis",
      "text-max-width": 110,
      "text-valign": "bottom",
      "text-margin-y": 3,
      color: "#1b1f23",
      "text-outline-color": "#ffffff",
      "text-outline-width": 2,
      width: 16,
      height: 16,
      "background-color": COLOURS.organisation,
    },
  },
  { selector: 'node[group = "collaboration"]', style: { "background-color": COLOURS.collaboration, shape: "round-rectangle" } },
  { selector: 'node[group = "instrument"]', style: { "background-color": COLOURS.instrument, shape: "diamond", width: 18, height: 18 } },
  { selector: "node:selected", style: { "border-width": 3, "border-color": "#f0b400" } },
  { selector: "edge", style: { width: 1.5, "line-color": "#57606a", "curve-style": "bezier", opacity: 0.8 } },
  { selector: 'edge[relation = "membership"]', style: { "line-style": "dashed", "line-color": "#8250df" } },
  { selector: 'edge[relation = "administration"]', style: { "line-style": "dotted", "line-color": "#bf5700", width: 2 } },
  { selector: "edge:selected", style: { width: 3, "line-color": "#f0b400" } },
];

function shortLabel(label) {
  return label.length > 40 ? label.slice(0, 38) + "…" : label;
}

function paramsOf() {
  const params = new URLSearchParams();
  const subject = form.elements.subject.value.trim();
  if (subject) params.set("subject", subject);
  if (form.elements.type.value) params.set("type", form.elements.type.value);
  const relations = [...form.querySelectorAll("input[name=relation]:checked")].map((c) => c.value);
  params.set("relations", relations.join(","));
  return params;
}

function fill(params) {
  form.elements.subject.value = params.get("subject") || "";
  form.elements.type.value = params.get("type") || "";
  const relations = (params.get("relations") || "arrangement,membership,administration").split(",");
  for (const box of form.querySelectorAll("input[name=relation]")) box.checked = relations.includes(box.value);
}

function describeEdge(edge) {
  const data = edge.data();
  const ends = `${edge.source().data("label")} — ${edge.target().data("label")}`;
  const via = data.via.map((v) => (v.kind ? `${v.label} (${v.kind})` : v.label)).join("; ");
  return via ? `${ends}: ${via}` : `${ends}: ${data.label}`;
}

function draw(network) {
  const elements = [
    ...network.nodes.map((n) => ({ data: { ...n.data, short: shortLabel(n.data.short || n.data.label) } })),
    ...network.edges,
  ];
  if (!cy) {
    cy = window.cytoscape({ container, style: STYLE, minZoom: 0.2, maxZoom: 3 });
    cy.on("tap", "node", (event) => {
      const href = pageOf(event.target.id());
      if (href !== null) window.location.href = href;
    });
    cy.on("mouseover", "node", (event) => {
      detail.textContent = event.target.data("label");
      container.style.cursor = "pointer";
    });
    cy.on("mouseout", "node", () => {
      container.style.cursor = "";
    });
    cy.on("tap", "edge", (event) => {
      detail.textContent = describeEdge(event.target);
    });
    window.cmskgNetwork = cy; // for the browser tests and for curious users
  }
  cy.elements().remove();
  cy.add(elements);
  const layout = cy.layout({ name: "cose", animate: false, randomize: true, nodeRepulsion: () => 8000, idealEdgeLength: () => 60, padding: 20 });
  layout.run();
  cy.fit(undefined, 20);
  list.replaceChildren(
    ...network.nodes.map((n) =>
      h("li", { "data-group": n.data.group }, linkTo(n.data.id, n.data.label), ` (${n.data.group === "collaboration" ? "standing group" : n.data.group})`),
    ),
  );
  count.textContent = String(network.nodes.length);
}

async function load(params) {
  if (running) running.abort();
  running = new AbortController();
  clearProblem(errorBox, form);
  status.textContent = "Loading the network…";
  status.classList.add("loading");
  container.setAttribute("aria-busy", "true");
  try {
    const network = await getJson(`/web/network?${params}`, running.signal);
    draw(network);
    const c = network.counts;
    const subject = network.filters.subject ? ` about ${network.filters.subject.label}` : "";
    status.textContent = network.nodes.length
      ? `${c.nodes} nodes and ${c.edges} edges${subject}.`
      : `Nothing to show${subject}: try another subject or kind of arrangement.`;
    loadedFor = params.toString();
  } catch (error) {
    if (error.name === "AbortError") return;
    status.textContent = "";
    showProblem(errorBox, error, form, params);
  } finally {
    status.classList.remove("loading");
    container.setAttribute("aria-busy", "false");
    running = null;
  }
}

/** Route "#see?subject=sharks": fill the filters and draw (once per set of filters). */
export function route(query) {
  const params = new URLSearchParams(query || "");
  if (query !== undefined && query !== null) fill(params);
  const wanted = paramsOf();
  if (!window.cytoscape) {
    errorBox.replaceChildren(h("p", { text: "The network library could not be loaded." }));
    errorBox.hidden = false;
    return;
  }
  if (wanted.toString() !== loadedFor) load(wanted);
  else if (cy) cy.resize();
}

export function init() {
  completeFromGraph(form.elements.subject);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = paramsOf();
    history.pushState(null, "", `#see?${params}`);
    load(params);
  });
}
