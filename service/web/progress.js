// Progres replikasi: bagian "Progres replikasi" pada tampilan kabupaten/kota (tahap tiap inovasi, riwayatnya bila
// diminta, dan formulir langkah baru untuk mentor), dan tampilan provinsi untuk koordinator hub (#provinsi/KODE):
// corong dari kesenjangan sampai inovasi yang berlanjut, lama antartahap, dan tabel per kabupaten/kota.
// Semua teks dari korpus atau pengguna masuk ke halaman sebagai teks (textContent), tidak pernah sebagai HTML.
import { $, api, el, explain, formatNumber, formatTime, needKey, toast } from "./lib.js";
import { showError, showView, state } from "./view.js";

export const STEPS = { dipilih: "Dipilih", studi_tiru: "Studi tiru", rencana_aksi: "Rencana aksi",
                       diterapkan: "Diterapkan", berlanjut: "Berlanjut", berhenti: "Berhenti" };
const FUNNEL = [["gaps", "Kesenjangan"], ["dipilih", "Dipilih"], ["studi_tiru", "Studi tiru"],
                ["rencana_aksi", "Rencana aksi"], ["diterapkan", "Diterapkan"], ["berlanjut", "Berlanjut"]];
const cell = (label, attrs, ...children) => el("td", { "data-label": label, ...attrs }, ...children);
const day = (iso) => (iso ? new Date(`${iso}T00:00:00`).toLocaleDateString("id-ID", { dateStyle: "medium" }) : "—");
const days = (n) => (n === null || n === undefined ? "—" : formatNumber(n, 0));
let states = [];

// ---- a regency's progress --------------------------------------------------------------------------------
function details(s) {
  return [s.document ? `Dokumen: ${s.document}` : null, s.reason ? `Alasan: ${s.reason}` : null,
          s.note ? `Catatan: ${s.note}` : null, s.implied ? "Dari keputusan daftar pendek" : null]
    .filter(Boolean).join(" · ") || "—";
}

function historyBox(s) {
  if (!s.history.length) return el("span", { class: "muted", text: "Belum ada langkah tercatat" });
  return el("details", { class: "history" },
    el("summary", { text: `Riwayat (${s.history.length})` }),
    el("ol", { class: "history-list" }, ...s.history.map((h) => el("li", { "data-stage": h.stage },
      el("span", { class: `badge step step-${h.stage}`, text: STEPS[h.stage] }), ` ${day(h.date)}`,
      el("span", { class: "muted", text: ` — ${h.who}, dicatat ${formatTime(h.recorded_at)}` }),
      h.note ? el("div", { class: "small", text: `Catatan: ${h.note}` }) : null,
      h.document ? el("div", { class: "small", text: `Dokumen: ${h.document}` }) : null,
      h.reason ? el("div", { class: "small", text: `Alasan: ${h.reason}` }) : null))));
}

export async function loadRegionProgress() {
  const region = state.region;
  if (!region) return;
  const body = await api(`/regions/${region.code}/replications`);
  if (state.region !== region) return;
  states = body.data;
  $("progress-province-link").setAttribute("href", `#provinsi/${region.province_code}`);
  $("n-progress").textContent = states.length;
  $("progress-empty").hidden = states.length > 0;
  $("progress-table").hidden = states.length === 0;
  $("progress-body").replaceChildren(...states.map((s) => el("tr", { "data-id": s.innovation_id, "data-stage": s.stage },
    cell("Inovasi", {}, s.title ? el("a", { href: `#inovasi/${encodeURIComponent(s.innovation_id)}`, text: s.title })
      : el("strong", { text: s.innovation_id })),
    cell("Tahap", {}, el("span", { class: `badge step step-${s.stage}`, text: STEPS[s.stage] }),
      s.replicated ? el("div", { class: "muted small", text: "Tidak lagi direkomendasikan" }) : null),
    cell("Tanggal", { text: day(s.date) }),
    cell("Keterangan", { class: "note-cell", text: details(s) }),
    cell("Riwayat", {}, historyBox(s)))));
  renderForm();
}

// The form: only for a signed-in mentor (or admin), offering the regency's decided innovations and those in progress.
function renderForm() {
  const mentor = Boolean(state.account && ["mentor", "admin"].includes(state.account.role));
  $("progress-form").hidden = !mentor || !state.region;
  $("progress-signin").hidden = mentor;
  const choices = new Map(states.map((s) => [s.innovation_id, s.title || s.innovation_id]));
  for (const [id, d] of state.decisions) if (!choices.has(id)) choices.set(id, d.innovation ? d.innovation.title : id);
  const select = $("p-innovation");
  const chosen = select.value;
  select.replaceChildren(...[...choices].map(([id, title]) => el("option", { value: id, text: title })));
  if (choices.has(chosen)) select.value = chosen;
  if (!$("p-date").value) $("p-date").value = new Date().toISOString().slice(0, 10);
  showStageFields();
}

function showStageFields() {
  $("p-document-box").hidden = $("p-stage").value !== "rencana_aksi";
  $("p-reason-box").hidden = $("p-stage").value !== "berhenti";
}

