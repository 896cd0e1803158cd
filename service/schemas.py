"""Request and response bodies of the service; lists answer ``{data, count}``.

``count`` is the number of records that match, before paging; ``data`` holds one page of them. Request
bodies are checked here for shape and size, then by ``matcher.data.loaders`` under the same rules as files.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher import AWARDS, SECTORS, STAGES

MAX_K = 100
MAX_NOTE_CHARS = 2000
T = TypeVar("T")

Sector = Literal[SECTORS]  # type: ignore[valid-type]
Stage = Literal[STAGES]  # type: ignore[valid-type]
Award = Literal[AWARDS]  # type: ignore[valid-type]
Decision = Literal["shortlisted", "rejected", "replicated"]
Band = Literal["strong", "medium", "weak"]
BAND_DOC = ("strong, medium or weak: from the calibrated confidence of the learned ranker, or (MATCHER_RANKER="
            "fusion) from the fused score and the MATCHER_GOOD_MATCH / MATCHER_FAIR_MATCH thresholds.")
Groups = Literal["collapse", "all"]
GROUPS_DOC = ("collapse: one innovation per near-duplicate group (the best documented or most proven of the "
              "candidates), the others named in its 'group'; all: every variant listed on its own. Default: what the "
              "server's MATCHER_GROUP_LISTS says (off, so all), the lists the quality figures measure.")
TEXT_DOC = "Free text in Indonesian; at most MATCHER_MAX_TEXT_CHARS characters (5,000 by default)."


class ListPublic(BaseModel, Generic[T]):
    data: list[T]
    count: int = Field(description="Records that match, before paging.")


# ---- errors -------------------------------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    field: str | None = Field(description="Where the problem is ('text', 'query.k'), when it is in one place.")
    reason: str


class ErrorBody(BaseModel):
    code: str = Field(description="Stable, machine-readable: not_found, validation_error, unauthorized, ...")
    message: str = Field(description="One sentence a person can act on.")
    details: list[ErrorDetail] = []


class ErrorPublic(BaseModel):
    error: ErrorBody


# ---- accounts -----------------------------------------------------------------------------------------------
class AccountPublic(BaseModel):
    name: str
    role: Literal["mentor", "admin"]


# ---- health and regions -------------------------------------------------------------------------------------
class HealthPublic(BaseModel):
    status: Literal["ok"]
    innovations: int
    gaps: int
    generation: str
    model: str


class ProvincePublic(BaseModel):
    code: str
    name: str
    hub: bool = Field(description="One of the 12 pilot hub provinces of the replication programme.")
    regions: int = Field(description="Kabupaten and kota in the province.")
    gaps: int = Field(description="Gap statements stored for its kabupaten/kota.")


class RegionPublic(BaseModel):
    code: str = Field(examples=["35.07"])
    name: str
    kind: str
    province_code: str
    province_name: str
    capital: str
    population: int | None
    area_km2: float | None
    hub: bool
    gaps: int = Field(description="Gap statements stored for it.")


# ---- gaps ---------------------------------------------------------------------------------------------------
class GapIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(None, max_length=100, description="Chosen by the server when absent.")
    text: str = Field(min_length=1, description=TEXT_DOC)
    sector: Sector | None = None
    priority: int = Field(2, ge=1, le=3, description="1 high, 3 low.")


class GapUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description=TEXT_DOC)
    sector: Sector | None = None
    priority: int = Field(2, ge=1, le=3)


class GapPublic(BaseModel):
    id: str
    region_code: str
    text: str
    sector: str | None
    priority: int
    metadata: dict[str, Any] = {}


# ---- innovations --------------------------------------------------------------------------------------------
class InnovationIn(BaseModel):
    """An innovation record as in the data contract (docs/data.md); the id comes from the path."""

    model_config = ConfigDict(extra="allow")
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, description=TEXT_DOC)
    region_code: str | None = Field(None, description="'PP.RR', a province 'PP', or a name.")
    institution: str | None = Field(None, max_length=300)
    sector: Sector | None = None
    year: int | None = Field(None, ge=1990, le=2100)
    stage: Stage | None = None
    digital: bool | None = None
    award: Award | None = None


class InnovationPublic(BaseModel):
    id: str
    title: str
    description: str
    region_code: str | None
    origin_name: str = Field(description="Name of the originating kabupaten/kota or province, or 'nasional'.")
    institution: str | None
    sector: str | None
    year: int | None
    stage: str | None
    digital: bool | None
    award: str | None
    status: str = Field("aktif", description="aktif, or berhenti when the programme stopped.")
    status_reason: str | None = Field(None, description="Why it stopped, as the catalogue says.")
    metadata: dict[str, Any] = {}


class SimilarPublic(BaseModel):
    innovation: InnovationPublic
    score: float = Field(description="Cosine similarity of the two descriptions' dense vectors.")


# ---- matching and recommendations ---------------------------------------------------------------------------
class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sector: list[Sector] = []
    stage: list[Stage] = []
    award: list[Award] = []
    province: list[str] = Field([], max_length=38, description="Codes or names of origin provinces.")
    digital: bool | None = None
    year_min: int | None = Field(None, ge=1990, le=2100)
    year_max: int | None = Field(None, ge=1990, le=2100)
    include_stopped: bool = Field(False, description="Also innovations whose programme stopped.")


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description=TEXT_DOC)
    region: str | None = Field(None, max_length=200, description="Code or name; its own innovations are left out.")
    k: int = Field(10, ge=1, le=MAX_K)
    filters: FiltersIn = FiltersIn()
    groups: Groups | None = Field(None, description=GROUPS_DOC)


class TermPairPublic(BaseModel):
    gap: str = Field(description="The word of the text (gap), as written.")
    innovation: str = Field(description="The innovation's word or phrase it matches, as written.")
    kind: Literal["same", "stem", "abbreviation", "synonym"] = Field(
        description="same word; same stem; an abbreviation and its spelled-out sense or variant; a synonym.")
    label: str = Field(description="What to show: 'Bumil \u2194 ibu hamil', or the word alone when kind is 'same'.")


PAIRS_DOC = ("Each matched word with the innovation's word it matches. Only words the innovation really holds "
             "(itself, its stem, an abbreviation's letters or spelled-out sense, a synonym); never stopwords, "
             "negations, numbers or generic words.")
CAUTION_DOC = "A short compatibility warning ('butuh sinyal internet / aplikasi'), or null."


class GroupMemberPublic(BaseModel):
    id: str
    title: str
    region_code: str | None
    origin_name: str = Field(description="Name of its kabupaten/kota or province, or 'nasional'.")
    status: str = Field(description="aktif, or berhenti when the programme stopped.")


class GroupPublic(BaseModel):
    id: str = Field(description="The group's id: the first of its members' ids.")
    size: int = Field(description="Innovations in the group, this one included.")
    regions: int = Field(description="Distinct places the others come from: 'juga diterapkan di N daerah'.")
    others: list[GroupMemberPublic] = Field(description="The other members, best documented or most proven first, "
                                            "at most 10 (size counts them all).")


GROUP_DOC = ("Its near-duplicate group (the same idea in other places), or null when it is in none. With "
             "groups=collapse (or MATCHER_GROUP_LISTS=true) a list shows "
             "one innovation per group, the best documented or most proven of the candidates.")


class MatchPublic(BaseModel):
    rank: int
    score: float
    band: Band = Field(description=BAND_DOC)
    dense: float
    lexical: float
    matched_terms: list[str] = Field(description="Words of the text that the innovation shares, as written.")
    best_sentence: str = Field(description="The innovation's sentence that best answers the text.")
    confidence: float | None = Field(None, description="P(a mentor judges it relevant, grade >= 2), calibrated on "
                                     "judged gaps; null without a learned ranker.")
    matched_pairs: list[TermPairPublic] = Field([], description=PAIRS_DOC)
    caution: str | None = Field(None, description=CAUTION_DOC)
    group: GroupPublic | None = Field(None, description=GROUP_DOC)
    innovation: InnovationPublic


class GapEvidencePublic(BaseModel):
    gap_id: str
    gap_text: str = Field(description="Cut to MATCHER_LIST_TEXT_CHARS characters; the full text is at GET /gaps/{id}.")
    gap_text_truncated: bool = Field(False, description="True when gap_text was cut.")
    priority: int
    score: float
    band: Band = Field(description=BAND_DOC)
    dense: float
    lexical: float
    matched_terms: list[str]
    best_sentence: str
    confidence: float | None = Field(None, description="P(a mentor judges it relevant, grade >= 2), calibrated on "
                                     "judged gaps; null without a learned ranker.")
    matched_pairs: list[TermPairPublic] = Field([], description=PAIRS_DOC)
    caution: str | None = Field(None, description=CAUTION_DOC)


class PeerOutcomePublic(BaseModel):
    region_code: str
    region_name: str
    stage: str = Field(description="The similar regency's current replication stage: diterapkan, berlanjut or berhenti.")
    similarity: float = Field(description="How alike the two regencies are, in (0, 1].")
    reason: str = Field("", description="Why it was dropped (berhenti), as recorded.")


class PeerEvidencePublic(BaseModel):
    kept: list[PeerOutcomePublic] = Field(description="Similar regencies that implemented or kept it, most similar first.")
    dropped: list[PeerOutcomePublic] = Field(description="Similar regencies that dropped it, with their reasons.")
    line: str | None = Field(description='E.g. "diterapkan dan berlanjut di 3 daerah serupa: ..."; null when none kept it.')
    caution: str | None = Field(description='E.g. "dihentikan di 1 daerah serupa: ... (alasan)"; null when none dropped it.')


class DecisionPublic(BaseModel):
    region_code: str
    innovation_id: str
    decision: Decision
    note: str
    who: str = Field(description="The person, as given; the account name when none was given.")
    account: str = Field(description="The API account that recorded the decision.")
    created_at: float = Field(description="Unix time in seconds.")


class RecommendationPublic(BaseModel):
    rank: int
    score: float
    band: Band = Field(description="The band of the gap it answers best: " + BAND_DOC)
    parts: dict[str, float] = Field(description="relevance, maturity, recognition, proximity, similarity, peers; sum = score.")
    gaps: list[GapEvidencePublic] = Field(description="The regency's gaps it answers, best first.")
    distance_km: float | None
    confidence: float | None = Field(None, description="Of the gap it answers best: P(a mentor judges it relevant, grade >= 2), calibrated on "
                                     "judged gaps; null without a learned ranker.")
    group: GroupPublic | None = Field(None, description=GROUP_DOC)
    innovation: InnovationPublic
    decision: DecisionPublic | None = Field(description="The regency's current decision on it, if any.")
    peers: PeerEvidencePublic | None = Field(None, description="What the most similar regencies did with it (replication "
                                             "progress); null when none of them has a history with it.")


# ---- shortlist ----------------------------------------------------------------------------------------------
class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    innovation_id: str = Field(min_length=1, max_length=100)
    decision: Decision
    note: str = Field("", max_length=MAX_NOTE_CHARS)
    who: str | None = Field(None, max_length=200, description="Who decided; defaults to the account name.")


class ShortlistEntryPublic(DecisionPublic):
    innovation: InnovationPublic | None = Field(description="None when it has left the catalogue since.")


class DecisionEventPublic(BaseModel):
    """One row of the append-only decision history; ``undone`` clears the pair's current decision."""

    seq: int = Field(description="Order of the event in the store.")
    region_code: str
    innovation_id: str
    decision: Literal["shortlisted", "rejected", "replicated", "undone"]
    note: str
    who: str
    account: str
    created_at: float = Field(description="Unix time in seconds.")


