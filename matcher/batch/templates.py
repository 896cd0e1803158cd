"""Jinja2 templates of the HTML documents (province report, action-plan draft), kept in code so they ship with
the package without package-data settings. Autoescaping is on in ``matcher.batch.reports.environment``: every value
is escaped, so an innovation titled ``<script>`` is shown, never run. Labels are in Bahasa Indonesia, the
language of the selection meeting."""

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:70rem;
color:#1f2328;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1.05rem;margin-bottom:.3rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;vertical-align:top;text-align:left;font-size:.9rem;
overflow-wrap:break-word}
th{background:#f6f8fa}.muted{color:#59636e;font-size:.85rem}.tag{display:inline-block;background:#ddf4ff;
border-radius:.6rem;padding:0 .45rem;margin:0 .15rem .15rem 0;font-size:.8rem}.prio1{color:#b42318;font-weight:600}
.caution{color:#9a6700;font-size:.85rem}.new{color:#1a7f37}.dropped{color:#b42318}.moved{color:#9a6700}img{max-width:100%}
.num{text-align:right;white-space:nowrap}.status{display:inline-block;border-radius:.3rem;padding:0 .4rem;
font-size:.8rem;font-weight:600;border:1px solid #d0d7de}.s-shortlisted{background:#dafbe1;color:#116329}
.s-rejected{background:#ffe2e0;color:#a40e26}.s-replicated{background:#ddf4ff;color:#0a3069}
tr.rejected td{color:#59636e}tr.rejected strong{text-decoration:line-through}
.funnel .bar{display:inline-block;height:.7rem;background:#0969da;vertical-align:middle;margin-right:.3rem}
.funnel td.num{text-align:left}
figure.map{margin:0 0 1rem;max-width:40rem}figure.map svg{width:100%;height:auto}
footer{margin-top:3rem;border-top:1px solid #d0d7de;padding-top:.5rem;color:#59636e;font-size:.8rem}
@page{size:A4;margin:15mm}
@media print{body{margin:0;max-width:none;padding:0;font-size:10pt}h2.region{page-break-before:always}
tr{page-break-inside:avoid}th,td{font-size:8.5pt;padding:.2rem .35rem}img{max-width:75%}}
"""

REPORT = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rekomendasi replikasi inovasi: {{ province.name }}</title>
<style>{{ style }}</style>
</head>
<body>
<h1>Rekomendasi replikasi inovasi pelayanan publik: Provinsi {{ province.name }}</h1>
<p>Bahan rapat pemilihan inovasi: {{ k }} inovasi teratas untuk setiap kabupaten/kota yang kesenjangannya sudah
dicatat mentor. {{ listed|length }} dari {{ regions|length }} kabupaten/kota mendapat rekomendasi.
{% if all_variants %}Semua varian ditampilkan: gagasan yang sama dari beberapa daerah dapat muncul lebih dari sekali.
{% else %}Gagasan yang sama dari beberapa daerah (satu kelompok varian) tampil sekali, diwakili inovasi yang paling
terbukti atau paling lengkap dokumentasinya; kolom "Juga di" menyebut varian lainnya beserta daerahnya.{% endif %}</p>
{% if cap %}<p>Batas kunjungan studi tiru: setiap inovasi paling banyak dikunjungi {{ cap }} kabupaten/kota
{{ "dalam satu provinsi" if cap_scope != "run" else "dalam seluruh putaran" }}, karena satu instansi asal tidak
dapat menerima semua daerah sekaligus. Bila kuota sebuah inovasi sudah penuh, daerah lain mendapat inovasi
berikutnya yang paling cocok, dan kolom peringkat menyebut peringkatnya bila tanpa batas.{% if fit %} Total skor
kecocokan {{ num(fit.capped) }} dibanding {{ num(fit.uncapped) }} tanpa batas: berkurang {{ num(fit.cost) }}
({{ pct(fit.share) }}).{% endif %}</p>{% endif %}
<p>Keputusan mentor ditandai pada setiap inovasi: <span class="status s-shortlisted">dipilih</span>
<span class="status s-rejected">ditolak</span> <span class="status s-replicated">sudah direplikasi</span>.
{% if exclude_rejected %}Inovasi yang ditolak tidak dicantumkan; kandidat berikutnya menggantikannya.{% endif %}
Skor dibulatkan; nilai lengkapnya ada di recommendations.csv.</p>
<h2>Sebaran sektor</h2>
<img alt="Sebaran sektor kesenjangan dan rekomendasi" src="data:image/png;base64,{{ chart }}">
{% if progress %}<h2 id="progres">Progres replikasi</h2>
<p>Setiap pasangan kabupaten/kota dan inovasi dihitung pada tahap terjauh yang pernah dicapainya; keputusan
"dipilih" tanpa langkah tercatat dihitung sebagai tahap dipilih. Rinciannya ada di progress.csv.</p>
<table class="funnel"><tr><th>Tahap</th><th>Jumlah</th></tr>
{% set top = [progress.funnel.values()|max, 1]|max %}{% for s in funnel_stages %}<tr><td>{{ "Kesenjangan" if s == "gaps" else step(s) }}</td>
<td class="num"><span class="bar" style="width:{{ (100 * progress.funnel[s] / top)|round(1) }}%"></span> {{ progress.funnel[s] }}</td></tr>
{% endfor %}<tr><td>Berhenti</td><td class="num">{{ progress.dropped }}</td></tr></table>
<h3>Lama antartahap (median hari)</h3>
<table><tr><th>Dari</th><th>Ke</th><th>Median hari</th><th>Pasangan bertanggal</th></tr>
{% for t in progress.times %}<tr><td>{{ step(t.start) }}</td><td>{{ step(t.end) }}</td>
<td class="num">{{ num(t.median_days, 0) if t.median_days is not none else "-" }}</td><td class="num">{{ t.pairs }}</td></tr>
{% endfor %}</table>
<h3>Per kabupaten/kota</h3>
<table><tr><th>Kabupaten/kota</th><th>Kesenjangan</th>{% for s in stages %}<th>{{ step(s) }}</th>{% endfor %}
<th>Median hari dipilih → diterapkan</th></tr>
{% for r in progress.regencies if r.pairs or r.gaps %}{% set t = r.times[-1] %}<tr><td>{{ r.region_name }}</td>
<td class="num">{{ r.gaps }}</td>{% for s in stages %}<td class="num">{{ r.stages[s] }}</td>{% endfor %}
<td class="num">{{ num(t.median_days, 0) if t.median_days is not none else "-" }}</td></tr>
{% endfor %}</table>{% endif %}
{% if opportunities %}<h2>Peta peluang inovasi</h2>
<p>Kesenjangan yang <strong>belum ada inovasi yang cocok</strong> di katalog (kandidat terbaiknya lemah atau tidak
ada) adalah peluang inovasi baru, bukan replikasi: bahan perencanaan Bappeda dan BRIDA.
{{ opportunities.open_gaps }} dari {{ opportunities.gaps }} kesenjangan di provinsi ini masih terbuka. Warna peta
menunjukkan jumlah kesenjangan terbuka per kabupaten/kota; rinciannya ada di opportunities.csv.</p>
<figure class="map">{{ opportunity_map }}</figure>
{% if opportunities.sectors %}<table><tr><th>Sektor</th><th class="num">Kesenjangan</th><th class="num">Terbuka</th>
<th>Kabupaten/kota dengan kesenjangan terbuka</th></tr>
{% for s in opportunities.sectors %}<tr><td>{{ s.label }}</td><td class="num">{{ s.gaps }}</td>
<td class="num">{{ s.open_gaps }}</td><td>{% for c in s.region_codes %}{{ area_names[c] }}{% if not loop.last %},
{% endif %}{% else %}-{% endfor %}</td></tr>{% endfor %}</table>{% endif %}
{% if opportunities.open %}<h3>Kesenjangan terbuka</h3>
<table><tr><th>Kabupaten/kota</th><th>Kesenjangan</th><th>Kandidat terbaik</th></tr>
{% for o in opportunities.open %}<tr><td>{{ o.region.name }}</td><td>{{ o.gap.id }}: {{ o.gap.text }}</td>
<td>{% if o.fit.innovation_title %}{{ o.fit.innovation_title }} <span class="muted">({{ o.fit.innovation_id }},
kecocokan {{ band(o.fit.band) }})</span>{% else %}tidak ada{% endif %}</td></tr>{% endfor %}</table>{% endif %}
{% endif %}
<h2>Daftar kabupaten/kota</h2>
{% if shown %}<ol>{% for r in shown %}<li><a href="#r{{ r.region.code }}">{{ r.region.name }}</a> ({{ r.region.code }}):
{{ r.recommendations|length }} rekomendasi, {{ r.gaps|length }} kesenjangan{% if r.decisions %},
{{ r.decisions|length }} keputusan mentor{% endif %}</li>{% endfor %}</ol>{% endif %}
{% if quiet %}<p id="tanpa-kesenjangan"><strong>Belum ada kesenjangan tercatat</strong>, sehingga belum ada rekomendasi
({{ quiet|length }} kabupaten/kota): {% for r in quiet %}{{ r.region.name }} ({{ r.region.code }}){% if not loop.last %},
{% endif %}{% endfor %}.</p>{% endif %}
{% for r in shown %}
<h2 class="region" id="r{{ r.region.code }}">{{ r.region.name }} <span class="muted">({{ r.region.code }})</span></h2>
{% if r.gaps %}
<h3>Kesenjangan dan kebutuhan</h3>
<table><tr><th>Kode</th><th>Prioritas</th><th>Sektor</th><th>Uraian</th></tr>
{% for g in r.gaps %}<tr><td>{{ g.id }}</td><td class="prio{{ g.priority }}">{{ g.priority }}</td>
<td>{{ label(g.sector) }}</td><td>{{ g.text }}</td></tr>{% endfor %}</table>
{% else %}<p>Belum ada kesenjangan tercatat untuk daerah ini, sehingga belum ada rekomendasi.</p>{% endif %}
{% if r.recommendations %}
<h3>{{ r.recommendations|length }} inovasi teratas</h3>
{% set with_also = r.recommendations|map(attribute="innovation.id")|select("in", r.also)|list %}
<table><tr><th>#</th><th>Inovasi</th><th>Asal</th>{% if with_also %}<th>Juga di</th>{% endif %}<th>Skor</th><th>Alasan</th></tr>
{% for rec in r.recommendations %}{% set inv = rec.innovation %}{% set ev = rec.gaps[0] if rec.gaps else None %}
{% set d = r.decision(inv.id) %}{% set free = r.uncapped_rank.get(inv.id) %}
<tr{% if d and d.decision == "rejected" %} class="rejected"{% endif %}><td>{{ rec.rank }}{% if cap and free != rec.rank %}<br><span class="muted">{% if free %}peringkat {{ free }} bila tanpa batas kunjungan{% else %}menggantikan inovasi yang kuota kunjungannya penuh{% endif %}</span>{% endif %}</td>
<td><strong>{{ inv.title }}</strong><br><span class="muted">{{ inv.id }} · {{ label(inv.sector) }} ·
{{ stage(inv.stage) }} · {{ award(inv.award) }}</span>{% if d %}<br>{{ status(d) }}{% endif %}</td>
<td>{{ inv.institution or "-" }}<br><span class="muted">{{ rec.origin_name or "-" }}{% if rec.distance_km is not none %},
{{ num(rec.distance_km, 0) }} km{% endif %}</span></td>
{% if with_also %}<td class="also">{{ r.also.get(inv.id, "-") }}</td>{% endif %}<td class="num">{{ num(rec.score, 2) }}<br><span class="muted">{% for p in parts if p in rec.parts %}{{ part(p) }}
{{ num(rec.parts[p], 2) }}{% if not loop.last %}<br>{% endif %}{% endfor %}</span></td>
<td>{% if ev %}Menjawab {{ ev.gap_id }} (prioritas {{ ev.priority }}){% if rec.gaps|length > 1 %} dan
{{ rec.gaps|length - 1 }} kesenjangan lain{% endif %}.<br>{% for t in ev.shown_words %}<span class="tag">{{ t }}</span>
{% endfor %}<br><em>“{{ ev.best_sentence }}”</em>{% if ev.caution %}<br><span class="caution">Perhatian:
{{ ev.caution }}</span>{% endif %}{% endif %}{% if rec.peers and rec.peers.line() %}<br>Daerah serupa:
{{ rec.peers.line() }}{% endif %}{% if rec.peers and rec.peers.caution() %}<br><span class="caution">Perhatian:
{{ rec.peers.caution() }}</span>{% endif %}</td></tr>
{% endfor %}</table>
{% elif r.gaps %}<p>Tidak ada inovasi yang dapat direkomendasikan dengan pilihan batch ini.</p>{% endif %}
{% if r.alternates %}<h3>Cadangan</h3><ol>{% for a in r.alternates %}{% set d = r.decision(a.innovation.id) %}<li>{{ a.innovation.title }}
<span class="muted">({{ a.innovation.id }}, {{ a.origin_name or "-" }}, skor {{ num(a.score, 2) }})</span>{% if d %} {{ status(d) }}{% endif %}</li>
{% endfor %}</ol>{% endif %}
{% if r.decisions %}<h3>Keputusan mentor</h3>
<table><tr><th>Status</th><th>Inovasi</th><th>Catatan</th><th>Oleh</th><th>Waktu</th><th>Di daftar</th></tr>
{% for id, d in r.decisions.items() %}<tr><td><span class="status s-{{ d.decision }}">{{ decision(d.decision) }}</span></td>
<td>{{ d.title or "(tidak ada lagi di katalog)" }} <span class="muted">({{ id }})</span></td><td>{{ d.note or "-" }}</td>
<td>{{ d.who or d.account or "-" }}</td><td class="num">{{ when(d.created_at) }}</td>
<td>{% if ranks.get(r.region.code, {}).get(id) %}peringkat {{ ranks[r.region.code][id] }}{% elif d.decision == "replicated" %}tidak lagi direkomendasikan{% else %}tidak{% endif %}</td></tr>
{% endfor %}</table>{% endif %}
{% if r.changes is not none %}<h3>Perubahan sejak batch sebelumnya</h3>
{% if r.changes %}<ul>{% for c in r.changes %}<li class="{{ c.kind }}">{{ change(c.kind) }}: {{ c.title }}
<span class="muted">({{ c.innovation_id }}{% if c.kind == "moved" %}, peringkat {{ c.previous_rank }} → {{ c.rank }}
{% elif c.kind == "new" %}, peringkat {{ c.rank }}{% else %}, sebelumnya peringkat {{ c.previous_rank }}{% endif %})
</span></li>{% endfor %}</ul>{% else %}<p>Tidak ada perubahan.</p>{% endif %}{% endif %}
{% endfor %}
<footer>Dibuat oleh matcher. Model {{ info.model }}, fusi {{ info.fusion }}, katalog {{ info.catalog }}.</footer>
</body>
</html>
"""

PLAN = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>Rancangan rencana aksi: {{ d.innovation.title }} di {{ d.region.name }}</title>
<style>{{ style }}</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="muted">{{ status }}</p>
<table>{% for k, v in identity %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
<h2>1. Kesenjangan yang dijawab</h2>
{% if d.gaps %}<table><tr><th>Kode</th><th>Prioritas</th><th>Uraian</th><th>Kata yang cocok</th></tr>
{% for g in d.gaps %}<tr><td>{{ g.gap_id }}</td><td>{{ g.priority }}</td><td>{{ g.gap_text }}</td>
<td>{{ g.shown_words|join(", ") }}{% if g.caution %}<br><span class="caution">Perhatian: {{ g.caution }}</span>
{% endif %}</td></tr>{% endfor %}</table>
{% else %}<p>Belum ada kesenjangan tercatat untuk daerah ini; uraikan masalah yang hendak dijawab.</p>{% endif %}
<h2>2. Ringkasan inovasi</h2>
<p>{{ d.innovation.description }}</p>
{% if d.gaps %}<p><em>Bagian yang paling menjawab kesenjangan: “{{ d.gaps[0].best_sentence }}”</em></p>{% endif %}
<h2>3. Instansi asal untuk studi tiru</h2>
<table>{% for k, v in contact %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
<h2>4. Tahapan replikasi</h2>
{% for phase in phases %}<h3>4.{{ loop.index }} {{ phase.name }}</h3><p>{{ phase.purpose }}</p>
<table><tr><th>Kegiatan</th><th>OPD penanggung jawab</th><th>Anggaran (Rp)</th><th>Jadwal</th></tr>
{% for a in phase.activities %}<tr><td>{{ a }}</td><td></td><td></td><td></td></tr>{% endfor %}</table>{% endfor %}
<h2>5. Pengesahan</h2>
<table>{% for who in signatures %}<tr><th>{{ who }}</th><td>Nama, tanda tangan, tanggal:</td></tr>{% endfor %}</table>
</body>
</html>
"""
