// The page's three views (Ask, Query, See), one shown at a time, chosen by the URL's fragment so
// that answers can be bookmarked and shared: #ask/partners-covering?subject=sharks, #query, #see?subject=sharks,
// and the editor's share links, #query=<SPARQL>.
import * as ask from "./ask.js";
import * as editor from "./editor.js";
import * as network from "./network.js";
import * as overview from "./overview.js";

const VIEWS = ["ask", "query", "see"];

function parse(hash) {
  // The editor's share links (YASGUI's share button): #query=<SPARQL>&endpoint=…&tabTitle=…
  if (/^#?query=/.test(hash)) return { view: "query", shared: new URLSearchParams(hash.replace(/^#/, "")) };
  // Only the path part is decoded: the query part stays encoded for URLSearchParams.
  const match = /^#?(ask|query|see)(?:\/([^?]*))?(?:\?(.*))?$/.exec(hash);
  if (!match) return { view: "ask" };
  return { view: match[1], rest: match[2] && decodeURIComponent(match[2]), query: match[3] };
}

function show(view) {
  for (const name of VIEWS) document.getElementById(name).hidden = name !== view;
  for (const link of document.querySelectorAll("nav.views a")) {
    if (link.dataset.view === view) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function route(focus) {
  const { view, rest, query, shared } = parse(window.location.hash || "#ask");
  show(view);
  if (view === "ask") ask.route(query === undefined ? rest : `${rest || ""}?${query}`);
  if (shared) {
    editor.openShared(shared.get("query"), shared.get("tabTitle"));
    // The link has done its work: the address names the view again, so reloading the page does not
    // open the shared query a second time over what the user has since written.
    history.replaceState(null, "", "#query");
  }
  if (view === "query") editor.show();
  if (view === "see") network.route(query);
  if (focus) document.getElementById(view).focus({ preventScroll: false });
}

function start() {
  ask.init({
    openInEditor: (sparql) => {
      editor.open(sparql);
      window.location.hash = "#query";
    },
  });
  editor.init();
  network.init();
  // Following a #link, and going back or forward, both fire popstate (pushState does not).
  window.addEventListener("popstate", () => route(true));
  route(false);
  document.body.dataset.ready = "true";
  overview.init().catch((error) => console.error("The overview could not be drawn:", error)); // a help, never a reason for the page to fail
}

// Module scripts run after the deferred classic scripts (YASGUI, Cytoscape), in document order.
start();
