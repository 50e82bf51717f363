"""The shipped Word templates, filled through the docx adapter, read back and opened by LibreOffice.

Office data below is an example (Dinas Koperasi, UKM Provinsi Kalimantan Barat); names, NIPs and
numbers are invented.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from sop_docs.adapters import docx as adapter
from sop_docs.adapters import office
from sop_docs.bootstrap import load_sop_ref
from tests import hostile, lo
from tests.hostile import Secrets
from tests.paths import CORPUS

TEMPLATES = Path(adapter.__file__).resolve().parent.parent / "templates"

LOGO = TEMPLATES / "logo.png"
DECLS = nsdecls("w", "r", "wp", "a", "pic")

# Example office (not real contact data).
KANTOR = {
    "pemerintah": "PEMERINTAH PROVINSI KALIMANTAN BARAT",
    "nama": "DINAS KOPERASI, USAHA KECIL DAN MENENGAH",
    "alamat": "Jalan Sutan Syahrir Nomor 4A, Pontianak",
    "telepon": "(0561) 000000",
    "email": "contoh@diskumkm.example.go.id",
    "laman": "diskumkm.example.go.id",
    "kota": "Pontianak",
    "kode_pos": "78116",
}
COMMON = {
    "kantor": KANTOR,
    "no_agenda": "PIP-2026-0007",
    "perihal": "Ringkasan Laporan Keuangan Semester I Tahun 2026",
    "jenis": "Berkala",
    "serta_merta": False,
    "tanggal": "24 November 2026",
}
SERTA_MERTA = [
    "Potensi bahaya dan/atau besaran dampak",
    "Pihak-pihak yang berpotensi terkena dampak",
    "Prosedur dan tempat evakuasi apabila keadaan darurat terjadi",
    "Cara menghindari bahaya dan/atau dampak",
    "Cara mendapatkan bantuan dari pihak yang berwenang",
    "Pihak-pihak yang wajib mengumumkan",
    "Tata cara pengumuman informasi apabila keadaan darurat terjadi",
    "Upaya-upaya yang dilakukan oleh Badan Publik dan/atau pihak berwenang dalam "
    "menanggulangi bahaya dan/atau dampak",
]
BERKALA = [f"[{u}]" for u in load_sop_ref("pengumuman_informasi_publik").kind("berkala").uraian]
RINCIAN = {"judul": "Ringkasan Laporan Keuangan Semester I Tahun 2026"}


def disposisi_context(**changes) -> dict:
    return {
        **COMMON,
        "diterima_tanggal": "24 November 2026",
        "diterima_pukul": "10.15 WIB",
        "surat_dari": "PPID Utama Provinsi Kalimantan Barat",
        "nomor_surat": "400.14.4.3/123/PPID",
        "tanggal_surat": "20 November 2026",
        "sifat": "Biasa",
        "urgensi": "Biasa",
        "diteruskan_kepada": ["Pranata Humas Ahli Pertama", "Pengelola Informasi Publik"],
        "harap": [
            {"teks": "Tanggapan dan Saran", "dicentang": False},
            {"teks": "Proses lebih lanjut", "dicentang": True},
            {"teks": "Koordinasi/konfirmasikan", "dicentang": False},
            {"teks": "Siapkan konsep pengumuman berkala", "dicentang": True},
        ],
        "catatan": "Gunakan data laporan keuangan yang sudah diaudit.",
        "batas_waktu": "25 November 2026 10.15 WIB",
        "bahan": "Laporan Keuangan Semester I 2026",
        "pemberi": {
            "jabatan": "Kepala Bidang Usaha Kecil dan Menengah",
            "nama": "Dra. Siti Aminah, M.Si.",
            "pangkat": "Pembina (IV/a)",
            "nip": "197001011995032001",
            "sebagai": "",
        },
        **changes,
    }


def konsep_context(**changes) -> dict:
    return {**COMMON, "batas_waktu": "25 November 2026 10.15 WIB", "bagian_wajib": [],
            "uraian": BERKALA, "rincian": RINCIAN, **changes}


def nota_context(**changes) -> dict:
    return {
        **COMMON,
        "tahap": "4 - Pemeriksaan Sekretaris",
        "pemeriksa": "Sekretaris",
        "pemeriksa_jabatan": "Sekretaris Dinas",
        "dikembalikan_kepada": "Kabid/Kasubag",
        "catatan": "Dasar hukum belum dicantumkan.\nPerbaiki angka pada tabel kedua.",
        "dokumen": "PIP-2026-0007 - Konsep - Ringkasan Laporan Keuangan",
        "pemeriksa_ttd": {
            "jabatan": "Sekretaris Dinas",
            "nama": "Drs. Bambang Sutrisno, M.M.",
            "pangkat": "Pembina Tingkat I (IV/b)",
            "nip": "197501012000031001",
            "sebagai": "",
        },
        **changes,
    }


def pengumuman_context(**changes) -> dict:
    return {
        **COMMON,
        "nomor": "400.14.4.3/15/DISKUMKM/2026",
        "tentang": "Ringkasan Laporan Keuangan Semester I Tahun 2026",
        "tempat": "Pontianak",
        "penandatangan": {
            "jabatan": "Kepala Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Kalimantan Barat",
            "nama": "Ir. H. Ahmad Yani, M.T.",
            "pangkat": "Pembina Utama Muda (IV/c)",
            "nip": "196805121994031005",
            "sebagai": "",
        },
        **changes,
    }


def concept_from_skeleton(*paragraphs: str) -> bytes:
    """A concept as a Fungsional returns it: the skeleton with text typed after the separator."""
    skeleton = adapter.render(TEMPLATES / "Konsep Pengumuman.docx", konsep_context(bagian_wajib=["Isi"]))
    doc = Document(BytesIO(skeleton))
    for text in paragraphs:
        doc.add_paragraph(text)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def all_text(data: bytes) -> str:
    """Every paragraph of the body, tables included, one per line (line breaks kept)."""
    body = Document(BytesIO(data)).element.body
    lines = []
    for p in body.iter(qn("w:p")):
        bits = [
            "\n" if el.tag == qn("w:br") else "\t" if el.tag == qn("w:tab") else el.text or ""
            for el in p.iter(qn("w:t"), qn("w:br"), qn("w:tab"))
        ]
        lines.append("".join(bits))
    return "\n".join(lines)


def render_all() -> dict[str, bytes]:
    images = {"logo": LOGO}
    return {
        "Lembar Disposisi": adapter.render(
            TEMPLATES / "Lembar Disposisi.docx", disposisi_context(), images=images
        ),
        "Konsep Pengumuman": adapter.render(
            TEMPLATES / "Konsep Pengumuman.docx", konsep_context(), images=images
        ),
        "Nota Pengembalian": adapter.render(
            TEMPLATES / "Nota Pengembalian.docx", nota_context(), images=images
        ),
        "Pengumuman": adapter.render_pengumuman(
            TEMPLATES / "Pengumuman.docx",
            pengumuman_context(),
            concept_from_skeleton("Dengan ini kami umumkan ringkasan laporan keuangan."),
            images=images,
        ),
    }


# --------------------------------------------------------------------------- contents


EXPECTED_FIELDS = {
    "Lembar Disposisi": set(disposisi_context()) | {"logo"},
    "Konsep Pengumuman": {"no_agenda", "jenis", "serta_merta", "batas_waktu", "bagian_wajib",
                          "uraian", "rincian"},
    "Nota Pengembalian": set(nota_context()) - {"serta_merta"} | {"logo"},
    "Pengumuman": {"kantor", "logo", "nomor", "tentang", "isi", "tempat", "tanggal", "penandatangan"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_FIELDS))
def test_each_template_asks_for_the_documented_fields(name):
    """Start-up validation sees exactly the context names the service provides."""
    assert adapter.template_fields(TEMPLATES / f"{name}.docx") == EXPECTED_FIELDS[name]


def test_every_template_renders_and_opens_with_its_values():
    """Each template fills with a full context, opens in python-docx and shows the values."""
    docs = render_all()
    for name, data in docs.items():
        text = all_text(data)
        assert COMMON["no_agenda"] in text or name == "Pengumuman", name
        if name != "Konsep Pengumuman":
            assert KANTOR["pemerintah"] in text and KANTOR["nama"] in text, name
            assert "Jalan Sutan Syahrir Nomor 4A" in text and "78116" in text, name
            assert "PONTIANAK" in text, name
            # the logo is a real picture in the kop
            assert Document(BytesIO(data)).inline_shapes, name

    disp = all_text(docs["Lembar Disposisi"])
    for value in [
        "LEMBAR DISPOSISI",
        "PPID Utama Provinsi Kalimantan Barat",
        "400.14.4.3/123/PPID",
        "20 November 2026",
        "10.15 WIB",
        "Ringkasan Laporan Keuangan Semester I Tahun 2026",
        "1.\tPranata Humas Ahli Pertama",
        "2.\tPengelola Informasi Publik",
        "☒\tProses lebih lanjut",
        "☐\tTanggapan dan Saran",
        "Gunakan data laporan keuangan",
        "25 November 2026 10.15 WIB",
        "Laporan Keuangan Semester I 2026",
        "KEPALA BIDANG USAHA KECIL DAN MENENGAH,",
        "DRA. SITI AMINAH, M.SI.",
        "Pembina (IV/a)",
        "NIP. 197001011995032001",
        "Pontianak, 24 November 2026",
        "Berkala",
    ]:
        assert value in disp, value

    konsep = all_text(docs["Konsep Pengumuman"])
    assert "KONSEP PENGUMUMAN" in konsep and adapter.BODY_MARKER in konsep
    for prompt in BERKALA:                  # one announcement: its parts as plain prompts
        assert f"\n{prompt}\n" in konsep
    assert "Informasi berkala" in konsep and RINCIAN["judul"] in konsep

    nota = all_text(docs["Nota Pengembalian"])
    for value in [
        "NOTA PENGEMBALIAN KONSEP",
        "4 - Pemeriksaan Sekretaris",
        "Kabid/Kasubag",
        "Dasar hukum belum dicantumkan.\nPerbaiki angka pada tabel kedua.",
        "PIP-2026-0007 - Konsep - Ringkasan Laporan Keuangan",
        "SEKRETARIS DINAS,",
        "DRS. BAMBANG SUTRISNO, M.M.",
        "Pembina Tingkat I (IV/b)",
        "NIP. 197501012000031001",
    ]:
        assert value in nota, value


def test_pengumuman_has_the_naskah_dinas_khusus_structure():
    """Title, number under it, TENTANG + subject in capitals, body, place/date, signature."""
    data = render_all()["Pengumuman"]
    lines = [line.strip() for line in all_text(data).split("\n") if line.strip()]
    i = lines.index("PENGUMUMAN")
    assert lines[i + 1] == "NOMOR 400.14.4.3/15/DISKUMKM/2026"
    assert lines[i + 2] == "TENTANG"
    assert lines[i + 3] == "RINGKASAN LAPORAN KEUANGAN SEMESTER I TAHUN 2026"
    body = lines[i + 4 :]
    assert body[0] == "a.\tIsi"  # the section heading the writer kept
    assert "Dengan ini kami umumkan ringkasan laporan keuangan." in body
    # skeleton heading block and untouched prompts are gone
    assert "KONSEP PENGUMUMAN" not in lines and adapter.BODY_MARKER not in lines
    assert not any(line in adapter.PROMPTS for line in lines)
    j = lines.index("Pontianak, 24 November 2026")
    assert lines[j + 1 : j + 5] == [
        "KEPALA DINAS KOPERASI, USAHA KECIL DAN MENENGAH PROVINSI KALIMANTAN BARAT,",
        "IR. H. AHMAD YANI, M.T.",
        "Pembina Utama Muda (IV/c)",
        "NIP. 196805121994031005",
    ]


@pytest.mark.parametrize(
    ("urgensi", "sifat", "checked", "unchecked"),
    [
        ("Sangat Segera", "Biasa", ["☒ Sangat Segera"], ["☐ Segera", "☐ Rahasia"]),
        ("Segera", "Rahasia", ["☒ Segera", "☒ Rahasia"], ["☐ Sangat Segera"]),
        ("Biasa", "Sangat Rahasia", ["☒ Rahasia"], ["☐ Sangat Segera", "☐ Segera"]),
        ("Biasa", "Terbatas", [], ["☐ Sangat Segera", "☐ Segera", "☐ Rahasia"]),
    ],
)
def test_disposisi_prints_legacy_checkbox_row_from_both_axes(urgensi, sifat, checked, unchecked):
    """The old 'Sifat' row is derived from both axes, and neither is printed again apart."""
    data = adapter.render(
        TEMPLATES / "Lembar Disposisi.docx",
        disposisi_context(urgensi=urgensi, sifat=sifat, logo=""),
    )
    text = all_text(data)
    for box in checked + unchecked:
        assert box in text, box
    assert "Klasifikasi" not in text and "Urgensi" not in text


def test_serta_merta_konsep_lists_the_eight_required_contents():
    """For serta merta the skeleton guides the writer through DOMAIN.md §3.2's eight items."""
    data = adapter.render(
        TEMPLATES / "Konsep Pengumuman.docx",
        konsep_context(jenis="Serta Merta", serta_merta=True, bagian_wajib=SERTA_MERTA, uraian=[]),
    )
    text = all_text(data)
    for i, bagian in enumerate(SERTA_MERTA):
        assert f"{'abcdefgh'[i]}.\t{bagian}" in text
    assert "tanpa penundaan" in text