class RegionDecisionPublic(DecisionPublic):
    region_name: str = Field(description="Name of the kabupaten/kota that decided.")


# ---- confidence ---------------------------------------------------------------------------------------------
class GapCoveragePublic(BaseModel):
    gap_id: str
    best_score: float | None = Field(description="Score of its best candidate under the filters; None: none passes.")
    band: Band | None = Field(description="Band of that candidate; weak means no good innovation: a candidate for a new one.")
    confidence: float | None = Field(None, description="Calibrated confidence of that candidate (learned ranker).")


class ConfidencePublic(BaseModel):
    measure: Literal["confidence", "score"] = Field(
        description="What the thresholds are in: the calibrated confidence of each match, or its fused score.")
    strong_from: float = Field(description="From here a match is strong.")
    medium_from: float = Field(description="From here a match is medium (below strong).")
    scale_max: float = Field(description="What a full bar stands for: an absolute scale.")


# ---- batch jobs ---------------------------------------------------------------------------------------------
class BatchIn(BaseModel):
    """Exactly one of ``provinces`` (every kabupaten/kota in them) or ``regions``."""

    model_config = ConfigDict(extra="forbid")
    provinces: list[str] | None = Field(None, min_length=1, max_length=38, description="Codes or names.")
    regions: list[str] | None = Field(None, min_length=1, max_length=1000, description="Kabupaten/kota codes or names.")
    k: int = Field(10, ge=1, le=MAX_K)
    max_visits_per_innovation: int | None = Field(None, ge=1, description="Study-visit cap per innovation and province.")
    progress: bool = Field(False, description="Add the replication progress of the run's regencies: progress.csv, a "
                           "sheet in recommendations.xlsx and a section in each report (`matcher batch --progress`).")
    all_variants: bool = Field(False, description="List every variant of an idea; by default each near-duplicate group "
                               "shows once, the others named in the 'Juga di' column (`matcher batch --all-variants`).")

    @model_validator(mode="after")
    def _one_target(self) -> BatchIn:
        if (self.provinces is None) == (self.regions is None):
            raise ValueError("give either provinces or regions")
        return self


