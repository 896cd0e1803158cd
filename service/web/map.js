// Peta peluang inovasi (#peta untuk provinsi hub, #peta/kode untuk satu provinsi): peta SVG dari server, tabel
// sektor, dan daftar kesenjangan yang belum ada inovasi yang cocok. Server yang menggambar peta (sama dengan laporan
// batch), jadi halaman hanya menyisipkannya; setiap wilayah di peta adalah tautan, dibuka dengan klik atau Enter.
import { $, BANDS, api, el, explain, formatNumber } from "./lib.js";
import { showView, state } from "./view.js";

const OPEN_SHOWN = 50;  // the national view lists at most this many open gaps; the batch's opportunities.csv has all
let shown = { province: null, base: null };

const percentText = (share) => (share === null || share === undefined ? "—" : `${formatNumber(100 * share)}%`);

function fillProvinces() {
  const select = $("map-province");
  if (select.options.length > 1 || !state.provinces.length) return;
  const hub = el("optgroup", { label: "Provinsi hub" });
  const other = el("optgroup", { label: "Provinsi lain" });
  for (const p of state.provinces) (p.hub ? hub : other).append(el("option", { value: p.code, text: p.name }));
  select.append(hub, other);
}

function fillMeasures(measures) {
  const select = $("map-measure");
  const chosen = select.value || "open_gaps";
  select.replaceChildren(...measures.map((m) => el("option", { value: m.name, text: m.label, title: m.note })));
  select.value = measures.some((m) => m.name === chosen) ? chosen : measures[0].name;
}

// The server's SVG, parsed as XML and imported: nothing in it runs, and its texts were escaped by the server.
async function drawMap() {
  const measure = $("map-measure").value;
  const blob = await api(`${shown.base}/map.svg?measure=${encodeURIComponent(measure)}`, { raw: true });
  const doc = new DOMParser().parseFromString(await blob.text(), "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg") throw new Error("not an SVG");
  $("map-figure").replaceChildren(document.importNode(svg, true));
}

function renderAreas(data, national) {
  $("map-areas-title").textContent = national ? "Provinsi hub" : "Kabupaten/kota";
  $("map-areas").querySelector("th").textContent = national ? "Provinsi" : "Kabupaten/kota";
  const cell = (label, attrs, ...children) => el("td", { "data-label": label, ...attrs }, ...children);
  $("map-areas-body").replaceChildren(...data.areas.map((a) => el("tr", { "data-code": a.code },
    cell(national ? "Provinsi" : "Kabupaten/kota", {}, el("a", { href: national ? `#peta/${a.code}` : `#${a.code}`, text: a.name })),
    cell("Kesenjangan", { class: "num", text: formatNumber(a.gaps) }),
    cell("Terbuka", { class: "num", text: a.gaps ? formatNumber(a.open_gaps) : "—" }),
    cell("Cakupan", { class: "num", text: percentText(a.metrics.coverage) }))));
}

function renderSectors(data) {
  const names = new Map(data.areas.map((a) => [a.code, a.name]));
  $("map-sectors-empty").hidden = data.sectors.length > 0;
  $("map-sectors").hidden = data.sectors.length === 0;
  $("map-sectors-body").replaceChildren(...data.sectors.map((s) => el("tr", { "data-sector": s.sector || "" },
    el("td", { "data-label": "Sektor", text: s.label }),
    el("td", { "data-label": "Kesenjangan", class: "num", text: formatNumber(s.gaps) }),
    el("td", { "data-label": "Terbuka", class: "num", text: formatNumber(s.open_gaps) }),
    el("td", { "data-label": "Kabupaten/kota", text: s.region_codes.map((c) => names.get(c) || c).join(", ") || "—" }))));
}

function renderOpen(data) {
  const items = data.open.slice(0, OPEN_SHOWN);
  $("map-open-title").textContent = `Kesenjangan tanpa inovasi yang cocok (${formatNumber(data.open.length)})`;
  $("map-open").replaceChildren(...items.map((g) => el("li", { "data-gap": g.gap_id },
    el("a", { href: `#${g.region_code}`, text: g.region_name }),
    el("p", { class: "gap-text", text: g.text }),
    el("p", { class: "muted small", text: g.best_innovation_title
      ? `Kandidat terbaik: ${g.best_innovation_title} (${(BANDS[g.band] || g.band).toLocaleLowerCase("id")})`
      : "Tidak ada kandidat yang lolos." }))));
  if (data.open.length > items.length) {
    $("map-open").append(el("li", { class: "muted", text: `dan ${formatNumber(data.open.length - items.length)} lainnya: pilih provinsinya untuk melihat semua.` }));
  }
}

export async function showMap(province) {
  fillProvinces();
  const national = !province;
  $("map-province").value = province;
  $("map-eyebrow").textContent = national ? "Peta peluang inovasi · nasional" : "Peta peluang inovasi · provinsi";
  $("map-title").textContent = national ? "Provinsi hub replikasi"
    : `Provinsi ${(state.provinces.find((p) => p.code === province) || { name: province }).name}`;
  document.title = `Peta peluang — ${$("map-title").textContent} — Pencocok Inovasi`;
  $("map-progress-link").href = national ? "#provinsi" : `#provinsi/${encodeURIComponent(province)}`;
  $("map-progress-link").textContent = national ? "Progres replikasi per provinsi" : "Progres replikasi provinsi ini";
  showView("map", "map-title");
  shown = { province, base: national ? "/opportunities" : `/provinces/${encodeURIComponent(province)}` };
  $("map-status").textContent = "Memuat peta dan kesenjangan…";
  $("map-figure").setAttribute("aria-busy", "true");
  try {
    const data = await api(national ? "/opportunities" : `${shown.base}/opportunities`);
    if (shown.province !== province) return;  // another map was opened meanwhile
    fillMeasures(data.measures);
    await drawMap();
    renderAreas(data, national);
    renderSectors(data);
    renderOpen(data);
    $("map-status").textContent = `${formatNumber(data.open_gaps)} dari ${formatNumber(data.gaps)} kesenjangan belum ada `
      + `inovasi yang cocok di ${national ? "provinsi hub" : data.name}.`;
  } catch (error) {
    $("map-status").textContent = explain(error, { not_found: `Provinsi dengan kode “${province}” tidak ditemukan.` });
  } finally {
    $("map-figure").removeAttribute("aria-busy");
  }
}

export function setupMap() {
  $("map-form").addEventListener("submit", (event) => event.preventDefault());
  $("map-province").addEventListener("change", (event) => {
    location.hash = event.target.value ? `#peta/${event.target.value}` : "#peta";
  });
  $("map-measure").addEventListener("change", async () => {
    try {
      await drawMap();
    } catch (error) {
      $("map-status").textContent = explain(error);
    }
  });
}
