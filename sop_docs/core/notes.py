"""The Indonesian notes that tell a clerk why a file went to quarantine and exactly what to do.

A file that cannot be taken in is never dropped: it goes to `quarantine/` with a note beside it,
and the register's message column says so in one line. The people reading them are office staff,
not administrators, so each note names the problem in plain Indonesian and gives the steps in
Word's own menu names, ending with the folder to save into. Technical detail (from the sniffer,
in English) is appended for the administrator only. Pure text, no I/O.

How it works: `_NOTES` is a table with one `_Note` per reason — the short register line, the
problem and the steps as templates, and how the caller's `detail` is shown. `_fields` computes
the few values the templates may name (`{save_again}`, `{case}`, ...) once from the inputs, so
the texts stay plain data that can be read, reviewed and changed without following any code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

_MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
_ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}

_SAVE_AS_DOCX = "pilih File > Simpan Sebagai (Save As), pilih jenis 'Dokumen Word (*.docx)'"


@dataclass(frozen=True)
class _Note:
    """What the clerk reads for one reason; `problem` and `steps` are `str.format` templates.

    `detail` says where the caller's detail goes: "technical" (English from the sniffer or
    LibreOffice, labelled for the administrator), "in_text" (already woven into the templates)
    or "extra" (appended as "Keterangan").
    """

    short: str
    problem: str
    steps: tuple[str, ...]
    detail: Literal["technical", "in_text", "extra"] = "technical"


_NOTES: dict[str, _Note] = {
    "empty": _Note(
        short="berkas kosong (0 byte)",
        problem="Berkas ini kosong (0 byte), tidak berisi apa pun. Biasanya penyimpanan atau "
        "penyalinan terputus.",
        steps=(
            "Buka dokumen aslinya di komputer Anda dan pastikan isinya lengkap.",
            "Simpan dokumen itu, lalu {save_again}.",
        ),
    ),
    "too_large": _Note(
        short="berkas terlalu besar",
        problem="Berkas ini terlalu besar untuk diproses oleh sistem.",
        steps=(
            "Perkecil dokumen: di Word klik salah satu gambar, pilih Format Gambar > "
            "Kompres Gambar (Compress Pictures), dan terapkan ke semua gambar.",
            "Pindahkan lampiran yang besar (foto, pindaian) ke berkas tersendiri, misalnya PDF.",
            "Simpan, lalu {save_again}.",
        ),
    ),
    "not_docx": _Note(
        short="isinya bukan dokumen Word",
        problem="Nama berkas {named}, tetapi isinya bukan dokumen Word (misalnya teks biasa, "
        "gambar, atau berkas lain yang namanya diganti).",
        steps=(
            "Buka dokumen aslinya di Word.",
            "{Save_as_docx}, lalu {save_again}.",
            "Jangan hanya mengganti akhiran nama berkas: isinya tidak ikut berubah.",
        ),
    ),
    "corrupt": _Note(
        short="berkas rusak dan tidak dapat dibaca",
        problem="Berkas ini rusak atau tidak utuh sehingga tidak dapat dibaca. Mungkin penyimpanan "
        "atau penyalinan terputus.",
        steps=(
            "Buka berkas itu di Word. Bila Word menawarkan untuk memperbaikinya, setujui.",
            "Bila berhasil terbuka, {save_as_docx}, lalu {save_again}.",
            "Bila tidak bisa dibuka, ambil salinan yang baik (dari komputer asal atau "
            "surel) dan {save_again}.",
        ),
    ),
    "encrypted": _Note(
        short="dokumen dilindungi kata sandi",
        problem="Dokumen ini dilindungi kata sandi, sehingga sistem tidak dapat membacanya.",
        steps=(
            "Buka dokumen di Word dengan kata sandinya.",
            "Hapus kata sandi: File > Info > Lindungi Dokumen (Protect Document) > "
            "Enkripsi dengan Kata Sandi, kosongkan isian kata sandi, lalu klik OK.",
            "Simpan dokumen, lalu {save_again}.",
            "Jangan menuliskan kata sandi di nama berkas atau mengirimkannya ke sistem.",
        ),
    ),
    "macro": _Note(
        short="dokumen berisi makro",
        problem="Dokumen ini berisi makro (berkas .docm atau berisi kode VBA). Demi keamanan, "
        "sistem tidak menerima dokumen bermakro.",
        steps=(
            "Buka dokumen di Word.",
            "{Save_as_docx} (bukan 'Dokumen Word Bermakro'); makro akan dibuang, isi dokumen tetap.",
            "Lalu {save_again}.",
        ),
    ),
    "zip_bomb": _Note(
        short="struktur berkas tidak wajar (ditolak demi keamanan)",
        problem="Struktur berkas ini tidak wajar: isinya mengembang jauh melebihi ukurannya. "
        "Berkas seperti ini ditolak demi keamanan komputer kantor.",
        steps=(
            "Bila Anda tidak mengenal berkas ini, jangan dibuka, dan laporkan kepada administrator.",
            "Bila ini memang dokumen kerja Anda, buka di Word, lalu {save_as_docx} sebagai berkas baru.",
            "Lalu {save_again}.",
        ),
    ),
    "incomplete": _Note(
        short="berkas belum selesai tersimpan",
        problem="Berkas ini belum selesai tersimpan: tampaknya masih sedang disalin, atau "
        "penyimpanannya terputus.",
        steps=(
            "Tunggu sampai penyimpanan atau penyalinan selesai.",
            "Simpan ulang dokumen dari Word (File > Simpan Sebagai), lalu {save_again}.",
        ),
    ),
    "unlinked": _Note(
        short="tidak ada Nomor Agenda di dalam dokumen maupun di awal nama berkas",
        problem="Sistem tidak tahu dokumen ini milik kasus yang mana: di dalam dokumen tidak ada "
        "Nomor Agenda, dan nama berkasnya tidak diawali Nomor Agenda.",
        steps=(
            "Lihat Nomor Agenda kasusnya di register (kolom 'No. Agenda').",
            "Ganti nama berkas agar diawali Nomor Agenda itu, misalnya "
            "'PIP-2026-0007 - Konsep - Laporan Keuangan.docx'.",
            "Lalu {save_again}.",
            "Lain kali, kerjakan dokumen pada berkas yang dikirim sistem ke folder outbox "
            "Anda: berkas itu sudah tertaut ke kasusnya, meskipun namanya diganti.",
        ),
        detail="extra",
    ),
    "wrong_step": _Note(
        short="kasusnya tidak sedang berada pada tahap Anda",
        problem="Dokumen ini tertaut ke {case}, tetapi kasus itu tidak sedang menunggu dokumen "
        "dari {role_name}.{where}",
        steps=(
            "Periksa kolom 'Tahap' dan 'Posisi' di register.",
            "Bila kasus sudah berpindah ke pihak lain, tidak ada yang perlu dikirim sekarang; "
            "bila perubahan Anda masih diperlukan, sampaikan kepada pemegang kasus saat ini.",
            "Bila berkas ini sebenarnya untuk kasus lain, ganti nama berkas agar diawali "
            "Nomor Agenda yang benar, lalu {save_again}.",
        ),
        detail="in_text",
    ),
    "duplicate": _Note(
        short="isinya sama dengan berkas yang sudah diterima",
        problem="Isi berkas ini sama persis dengan berkas yang sudah diterima sistem{when}{earlier}.",
        steps=(
            "Bila Anda hanya menyimpan ulang berkas yang sama, tidak ada yang perlu dilakukan.",
            "Bila Anda bermaksud mengirim perbaikan, pastikan perubahan sudah disimpan di "
            "Word (Ctrl+S), lalu {save_again}.",
        ),
        detail="in_text",
    ),
    "unknown_case": _Note(
        short="Nomor Agenda tidak ditemukan atau kasusnya sudah ditutup",
        problem="{number} pada dokumen ini tidak ada di register, atau kasusnya sudah ditutup.",
        steps=(
            "Periksa Nomor Agenda di register (kolom 'No. Agenda'). Bila salah ketik, "
            "perbaiki nama berkas lalu {save_again}.",
            "Bila kasusnya sudah selesai dan Anda hendak membuat pengumuman baru, "
            "Kabid/Kasubag menyimpan bahan informasinya ke folder inbox/kabid_kasubag/ "
            "untuk membuka kasus baru.",
        ),
        detail="in_text",
    ),
    "conversion_failed": _Note(
        short="berkas tidak dapat diubah menjadi .docx",
        problem="Sistem gagal mengubah berkas ini menjadi dokumen Word (.docx) secara otomatis.",
        steps=(
            "Buka berkas itu di Word (atau LibreOffice Writer).",
            "{Save_as_docx}, lalu {save_again}.",
            "Bila tetap gagal, hubungi administrator.",
        ),
    ),
    "two_cases": _Note(
        short="nama berkas dan isi dokumen menyebut kasus yang berbeda",
        problem="Nama berkas ini diawali Nomor Agenda {detail}, tetapi di dalam dokumen tercatat "
        "{case}. Sistem tidak menebak kasus mana yang dimaksud, jadi dokumen ini tidak dijalankan "
        "untuk keduanya.",
        steps=(
            "Bila dokumen ini memang untuk {case}: ganti nama berkas agar diawali Nomor Agenda "
            "itu, lalu {save_again}.",
            "Bila dokumen ini untuk {detail}: buka berkas {detail} yang dikirim sistem di folder "
            "outbox Anda, salin isi dokumen ini ke dalamnya (Ctrl+A, Ctrl+C, lalu Ctrl+V), dan "
            "{save_again}. Mengganti nama saja tidak cukup, karena Nomor Agenda di dalam "
            "dokumen yang berlaku.",
        ),
        detail="in_text",
    ),
    "hidden": _Note(
        short="nama berkas diawali titik sehingga tersembunyi",
        problem="Nama berkas ini diawali titik (.), sehingga berkas ini tersembunyi di Windows "
        "Explorer dan di Mac, dan sistem tidak menganggapnya dokumen kerja.",
        steps=(
            "Ganti nama berkas tanpa titik di depan, misalnya '{unhidden}'.",
            "Lalu {save_again}.",
        ),
        detail="extra",
    ),
    "register_unreadable": _Note(
        short="register.xlsx tidak dapat dibaca (disimpan dalam format lain atau rusak)",
        problem="register.xlsx yang tersimpan tidak dapat dibaca sebagai buku kerja Excel: "
        "mungkin disimpan dalam format lain (misalnya ODS atau CSV) dengan nama .xlsx, atau "
        "rusak. Keputusan yang diketik di dalamnya belum dijalankan. Salinannya disimpan di folder "
        "ini, dan register yang baru sudah dibuat.",
        steps=(
            "Buka register.xlsx yang baru dan pilih ulang keputusan Anda di kolom Keputusan.",
            "Simpan dengan File > Simpan (Save). Bila program menanyakan format, pilih "
            "'Buku Kerja Excel (*.xlsx)' atau 'Keep current format' ('Gunakan format Excel').",
        ),
    ),
    "not_authorized": _Note(
        short="disimpan oleh orang yang tidak memegang peran folder ini",
        problem="{detail}",
        steps=(
            "Bila berkas ini memang untuk {role_name}, {role_name} sendiri (atau yang sedang "
            "menggantikannya sebagai Plt./Plh.) yang menyimpannya ke folder itu.",
            "Bila Anda salah folder, simpan berkas ke folder inbox peran Anda sendiri.",
            "Bila Anda sedang menggantikan {role_name} sebagai Plt./Plh., minta administrator "
            "mencatat masa penggantian itu (sop.toml, [[access.stand_in]]).",
        ),
        detail="in_text",
    ),
    "link": _Note(
        short="yang disimpan adalah pintasan (link), bukan berkas",
        problem="Yang disimpan di folder ini adalah pintasan (shortcut/symbolic link), bukan "
        "berkas. Demi keamanan, sistem tidak membuka pintasan dan tidak mengikuti ke mana pintasan "
        "itu menunjuk; berkas atau folder tujuannya tidak disentuh. Pintasannya sudah dihapus "
        "dari folder inbox.",
        steps=(
            "Buka dokumen aslinya di Word (bukan pintasannya).",
            "Pilih File > Simpan Sebagai, lalu {save_again}.",
            "Bila Anda tidak membuat pintasan ini, laporkan kepada administrator.",
        ),
    ),
    "special": _Note(
        short="yang disimpan bukan berkas biasa",
        problem="Yang disimpan di folder ini bukan berkas biasa (misalnya pipa/FIFO, perangkat, "
        "atau soket), sehingga sistem tidak membukanya. Benda itu sudah dihapus dari folder inbox.",
        steps=(
            "Simpan dokumen yang dimaksud dari Word (File > Simpan Sebagai), lalu {save_again}.",
            "Bila Anda tidak menyimpan apa pun ke folder itu, laporkan kepada administrator.",
        ),
    ),
    "konsep_kosong": _Note(
        short="konsep belum diisi (kerangka dikirim kembali tanpa perubahan)",
        problem="Berkas ini adalah kerangka Konsep Pengumuman untuk {case} yang belum diisi: di "
        "bawah garis ISI PENGUMUMAN hanya ada petunjuk dalam kurung siku dan judul bagian. "
        "Konsep yang belum ditulis tidak diteruskan kepada pemeriksa.",
        steps=(
            "Buka berkas Konsep {case} di folder outbox Anda (atau berkas ini).",
            "Tulis isi pengumuman di bawah garis ISI PENGUMUMAN dan hapus tulisan dalam kurung "
            "siku; isi juga Judul Pengumuman di tabel Rincian.",
            "Simpan (Ctrl+S), lalu {save_again}.",
        ),
        detail="extra",
    ),
    "rincian": _Note(
        short="tabel Rincian konsep belum lengkap atau salah isi",
        problem="Tabel Rincian pada konsep {case} belum dapat dipakai: {detail} Judul menjadi "
        "TENTANG pada naskah Pengumuman, sehingga konsep tanpa judul yang benar tidak diteruskan.",
        steps=(
            "Buka konsep ini di Word dan perbaiki tabel Rincian di bagian atas (di atas garis ISI "
            "PENGUMUMAN). Bila konsep Anda ditulis di berkas lain tanpa tabel itu, buka berkas "
            "Konsep {case} di folder outbox Anda, salin isi konsep Anda ke bawah garis ISI "
            "PENGUMUMAN, lalu isi tabel Rinciannya.",
            "Simpan (Ctrl+S), lalu {save_again}.",
        ),
        detail="in_text",
    ),
}

# Any reason the table does not know: a generic note that sends the clerk to the administrator.
_UNKNOWN = _Note(
    short="berkas tidak dapat diterima",
    problem="Berkas ini tidak dapat diterima oleh sistem.",
    steps=("Hubungi administrator dan sebutkan nama berkas ini.",),
    detail="extra",
)

REASONS = tuple(_NOTES)


def inbox_folder(role_name: str) -> str:
    """The inbox folder of a role from its name or id: "Kabid/Kasubag" -> "inbox/kabid_kasubag/"."""
    slug = "_".join(role_name.lower().replace("/", " ").split())
    return f"inbox/{slug}/" if slug else "inbox/"


def format_when(moment: datetime) -> str:
    """An Indonesian date and time: "12 Maret 2026 pukul 10.15 WIB" (zone only when known)."""
    text = f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year} pukul {moment:%H.%M}"
    offset = moment.utcoffset()
    if offset is not None:
        hours = offset / timedelta(hours=1)
        zone = _ZONES.get(int(hours)) if hours.is_integer() else None
        text += f" {zone}" if zone else f" (UTC{hours:+g})"
    return text


def quarantine_note(
    reason: str,
    file_name: str,
    *,
    role_name: str,
    detail: str = "",
    case_id: str | None = None,
    inbox: str | None = None,
    received_at: datetime | None = None,
) -> str:
    """The note put beside a quarantined file: what was wrong and the steps to put it right.

    `role_name` is the role whose inbox the file came from (its name, e.g. "Kabid/Kasubag", or
    its id); `inbox` overrides the folder derived from it. For "wrong_step", `detail` says where
    the case is now (Indonesian, e.g. "Tahap 4 - Pemeriksaan Sekretaris, dipegang Sekretaris");
    for "duplicate" it may name the earlier file, and `received_at` gives when it was received;
    for "unknown_case" it may carry the claimed id instead of `case_id`. For the file-format
    reasons and "conversion_failed" `detail` is technical text, shown labelled for the
    administrator; for any other reason it is appended as "Keterangan".
    """
    note = _NOTES.get(reason, _UNKNOWN)
    folder = inbox or inbox_folder(role_name)
    fields = _fields(file_name, role_name, folder, detail, case_id, received_at)
    lines = [
        "CATATAN KARANTINA",
        "",
        f"Berkas      : {file_name}",
    ]
    if case_id:
        lines.append(f"No. Agenda  : {case_id}")
    lines += [
        f"Dari folder : {folder}",
        "",
        "Masalah:",
        note.problem.format(**fields),
        "",
        "Yang perlu dilakukan:",
    ]
    lines += [f"{number}. {step.format(**fields)}" for number, step in enumerate(note.steps, start=1)]
    lines += [
        "",
        "Berkas ini disimpan di folder karantina (quarantine/) dan tidak akan diproses lagi. "
        "Setelah versi yang benar tersimpan di folder inbox, berkas di karantina boleh dihapus "
        "oleh administrator.",
    ]
    if detail and note.detail == "technical":
        lines += ["", f"Keterangan teknis (untuk administrator): {detail}"]
    elif detail and note.detail == "extra":
        lines += ["", f"Keterangan: {detail}"]
    return "\n".join(lines) + "\n"


def register_message(reason: str, file_name: str) -> str:
    """One line for the register's "Pesan Sistem" column, pointing to the note in quarantine/."""
    what = _NOTES.get(reason, _UNKNOWN).short
    return f"Berkas '{file_name}' tidak diproses: {what}. Lihat catatan di folder quarantine/."


def _fields(
    file_name: str,
    role_name: str,
    folder: str,
    detail: str,
    case_id: str | None,
    received_at: datetime | None,
) -> dict[str, str]:
    """The values the note templates may name, each worded for when its input is missing."""
    ext = file_name.rpartition(".")[2].lower() if "." in file_name else ""
    case = f"kasus {case_id}" if case_id else "kasusnya"
    claimed = case_id or detail
    return {
        "save_again": f"simpan ulang ke folder {folder}",
        "save_as_docx": _SAVE_AS_DOCX,
        "Save_as_docx": f"{_SAVE_AS_DOCX[0].upper()}{_SAVE_AS_DOCX[1:]}",
        "role_name": role_name,
        "case": case,
        "named": f"berakhiran .{ext}" if ext else "tanpa akhiran",
        "where": f" Posisi {case} sekarang: {detail}." if detail else "",
        "when": f" pada {format_when(received_at)}" if received_at else "",
        "earlier": f" ({detail})" if detail else "",
        "number": f"Nomor Agenda {claimed}" if claimed else "Nomor Agenda",
        "detail": detail,
        "unhidden": file_name.lstrip(".") or file_name,
    }