@pytest.mark.parametrize("value", ["{{ 7*7 }}", "{% if True %}x{% endif %}", "R&D <x>"])
def test_real_templates_print_tricky_values_verbatim(value):
    """Values with template syntax or XML characters come out as typed in the real forms."""
    ctx = disposisi_context(perihal=value, catatan=value, logo="")
    ctx["pemberi"] = {**ctx["pemberi"], "nama": value}
    text = all_text(adapter.render(TEMPLATES / "Lembar Disposisi.docx", ctx))
    assert text.count(value) >= 2 and value.upper() in text
    assert "NIP. 197001011995032001" in text  # nothing after the value was lost


# --------------------------------------------------------------------------- concepts from others


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_pengumuman_keeps_a_concept_table():
    """A table in the concept is a table in the letter, with its cell text."""
    data = adapter.render_pengumuman(
        TEMPLATES / "Pengumuman.docx",
        pengumuman_context(logo=""),
        (CORPUS / "tables.docx").read_bytes(),
    )
    doc = Document(BytesIO(data))
    cells = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    assert ["Top left", "Top right"] in cells and ["Bottom left", "Bottom right"] in cells
    text = all_text(data)
    assert text.index("TENTANG") < text.index("Above") < text.index("Below")
    assert text.index("Below") < text.index("NIP. 196805121994031005")


