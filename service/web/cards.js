// Kartu: rekomendasi untuk wilayah, hasil pencarian teks, dan inovasi di katalog. Skor digambar pada skala
// tetap (bukan relatif terhadap kartu terbaik), dengan batas "sedang" dan "kuat" ditandai, agar kecocokan lemah
// terlihat lemah.
import { $, AWARDS, BANDS, DECISIONS, PARTS, SECTORS, STAGES, el, formatNumber, highlighted } from "./lib.js";

// Thresholds from GET /confidence; replaced at start-up, these are the service's defaults.
export const confidence = { measure: "confidence", strong_from: 0.7, medium_from: 0.45, scale_max: 1.0 };

// What the bar shows of a match: its calibrated confidence (learned ranker) or its fused score.
const sureness = (x) => (confidence.measure === "confidence" && x.confidence != null ? x.confidence : x.score);

const innovationLink = (inv) => el("a", { href: `#inovasi/${encodeURIComponent(inv.id)}`, text: inv.title });

export function bandBadge(band) {
  return el("span", { class: `badge band band-${band}`, text: BANDS[band] || band });
}

export function innovationBadges(inv) {
  return [
    inv.award && inv.award !== "none" ? el("span", { class: `badge award-${inv.award}`, text: AWARDS[inv.award] || inv.award }) : null,
    inv.stage ? el("span", { class: "badge", text: STAGES[inv.stage] || inv.stage }) : null,
    inv.digital === true ? el("span", { class: "badge", text: "Digital" }) : null,
  ].filter(Boolean);
}

// The fused score of the best answer as a bar on the absolute scale, with the medium and strong thresholds marked.
export function meter(score, band) {
  const pct = (v) => `${Math.max(0, Math.min(100, (100 * v) / confidence.scale_max))}%`;
  const fill = el("span", { class: `fill band-${band}` });
  fill.style.width = pct(score);  // CSSOM, allowed by the CSP (no inline style attribute)
  const ticks = [confidence.medium_from, confidence.strong_from].map((v) => {
    const tick = el("span", { class: "tick" });
    tick.style.left = pct(v);
    return tick;
  });
  const asShare = confidence.measure === "confidence";
  const show = (v) => (asShare ? `${formatNumber(100 * v, 0)}%` : formatNumber(v, 1));
  const words = asShare
    ? `${BANDS[band]}: peluang cocok ${show(score)} (sedang mulai ${show(confidence.medium_from)}, kuat mulai ${show(confidence.strong_from)})`
    : `${BANDS[band]}: skor ${formatNumber(score, 1)} pada skala 0–${formatNumber(confidence.scale_max, 0)} `
      + `(sedang mulai ${formatNumber(confidence.medium_from, 1)}, kuat mulai ${formatNumber(confidence.strong_from, 1)})`;
  return el("div", { class: "meter-row" },
    el("span", { class: "meter-label", text: "Kecocokan" }),
    el("span", { class: "meter", role: "img", "aria-label": words, title: words }, fill, ...ticks),
    el("span", { class: "meter-value", text: show(score) }));
}

// "Juga diterapkan di N daerah": the other members of the innovation's near-duplicate group, one click away.
export function groupNote(group) {
  if (!group || !group.others.length) return null;
  const places = group.regions === 1 ? "1 daerah lain" : `${group.regions} daerah lain`;
  return el("details", { class: "group-note", "data-group": group.id },
    el("summary", { text: `Juga diterapkan di ${places}` }),
    el("ul", { class: "group-others" }, ...group.others.map((o) => el("li", {},
      el("a", { href: `#inovasi/${encodeURIComponent(o.id)}`, text: o.title }),
      el("span", { class: "group-origin", text: ` — ${o.origin_name}${o.status === "berhenti" ? " (berhenti)" : ""}` })))));
}

// Lists come one card per near-duplicate group unless "Tampilkan semua varian" (checkbox ``toggleId``) is ticked.
export const variantsChoice = (toggleId) => ($(toggleId).checked ? "all" : "collapse");

// The status line's note when variants were folded into their group's card.
export function groupedText(items, toggleId) {
  if ($(toggleId).checked || !items.some((x) => x.group && x.group.others.length)) return "";
  return " Varian dari gagasan yang sama digabung dalam satu kartu; centang “Tampilkan semua varian” untuk melihat semuanya.";
}

function matchedWords(terms) {
  if (!terms.length) return null;
  return el("div", { class: "matched" }, el("span", { text: "Kata yang cocok:" }),
    el("ul", { class: "chips" }, ...terms.map((t) => el("li", {}, el("mark", { text: t })))));
}

// A gap quote clamped to three lines, with a real button to read it all (keyboard and screen readers included);
// ``fitQuotes`` hides the button where the whole text fits anyway.
function gapQuote(text, terms) {
  const quote = el("blockquote", { class: "gap-quote" }, el("div", { class: "clamp" }, highlighted(text, terms)));
  const toggle = el("button", { type: "button", class: "btn btn-link more", "aria-expanded": "false",
                                text: "Tampilkan seluruh teks" });
  toggle.addEventListener("click", () => {
    const open = quote.classList.toggle("expanded");
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Ringkas teks" : "Tampilkan seluruh teks";
  });
  return el("div", { class: "quote-box" }, quote, toggle);
}

export function fitQuotes(container) {
  for (const box of container.querySelectorAll(".quote-box")) {
    const clamp = box.querySelector(".clamp");
    const expanded = box.querySelector(".gap-quote").classList.contains("expanded");
    box.querySelector(".more").hidden = !expanded && clamp.scrollHeight <= clamp.clientHeight + 1;
  }
}

