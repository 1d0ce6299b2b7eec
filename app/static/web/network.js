// "See": the partnership network drawn by Cytoscape.js (served from /static/vendor), around one
// organisation or instrument. The server lays it out (app/web/network_layout.py: the same data gives
// the same picture on every load); the page draws those positions as they are, zooms so that every
// label is readable, and lists the same edges as a table with a CSV download. The picture exports as
// PNG (Cytoscape's own) and SVG (drawn by the server from the same layout: /web/network.svg). The address holds the focus and the options.
import { clearProblem, showProblem } from "./errors.js";
import { completeFromGraph, getJson, h, linkTo, pageOf } from "./util.js";

const form = document.getElementById("network-form");
const status = document.getElementById("net-status");
const errorBox = document.getElementById("net-error");
const container = document.getElementById("network");
const list = document.getElementById("net-list");
const count = document.getElementById("net-count");
const detail = document.getElementById("net-detail");
const edgeTable = document.querySelector("#net-edges tbody");
const edgeCount = document.getElementById("net-edge-count");
const find = document.getElementById("net-find");
const findList = document.getElementById("net-find-list");
const csvLink = document.getElementById("net-csv");
const svgLink = document.getElementById("net-svg");

// Labels are drawn at least this many pixels high on screen, whatever the picture's size: a picture
// larger than the panel is shown in part (drag or zoom to see the rest) rather than unreadably small.
const READABLE_PX = 10.5;
const LARGEST_FIT = 1.6; // a picture of two nodes is not blown up to fill the panel
const ALL_RELATIONS = "arrangement,membership,administration";

let cy = null;
let running = null;
let loadedFor = null;
let network = null; // the server's answer on show
let programmatic = false; // the page itself is moving the view
let userMoved = false; // the person zoomed or panned: a resize keeps their view

const COLOURS = { organisation: "#0b57d0", collaboration: "#8250df", instrument: "#bf5700" };

/** The style, sized as the server's layout was computed (network.sizes), so labels fit their cells. */
function style(sizes) {
  return [
    {
      selector: "node",
      style: {
        label: "data(short)",
        "font-size": sizes.font,
        "text-wrap": "ellipsis",
        "text-max-width": sizes.label_max_width,
        "text-halign": "right",
        "text-valign": "center",
        "text-margin-x": sizes.label_gap,
        color: "#1b1f23",
        "text-outline-color": "#ffffff",
        "text-outline-width": 1,
        width: sizes.node,
        height: sizes.node,
        "background-color": COLOURS.organisation,
      },
    },
    { selector: 'node[group = "collaboration"]', style: { "background-color": COLOURS.collaboration, shape: "round-rectangle" } },
    { selector: 'node[group = "instrument"]', style: { "background-color": COLOURS.instrument, shape: "diamond" } },
    { selector: "node[?centre]", style: { width: sizes.centre, height: sizes.centre, "font-weight": "bold", "border-width": 3, "border-color": "#f0b400" } },
    {
      selector: "node.title",
      style: {
        label: "data(label)",
        "text-max-width": "data(width)",
        "font-weight": 600,
        color: "#57606a",
        width: 2,
        height: 2,
        "background-opacity": 0,
        "text-margin-x": 0,
        events: "no",
      },
    },
    { selector: "node:selected", style: { "border-width": 3, "border-color": "#f0b400" } },
    {
      selector: "edge",
      style: {
        width: 1.5,
        "line-color": "#57606a",
        "curve-style": "bezier", // straight, but two edges between the same nodes apart
        opacity: 0.85,
        label: "data(label)",
        "font-size": 10,
        color: "#57606a",
        "text-rotation": "autorotate",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": 1,
      },
    },
    { selector: 'edge[relation = "membership"]', style: { "line-style": "dashed", "line-color": "#8250df" } },
    { selector: 'edge[relation = "administration"]', style: { "line-style": "dotted", "line-color": "#bf5700", width: 2 } },
    {
      selector: 'edge[relation = "bundle"]',
      style: { width: 4, "line-color": "#afb8c1", opacity: 0.6, label: "", events: "no", "curve-style": "straight" },
    },
    { selector: "edge:selected", style: { width: 3, "line-color": "#f0b400" } },
  ];
}

