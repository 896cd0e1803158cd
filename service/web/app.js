// Halaman mentor: masuk dengan kode akses, pilih wilayah, dan pindah antartampilan menurut alamat (#kode wilayah,
// #inovasi/ID, #katalog, #cari, #peta, #peta/kode provinsi), sehingga setiap tampilan dapat ditautkan dan tombol Kembali peramban bekerja.
// Semua teks dari korpus atau pengguna masuk ke halaman sebagai teks (textContent), tidak pernah sebagai HTML.
import { $, SECTORS, api, apiKey, el, explain, keyRemembered, setApiKey, toast } from "./lib.js";
import { confidence } from "./cards.js";
import { openInnovation } from "./innovation.js";
import { fillProgressProvinces, setupProgress, showProvince } from "./progress.js";
import { setupMap, showMap } from "./map.js";
import { setupRegionView, showRegion } from "./region.js";
import { fillProvinces, setupSearch, showCatalogue, showSearch } from "./search.js";
import { showError, showView, state } from "./view.js";

const ROLES = { mentor: "mentor", admin: "admin" };

// ---- sign-in ---------------------------------------------------------------------------------------------
async function refreshAccount() {
  const status = $("key-status");
  const signedIn = Boolean(apiKey());
  $("key-clear").hidden = !signedIn;
  $("signin-fields").hidden = signedIn;
  if (!signedIn) {
    state.account = null;
    status.textContent = "Belum masuk: Anda dapat melihat, tetapi belum dapat menyimpan.";
    status.className = "key-status";
    document.dispatchEvent(new CustomEvent("account-changed"));
    return;
  }
  try {
    state.account = await api("/me");
    const where = keyRemembered() ? "diingat di perangkat ini" : "sampai tab ini ditutup";
    status.textContent = `Masuk sebagai ${state.account.name} (${ROLES[state.account.role] || state.account.role}), ${where}`;
    status.className = "key-status ok";
  } catch (error) {
    state.account = null;
    setApiKey("");
    $("key-clear").hidden = true;
    $("signin-fields").hidden = false;
    status.textContent = error.code === "unauthorized" ? "Kode akses tidak dikenal. Periksa lagi, lalu masuk ulang." : explain(error);
    status.className = "key-status bad";
  }
  document.dispatchEvent(new CustomEvent("account-changed"));
}

function setupSignIn() {
  $("key-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = $("api-key").value.trim();
    if (!value) { $("api-key").focus(); return; }
    setApiKey(value, $("key-remember").checked);
    $("api-key").value = "";
    await refreshAccount();
    if (state.account) toast(`Selamat datang, ${state.account.name}. Keputusan Anda sekarang dapat disimpan.`, "ok");
  });
  $("key-clear").addEventListener("click", () => {
    setApiKey("");
    refreshAccount();
    toast("Anda sudah keluar. Kode akses dihapus dari perangkat ini.", "ok");
  });
  // Signing in or out in another tab (remembered codes are shared) shows here too.
  window.addEventListener("storage", (event) => { if (event.key === null || event.key === "matcher.apiKey") refreshAccount(); });
}

// ---- provinces and regencies -----------------------------------------------------------------------------
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
  fillProvinces(data);
  fillProgressProvinces(data);
}

async function chooseProvince(code) {
  $("province").value = code;
  $("region-search").value = "";
  $("region-search").disabled = !code;
  state.regions = [];
  if (code) {
    try {
      state.regions = (await api(`/regions?province=${encodeURIComponent(code)}&per_page=500`)).data;
    } catch (error) {
      toast(explain(error), "error");
    }
  }
  renderRegionList();
}

function renderRegionList() {
  const needle = $("region-search").value.trim().toLocaleLowerCase("id");
  const shown = state.regions.filter((r) => r.name.toLocaleLowerCase("id").includes(needle));
  $("region-list").replaceChildren(...shown.map((r) => {
    const current = state.region && state.region.code === r.code;
    return el("li", {}, el("a", { href: `#${r.code}`, class: `region-item${current ? " active" : ""}`,
                                  "data-code": r.code, "aria-current": current ? "page" : null, onclick: reopen },
      el("span", { class: "region-name", text: r.name }),
      r.gaps ? el("span", { class: "count", text: `${r.gaps} kesenjangan` }) : null));
  }));
  $("region-hint").textContent = !state.regions.length ? "Pilih provinsi terlebih dulu."
    : shown.length ? `${shown.length} kabupaten/kota` : "Tidak ada nama yang cocok.";
}

// Choosing the regency that is already open changes no address: show it all the same.
function reopen(event) {
  if (event.currentTarget.getAttribute("href") !== location.hash) return;
  event.preventDefault();
  setSidebar(false);
  showView("region", "region-name");
}

// On a phone the regency list folds away once a regency is chosen; the button reopens it.
function setSidebar(open) {
  $("sidebar-toggle").setAttribute("aria-expanded", String(open));
  document.querySelector(".sidebar").classList.toggle("collapsed", !open);
  $("sidebar-toggle-text").textContent = state.region && !open ? `Ganti wilayah (sekarang: ${state.region.name})` : "Pilih wilayah";
}

async function openRegion(code) {
  if (state.region && state.region.code === code && !$("region-view").hidden) return;
  let region;
  try {
    region = await api(`/regions/${encodeURIComponent(code)}`);
  } catch (error) {
    state.region = null;
    renderRegionList();
    setSidebar(true);
    document.title = "Pencocok Inovasi — Replikasi Inovasi Pelayanan Publik";
    showError(explain(error, { not_found: `Kabupaten/kota dengan kode “${code}” tidak ditemukan. Pilih wilayah dari daftar.` }));
    return;
  }
  if ($("province").value !== region.province_code) await chooseProvince(region.province_code);
  state.region = region;
  renderRegionList();
  setSidebar(false);
  try {
    await showRegion(region);
  } catch (error) {
    toast(explain(error), "error");
  }
}

// ---- addresses -------------------------------------------------------------------------------------------
async function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash.startsWith("inovasi/")) return openInnovation(hash.slice("inovasi/".length));
  if (hash === "katalog") return showCatalogue();
  if (hash === "cari") return showSearch();
  if (hash === "provinsi" || hash.startsWith("provinsi/")) return showProvince(hash.slice("provinsi/".length));
  if (hash === "peta" || hash.startsWith("peta/")) return showMap(hash.slice("peta/".length));
  if (!hash || hash === "wilayah") {
    if (state.region) showView("region", "region-name");
    else showView("empty");
    return undefined;
  }
  return openRegion(hash);
}

async function start() {
  $("gap-sector").append(...Object.entries(SECTORS).map(([code, label]) => el("option", { value: code, text: label })));
  $("f-sector").append(...Object.entries(SECTORS).map(([code, label]) => el("option", { value: code, text: label })));
  setupSignIn();
  setupRegionView();
  setupSearch();
  setupProgress();
  setupMap();
  $("province").addEventListener("change", (e) => chooseProvince(e.target.value));
  $("region-search").addEventListener("input", renderRegionList);
  $("sidebar-toggle").addEventListener("click", () => setSidebar($("sidebar-toggle").getAttribute("aria-expanded") !== "true"));
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();  // keep the address: it names the view
    $("main").focus();
  });
  window.addEventListener("hashchange", (event) => {
    state.previousHash = new URL(event.oldURL).hash;
    route();
  });
  try {
    const [, , bands] = await Promise.all([loadProvinces(), refreshAccount(), api("/confidence")]);
    Object.assign(confidence, bands);
  } catch (error) {
    showError(explain(error));
    return;
  }
  route();
}

document.addEventListener("DOMContentLoaded", start);
