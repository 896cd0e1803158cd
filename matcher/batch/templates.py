"""Jinja2 templates of the HTML documents (province report, action-plan draft), kept in code so they ship with
the package without package-data settings. Autoescaping is on in ``matcher.batch.reports.environment``: every value
is escaped, so an innovation titled ``<script>`` is shown, never run. Labels are in Bahasa Indonesia, the
language of the selection meeting."""

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:70rem;
color:#1f2328;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2.5rem}
h3{font-size:1.05rem;margin-bottom:.3rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;vertical-align:top;text-align:left;font-size:.9rem}
th{background:#f6f8fa}.muted{color:#59636e;font-size:.85rem}.tag{display:inline-block;background:#ddf4ff;
border-radius:.6rem;padding:0 .45rem;margin:0 .15rem .15rem 0;font-size:.8rem}.prio1{color:#b42318;font-weight:600}
.caution{color:#9a6700;font-size:.85rem}.new{color:#1a7f37}.dropped{color:#b42318}.moved{color:#9a6700}img{max-width:100%}
@media print{h2{page-break-before:always}}
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
<p class="muted">Bahan rapat pemilihan inovasi. {{ k }} rekomendasi teratas per kabupaten/kota{% if cap %},
paling banyak {{ cap }} kabupaten/kota per inovasi (kapasitas studi tiru){% endif %}.
Model {{ info.model }}, fusi {{ info.fusion }}, katalog {{ info.catalog }}.</p>
{% if fit %}<p>Batas kapasitas studi tiru: total skor kecocokan {{ "%.3f"|format(fit.capped) }} dibanding
{{ "%.3f"|format(fit.uncapped) }} tanpa batas (berkurang {{ "%.3f"|format(fit.cost) }},
{{ "%.1f"|format(100 * fit.share) }}%).</p>{% endif %}
<h2 style="page-break-before:avoid">Sebaran sektor</h2>
<img alt="Sebaran sektor kesenjangan dan rekomendasi" src="data:image/png;base64,{{ chart }}">
<h2 style="page-break-before:avoid">Daftar kabupaten/kota</h2>
<ol>{% for r in regions %}<li><a href="#r{{ r.region.code }}">{{ r.region.name }}</a> ({{ r.region.code }}):
{{ r.recommendations|length }} rekomendasi, {{ r.gaps|length }} kesenjangan</li>{% endfor %}</ol>
{% for r in regions %}
<h2 id="r{{ r.region.code }}">{{ r.region.name }} <span class="muted">({{ r.region.code }})</span></h2>
{% if not r.gaps %}<p>Belum ada kesenjangan tercatat untuk daerah ini, sehingga belum ada rekomendasi.</p>
{% else %}
<h3>Kesenjangan dan kebutuhan</h3>
<table><tr><th>Kode</th><th>Prioritas</th><th>Sektor</th><th>Uraian</th></tr>
{% for g in r.gaps %}<tr><td>{{ g.id }}</td><td class="prio{{ g.priority }}">{{ g.priority }}</td>
<td>{{ label(g.sector) }}</td><td>{{ g.text }}</td></tr>{% endfor %}</table>
<h3>{{ r.recommendations|length }} inovasi teratas</h3>
<table><tr><th>#</th><th>Inovasi</th><th>Asal</th><th>Skor</th><th>Alasan</th></tr>
{% for rec in r.recommendations %}{% set inv = rec.innovation %}{% set ev = rec.gaps[0] if rec.gaps else None %}
<tr><td>{{ rec.rank }}{% if cap and r.uncapped_rank.get(inv.id) != rec.rank %}<br><span class="muted">tanpa batas:
{{ r.uncapped_rank.get(inv.id) or "-" }}</span>{% endif %}</td>
<td><strong>{{ inv.title }}</strong><br><span class="muted">{{ inv.id }} · {{ label(inv.sector) }} ·
{{ stage(inv.stage) }} · {{ award(inv.award) }}</span></td>
<td>{{ inv.institution or "-" }}<br><span class="muted">{{ rec.origin_name or "-" }}{% if rec.distance_km is not none %},
{{ "%.0f"|format(rec.distance_km) }} km{% endif %}</span></td>
<td>{{ "%.2f"|format(rec.score) }}<br><span class="muted">{% for p in parts if p in rec.parts %}{{ part(p) }}
{{ "%.2f"|format(rec.parts[p]) }}{% if not loop.last %} · {% endif %}{% endfor %}</span></td>
<td>{% if ev %}Menjawab {{ ev.gap_id }} (prioritas {{ ev.priority }}){% if rec.gaps|length > 1 %} dan
{{ rec.gaps|length - 1 }} kesenjangan lain{% endif %}.<br>{% for t in ev.shown_words %}<span class="tag">{{ t }}</span>
{% endfor %}<br><em>“{{ ev.best_sentence }}”</em>{% if ev.caution %}<br><span class="caution">Perhatian:
{{ ev.caution }}</span>{% endif %}{% endif %}</td></tr>
{% endfor %}</table>
{% if r.alternates %}<h3>Cadangan</h3><ol>{% for a in r.alternates %}<li>{{ a.innovation.title }}
<span class="muted">({{ a.innovation.id }}, {{ a.origin_name or "-" }}, skor {{ "%.2f"|format(a.score) }})</span></li>
{% endfor %}</ol>{% endif %}
{% endif %}
{% if r.changes is not none %}<h3>Perubahan sejak batch sebelumnya</h3>
{% if r.changes %}<ul>{% for c in r.changes %}<li class="{{ c.kind }}">{{ change(c.kind) }}: {{ c.title }}
<span class="muted">({{ c.innovation_id }}{% if c.kind == "moved" %}, peringkat {{ c.previous_rank }} → {{ c.rank }}
{% elif c.kind == "new" %}, peringkat {{ c.rank }}{% else %}, sebelumnya peringkat {{ c.previous_rank }}{% endif %})
</span></li>{% endfor %}</ul>{% else %}<p>Tidak ada perubahan.</p>{% endif %}{% endif %}
{% endfor %}
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
