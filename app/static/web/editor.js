// "Query": YASGUI (served from /static/vendor, no CDN) pointed at this server's /sparql.
import { config } from "./util.js";

let yasgui = null;
let pending = null; // a query to load once the editor exists

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
      // Only completers that work offline: prefixes from the bundled list, and variables.
      autocompleters: ["prefixes", "variables"],
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

/** Put a query in the editor, ready to run. */
function load(sparql, runIt) {
  const tab = yasgui.getTab();
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
    load(pending.sparql, pending.run);
    pending = null;
  }
}

/** Open the editor on a query (from "Open in the editor" on an answer). */
export function open(sparql, runIt = true) {
  pending = { sparql, run: runIt };
  if (yasgui) show();
}

export function init() {
  const select = document.getElementById("example-query");
  config.examples.forEach((example, index) => select.append(new Option(example.title, String(index))));
  select.addEventListener("change", () => {
    if (select.value === "") return;
    open(config.examples[Number(select.value)].sparql, false);
    show();
  });
}
