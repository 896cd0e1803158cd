// Halaman mentor: pilih wilayah, kelola kesenjangan, lihat rekomendasi, putuskan, unduh daftar pendek.
// Semua teks dari korpus atau pengguna masuk ke halaman sebagai teks (textContent), tidak pernah sebagai HTML.
import {
  $, DECISIONS, PARTS, PRIORITIES, SECTORS, api, apiKey, el, explain, formatNumber, formatTime, needKey, setApiKey, toast,
} from "./lib.js";
import { recommendationCard } from "./cards.js";

const state = { provinces: [], regions: [], region: null, editingGap: null, account: null };

// ---- API key ---------------------------------------------------------------------------------------------
async function refreshAccount() {
  const status = $("key-status");
  $("key-clear").hidden = !apiKey();
  if (!apiKey()) {
    state.account = null;
    status.textContent = "Tanpa kunci: hanya dapat melihat";
    status.className = "key-status";
    return;
  }
  try {
    state.account = await api("/me");
    status.textContent = `Masuk sebagai ${state.account.name} (${state.account.role})`;
    status.className = "key-status ok";
  } catch (error) {
    state.account = null;
    status.textContent = error.status === 401 ? "Kunci tidak valid" : explain(error);
    status.className = "key-status bad";
  }
}

function setupKey() {
  $("key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = $("api-key").value.trim();
    if (!value) return;
    setApiKey(value);
    $("api-key").value = "";
    await refreshAccount();
    if (state.account) toast(`Kunci disimpan untuk sesi ini (${state.account.name}).`, "ok");
  });
  $("key-clear").addEventListener("click", () => {
    setApiKey("");
    refreshAccount();
  });
}

// ---- provinces and regions -------------------------------------------------------------------------------
async function loadProvinces() {
  const { data } = await api("/provinces");
  state.provinces = data;
  const hub = el("optgroup", { label: "Provinsi hub (percontohan)" });
  const other = el("optgroup", { label: "Provinsi lain" });
  for (const p of data) {
    const label = p.gaps ? `${p.name} · ${p.gaps} kesenjangan` : p.name;
    (p.hub ? hub : other).append(el("option", { value: p.code, text: label }));
  }
  $("province").replaceChildren(el("option", { value: "", text: "Pilih provinsi…" }), hub, other);
}

async function chooseProvince(code) {
  $("province").value = code;
  $("region-search").value = "";
  $("region-search").disabled = !code;
  if (!code) {
    state.regions = [];
    renderRegionList();
    return;
  }
  const { data } = await api(`/regions?province=${encodeURIComponent(code)}&per_page=500`);
  state.regions = data;
  renderRegionList();
}

function renderRegionList() {
  const needle = $("region-search").value.trim().toLocaleLowerCase("id");
  const shown = state.regions.filter((r) => r.name.toLocaleLowerCase("id").includes(needle));
  const list = $("region-list");
  list.replaceChildren(...shown.map((r) => el("li", {},
    el("button", {
      type: "button", class: `region-item${state.region && state.region.code === r.code ? " active" : ""}`,
      "data-code": r.code, onclick: () => { location.hash = r.code; },
    },
    el("span", { class: "region-name", text: r.name }),
    r.gaps ? el("span", { class: "count", text: `${r.gaps} kesenjangan` }) : null))));
  $("region-hint").textContent = !state.regions.length ? "Pilih provinsi terlebih dulu."
    : shown.length ? `${shown.length} kabupaten/kota` : "Tidak ada nama yang cocok.";
}

async function openRegion(code) {
  let region;
  try {
    region = await api(`/regions/${encodeURIComponent(code)}`);
  } catch (error) {
    toast(explain(error), "error");
    return;
  }
  state.region = region;
  if ($("province").value !== region.province_code) await chooseProvince(region.province_code);
  else renderRegionList();
  $("empty-state").hidden = true;
  $("region-view").hidden = false;
  $("region-province").textContent = `Provinsi ${region.province_name}${region.hub ? " · provinsi hub" : ""}`;
  $("region-name").textContent = region.name;
  const meta = [`Kode ${region.code}`, `Ibu kota ${region.capital}`];
  if (region.population) meta.push(`Penduduk ${formatNumber(region.population)}`);
  if (region.area_km2) meta.push(`Luas ${formatNumber(region.area_km2)} km²`);
  $("region-meta").textContent = meta.join(" · ");
  document.title = `${region.name} — Pencocok Inovasi`;
  closeGapForm();
  await Promise.all([loadGaps(), loadRecommendations(), loadShortlist()]);
}

