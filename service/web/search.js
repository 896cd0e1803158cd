// Katalog inovasi (kata kunci dan filter) dan pencarian dengan teks kesenjangan yang belum disimpan.
import { $, AWARDS, SECTORS, api, el, explain, formatNumber } from "./lib.js";
import { catalogueCard, groupedText, matchCard, variantsChoice } from "./cards.js";
import { showView, state } from "./view.js";

const PER_PAGE = 20;
let cataloguePage = 1;
let lastMatches = [];

function catalogueQuery(page) {
  const params = new URLSearchParams({ page: String(page), per_page: String(PER_PAGE) });
  const q = $("c-q").value.trim();
  if (q) params.append("q", q);
  for (const [param, id] of [["sector", "c-sector"], ["province", "c-province"], ["stage", "c-stage"],
                             ["award", "c-award"], ["digital", "c-digital"]]) {
    if ($(id).value) params.append(param, $(id).value);
  }
  return params.toString();
}

async function searchCatalogue(page = 1) {
  $("catalogue-status").textContent = "Mencari…";
  let body;
  try {
    body = await api(`/innovations?${catalogueQuery(page)}`);
  } catch (error) {
    $("catalogue-status").textContent = explain(error);
    $("catalogue-list").replaceChildren();
    $("catalogue-more").hidden = true;
    return;
  }
  cataloguePage = page;
  const cards = body.data.map(catalogueCard);
  if (page === 1) $("catalogue-list").replaceChildren(...cards);
  else $("catalogue-list").append(...cards);
  const shown = $("catalogue-list").children.length;
  $("catalogue-status").textContent = body.count
    ? `${formatNumber(body.count)} inovasi cocok; ${formatNumber(shown)} ditampilkan.`
    : "Tidak ada inovasi yang cocok. Coba kata lain atau longgarkan filter.";
  $("catalogue-more").hidden = shown >= body.count;
}

export function showCatalogue() {
  document.title = "Katalog inovasi — Pencocok Inovasi";
  showView("catalogue", "catalogue-title");
  if (!$("catalogue-list").children.length) searchCatalogue(1);
}

// ---- free text -------------------------------------------------------------------------------------------
function renderMatches() {
  const showWeak = $("s-show-weak").checked;
  const shown = lastMatches.filter((m) => showWeak || m.band !== "weak");
  const hidden = lastMatches.length - shown.length;
  const hiddenText = hidden ? ` ${hidden} kecocokan lemah disembunyikan; centang “Tampilkan kecocokan lemah” untuk melihatnya.` : "";
  $("search-status").textContent = !lastMatches.length ? "Tidak ada inovasi yang lolos filter."
    : shown.length ? `${shown.length} inovasi, yang paling cocok lebih dulu.${hiddenText}${groupedText(shown, "s-all-variants")}`
      : `Belum ada inovasi yang cocok — kandidat inovasi baru.${hiddenText}`;
  $("search-list").replaceChildren(...shown.map(matchCard));
}

async function searchText(event) {
  event.preventDefault();
  const text = $("s-text").value.trim();
  if (!text) {
    $("search-status").textContent = "Tulis uraian kesenjangan terlebih dulu.";
    $("s-text").focus();
    return;
  }
  const body = { text, k: 10, filters: {}, groups: variantsChoice("s-all-variants") };
  if ($("s-sector").value) body.filters.sector = [$("s-sector").value];
  if (state.region && $("s-own").checked) body.region = state.region.code;
  $("search-status").textContent = "Mencari…";
  try {
    lastMatches = (await api("/match", { method: "POST", body })).data;
  } catch (error) {
    lastMatches = [];
    $("search-list").replaceChildren();
    $("search-status").textContent = explain(error);
    return;
  }
  renderMatches();
}

export function showSearch() {
  document.title = "Cari dengan teks kesenjangan — Pencocok Inovasi";
  $("s-own-box").hidden = !state.region;
  if (state.region) $("s-own-text").textContent = `Kecualikan inovasi yang berasal dari ${state.region.name} sendiri`;
  showView("search", "search-title");
}

export function setupSearch() {
  for (const id of ["c-sector", "s-sector"]) {
    $(id).append(...Object.entries(SECTORS).map(([code, text]) => el("option", { value: code, text })));
  }
  $("c-award").append(...Object.entries(AWARDS).map(([code, text]) => el("option", { value: code, text })));
  $("catalogue-form").addEventListener("submit", (event) => { event.preventDefault(); searchCatalogue(1); });
  $("catalogue-more").addEventListener("click", () => searchCatalogue(cataloguePage + 1));
  $("search-form").addEventListener("submit", searchText);
  $("s-show-weak").addEventListener("change", renderMatches);
  // one card per group or every variant: ask again for the text already searched
  $("s-all-variants").addEventListener("change", () => {
    if (lastMatches.length) $("search-form").requestSubmit();
  });
}

export function fillProvinces(provinces) {
  $("c-province").append(...provinces.map((p) => el("option", { value: p.code, text: p.name })));
}