class BatchJobPublic(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    done: int = Field(description="Regencies finished.")
    total: int = Field(description="Regencies in the run.")
    k: int
    max_visits_per_innovation: int | None
    progress: bool = Field(description="Whether the run adds the replication progress.")
    all_variants: bool = Field(False, description="Whether the run lists every variant (else one per group).")
    region_codes: list[str]
    files: list[str] = Field(description="When done: the names to download from /batch/{id}/files/{name}.")
    error: str | None = Field(description="Why a failed job failed.")
    created_at: float = Field(description="Unix time in seconds.")


# ---- lists --------------------------------------------------------------------------------------------------
class ProvincesPublic(ListPublic[ProvincePublic]):
    pass


class RegionsPublic(ListPublic[RegionPublic]):
    pass


class GapsPublic(ListPublic[GapPublic]):
    pass


class InnovationsPublic(ListPublic[InnovationPublic]):
    pass


class SimilarListPublic(ListPublic[SimilarPublic]):
    pass


class MatchesPublic(ListPublic[MatchPublic]):
    pass


class RecommendationsPublic(ListPublic[RecommendationPublic]):
    coverage: list[GapCoveragePublic] = Field(
        [], description="Each gap of the regency with its best candidate's score and band, whatever made the top k.")


class ShortlistPublic(ListPublic[ShortlistEntryPublic]):
    pass


class HistoryPublic(ListPublic[DecisionEventPublic]):
    pass


class RegionDecisionsPublic(ListPublic[RegionDecisionPublic]):
    pass