// A caution from the compatibility check ("butuh sinyal internet") or from similar regencies that dropped it.
function cautionLine(text) {
  return el("p", { class: "caution" }, el("span", { class: "label", text: "Perhatian: " }), text);
}

function parts(rec) {
  return el("p", { class: "parts" }, `Skor total ${formatNumber(rec.score, 2)}: `,
    ...PARTS.map(([part, label]) => el("span", { class: "legend-item" }, el("span", { class: `swatch seg-${part}` }),
      `${label} ${formatNumber(rec.parts[part] || 0, 2)}`)));
}

// ``act(inv, decision, note)`` records a decision; decision null means undo; "plan" downloads the action plan.
export function decisionActions(inv, decision, act) {
  const note = el("input", { type: "text", class: "note", maxlength: "2000", placeholder: "Catatan (opsional)",
                             "aria-label": `Catatan untuk ${inv.title}` });
  const button = (text, cls, value) => el("button", { type: "button", class: `btn ${cls}`, text,
                                                      onclick: () => act(inv, value, note.value) });
  const current = decision && decision.decision;
  return el("div", { class: "actions" }, note,
    current === "shortlisted" ? null : button("Masukkan daftar pendek", "btn-primary", "shortlisted"),
    current === "replicated" ? null : button("Sudah direplikasi", "btn-light", "replicated"),
    current === "rejected" ? null : button("Tolak", "btn-light danger", "rejected"),
    current ? button("Batalkan keputusan", "btn-link", null) : null,
    current === "shortlisted" ? button("Unduh rencana aksi (DOCX)", "btn-light", "plan") : null);
}

export function recommendationCard(rec, act) {
  const inv = rec.innovation;
  const best = rec.gaps[0];
  const decision = rec.decision;
  const origin = [inv.institution, inv.origin_name].filter(Boolean).join(" · ");
  const facts = [SECTORS[inv.sector] || inv.sector, inv.year, rec.distance_km != null ? `${formatNumber(rec.distance_km)} km` : null]
    .filter(Boolean).join(" · ");
  return el("article", { class: `rec band-card-${rec.band}${decision ? ` decided-${decision.decision}` : ""}`,
                         "data-id": inv.id, "data-band": rec.band },
    el("div", { class: "rec-rank", text: rec.rank }),
    el("div", { class: "rec-body" },
      el("div", { class: "rec-title" },
        el("h4", {}, innovationLink(inv)),
        el("div", { class: "badges" }, bandBadge(rec.band), ...innovationBadges(inv),
          decision ? el("span", { class: `badge decision decision-${decision.decision}`, text: DECISIONS[decision.decision] }) : null)),
      el("p", { class: "origin", text: origin || "Asal tidak tercatat" }),
      facts ? el("p", { class: "facts", text: facts }) : null,
      groupNote(rec.group),
      best ? el("div", { class: "answers" },
        el("span", { class: "label", text: rec.gaps.length > 1 ? `Menjawab ${rec.gaps.length} kesenjangan, terutama` : "Menjawab kesenjangan" }),
        gapQuote(best.gap_text, best.matched_terms),
        matchedWords(best.matched_terms),
        el("p", { class: "evidence" }, el("span", { class: "label", text: "Bagian inovasi yang menjawab" }),
          el("q", {}, highlighted(best.best_sentence, best.matched_terms)))) : null,
      best && best.caution ? cautionLine(best.caution) : null,
      rec.peers && rec.peers.line ? el("p", { class: "peers-line", text: `Daerah serupa: ${rec.peers.line}` }) : null,
      rec.peers && rec.peers.caution ? cautionLine(rec.peers.caution) : null,
      best ? meter(sureness(best), rec.band) : null,
      parts(rec),
      decision && decision.note ? el("p", { class: "decision-note", text: `Catatan: ${decision.note} — ${decision.who}` }) : null,
      decisionActions(inv, decision, act)));
}

export function matchCard(match) {
  const inv = match.innovation;
  return el("article", { class: `rec band-card-${match.band}`, "data-id": inv.id, "data-band": match.band },
    el("div", { class: "rec-rank", text: match.rank }),
    el("div", { class: "rec-body" },
      el("div", { class: "rec-title" }, el("h4", {}, innovationLink(inv)),
        el("div", { class: "badges" }, bandBadge(match.band), ...innovationBadges(inv))),
      el("p", { class: "origin", text: [inv.institution, inv.origin_name].filter(Boolean).join(" · ") }),
      groupNote(match.group),
      matchedWords(match.matched_terms),
      el("p", { class: "evidence" }, el("span", { class: "label", text: "Bagian inovasi yang menjawab" }),
        el("q", {}, highlighted(match.best_sentence, match.matched_terms))),
      match.caution ? cautionLine(match.caution) : null,
      meter(sureness(match), match.band)));
}

export function catalogueCard(inv) {
  const summary = inv.description.length > 220 ? `${inv.description.slice(0, 217).trimEnd()}…` : inv.description;
  return el("article", { class: "cat-item", "data-id": inv.id },
    el("div", { class: "rec-title" }, el("h4", {}, innovationLink(inv)), el("div", { class: "badges" }, ...innovationBadges(inv))),
    el("p", { class: "origin", text: [inv.institution, inv.origin_name].filter(Boolean).join(" · ") }),
    el("p", { class: "facts", text: [SECTORS[inv.sector] || inv.sector, inv.year].filter(Boolean).join(" · ") }),
    el("p", { class: "summary", text: summary }));
}
