// "Query": YASGUI (served from /static/vendor, no CDN) pointed at this server's /sparql. Its
// examples menu and its completion of class and property names come from the endpoint itself, as
// any SPARQL client would find them: the SPARQL examples graph (SIB's sparql-examples format) and
// the VoID graph's class and property partitions.
import { config, isIri } from "./util.js";

let yasgui = null;
let pending = null; // a query to load once the editor exists
let examples = config.examples; // replaced by the endpoint's examples once they are read

const SH = "http://www.w3.org/ns/shacl#";
const RDFS = "http://www.w3.org/2000/01/rdf-schema#";
const VOID = "http://rdfs.org/ns/void#";
const EXAMPLES_QUERY = `PREFIX sh: <${SH}> PREFIX rdfs: <${RDFS}>
SELECT ?example ?comment ?query WHERE { GRAPH <${config.base}.well-known/sparql-examples> {
  ?example a sh:SPARQLExecutable ; rdfs:comment ?comment ; sh:select|sh:construct|sh:ask|sh:describe ?query } }`;
const CLASSES_QUERY = `PREFIX void: <${VOID}>
SELECT DISTINCT ?iri WHERE { GRAPH <${config.base}.well-known/void> { ?partition void:class ?iri } } ORDER BY ?iri`;
const PROPERTIES_QUERY = `PREFIX void: <${VOID}>
SELECT DISTINCT ?iri WHERE { GRAPH <${config.base}.well-known/void> { ?partition void:property ?iri } } ORDER BY ?iri`;

/** Run a SELECT on our endpoint; the bindings, or [] if it cannot be read (the page still works). */
async function select(query) {
  try {
    const response = await fetch(config.endpoint, {
      method: "POST",
      headers: { Accept: "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query }),
    });
    if (!response.ok) return [];
    return (await response.json()).results.bindings;
  } catch {
    return [];
  }
}

/** The editor's starting points first, then every canned query (with its example values bound). */
async function loadExamples() {
  const rows = await select(EXAMPLES_QUERY);
  if (!rows.length) return examples;
  const found = rows.map((r) => ({ id: r.example.value, title: r.comment.value, sparql: r.query.value }));
  const editorFirst = (e) => (e.id.includes("#editor-") ? 0 : 1);
  found.sort((a, b) => editorFirst(a) - editorFirst(b) || a.title.localeCompare(b.title));
  return found;
}

/** Completers of class and property IRIs from the VoID partitions (YASQE's own fetch them from LOV on the internet). */
function registerCompleters(Yasqe) {
  if (!Yasqe || !Yasqe.forkAutocompleter || Yasqe.Autocompleters["cmskg-classes"]) return;
  const iris = (query) => () => select(query).then((rows) => rows.map((r) => r.iri.value));
  Yasqe.forkAutocompleter("class", { name: "cmskg-classes", bulk: true, get: iris(CLASSES_QUERY), persistenceId: null }, false);
  Yasqe.forkAutocompleter("property", { name: "cmskg-properties", bulk: true, get: iris(PROPERTIES_QUERY), persistenceId: null }, false);
}

// The result table shows labels where the Ask view does: the label of every IRI in the answer,
// asked of /web/iri-labels in batches (a look-up in the server's label index; no SPARQL is written),
// the IRI kept as the link's target and its title.
const LABEL_BATCH = 500;
const labels = new Map(); // IRI -> label, or null when the graph has none

async function lookUpLabels(iris) {
  const wanted = [...new Set(iris)].filter((iri) => !labels.has(iri));
  const batches = [];
  for (let start = 0; start < wanted.length; start += LABEL_BATCH) batches.push(wanted.slice(start, start + LABEL_BATCH));
  await Promise.all(
    batches.map(async (batch) => {
      try {
        const response = await fetch("/web/iri-labels", {
          method: "POST",
          headers: { Accept: "application/json", "Content-Type": "application/json" },
          body: JSON.stringify({ iris: batch }),
        });
        if (!response.ok) return; // the table shows the IRIs, as YASR does
        const found = (await response.json()).labels;
        for (const iri of batch) labels.set(iri, found[iri] || null);
      } catch {
        /* unreachable server: the IRIs are shown */
      }
    }),
  );
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** YASR's table plugin, showing labels: registered under its name, so it is the editor's table. */
function registerLabelledTable(Yasr) {
  const Table = Yasr && Yasr.plugins && Yasr.plugins.table;
  if (!Table || Table.showsLabels) return;
  class LabelledTable extends Table {
    async draw(persistentConfig) {
      const bindings = (this.yasr.results && this.yasr.results.getBindings()) || [];
      const iris = bindings.flatMap((row) => Object.values(row).filter((t) => t && t.type === "uri" && isIri(t.value)).map((t) => t.value));
      await lookUpLabels(iris);
      return super.draw(persistentConfig);
    }

    getUriLinkFromBinding(binding, prefixes) {
      const label = isIri(binding.value) ? labels.get(binding.value) : null;
      if (!label) return super.getUriLinkFromBinding(binding, prefixes);
      const iri = escapeHtml(binding.value);
      return `<a class='iri labelled' href='${iri}' title='${iri}'>${escapeHtml(label)}</a>`;
    }

    // Sorting a column orders by what it shows; its search finds the label or the IRI.
    getColumns() {
      return super.getColumns().map((column) => {
        if (!column.name) return column;
        const render = column.render;
        return {
          ...column,
          render: (cell, type, row, meta) => {
            const label = cell && cell.type === "uri" ? labels.get(cell.value) : null;
            if (label && type === "sort") return label;
            if (label && type === "filter") return `${label} ${cell.value}`;
            return render(cell, type, row, meta);
          },
        };
      });
    }
  }
  LabelledTable.showsLabels = true;
  Yasr.registerPlugin("table", LabelledTable);
}

const PREFIXES = {
  cms: "https://w3id.org/cms-kg/ontology#",
  id: config.base + "id/",
  skos: "http://www.w3.org/2004/02/skos/core#",
  dct: "http://purl.org/dc/terms/",
  org: "http://www.w3.org/ns/org#",
  prov: "http://www.w3.org/ns/prov#",
  dwc: "http://rs.tdwg.org/dwc/terms/",
  rdfs: "http://www.w3.org/2000/01/rdf-schema#",
};

function endpoint() {
  return new URL(config.endpoint, window.location.href).href;
}

/** Create the editor the first time the view is shown (CodeMirror measures itself on creation). */
function create() {
  const Yasgui = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  const container = document.getElementById("yasgui");
  if (!Yasgui) {
    container.textContent = "The SPARQL editor could not be loaded.";
    return null;
  }
  container.hidden = false;
  registerCompleters(Yasgui.Yasqe);
  registerLabelledTable(Yasgui.Yasr);
  const instance = new Yasgui(container, {
    requestConfig: { endpoint: endpoint(), method: "POST" },
    copyEndpointOnNewTab: true,
    // The page's fragment (#query) routes the views; it is not a YASGUI share link.
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint() }] },
    persistenceId: "cmskg-yasgui",
    autofocus: false,
    yasqe: {
      value: config.examples[0].sparql,
      // Only completers that work offline: prefixes from the bundled list, variables, and the
      // classes and properties of this graph.
      autocompleters: ["prefixes", "variables", "cmskg-classes", "cmskg-properties"],
      prefixCcApi: null,
      resizeable: true,
      editorHeight: "320px",
    },
    yasr: { prefixes: PREFIXES, defaultPlugin: "table", pluginOrder: ["table", "response"] },
  });
  const tab = instance.getTab();
  if (tab && tab.getEndpoint() !== endpoint()) tab.setEndpoint(endpoint());
  window.cmskgYasgui = instance; // for the browser tests and for curious users
  return instance;
}

