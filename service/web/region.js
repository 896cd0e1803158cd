// Tampilan wilayah: kesenjangan (dengan mutu kandidat terbaiknya), rekomendasi, keputusan, riwayat, rencana aksi.
import {
  $, BANDS, DECISIONS, PRIORITIES, SECTORS, api, el, explain, formatNumber, formatTime, needKey, saveBlob, toast,
} from "./lib.js";
import { fitQuotes, groupedText, recommendationCard, variantsChoice } from "./cards.js";
import { loadRegionProgress } from "./progress.js";
import { showView, state } from "./view.js";

let lastRecommendations = [];

// ---- gaps ------------------------------------------------------------------------------------------------
export async function loadGaps() {
  const { data } = await api(`/regions/${state.region.code}/gaps`);
  $("gap-empty").hidden = data.length > 0;
  $("n-gaps").textContent = data.length;
  $("gap-list").replaceChildren(...data.map((gap) => el("li", { class: "gap-item", "data-id": gap.id },
    el("div", { class: "gap-tags" },
      el("span", { class: `tag priority-${gap.priority}`, text: PRIORITIES[gap.priority] || `Prioritas ${gap.priority}` }),
      gap.sector ? el("span", { class: "tag", text: SECTORS[gap.sector] || gap.sector }) : null,
      el("span", { class: "gap-id", text: gap.id })),
    el("p", { class: "gap-text", text: gap.text }),
    el("p", { class: "coverage", "data-gap": gap.id }),
    el("div", { class: "gap-actions" },
      el("button", { type: "button", class: "btn btn-link", text: "Ubah", "aria-label": `Ubah kesenjangan ${gap.id}`,
                     onclick: () => openGapForm(gap) }),
      el("button", { type: "button", class: "btn btn-link danger", text: "Hapus", "aria-label": `Hapus kesenjangan ${gap.id}`,
                     onclick: () => deleteGap(gap) })))));
  renderCoverage();
}

