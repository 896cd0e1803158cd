// Keadaan halaman yang dipakai bersama, dan peralihan antartampilan (wilayah, inovasi, katalog, pencarian teks, peta).
import { $ } from "./lib.js";

export const state = {
  provinces: [], regions: [], region: null, account: null, decisions: new Map(), coverage: [], previousHash: "",
};

const VIEWS = { empty: "empty-state", region: "region-view", innovation: "innovation-view",
                catalogue: "catalogue-view", search: "search-view", province: "province-view", map: "map-view" };
const TAB_OF = { empty: "region", region: "region", innovation: null, catalogue: "catalogue", search: "search",
                 province: "province", map: "map" };

// Show one view, hide the others and any earlier error; ``focus`` is the id of the heading to move focus to.
export function showView(name, focus = null) {
  for (const [view, id] of Object.entries(VIEWS)) $(id).hidden = view !== name;
  $("page-error").hidden = true;
  for (const tab of document.querySelectorAll(".tabs a")) {
    if (tab.dataset.view === TAB_OF[name]) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  if (focus) {
    $(focus).focus({ preventScroll: true });
    $(focus).scrollIntoView({ block: "start" });
  }
}

// An error that replaces the view: nothing of the previous regency or innovation stays on screen as if current.
export function showError(message) {
  showView("none");
  const box = $("page-error");
  box.textContent = message;
  box.hidden = false;
  $("main").focus({ preventScroll: true });
  box.scrollIntoView({ block: "start" });
}