function paramsOf() {
  const params = new URLSearchParams();
  params.set("focus", form.elements.focus.value.trim());
  const subject = form.elements.subject.value.trim();
  if (subject) params.set("subject", subject);
  if (form.elements.type.value) params.set("type", form.elements.type.value);
  if (form.elements.hub.value !== "bundle") params.set("hub", form.elements.hub.value);
  const relations = [...form.querySelectorAll("input[name=relation]:checked")].map((c) => c.value).join(",");
  if (relations !== ALL_RELATIONS) params.set("relations", relations);
  return params;
}

/** Fill the form from the address; what it does not name takes its default (no focus named: the
 * page's default focus; `focus=` empty: the whole network). */
function fill(params) {
  const focus = form.elements.focus;
  focus.value = params.has("focus") ? params.get("focus") : focus.dataset.default || "";
  form.elements.subject.value = params.get("subject") || "";
  form.elements.type.value = params.get("type") || "";
  form.elements.hub.value = ["show", "hide"].includes(params.get("hub")) ? params.get("hub") : "bundle";
  const relations = (params.has("relations") ? params.get("relations") : ALL_RELATIONS).split(",");
  for (const box of form.querySelectorAll("input[name=relation]")) box.checked = relations.includes(box.value);
}

function describeEdge(edge) {
  const data = edge.data();
  const ends = `${edge.source().data("label")} — ${edge.target().data("label")}`;
  const via = data.via.map((v) => (v.kind ? `${v.label} (${v.kind})` : v.label)).join("; ");
  return via ? `${ends}: ${via}` : `${ends}: ${data.label}`;
}

/** Is the point (rendered coordinates) on the node as drawn, its label included? Touch screens
 * report the nearest node to a tap that missed everything; only a tap on the node opens its page. */
function onNode(node, point) {
  const box = node.renderedBoundingBox({ includeLabels: true, includeOverlays: false });
  return point.x >= box.x1 && point.x <= box.x2 && point.y >= box.y1 && point.y <= box.y2;
}

/** Fit the picture to the panel, but never below the zoom at which labels stay readable: then the
 * centre is shown and the rest is a drag away. Does nothing while the panel is hidden (no size). */
function fitView(readableOnly = true) {
  if (!cy || !container.clientWidth || !container.clientHeight) return;
  programmatic = true;
  cy.resize();
  cy.fit(cy.elements(), 20);
  const readable = READABLE_PX / network.sizes.font;
  const centre = cy.getElementById(network.centre || "");
  if (cy.zoom() > LARGEST_FIT || (readableOnly && cy.zoom() < readable)) {
    cy.zoom(cy.zoom() > LARGEST_FIT ? LARGEST_FIT : readable);
    cy.center(centre.nonempty() && cy.zoom() < LARGEST_FIT ? centre : cy.elements());
  }
  programmatic = false;
  userMoved = false;
}

/** Select a node, bring it into view at a readable zoom, and offer its page and a picture around it. */
function show(node) {
  cy.elements().unselect();
  node.select();
  programmatic = true;
  cy.zoom(Math.max(cy.zoom(), READABLE_PX / network.sizes.font));
  cy.center(node);
  programmatic = false;
  const around = h("button", { type: "button", class: "link", onclick: () => refocus(node.data("short") || node.data("label")) }, "Draw the picture around it");
  detail.replaceChildren(linkTo(node.id(), node.data("label")), " — ", around);
}

function refocus(name) {
  form.elements.focus.value = name;
  form.requestSubmit();
}