def test_pengumuman_keeps_a_concept_list():
    """A numbered/bulleted list keeps its numbering definitions."""
    data = adapter.render_pengumuman(
        TEMPLATES / "Pengumuman.docx",
        pengumuman_context(logo=""),
        (CORPUS / "simple-list.docx").read_bytes(),
    )
    doc = Document(BytesIO(data))
    items = [p for p in doc.paragraphs if p.text in ("Apple", "Banana")]
    assert len(items) == 2
    num_ids = {p._p.pPr.numPr.numId.val for p in items}
    assert len(num_ids) == 1
    numbering = parts(data)["word/numbering.xml"].decode()
    assert f'w:numId="{num_ids.pop()}"' in numbering


def test_pengumuman_keeps_a_concept_picture_next_to_the_logo():
    """The concept's picture and the kop logo are both embedded, as distinct media."""
    data = adapter.render_pengumuman(
        TEMPLATES / "Pengumuman.docx",
        pengumuman_context(),
        (CORPUS / "tiny-picture.docx").read_bytes(),
        images={"logo": LOGO},
    )
    doc = Document(BytesIO(data))
    blips = doc.element.body.findall(".//" + qn("a:blip"))
    assert len(blips) == 2
    targets = {doc.part.related_parts[b.get(qn("r:embed"))].partname for b in blips}
    assert len(targets) == 2
    blobs = {doc.part.related_parts[b.get(qn("r:embed"))].blob for b in blips}
    assert LOGO.read_bytes() in blobs
    with zipfile.ZipFile(CORPUS / "tiny-picture.docx") as zf:
        assert zf.read("word/media/image1.png") in blobs