// Under each gap: how good its best candidate is, so a gap no innovation answers reads as a new-innovation candidate.
function renderCoverage() {
  const filtered = ["f-sector", "f-stage", "f-digital"].some((id) => $(id).value) || $("f-hide-rejected").checked;
  for (const line of document.querySelectorAll("#gap-list .coverage")) {
    const c = state.coverage.find((x) => x.gap_id === line.dataset.gap);
    line.className = "coverage";
    if (!c) { line.textContent = ""; continue; }
    const open = !c.band || c.band === "weak";
    line.classList.add(open ? "coverage-none" : `coverage-${c.band}`);
    line.textContent = (open ? "Belum ada inovasi yang cocok — kandidat inovasi baru"
      : `Kandidat terbaik: ${BANDS[c.band].toLocaleLowerCase("id")}`) + (filtered ? " (dengan filter saat ini)" : "");
  }
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

export function closeGapForm() {
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
  if (!body.text) { toast("Tulis uraian kesenjangan terlebih dulu.", "warn"); return; }
  try {
    if (state.editingGap) await api(`/gaps/${encodeURIComponent(state.editingGap.id)}`, { method: "PUT", body });
    else await api(`/regions/${state.region.code}/gaps`, { method: "POST", body });
  } catch (error) {
    toast(explain(error, { conflict: "Kode kesenjangan itu sudah dipakai.", not_found: "Kesenjangan itu sudah dihapus." }), "error");
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
    toast(explain(error, { not_found: "Kesenjangan itu sudah dihapus." }), "error");
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
  params.append("groups", variantsChoice("f-all-variants"));
  return params.toString();
}

export async function loadRecommendations() {
  const region = state.region;
  $("recs-status").textContent = "Menghitung rekomendasi…";
  $("rec-list").setAttribute("aria-busy", "true");
  let body;
  try {
    body = await api(`/regions/${region.code}/recommendations?${recommendationQuery()}`);
  } catch (error) {
    $("recs-status").textContent = explain(error);
    return;
  } finally {
    $("rec-list").removeAttribute("aria-busy");
  }
  if (state.region !== region) return;  // another region was opened meanwhile
  lastRecommendations = body.data;
  state.coverage = body.coverage;
  renderCoverage();
  renderRecommendations();
}

// Weak matches stay behind the "tampilkan kecocokan lemah" switch, unless the mentor already decided on one.
export function renderRecommendations() {
  const data = lastRecommendations;
  const showWeak = $("f-show-weak").checked;
  const shown = data.filter((r) => showWeak || r.band !== "weak" || r.decision);
  const hidden = data.length - shown.length;
  const hiddenText = hidden ? ` ${hidden} kecocokan lemah disembunyikan; centang “Tampilkan kecocokan lemah” untuk melihatnya.` : "";
  let status;
  if (!data.length) {
    status = $("gap-list").children.length ? "Tidak ada inovasi yang lolos filter." : "Tambahkan kesenjangan untuk mendapat rekomendasi.";
  } else if (!shown.length) {
    status = `Belum ada inovasi dengan kecocokan kuat atau sedang.${hiddenText}`;
  } else {
    status = `${shown.length} inovasi, diurutkan menurut skor total.${hiddenText}${groupedText(shown, "f-all-variants")}`;
  }
  $("recs-status").textContent = status;
  $("n-recs").textContent = shown.length;
  $("rec-list").replaceChildren(...shown.map((rec) => recommendationCard(rec, act)));
  fitQuotes($("rec-list"));
}

// ---- decisions -------------------------------------------------------------------------------------------
const planName = (code, id) => `rencana-aksi-${code}-${id.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "") || "inovasi"}.docx`;

// One entry point for every decision button: a decision, undo (``decision`` null), or the action plan ("plan").
export async function act(inv, decision, note = "") {
  const code = state.region.code;
  const id = encodeURIComponent(inv.id);
  if (decision === "plan") {
    try {
      saveBlob(await api(`/regions/${code}/shortlist/${id}/plan`, { raw: true }), planName(code, inv.id));
      toast("Rancangan rencana aksi diunduh. Lengkapi bersama OPD pelaksana.", "ok");
    } catch (error) {
      toast(explain(error, { not_found: "Rencana aksi hanya tersedia untuk inovasi di daftar pendek." }), "error");
    }
    return;
  }
  if (needKey()) return;
  try {
    if (decision === null) await api(`/regions/${code}/shortlist/${id}`, { method: "DELETE" });
    else await api(`/regions/${code}/shortlist`, { method: "POST", body: { innovation_id: inv.id, decision, note } });
  } catch (error) {
    toast(explain(error, { not_found: decision === null ? "Tidak ada keputusan yang dapat dibatalkan."
      : "Inovasi itu tidak ada lagi di katalog." }), "error");
    return;
  }
  toast(decision === null ? `${inv.title}: keputusan dibatalkan. Riwayatnya tetap tersimpan.`
    : `${inv.title}: ${DECISIONS[decision].toLocaleLowerCase("id")}.`, "ok");
  await Promise.all([loadRecommendations(), loadShortlist()]);
  document.dispatchEvent(new CustomEvent("decisions-changed", { detail: inv.id }));
}

const cell = (label, attrs, ...children) => el("td", { "data-label": label, ...attrs }, ...children);

export async function loadShortlist() {
  const code = state.region.code;
  const [{ data }, history] = await Promise.all([
    api(`/regions/${code}/shortlist?per_page=500`), api(`/regions/${code}/shortlist/history?per_page=500`)]);
  if (state.region.code !== code) return;
  state.decisions = new Map(data.map((d) => [d.innovation_id, d]));
  $("shortlist-empty").hidden = data.length > 0;
  $("n-shortlist").textContent = data.filter((e) => e.decision === "shortlisted").length;
  $("shortlist-table").hidden = data.length === 0;
  $("shortlist-body").replaceChildren(...data.map((entry) => {
    const inv = entry.innovation || { id: entry.innovation_id, title: entry.innovation_id };
    return el("tr", { "data-id": entry.innovation_id },
      cell("Inovasi", {}, entry.innovation ? el("a", { href: `#inovasi/${encodeURIComponent(inv.id)}`, text: inv.title })
        : el("strong", { text: inv.title }), el("div", { class: "muted small", text: entry.innovation_id })),
      cell("Asal", { text: entry.innovation ? entry.innovation.origin_name : "—" }),
      cell("Keputusan", {}, el("span", { class: `badge decision decision-${entry.decision}`, text: DECISIONS[entry.decision] })),
      cell("Catatan", { class: "note-cell", text: entry.note || "—" }),
      cell("Oleh", { text: entry.who === entry.account ? entry.who : `${entry.who} (${entry.account})` }),
      cell("Waktu", { text: formatTime(entry.created_at) }),
      cell("Tindakan", { class: "row-actions" },
        entry.decision === "shortlisted" ? el("button", { type: "button", class: "btn btn-light", text: "Rencana aksi",
          "aria-label": `Unduh rencana aksi ${inv.title}`, onclick: () => act(inv, "plan") }) : null,
        el("button", { type: "button", class: "btn btn-link", text: "Batalkan",
                       "aria-label": `Batalkan keputusan untuk ${inv.title}`, onclick: () => act(inv, null) })));
  }));
  renderHistory(history.data);
}

function renderHistory(events) {
  $("n-history").textContent = events.length;
  const title = (id) => (state.decisions.get(id) && state.decisions.get(id).innovation
    ? state.decisions.get(id).innovation.title : id);
  $("history-list").replaceChildren(...events.map((e) => el("li", { "data-decision": e.decision },
    el("span", { class: `badge decision decision-${e.decision}`, text: DECISIONS[e.decision] || e.decision }), " ",
    el("strong", { text: title(e.innovation_id) }),
    el("span", { class: "muted", text: ` — ${e.who}, ${formatTime(e.created_at)}` }),
    e.note ? el("div", { class: "small", text: `Catatan: ${e.note}` }) : null)));
}

async function exportCsv() {
  try {
    saveBlob(await api(`/regions/${state.region.code}/shortlist?format=csv`, { raw: true }), `daftar-pendek-${state.region.code}.csv`);
  } catch (error) {
    toast(explain(error), "error");
  }
}

// ---- opening a regency -----------------------------------------------------------------------------------
export async function showRegion(region) {
  state.region = region;
  state.coverage = [];
  lastRecommendations = [];
  $("region-province").replaceChildren("Provinsi ", el("a", { href: `#provinsi/${region.province_code}`,
    text: region.province_name, title: "Progres replikasi provinsi ini" }), region.hub ? " · provinsi hub" : "");
  $("region-name").textContent = region.name;
  const meta = [`Kode ${region.code}`, `Ibu kota ${region.capital}`];
  if (region.population) meta.push(`Penduduk ${formatNumber(region.population)}`);
  if (region.area_km2) meta.push(`Luas ${formatNumber(region.area_km2)} km²`);
  $("region-meta").textContent = meta.join(" · ");
  $("region-map-link").href = `#peta/${region.province_code}`;
  document.title = `${region.name} — Pencocok Inovasi`;
  closeGapForm();
  $("rec-list").replaceChildren();
  $("gap-list").replaceChildren();
  showView("region", "region-name");
  $("region-view").setAttribute("aria-busy", "true");  // until every part of the regency is drawn
  try {
    await Promise.all([loadGaps(), loadRecommendations(), loadShortlist()]);
    await loadRegionProgress();  // after the shortlist: its innovations are the form's choices
  } finally {
    if (state.region === region) $("region-view").removeAttribute("aria-busy");
  }
}

export function setupRegionView() {
  window.addEventListener("resize", () => fitQuotes($("rec-list")));
  $("gap-add").addEventListener("click", () => (needKey() ? null : openGapForm()));
  $("gap-cancel").addEventListener("click", closeGapForm);
  $("gap-form").addEventListener("submit", saveGap);
  $("gap-text").addEventListener("input", updateGapCount);
  $("filters").addEventListener("change", (event) => {
    if (!state.region) return;
    if (event.target.id === "f-show-weak") renderRecommendations();
    else loadRecommendations();
  });
  $("export-csv").addEventListener("click", exportCsv);
  // an implemented innovation is no longer recommended: the list follows each recorded step
  document.addEventListener("progress-changed", () => loadRecommendations());
  for (const button of document.querySelectorAll(".jump button")) {
    button.addEventListener("click", () => $(button.dataset.target).scrollIntoView({ behavior: "smooth", block: "start" }));
  }
}
