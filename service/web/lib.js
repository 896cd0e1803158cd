// Bahan bersama halaman mentor: label, pembuat elemen DOM, penanda kata, pesan, dan panggilan API.
// Semua teks dari korpus atau pengguna masuk ke halaman sebagai teks (textContent), tidak pernah sebagai HTML.

const KEY_STORAGE = "matcher.apiKey";
export const SECTORS = {
  kesehatan: "Kesehatan", pendidikan: "Pendidikan", administrasi_kependudukan: "Administrasi kependudukan",
  perizinan_investasi: "Perizinan & investasi", sosial_kemiskinan: "Sosial & kemiskinan",
  pertanian_pangan: "Pertanian & pangan", kelautan_perikanan: "Kelautan & perikanan",
  lingkungan_persampahan: "Lingkungan & persampahan", kebencanaan: "Kebencanaan", ekonomi_umkm: "Ekonomi & UMKM",
  pariwisata_budaya: "Pariwisata & budaya", infrastruktur_transportasi: "Infrastruktur & transportasi",
  ketenagakerjaan: "Ketenagakerjaan", tata_kelola_pengaduan: "Tata kelola & pengaduan",
  keuangan_daerah_pajak: "Keuangan daerah & pajak", perlindungan_perempuan_anak: "Perlindungan perempuan & anak",
  air_bersih_sanitasi: "Air bersih & sanitasi", digitalisasi_pemerintahan: "Digitalisasi pemerintahan",
};
export const STAGES = { penerapan: "Penerapan", uji_coba: "Uji coba" };
export const AWARDS = { top_45: "Top 45 KIPP", top_99: "Top 99 KIPP", iga: "IGA", none: "Tanpa penghargaan" };
export const DECISIONS = { shortlisted: "Daftar pendek", rejected: "Ditolak", replicated: "Sudah direplikasi" };
export const PRIORITIES = { 1: "Prioritas tinggi", 2: "Prioritas sedang", 3: "Prioritas rendah" };
export const PARTS = [
  ["relevance", "Relevansi"], ["maturity", "Kematangan"], ["recognition", "Penghargaan"],
  ["proximity", "Kedekatan"], ["similarity", "Kemiripan daerah"],
];

export const $ = (id) => document.getElementById(id);

// ---- DOM helpers -----------------------------------------------------------------------------------------
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Text with the matched words in <mark>: whole words only, any case, built from text nodes.
export function highlighted(text, terms) {
  const lower = text.toLocaleLowerCase("id");
  const isWord = (ch) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);
  const spans = [];
  for (const term of new Set((terms || []).map((t) => t.toLocaleLowerCase("id")).filter(Boolean))) {
    for (let at = lower.indexOf(term); at !== -1; at = lower.indexOf(term, at + 1)) {
      if (!isWord(lower[at - 1]) && !isWord(lower[at + term.length])) spans.push([at, at + term.length]);
    }
  }
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out = document.createDocumentFragment();
  let pos = 0;
  for (const [start, end] of spans) {
    if (start < pos) continue;
    if (start > pos) out.append(text.slice(pos, start));
    out.append(el("mark", { text: text.slice(start, end) }));
    pos = end;
  }
  out.append(text.slice(pos));
  return out;
}

export function toast(message, kind = "info") {
  const box = $("toast");
  box.textContent = message;
  box.className = `toast toast-${kind}`;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4500);
}

export const formatNumber = (n, digits = 0) =>
  Number(n).toLocaleString("id-ID", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const formatTime = (seconds) => new Date(seconds * 1000).toLocaleString("id-ID", { dateStyle: "medium", timeStyle: "short" });

// ---- API -------------------------------------------------------------------------------------------------
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `Permintaan gagal (${status})`);
    this.status = status;
    this.code = body && body.error && body.error.code;
  }
}

export const apiKey = () => sessionStorage.getItem(KEY_STORAGE) || "";
// The key lives in sessionStorage: gone when the tab closes, never sent anywhere but this server.
export const setApiKey = (value) => (value ? sessionStorage.setItem(KEY_STORAGE, value) : sessionStorage.removeItem(KEY_STORAGE));

export async function api(path, { method = "GET", body, raw = false } = {}) {
  const headers = { Accept: raw ? "text/csv" : "application/json" };
  if (apiKey()) headers["X-API-Key"] = apiKey();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) {
    let payload = null;
    try { payload = await response.json(); } catch (_) { /* not JSON */ }
    throw new ApiError(response.status, payload);
  }
  if (raw) return response.blob();
  return response.status === 204 ? null : response.json();
}

export function explain(error) {
  if (error.status === 401) return "Kunci API diperlukan atau tidak valid. Tempel kunci Anda di kanan atas.";
  if (error.status === 403) return "Peran akun Anda tidak diizinkan melakukan ini.";
  return error.message || "Terjadi kesalahan.";
}

export function needKey() {
  if (apiKey()) return false;
  toast("Untuk menyimpan perubahan, tempel kunci API Anda di kanan atas.", "warn");
  $("api-key").focus();
  return true;
}