def test_pengumuman_from_a_linked_skeleton_keeps_the_writers_table():
    """A skeleton concept with a table typed under the separator keeps it, and only it."""
    skeleton = concept_from_skeleton("Paragraf pembuka.")
    doc = Document(BytesIO(adapter.set_link(skeleton, "PIP-2026-0007")))
    table = doc.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "Uraian"
    table.rows[1].cells[1].text = "Rp1.000.000"
    out = BytesIO()
    doc.save(out)
    data = adapter.render_pengumuman(
        TEMPLATES / "Pengumuman.docx", pengumuman_context(logo=""), out.getvalue()
    )
    result = Document(BytesIO(data))
    tables = result.tables
    # the kop table and the writer's table; the skeleton's heading table is gone
    assert len(tables) == 2
    assert tables[1].rows[1].cells[1].text == "Rp1.000.000"
    assert "No. Agenda" not in all_text(data)


def concept_linking_outside(secrets: Secrets) -> tuple[bytes, bytes]:
    """A skeleton concept with a web picture, a picture 'embedded' from the web, an embedded picture
    that also links to the web, a sub-document on the server and a hyperlink; and that embedded
    picture's bytes."""
    doc = Document(BytesIO(concept_from_skeleton("Paragraf pembuka.")))
    part = doc.part
    web = part.relate_to("http://127.0.0.1:9/gambar.png", RT.IMAGE, is_external=True)
    web2 = part.relate_to("http://127.0.0.1:9/kedua.png", RT.IMAGE, is_external=True)
    sub = part.relate_to(secrets.docx.as_uri(), f"{hostile.REL}/subDocument", is_external=True)
    link = part.relate_to("https://ppid.example.go.id/", RT.HYPERLINK, is_external=True)
    embedded = hostile.png((200, 10, 10))
    doc.add_picture(BytesIO(embedded))
    doc.element.body.findall(".//" + qn("a:blip"))[-1].set(qn("r:link"), web)
    sect = doc.element.body.find(qn("w:sectPr"))
    link_only, from_web = f'r:link="{web}"', f'r:embed="{web2}"'
    for xml in (f"<w:p>{hostile.picture(link_only, 90)}</w:p>",
                f"<w:p>{hostile.picture(from_web, 91)}</w:p>",
                f'<w:subDoc r:id="{sub}"/>',
                f'<w:p><w:hyperlink r:id="{link}"><w:r><w:t>Situs resmi</w:t></w:r></w:hyperlink></w:p>'):
        sect.addprevious(parse_xml(re.sub(r"^<(w:\w+)", rf"<\1 {DECLS}", xml)))
    out = BytesIO()
    doc.save(out)
    return out.getvalue(), embedded