/** The tab a shared query goes in: the current one if it holds that query or the untouched
 * starting query, else a new one, so the queries this browser keeps are never overwritten by a link. */
function tabFor(sparql, title) {
  const tab = yasgui.getTab();
  if (tab && [sparql, config.examples[0].sparql].includes(tab.getQuery())) return tab;
  return yasgui.addTab(true, title ? { name: title } : {});
}

/** Put a query in the editor, ready to run. */
function load(sparql, runIt, newTab = false, title = null) {
  const tab = newTab ? tabFor(sparql, title) : yasgui.getTab();
  tab.setEndpoint(endpoint());
  tab.setQuery(sparql);
  if (runIt) tab.query();
}

export function show() {
  if (!yasgui) yasgui = create();
  if (!yasgui) return;
  const yasqe = yasgui.getTab().getYasqe();
  if (yasqe) yasqe.refresh();
  if (pending) {
    load(pending.sparql, pending.run, pending.newTab, pending.title);
    pending = null;
  }
}

/** Open a query shared by a link (/#query=<SPARQL>, as YASGUI's share button writes it) in a tab of
 * its own, not run: the link's endpoint and request settings are not taken, the editor stays on ours. */
export function openShared(sparql, title) {
  if (!sparql) return;
  pending = { sparql, run: false, newTab: true, title };
  if (yasgui) show();
}

/** Open the editor on a query (from "Open in the editor" on an answer). */
export function open(sparql, runIt = true) {
  pending = { sparql, run: runIt };
  if (yasgui) show();
}

export function init() {
  const menu = document.getElementById("example-query");
  const fill = () => {
    menu.replaceChildren(new Option("Choose an example…", ""));
    examples.forEach((example, index) => menu.append(new Option(example.title, String(index))));
  };
  fill();
  loadExamples().then((found) => {
    examples = found;
    fill();
    menu.dataset.source = found === config.examples ? "page" : "endpoint";
  });
  menu.addEventListener("change", () => {
    if (menu.value === "") return;
    open(examples[Number(menu.value)].sparql, false);
    show();
  });
}