// ---- gaps ------------------------------------------------------------------------------------------------
async function loadGaps() {
  const { data } = await api(`/regions/${state.region.code}/gaps`);
  $("gap-empty").hidden = data.length > 0;
  $("n-gaps").textContent = data.length;
  $("gap-list").replaceChildren(...data.map((gap) => el("li", { class: "gap-item", "data-id": gap.id },
    el("div", { class: "gap-tags" },
      el("span", { class: `tag priority-${gap.priority}`, text: PRIORITIES[gap.priority] || `Prioritas ${gap.priority}` }),
      gap.sector ? el("span", { class: "tag", text: SECTORS[gap.sector] || gap.sector }) : null,
      el("span", { class: "gap-id", text: gap.id })),
    el("p", { class: "gap-text", text: gap.text }),
    el("div", { class: "gap-actions" },
      el("button", { type: "button", class: "btn btn-link", text: "Ubah", onclick: () => openGapForm(gap) }),
      el("button", { type: "button", class: "btn btn-link danger", text: "Hapus", onclick: () => deleteGap(gap) })))));
}

function openGapForm(gap = null) {
  state.editingGap = gap;
  $("gap-form-title").textContent = gap ? `Ubah kesenjangan ${gap.id}` : "Kesenjangan baru";
  $("gap-text").value = gap ? gap.text : "";
  $("gap-sector").value = gap && gap.sector ? gap.sector : "";
  $("gap-priority").value = String(gap ? gap.priority : 2);
  $("gap-form").hidden = false;
  updateGapCount();
  $("gap-text").focus();
}

function closeGapForm() {
  state.editingGap = null;
  $("gap-form").hidden = true;
}

function updateGapCount() {
  $("gap-count").textContent = `${formatNumber($("gap-text").value.length)} / 5.000 karakter`;
}

async function saveGap(event) {
  event.preventDefault();
  if (needKey()) return;
  const body = { text: $("gap-text").value.trim(), sector: $("gap-sector").value || null,
                 priority: Number($("gap-priority").value) };
  try {
    if (state.editingGap) await api(`/gaps/${encodeURIComponent(state.editingGap.id)}`, { method: "PUT", body });
    else await api(`/regions/${state.region.code}/gaps`, { method: "POST", body });
  } catch (error) {
    toast(explain(error), "error");
    return;
  }
  toast("Kesenjangan disimpan; rekomendasi diperbarui.", "ok");
  closeGapForm();
  await Promise.all([loadGaps(), loadRecommendations()]);
}

async function deleteGap(gap) {
  if (needKey() || !confirm(`Hapus kesenjangan ${gap.id}?`)) return;
  try {
    await api(`/gaps/${encodeURIComponent(gap.id)}`, { method: "DELETE" });
  } catch (error) {
    toast(explain(error), "error");
    return;
  }
  toast("Kesenjangan dihapus.", "ok");
  await Promise.all([loadGaps(), loadRecommendations()]);
}

// ---- recommendations -------------------------------------------------------------------------------------
function recommendationQuery() {
  const params = new URLSearchParams({ k: "10" });
  if ($("f-sector").value) params.append("sector", $("f-sector").value);
  if ($("f-stage").value) params.append("stage", $("f-stage").value);
  if ($("f-digital").value) params.append("digital", $("f-digital").value);
  if ($("f-hide-rejected").checked) params.append("hide_rejected", "true");
  return params.toString();
}