function draw(answer) {
  network = answer;
  const hub = answer.hub;
  const edges = answer.edges.filter((e) => hub === "show" || !e.data.spoke);
  const elements = [...answer.nodes, ...answer.titles, ...edges, ...(hub === "bundle" ? answer.bundles : [])];
  if (!cy) {
    cy = window.cytoscape({ container, style: style(answer.sizes), minZoom: 0.1, maxZoom: 4, wheelSensitivity: 0.3 });
    cy.on("tap", "node", (event) => {
      const node = event.target;
      if (node.hasClass("title") || !onNode(node, event.renderedPosition)) return;
      const href = pageOf(node.id());
      if (href !== null) window.location.href = href;
    });
    cy.on("mouseover", "node", (event) => {
      if (event.target.hasClass("title")) return;
      detail.textContent = event.target.data("label");
      container.style.cursor = "pointer";
    });
    cy.on("mouseout", "node", () => {
      container.style.cursor = "";
    });
    cy.on("tap", "edge", (event) => {
      detail.textContent = describeEdge(event.target);
    });
    cy.on("viewport", () => {
      if (!programmatic) userMoved = true;
    });
    // A resize of the window, or the panel shown after it was hidden, changes the container's size:
    // Cytoscape must measure it again, or it draws into a canvas of the old size (or none).
    new ResizeObserver(() => {
      if (!userMoved) fitView();
      else if (container.clientWidth) cy.resize();
    }).observe(container);
    window.cmskgNetwork = cy; // for the browser tests and for curious users
  } else {
    cy.style(style(answer.sizes));
  }
  cy.elements().remove();
  cy.add(elements);
  cy.layout({ name: "preset", fit: false }).run();
  fitView();
  const nodes = answer.nodes.map((n) => n.data);
  list.replaceChildren(
    ...nodes.map((n) =>
      h("li", { "data-group": n.group }, linkTo(n.id, n.label), ` (${n.group === "collaboration" ? "standing group" : n.group})`),
    ),
  );
  count.textContent = String(nodes.length);
  findList.replaceChildren(...nodes.map((n) => h("option", { value: n.label }, n.short !== n.label ? n.short : null)));
  const label = Object.fromEntries(nodes.map((n) => [n.id, n.label]));
  edgeTable.replaceChildren(
    ...answer.edges.map((e) =>
      h(
        "tr",
        {},
        h("td", {}, linkTo(e.data.source, label[e.data.source])),
        h("td", { text: e.data.label }),
        h("td", {}, linkTo(e.data.target, label[e.data.target])),
        h("td", {}, ...e.data.via.flatMap((v, i) => [i ? "; " : null, linkTo(v.iri, v.label)])),
      ),
    ),
  );
  edgeCount.textContent = String(answer.edges.length);
}

/** The node a search names: its label or short name, else the first whose label contains it. */
function found(text) {
  const wanted = text.trim().toLowerCase();
  if (!cy || !wanted) return null;
  const nodes = cy.nodes().filter((n) => !n.hasClass("title"));
  const exact = nodes.filter((n) => [n.data("label"), n.data("short")].some((l) => l.toLowerCase() === wanted));
  if (exact.nonempty()) return exact[0];
  const containing = nodes.filter((n) => n.data("label").toLowerCase().includes(wanted) || n.data("short").toLowerCase().includes(wanted));
  return containing.nonempty() ? containing[0] : null;
}

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function offerDownloads(params) {
  csvLink.href = `/web/network.csv?${params}`;
  csvLink.setAttribute("download", `${network.file_stem}.csv`);
  svgLink.href = `/web/network.svg?${params}`; // drawn by the server from the same layout
  svgLink.setAttribute("download", `${network.file_stem}.svg`);
}

async function load(params) {
  if (running) running.abort();
  running = new AbortController();
  clearProblem(errorBox, form);
  status.textContent = "Loading the network…";
  status.classList.add("loading");
  container.setAttribute("aria-busy", "true");
  try {
    const answer = await getJson(`/web/network?${params}`, running.signal);
    draw(answer);
    offerDownloads(params);
    const c = answer.counts;
    const filters = answer.filters;
    const around = filters.focus ? ` around ${filters.focus.label}` : "";
    const subject = filters.subject ? ` about ${filters.subject.label}` : "";
    status.textContent = c.edges
      ? `${c.nodes} nodes and ${c.edges} edges${around}${subject}.`
      : `Nothing to show${around}${subject}: try another subject, kind of arrangement or organisation.`;
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

/** Route "#see?focus=IFAW&subject=sharks": fill the filters and draw (once per set of filters). */
export function route(query) {
  if (query !== undefined && query !== null) fill(new URLSearchParams(query));
  const wanted = paramsOf();
  if (!window.cytoscape) {
    errorBox.replaceChildren(h("p", { text: "The network library could not be loaded." }));
    errorBox.hidden = false;
    return;
  }
  if (wanted.toString() !== loadedFor) load(wanted);
  else if (!userMoved) fitView();
}

export function init() {
  completeFromGraph(form.elements.focus);
  completeFromGraph(form.elements.subject);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = paramsOf();
    history.pushState(null, "", `#see?${params}`);
    load(params);
  });
  find.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const node = found(find.value);
    if (!node) {
      detail.textContent = `Nothing in this picture is called '${find.value.trim()}'.`;
      return;
    }
    if (node.selected() && node.id() !== network.centre) refocus(node.data("short") || node.data("label"));
    else show(node);
  });
  // "Show all": the whole picture in the panel, however small its labels become.
  document.getElementById("net-fit").addEventListener("click", () => fitView(false));
  document.getElementById("net-png").addEventListener("click", () => {
    if (cy) download(cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2 }), `${network.file_stem}.png`);
  });
}
