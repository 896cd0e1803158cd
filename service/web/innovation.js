// Tampilan satu inovasi (#inovasi/ID): uraian lengkap, asal, kontak, daerah yang sudah memilihnya, inovasi serupa.
import { $, AWARDS, DECISIONS, SECTORS, STAGES, api, el, explain, formatNumber } from "./lib.js";
import { decisionActions, innovationBadges } from "./cards.js";
import { act } from "./region.js";
import { showError, showView, state } from "./view.js";

const CONTACT_KEYS = ["kontak", "contact", "narahubung", "email", "surel", "telepon", "phone", "website", "url", "tautan", "link"];
const STATUS = { aktif: "Masih berjalan", berjalan: "Masih berjalan", berhenti: "Sudah berhenti" };
// The programme's status in words, with why it stopped when the catalogue says.
const statusText = (status, reason) => (status
  ? `${STATUS[status] || String(status)}${status === "berhenti" && reason ? ` (${reason})` : ""}` : "Tidak tercatat");
const LABELS = { kontak: "Kontak", contact: "Kontak", narahubung: "Narahubung", email: "Surel", surel: "Surel",
                 telepon: "Telepon", phone: "Telepon", website: "Situs web", url: "Tautan", tautan: "Tautan", link: "Tautan" };
const label = (key) => LABELS[key.toLowerCase()] || key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());

// A contact value as a link when it is a web address or an e-mail, as plain text otherwise.
function contactValue(value) {
  const text = String(value);
  if (/^https?:\/\/\S+$/i.test(text)) return el("a", { href: text, rel: "noopener noreferrer", target: "_blank", text });
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return el("a", { href: `mailto:${text}`, text });
  return text;
}

const pair = (term, ...value) => [el("dt", { text: term }), el("dd", {}, ...value)];

function renderFacts(inv) {
  const meta = inv.metadata || {};
  const facts = [
    ...pair("Instansi", inv.institution || "Tidak tercatat"),
    ...pair("Daerah asal", inv.origin_name || "Tidak tercatat"),
    ...pair("Tahun mulai", inv.year ? String(inv.year) : "Tidak tercatat"),
    ...pair("Tahap", STAGES[inv.stage] || "Tidak tercatat"),
    ...pair("Penghargaan", AWARDS[inv.award] || "Tidak tercatat"),
    ...pair("Status", statusText(inv.status || meta.status, inv.status_reason)),
    ...pair("Digital", inv.digital === true ? "Ya" : inv.digital === false ? "Tidak" : "Tidak tercatat"),
    ...pair("Kode inovasi", inv.id),
  ];
  const isContact = (key) => CONTACT_KEYS.some((c) => key.toLowerCase().includes(c));
  for (const [key, value] of Object.entries(meta)) {
    if (key !== "status" && !isContact(key) && value !== null && typeof value !== "object") facts.push(...pair(label(key), String(value)));
  }
  $("inv-facts").replaceChildren(...facts);
  const contacts = Object.entries(meta).filter(([key, value]) => isContact(key) && value !== null && value !== "");
  $("inv-contact").replaceChildren(...(contacts.length ? contacts.flatMap(([key, value]) => pair(label(key), contactValue(value)))
    : pair("Kontak", `Belum tercatat di katalog. Hubungi ${inv.institution || "instansi asal"} melalui pemerintah daerahnya.`)));
}

function renderRegions(entries) {
  const chosen = entries.filter((d) => d.decision !== "rejected");
  const rejected = entries.length - chosen.length;
  const items = chosen.map((d) => el("li", {},
    el("a", { href: `#${d.region_code}`, text: d.region_name }), " ",
    el("span", { class: `badge decision decision-${d.decision}`, text: DECISIONS[d.decision] }),
    d.note ? el("div", { class: "small muted", text: `Catatan: ${d.note}` }) : null));
  if (!items.length) items.push(el("li", { class: "muted", text: "Belum ada kabupaten/kota yang memilih atau mereplikasinya." }));
  if (rejected) items.push(el("li", { class: "muted small", text: `${rejected} kabupaten/kota menolaknya.` }));
  $("inv-regions").replaceChildren(...items);
}

function renderSimilar(similar) {
  $("inv-similar").replaceChildren(...(similar.length ? similar.map(({ innovation: s }) => el("li", {},
    el("a", { href: `#inovasi/${encodeURIComponent(s.id)}`, text: s.title }),
    el("div", { class: "small muted", text: [s.origin_name, SECTORS[s.sector] || s.sector, s.year].filter(Boolean).join(" · ") })))
    : [el("li", { class: "muted", text: "Tidak ada inovasi serupa di katalog." })]));
}

// With a regency open, its decision on this innovation can be made here too.
function renderDecide(inv) {
  const region = state.region;
  const own = region && inv.region_code === region.code;
  $("inv-decide").hidden = !region || own;
  if (!region || own) return;
  const current = state.decisions.get(inv.id) || null;
  $("inv-decide-title").textContent = `Keputusan untuk ${region.name}${current ? `: ${DECISIONS[current.decision].toLocaleLowerCase("id")}` : ""}`;
  $("inv-decide-actions").replaceChildren(decisionActions(inv, current, act));
}

export async function openInnovation(id) {
  let inv, similar, decisions;
  try {
    [inv, similar, decisions] = await Promise.all([
      api(`/innovations/${encodeURIComponent(id)}`),
      api(`/innovations/${encodeURIComponent(id)}/similar?k=5`),
      api(`/innovations/${encodeURIComponent(id)}/decisions?per_page=500`),
    ]);
  } catch (error) {
    showError(explain(error, { not_found: `Inovasi dengan kode “${id}” tidak ditemukan di katalog.` }));
    return;
  }
  $("inv-sector").textContent = SECTORS[inv.sector] || inv.sector || "Sektor tidak tercatat";
  $("inv-title").textContent = inv.title;
  $("inv-badges").replaceChildren(...innovationBadges(inv));
  $("inv-description").textContent = inv.description;
  renderFacts(inv);
  renderRegions(decisions.data);
  renderSimilar(similar.data);
  renderDecide(inv);
  const back = state.previousHash && !state.previousHash.startsWith("#inovasi/") ? state.previousHash
    : state.region ? `#${state.region.code}` : "#katalog";
  $("inv-back").href = back;
  $("inv-back").textContent = back === "#katalog" ? "← Kembali ke katalog" : back === "#cari" ? "← Kembali ke pencarian"
    : state.region ? `← Kembali ke ${state.region.name}` : "← Kembali";
  document.title = `${inv.title} — Pencocok Inovasi`;
  showView("innovation", "inv-title");
  $("inv-similar-title").textContent = `Inovasi serupa (${formatNumber(similar.data.length)})`;
}

// After a decision made from this view, show the new state.
document.addEventListener("decisions-changed", (event) => {
  if (!$("innovation-view").hidden) openInnovation(event.detail);
});