def test_a_letter_from_a_concept_linking_outside_has_only_hyperlinks_outside_and_no_dangling_ids(tmp_path):
    """docxcompose fails on a picture 'embedded' from the web, copies the web link of an embedded
    picture into the letter, and leaves a link-only picture's id and a sub-document's id unchanged,
    so they name whatever relationship the letter has under that id (or none); the letter must reach
    nothing outside when opened, and every id it uses must exist."""
    concept, embedded = concept_linking_outside(Secrets(tmp_path / "server"))
    letter = adapter.render_pengumuman(TEMPLATES / "Pengumuman.docx", pengumuman_context(), concept,
                                       images={"logo": LOGO})
    assert hostile.external_non_hyperlinks(letter) == []
    assert hostile.dangling_ids(letter) == []
    files = parts(letter)
    assert embedded in files.values() and LOGO.read_bytes() in files.values()
    document = files["word/document.xml"].decode()
    assert "Paragraf pembuka." in document and "Situs resmi" in document
    # docxcompose leaves a body-level w:subDoc's id and a link-only picture's r:link as they were in
    # the concept, where they name other relationships of the letter: neither may be there at all
    assert "w:subDoc" not in document and "r:link" not in document
    rels = files["word/_rels/document.xml.rels"].decode()
    assert "https://ppid.example.go.id/" in rels and "127.0.0.1" not in rels


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_every_template_converts_to_pdf_with_libreoffice(tmp_path):
    """LibreOffice opens each filled form and writes a PDF of it."""
    sources = []
    for name, data in render_all().items():
        path = tmp_path / f"{name}.docx"
        path.write_bytes(data)
        sources.append(path)
    pdfs = office.convert(sources, "pdf", tmp_path / "pdf")
    assert [p.name for p in pdfs] == [s.with_suffix(".pdf").name for s in sources]
    for pdf in pdfs:
        assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext"):
        import subprocess

        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / "pdf" / "Pengumuman.pdf"), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        assert "PENGUMUMAN" in text and "NIP. 196805121994031005" in text


