// Bahan bersama halaman mentor: label, pembuat elemen DOM, penanda kata, pesan, kode akses, dan panggilan API.
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
export const DECISIONS = { shortlisted: "Daftar pendek", rejected: "Ditolak", replicated: "Sudah direplikasi",
                           undone: "Keputusan dibatalkan" };
export const BANDS = { strong: "Kecocokan kuat", medium: "Kecocokan sedang", weak: "Kecocokan lemah" };
export const PRIORITIES = { 1: "Prioritas tinggi", 2: "Prioritas sedang", 3: "Prioritas rendah" };
export const PARTS = [
  ["relevance", "Relevansi"], ["maturity", "Kematangan"], ["recognition", "Penghargaan"],
  ["proximity", "Kedekatan"], ["similarity", "Kemiripan daerah"], ["peers", "Daerah serupa"],
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
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

export const formatNumber = (n, digits = 0) =>
  Number(n).toLocaleString("id-ID", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const formatTime = (seconds) => new Date(seconds * 1000).toLocaleString("id-ID", { dateStyle: "medium", timeStyle: "short" });

// Download a Blob under a file name (the shortlist CSV, an action plan).
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---- access code (the API key) ---------------------------------------------------------------------------
// Kept in localStorage when the mentor ticks "ingat di perangkat ini" (shared by every tab, kept after closing
// the browser), otherwise in sessionStorage (this tab only). It is sent to this server only.
export const apiKey = () => localStorage.getItem(KEY_STORAGE) || sessionStorage.getItem(KEY_STORAGE) || "";
export const keyRemembered = () => Boolean(localStorage.getItem(KEY_STORAGE));
export function setApiKey(value, remember = false) {
  localStorage.removeItem(KEY_STORAGE);
  sessionStorage.removeItem(KEY_STORAGE);
  if (value) (remember ? localStorage : sessionStorage).setItem(KEY_STORAGE, value);
}

// ---- API -------------------------------------------------------------------------------------------------
export class ApiError extends Error {
  constructor(status, body) {
    super(`HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error && body.error.code) || (status === 0 ? "network" : "error");
    this.details = (body && body.error && body.error.details) || [];
    this.retryAfter = null;
  }
}

export async function api(path, { method = "GET", body, raw = false } = {}) {
  const headers = { Accept: raw ? "*/*" : "application/json" };
  if (apiKey()) headers["X-API-Key"] = apiKey();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (_) {
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    let payload = null;
    try { payload = await response.json(); } catch (_) { /* not JSON */ }
    const error = new ApiError(response.status, payload);
    error.retryAfter = response.headers.get("Retry-After");
    throw error;
  }
  if (raw) return response.blob();
  return response.status === 204 ? null : response.json();
}

// What went wrong, in words a mentor can act on. The server's own messages are in English for developers and
// logs; the page never shows them. ``context`` overrides a code's text where the page knows more (which record).
const ERROR_TEXTS = {
  network: "Server tidak dapat dihubungi. Periksa sambungan internet Anda, lalu coba lagi.",
  unauthorized: "Kode akses diperlukan atau tidak berlaku lagi. Masuk dengan kode akses Anda di bagian atas halaman.",
  forbidden: "Akun Anda tidak berwenang melakukan ini.",
  not_found: "Data yang diminta tidak ditemukan. Mungkin sudah dihapus atau kodenya salah.",
  ambiguous: "Nama itu cocok dengan lebih dari satu wilayah (misalnya Kabupaten dan Kota Malang). Pilih dari daftar.",
  bad_request: "Permintaan tidak dapat diproses. Periksa kembali isian Anda.",
  conflict: "Data dengan kode yang sama sudah ada.",
  too_large: "Isian terlalu besar untuk dikirim.",
  method_not_allowed: "Tindakan ini tidak tersedia.",
  store_unavailable: "Data rekomendasi belum siap di server. Hubungi admin agar indeks inovasi dibuat.",
  internal_error: "Terjadi kesalahan di server. Coba lagi; jika terulang, hubungi admin.",
};

function validationText(error) {
  const reasons = error.details.map((d) => d.reason || "").join(" ");
  if (/too long/.test(reasons)) return "Teks terlalu panjang. Persingkat isian Anda (paling banyak 5.000 karakter).";
  if (/empty|at least 1 character|min_length|too short/.test(reasons)) return "Isian tidak boleh kosong.";
  return "Ada isian yang tidak valid. Periksa kembali, lalu coba lagi.";
}

export function explain(error, context = {}) {
  const code = error && error.code;
  if (context[code]) return context[code];
  if (code === "validation_error") return validationText(error);
  if (code === "rate_limited") {
    const wait = Number(error.retryAfter);
    return `Terlalu banyak permintaan dalam satu menit. Coba lagi${wait ? ` dalam ${wait} detik` : " sebentar lagi"}.`;
  }
  if (ERROR_TEXTS[code]) return ERROR_TEXTS[code];
  if (error instanceof ApiError) return `Permintaan gagal (kode ${error.status}). Coba lagi.`;
  return "Terjadi kesalahan di halaman ini. Muat ulang halaman, lalu coba lagi.";
}

export function needKey() {
  if (apiKey()) return false;
  toast("Untuk menyimpan perubahan, masuk dulu dengan kode akses mentor di bagian atas halaman.", "warn");
  $("api-key").focus();
  return true;
}
