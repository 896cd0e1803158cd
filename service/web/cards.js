// Kartu rekomendasi: inovasi, kesenjangan yang dijawab dengan kata yang cocok ditandai, bagian skor, keputusan.
import { AWARDS, DECISIONS, PARTS, SECTORS, STAGES, el, formatNumber, highlighted } from "./lib.js";

function scoreBar(rec, widest) {
  const bar = el("div", { class: "bar", role: "img",
    "aria-label": PARTS.map(([p, label]) => `${label} ${(rec.parts[p] || 0).toFixed(2)}`).join(", ") });
  for (const [part, label] of PARTS) {
    const value = rec.parts[part] || 0;
    if (value <= 0) continue;
    const segment = el("span", { class: `seg seg-${part}`, title: `${label}: ${value.toFixed(3)}` });
    segment.style.width = `${(100 * value) / widest}%`;  // CSSOM, allowed by the CSP (no inline style attribute)
    bar.append(segment);
  }
  const parts = el("div", { class: "parts" }, ...PARTS.map(([part, label]) =>
    el("span", { class: "legend-item" }, el("span", { class: `swatch seg-${part}` }),
      `${label} ${formatNumber(rec.parts[part] || 0, 2)}`)));
  return el("div", {}, el("div", { class: "score" }, bar,
    el("span", { class: "score-total", text: `Skor ${formatNumber(rec.score, 2)}` })), parts);
}

export function recommendationCard(rec, widest, saveDecision) {
  const inv = rec.innovation;
  const best = rec.gaps[0];
  const decision = rec.decision;
  const origin = [inv.institution, inv.origin_name].filter(Boolean).join(" · ");
  const facts = [SECTORS[inv.sector] || inv.sector, inv.year, rec.distance_km != null ? `${formatNumber(rec.distance_km)} km` : null]
    .filter(Boolean).join(" · ");
  const note = el("input", { type: "text", class: "note", maxlength: "2000", placeholder: "Catatan (opsional)",
                             "aria-label": `Catatan untuk ${inv.title}` });
  const decide = (value) => () => saveDecision(inv, value, note.value);
  return el("article", { class: `rec${decision ? ` decided-${decision.decision}` : ""}`, "data-id": inv.id },
    el("div", { class: "rec-rank", text: rec.rank }),
    el("div", { class: "rec-body" },
      el("div", { class: "rec-title" },
        el("h4", { text: inv.title }),
        el("div", { class: "badges" },
          inv.award ? el("span", { class: `badge award-${inv.award}`, text: AWARDS[inv.award] || inv.award }) : null,
          inv.stage ? el("span", { class: "badge", text: STAGES[inv.stage] || inv.stage }) : null,
          inv.digital === true ? el("span", { class: "badge", text: "Digital" }) : null,
          decision ? el("span", { class: `badge decision decision-${decision.decision}`, text: DECISIONS[decision.decision] }) : null)),
      el("p", { class: "origin", text: origin || "Asal tidak tercatat" }),
      facts ? el("p", { class: "facts", text: facts }) : null,
      best ? el("div", { class: "answers" },
        el("span", { class: "label", text: rec.gaps.length > 1 ? `Menjawab ${rec.gaps.length} kesenjangan, terutama` : "Menjawab kesenjangan" }),
        el("blockquote", { class: "gap-quote", title: "Klik untuk melihat seluruh teks",
                           onclick: (e) => e.currentTarget.classList.toggle("expanded") },
          el("div", { class: "clamp" }, highlighted(best.gap_text, best.matched_terms))),
        best.matched_terms.length ? el("p", { class: "matched" }, "Kata yang cocok: ",
          ...best.matched_terms.map((t) => el("mark", { text: t }))) : null,
        el("p", { class: "evidence" }, el("span", { class: "label", text: "Bagian inovasi yang menjawab" }),
          el("q", {}, highlighted(best.best_sentence, best.matched_terms)))) : null,
      scoreBar(rec, widest),
      decision && decision.note ? el("p", { class: "decision-note", text: `Catatan: ${decision.note} — ${decision.who}` }) : null,
      el("div", { class: "actions" }, note,
        el("button", { type: "button", class: "btn btn-primary", text: "Masukkan daftar pendek", onclick: decide("shortlisted") }),
        el("button", { type: "button", class: "btn btn-light danger", text: "Tolak", onclick: decide("rejected") }))));
}