@pytest.mark.libreoffice
def test_link_survives_a_save_by_libreoffice_writer(tmp_path):
    """The case id stamped in a delivered docx is still there after LibreOffice re-saves it."""
    konsep = adapter.set_link(render_all()["Konsep Pengumuman"], "PIP-2026-0007")
    src = tmp_path / "PIP-2026-0007 - Konsep - Ringkasan.docx"
    src.write_bytes(konsep)
    converted = office.convert([src], "docx", tmp_path / "lo")[0]
    saved = converted.read_bytes()
    assert saved != konsep  # really rewritten by LibreOffice
    assert adapter.read_link(saved) == "PIP-2026-0007"
    # and a LibreOffice-written file can be relinked and read back again
    assert adapter.read_link(adapter.set_link(saved, "PIP-2026-0008")) == "PIP-2026-0008"


@pytest.mark.libreoffice
def test_link_survives_an_edit_and_save_in_writer(tmp_path):
    """A writer typing into the concept in LibreOffice Writer and saving keeps the link."""
    lo.require_libreoffice()
    src = tmp_path / "konsep.docx"
    src.write_bytes(adapter.set_link(render_all()["Konsep Pengumuman"], "PIP-2026-0011"))
    out = lo.writer_edit(
        src, append_paragraph="Isi pengumuman yang ditulis di Writer.", out=tmp_path / "disimpan.docx"
    )
    saved = out.read_bytes()
    assert adapter.read_link(saved) == "PIP-2026-0011"
    # the Writer-saved concept becomes the letter's body without its heading block
    data = adapter.render_pengumuman(TEMPLATES / "Pengumuman.docx", pengumuman_context(logo=""), saved)
    text = all_text(data)
    assert "Isi pengumuman yang ditulis di Writer." in text
    assert "KONSEP PENGUMUMAN" not in text
