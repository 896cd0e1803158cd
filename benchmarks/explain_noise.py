"""Share of noise among the highlighted words of the bundled corpus: today's rule (a gap word is shown when any
of its terms occurs in the innovation) against the honest pairs (matcher.engine.highlights).

A highlight is noise when it is a stopword, a negation, a bare number or measure, a generic word (the curated
list, or a term in more than 30% of the catalogue), or a phantom: an abbreviation whose letters and
spelled-out senses are both absent from the innovation. Run on an indexed store of the bundled corpus:

    MATCHER_HOME=/path/to/store python benchmarks/explain_noise.py
"""

from __future__ import annotations

from collections import Counter

from matcher import Matcher
from matcher.engine.highlights import _is_acronym, _is_number


def classify(explainer, generation, token, terms, pairs_found) -> str | None:
    noise = explainer._ready()
    common = explainer.common(generation)
    if token.norm in noise.words:
        return "stopword/negation/generic"
    if _is_number(token.norm):
        return "number"
    if _is_acronym(token.norm):
        return None if token.surface in pairs_found else "phantom abbreviation"
    if all(t in noise.terms or common(t) for t in terms):
        return "generic (stem or catalogue share)"
    return None


def main() -> None:
    m = Matcher()
    gaps = m.gaps()
    explainer, generation = m._explainer, m.generation
    before, after = Counter(), Counter()
    shown_before = shown_after = 0
    for gap, matches in zip(gaps, m.match_gaps(gaps, k=10), strict=True):
        analysis = m.analyze(gap.text)
        for match in matches:
            text_terms = set(m.analyzer.terms(match.innovation.text))
            found = {p.gap for p in match.matched_pairs}
            honest = {p.gap for p in explainer.explain(generation, analysis, match.innovation).pairs}
            seen = set()
            for tok, terms in analysis:  # today's rule
                if tok.norm in seen or not any(t in text_terms for t in terms):
                    continue
                seen.add(tok.norm)
                shown_before += 1
                before[classify(explainer, generation, tok, terms, honest) or "evidence"] += 1
            for tok, terms in analysis:
                if tok.surface in found:
                    found.discard(tok.surface)
                    shown_after += 1
                    after[classify(explainer, generation, tok, terms, honest) or "evidence"] += 1
            shown_after += len(found)  # phrases of the gap paired with an abbreviation
            after["evidence"] += len(found)
    for name, counts, total in (("today's rule", before, shown_before), ("honest pairs", after, shown_after)):
        noisy = total - counts["evidence"]
        print(f"{name}: {total} highlights over {len(gaps)} gaps x top 10, noise {noisy} ({noisy / total:.1%})")
        for kind, n in counts.most_common():
            if kind != "evidence":
                print(f"    {kind}: {n} ({n / total:.1%})")


if __name__ == "__main__":
    main()