// The server names the refused field (body.note, body.date, ...): say in Indonesian what to fix.
function stepError(error) {
  const problem = (error.details || [])[0] || {};
  const reason = problem.reason || "";
  if (error.code !== "validation_error") return explain(error, { not_found: "Inovasi itu tidak ada lagi di katalog." });
  if (problem.field === "body.note") return "Langkah ini kembali ke tahap sebelumnya: tulis catatan alasannya.";
  if (problem.field === "body.document") return "Rencana aksi memerlukan tautan atau nama berkas dokumennya.";
  if (problem.field === "body.reason") return "Tahap berhenti memerlukan alasannya.";
  if (problem.field === "body.date" && /earlier/.test(reason)) return "Tanggal tidak boleh lebih awal dari langkah sebelumnya.";
  if (problem.field === "body.date" && /future/.test(reason)) return "Tanggal tidak boleh di masa depan.";
  if (problem.field === "body.date") return "Tahap ini memerlukan tanggal pelaksanaannya.";
  return explain(error);
}

async function saveStep(event) {
  event.preventDefault();
  if (needKey()) return;
  const innovation = $("p-innovation").value;
  if (!innovation) { toast("Pilih inovasinya terlebih dulu (inovasi di daftar pendek).", "warn"); return; }
  const stage = $("p-stage").value;
  const body = { innovation_id: innovation, stage, date: $("p-date").value || null, note: $("p-note").value.trim() };
  if (stage === "rencana_aksi") body.document = $("p-document").value.trim();
  if (stage === "berhenti") body.reason = $("p-reason").value.trim();
  try {
    await api(`/regions/${state.region.code}/replications`, { method: "POST", body });
  } catch (error) {
    toast(stepError(error), "error");
    return;
  }
  toast(`Langkah "${STEPS[stage]}" dicatat.`, "ok");
  for (const id of ["p-note", "p-document", "p-reason"]) $(id).value = "";
  await loadRegionProgress();
  document.dispatchEvent(new CustomEvent("progress-changed", { detail: innovation }));
}

// ---- the province view -----------------------------------------------------------------------------------
function funnelItem(label, value, top) {
  const fill = el("span", { class: "fill" });
  fill.style.width = `${top ? (100 * value) / top : 0}%`;  // CSSOM, allowed by the CSP
  return el("li", { class: "funnel-item" }, el("span", { class: "funnel-label", text: label }),
    el("span", { class: "funnel-bar", "aria-hidden": "true" }, fill),
    el("span", { class: "funnel-value", text: formatNumber(value) }));
}

function renderProvince(p) {
  const top = Math.max(1, ...FUNNEL.map(([key]) => p.funnel[key]));
  $("pv-funnel").replaceChildren(...FUNNEL.map(([key, label]) => funnelItem(label, p.funnel[key], top)));
  $("pv-dropped").textContent = `Berhenti setelah diterapkan: ${formatNumber(p.dropped)} inovasi.`;
  $("pv-times").replaceChildren(...p.times.map((t) => el("tr", {},
    cell("Dari", { text: STEPS[t.start] }), cell("Ke", { text: STEPS[t.end] }),
    cell("Median hari", { class: "num", text: days(t.median_days) }), cell("Pasangan bertanggal", { class: "num", text: t.pairs }))));
  $("pv-regencies").replaceChildren(...p.regencies.map((r) => el("tr", { "data-code": r.region_code },
    cell("Kabupaten/kota", {}, el("a", { href: `#${r.region_code}`, text: r.region_name })),
    cell("Kesenjangan", { class: "num", text: r.gaps }),
    ...Object.entries(STEPS).map(([stage, label]) => cell(label, { class: "num", text: r.stages[stage] })),
    cell("Median hari dipilih → diterapkan", { class: "num", text: days(r.times[r.times.length - 1].median_days) }))));
}

// The heading's link to the opportunity map: of this province, or the national map before one is chosen.
function linkMap(code) {
  $("pv-map-link").href = code ? `#peta/${encodeURIComponent(code)}` : "#peta";
  $("pv-map-link").textContent = code ? "Peta peluang inovasi provinsi ini" : "Peta peluang inovasi";
}

export async function showProvince(code) {
  const chosen = code || (state.region && state.region.province_code) || $("province").value;
  $("pv-province").value = chosen || "";
  linkMap(chosen);
  $("pv-body").hidden = true;
  if (!chosen) {
    $("province-title").textContent = "Progres provinsi";
    $("pv-status").textContent = "Pilih provinsi untuk melihat progres replikasinya.";
    showView("province", "province-title");
    return;
  }
  let body;
  try {
    body = await api(`/provinces/${encodeURIComponent(chosen)}/progress`);
  } catch (error) {
    showError(explain(error, { not_found: `Provinsi dengan kode “${chosen}” tidak ditemukan.` }));
    return;
  }
  $("province-title").textContent = `Progres replikasi Provinsi ${body.province_name}`;
  document.title = `Progres ${body.province_name} — Pencocok Inovasi`;
  const active = body.regencies.filter((r) => r.pairs).length;
  $("pv-status").textContent = `${formatNumber(body.gaps)} kesenjangan; ${active} dari ${body.regencies.length} kabupaten/kota sudah mencatat progres.`;
  renderProvince(body);
  $("pv-body").hidden = false;
  showView("province", "province-title");
}

export function fillProgressProvinces(provinces) {
  $("pv-province").append(...provinces.map((p) => el("option", { value: p.code, text: p.name })));
}

export function setupProgress() {
  $("progress-form").addEventListener("submit", saveStep);
  $("p-stage").addEventListener("change", showStageFields);
  $("pv-province").addEventListener("change", (e) => { location.hash = e.target.value ? `provinsi/${e.target.value}` : "provinsi"; });
  document.addEventListener("decisions-changed", () => loadRegionProgress().catch((e) => toast(explain(e), "error")));
  document.addEventListener("account-changed", renderForm);
}