async function loadRecommendations() {
  const region = state.region;
  $("recs-status").textContent = "Menghitung rekomendasi…";
  $("rec-list").setAttribute("aria-busy", "true");
  let data;
  try {
    ({ data } = await api(`/regions/${region.code}/recommendations?${recommendationQuery()}`));
  } catch (error) {
    $("recs-status").textContent = explain(error);
    return;
  } finally {
    $("rec-list").removeAttribute("aria-busy");
  }
  if (state.region !== region) return;  // another region was opened meanwhile
  $("recs-status").textContent = data.length ? `${data.length} inovasi, diurutkan menurut skor total.`
    : $("gap-list").children.length ? "Tidak ada inovasi yang lolos filter." : "Tambahkan kesenjangan untuk mendapat rekomendasi.";
  $("n-recs").textContent = data.length;
  const widest = Math.max(0.01, ...data.map((r) => PARTS.reduce((s, [p]) => s + Math.max(0, r.parts[p] || 0), 0)));
  $("rec-list").replaceChildren(...data.map((rec) => recommendationCard(rec, widest, saveDecision)));
}


async function saveDecision(inv, decision, note) {
  if (needKey()) return;
  try {
    await api(`/regions/${state.region.code}/shortlist`, { method: "POST", body: { innovation_id: inv.id, decision, note } });
  } catch (error) {
    toast(explain(error), "error");
    return;
  }
  toast(`${inv.title}: ${DECISIONS[decision].toLocaleLowerCase("id")}.`, "ok");
  await Promise.all([loadRecommendations(), loadShortlist()]);
}

// ---- shortlist -------------------------------------------------------------------------------------------
async function loadShortlist() {
  const { data } = await api(`/regions/${state.region.code}/shortlist?per_page=500`);
  $("shortlist-empty").hidden = data.length > 0;
  $("n-shortlist").textContent = data.filter((e) => e.decision === "shortlisted").length;
  $("shortlist-table").hidden = data.length === 0;
  $("shortlist-body").replaceChildren(...data.map((entry) => el("tr", { "data-id": entry.innovation_id },
    el("td", {}, el("strong", { text: entry.innovation ? entry.innovation.title : entry.innovation_id }),
      el("div", { class: "muted small", text: entry.innovation_id })),
    el("td", { text: entry.innovation ? entry.innovation.origin_name : "—" }),
    el("td", {}, el("span", { class: `badge decision decision-${entry.decision}`, text: DECISIONS[entry.decision] })),
    el("td", { class: "note-cell", text: entry.note || "—" }),
    el("td", { text: entry.who === entry.account ? entry.who : `${entry.who} (${entry.account})` }),
    el("td", { class: "nowrap", text: formatTime(entry.created_at) }))));
}

async function exportCsv() {
  try {
    const blob = await api(`/regions/${state.region.code}/shortlist?format=csv`, { raw: true });
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: `daftar-pendek-${state.region.code}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (error) {
    toast(explain(error), "error");
  }
}

// ---- start -----------------------------------------------------------------------------------------------
function fillSectorSelects() {
  for (const id of ["gap-sector", "f-sector"]) {
    $(id).append(...Object.entries(SECTORS).map(([code, label]) => el("option", { value: code, text: label })));
  }
}

function onHash() {
  const code = decodeURIComponent(location.hash.slice(1));
  if (code && (!state.region || state.region.code !== code)) openRegion(code);
}

async function start() {
  fillSectorSelects();
  setupKey();
  $("province").addEventListener("change", (e) => chooseProvince(e.target.value));
  $("region-search").addEventListener("input", renderRegionList);
  $("gap-add").addEventListener("click", () => (needKey() ? null : openGapForm()));
  $("gap-cancel").addEventListener("click", closeGapForm);
  $("gap-form").addEventListener("submit", saveGap);
  $("gap-text").addEventListener("input", updateGapCount);
  $("filters").addEventListener("change", () => state.region && loadRecommendations());
  $("export-csv").addEventListener("click", exportCsv);
  for (const button of document.querySelectorAll(".jump button")) {
    button.addEventListener("click", () => $(button.dataset.target).scrollIntoView({ behavior: "smooth", block: "start" }));
  }
  window.addEventListener("hashchange", onHash);
  try {
    await Promise.all([loadProvinces(), refreshAccount()]);
  } catch (error) {
    toast(explain(error), "error");
    return;
  }
  onHash();
}

document.addEventListener("DOMContentLoaded", start);
