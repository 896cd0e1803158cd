from matcher.engine.explain import best_sentence, matched_surfaces, split_sentences


def test_split_sentences_keeps_abbreviations_together():
    text = ("Layanan dibuka di Kab. Sintang oleh dr. Ani. Hasilnya waktu tunggu turun dari 14 hari menjadi 2 hari! "
            "Warga puas.")
    assert split_sentences(text) == [
        "Layanan dibuka di Kab. Sintang oleh dr. Ani.",
        "Hasilnya waktu tunggu turun dari 14 hari menjadi 2 hari!",
        "Warga puas.",
    ]


def test_matched_surfaces_keep_original_forms_once():
    analysis = [("Bumil", ["bumil", "ibu", "hamil"]), ("KEK", ["kek"]), ("bumil", ["bumil", "ibu", "hamil"]),
                ("jauh", ["jauh"])]
    assert matched_surfaces(analysis, {"hamil", "jauh"}) == ["Bumil", "jauh"]


def test_best_sentence_weighs_rare_terms():
    text = "Program ini dimulai tahun 2019. Kader mendampingi ibu hamil anemia di desa. Desa senang."
    weights = {"anemia": 3.0, "desa": 0.2, "hamil": 1.0}
    assert best_sentence(text, weights, lambda s: s.lower().rstrip(".").split()) == (
        "Kader mendampingi ibu hamil anemia di desa.")
    assert best_sentence(text, {}, lambda s: s.split()) == "Program ini dimulai tahun 2019."
