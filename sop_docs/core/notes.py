"""The Indonesian notes that tell a clerk why a file went to quarantine and exactly what to do.

A file that cannot be taken in is never dropped: it goes to `quarantine/` with a note beside it,
and the register's message column says so in one line. The people reading them are office staff,
not administrators, so each note names the problem in plain Indonesian and gives the steps in
Word's own menu names, ending with the folder to save into. Technical detail (from the sniffer,
in English) is appended for the administrator only. Pure text, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta

REASONS = (
    "empty",
    "too_large",
    "not_docx",
    "corrupt",
    "encrypted",
    "macro",
    "zip_bomb",
    "incomplete",
    "unlinked",
    "wrong_step",
    "duplicate",
    "unknown_case",
    "conversion_failed",
    "link",
    "special",
)

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

# Reasons whose `detail` is technical English from the sniffer or LibreOffice.
_TECHNICAL = frozenset(
    {"empty", "too_large", "not_docx", "corrupt", "encrypted", "macro", "zip_bomb", "incomplete",
     "conversion_failed", "link", "special"}
)  # fmt: skip

# Reasons whose `detail` is woven into the explanation itself.
_DETAIL_IN_TEXT = frozenset({"wrong_step", "duplicate", "unknown_case"})

# One line per reason for the register's "Pesan Sistem" column: what happened, in short.
_SHORT = {
    "empty": "berkas kosong (0 byte)",
    "too_large": "berkas terlalu besar",
    "not_docx": "isinya bukan dokumen Word",
    "corrupt": "berkas rusak dan tidak dapat dibaca",
    "encrypted": "dokumen dilindungi kata sandi",
    "macro": "dokumen berisi makro",
    "zip_bomb": "struktur berkas tidak wajar (ditolak demi keamanan)",
    "incomplete": "berkas belum selesai tersimpan",
    "unlinked": "tidak ada Nomor Agenda di dalam dokumen maupun di awal nama berkas",
    "wrong_step": "kasusnya tidak sedang berada pada tahap Anda",
    "duplicate": "isinya sama dengan berkas yang sudah diterima",
    "unknown_case": "Nomor Agenda tidak ditemukan atau kasusnya sudah ditutup",
    "conversion_failed": "berkas tidak dapat diubah menjadi .docx",
    "link": "yang disimpan adalah pintasan (link), bukan berkas",
    "special": "yang disimpan bukan berkas biasa",
}


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
    folder = inbox or inbox_folder(role_name)
    problem, steps = _explain(reason, file_name, role_name, folder, detail, case_id, received_at)
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
        problem,
        "",
        "Yang perlu dilakukan:",
    ]
    lines += [f"{number}. {step}" for number, step in enumerate(steps, start=1)]
    lines += [
        "",
        "Berkas ini disimpan di folder karantina (quarantine/) dan tidak akan diproses lagi. "
        "Setelah versi yang benar tersimpan di folder inbox, berkas di karantina boleh dihapus "
        "oleh administrator.",
    ]
    if detail and reason in _TECHNICAL:
        lines += ["", f"Keterangan teknis (untuk administrator): {detail}"]
    elif detail and reason not in _DETAIL_IN_TEXT:
        lines += ["", f"Keterangan: {detail}"]
    return "\n".join(lines) + "\n"


def register_message(reason: str, file_name: str) -> str:
    """One line for the register's "Pesan Sistem" column, pointing to the note in quarantine/."""
    what = _SHORT.get(reason, "berkas tidak dapat diterima")
    return f"Berkas '{file_name}' tidak diproses: {what}. Lihat catatan di folder quarantine/."


def _explain(
    reason: str,
    file_name: str,
    role_name: str,
    folder: str,
    detail: str,
    case_id: str | None,
    received_at: datetime | None,
) -> tuple[str, list[str]]:
    """(problem, steps) for `reason`, in plain Indonesian."""
    ext = file_name.rpartition(".")[2].lower() if "." in file_name else ""
    save_again = f"simpan ulang ke folder {folder}"
    case = f"kasus {case_id}" if case_id else "kasusnya"

    if reason == "empty":
        return (
            "Berkas ini kosong (0 byte), tidak berisi apa pun. Biasanya penyimpanan atau "
            "penyalinan terputus.",
            [
                "Buka dokumen aslinya di komputer Anda dan pastikan isinya lengkap.",
                f"Simpan dokumen itu, lalu {save_again}.",
            ],
        )
    if reason == "too_large":
        return (
            "Berkas ini terlalu besar untuk diproses oleh sistem.",
            [
                "Perkecil dokumen: di Word klik salah satu gambar, pilih Format Gambar > "
                "Kompres Gambar (Compress Pictures), dan terapkan ke semua gambar.",
                "Pindahkan lampiran yang besar (foto, pindaian) ke berkas tersendiri, misalnya PDF.",
                f"Simpan, lalu {save_again}.",
            ],
        )
    if reason == "not_docx":
        named = f"berakhiran .{ext}" if ext else "tanpa akhiran"
        return (
            f"Nama berkas {named}, tetapi isinya bukan dokumen Word (misalnya teks biasa, "
            "gambar, atau berkas lain yang namanya diganti).",
            [
                "Buka dokumen aslinya di Word.",
                f"{_SAVE_AS_DOCX[0].upper()}{_SAVE_AS_DOCX[1:]}, lalu {save_again}.",
                "Jangan hanya mengganti akhiran nama berkas: isinya tidak ikut berubah.",
            ],
        )
    if reason == "corrupt":
        return (
            "Berkas ini rusak atau tidak utuh sehingga tidak dapat dibaca. Mungkin penyimpanan "
            "atau penyalinan terputus.",
            [
                "Buka berkas itu di Word. Bila Word menawarkan untuk memperbaikinya, setujui.",
                f"Bila berhasil terbuka, {_SAVE_AS_DOCX}, lalu {save_again}.",
                "Bila tidak bisa dibuka, ambil salinan yang baik (dari komputer asal atau "
                f"surel) dan {save_again}.",
            ],
        )
    if reason == "encrypted":
        return (
            "Dokumen ini dilindungi kata sandi, sehingga sistem tidak dapat membacanya.",
            [
                "Buka dokumen di Word dengan kata sandinya.",
                "Hapus kata sandi: File > Info > Lindungi Dokumen (Protect Document) > "
                "Enkripsi dengan Kata Sandi, kosongkan isian kata sandi, lalu klik OK.",
                f"Simpan dokumen, lalu {save_again}.",
                "Jangan menuliskan kata sandi di nama berkas atau mengirimkannya ke sistem.",
            ],
        )
    if reason == "macro":
        return (
            "Dokumen ini berisi makro (berkas .docm atau berisi kode VBA). Demi keamanan, "
            "sistem tidak menerima dokumen bermakro.",
            [
                "Buka dokumen di Word.",
                f"{_SAVE_AS_DOCX[0].upper()}{_SAVE_AS_DOCX[1:]} (bukan 'Dokumen Word Bermakro'); "
                "makro akan dibuang, isi dokumen tetap.",
                f"Lalu {save_again}.",
            ],
        )
    if reason == "zip_bomb":
        return (
            "Struktur berkas ini tidak wajar: isinya mengembang jauh melebihi ukurannya. "
            "Berkas seperti ini ditolak demi keamanan komputer kantor.",
            [
                "Bila Anda tidak mengenal berkas ini, jangan dibuka, dan laporkan kepada administrator.",
                "Bila ini memang dokumen kerja Anda, buka di Word, lalu "
                f"{_SAVE_AS_DOCX} sebagai berkas baru.",
                f"Lalu {save_again}.",
            ],
        )
    if reason == "incomplete":
        return (
            "Berkas ini belum selesai tersimpan: tampaknya masih sedang disalin, atau "
            "penyimpanannya terputus.",
            [
                "Tunggu sampai penyimpanan atau penyalinan selesai.",
                f"Simpan ulang dokumen dari Word (File > Simpan Sebagai), lalu {save_again}.",
            ],
        )
    if reason == "unlinked":
        return (
            "Sistem tidak tahu dokumen ini milik kasus yang mana: di dalam dokumen tidak ada "
            "Nomor Agenda, dan nama berkasnya tidak diawali Nomor Agenda.",
            [
                "Lihat Nomor Agenda kasusnya di register (kolom 'No. Agenda').",
                "Ganti nama berkas agar diawali Nomor Agenda itu, misalnya "
                "'PIP-2026-0007 - Konsep - Laporan Keuangan.docx'.",
                f"Lalu {save_again}.",
                "Lain kali, kerjakan dokumen pada berkas yang dikirim sistem ke folder outbox "
                "Anda: berkas itu sudah tertaut ke kasusnya, meskipun namanya diganti.",
            ],
        )
    if reason == "wrong_step":
        where = f" Posisi {case} sekarang: {detail}." if detail else ""
        return (
            f"Dokumen ini tertaut ke {case}, tetapi kasus itu tidak sedang menunggu dokumen "
            f"dari {role_name}.{where}",
            [
                "Periksa kolom 'Tahap' dan 'Posisi' di register.",
                "Bila kasus sudah berpindah ke pihak lain, tidak ada yang perlu dikirim sekarang; "
                "bila perubahan Anda masih diperlukan, sampaikan kepada pemegang kasus saat ini.",
                "Bila berkas ini sebenarnya untuk kasus lain, ganti nama berkas agar diawali "
                f"Nomor Agenda yang benar, lalu {save_again}.",
            ],
        )
    if reason == "duplicate":
        when = f" pada {format_when(received_at)}" if received_at else ""
        earlier = f" ({detail})" if detail else ""
        return (
            f"Isi berkas ini sama persis dengan berkas yang sudah diterima sistem{when}{earlier}.",
            [
                "Bila Anda hanya menyimpan ulang berkas yang sama, tidak ada yang perlu dilakukan.",
                "Bila Anda bermaksud mengirim perbaikan, pastikan perubahan sudah disimpan di "
                f"Word (Ctrl+S), lalu {save_again}.",
            ],
        )
    if reason == "unknown_case":
        claimed = case_id or detail
        number = f"Nomor Agenda {claimed}" if claimed else "Nomor Agenda"
        return (
            f"{number} pada dokumen ini tidak ada di register, atau kasusnya sudah ditutup.",
            [
                "Periksa Nomor Agenda di register (kolom 'No. Agenda'). Bila salah ketik, "
                f"perbaiki nama berkas lalu {save_again}.",
                "Bila kasusnya sudah selesai dan Anda hendak membuat pengumuman baru, "
                "Kabid/Kasubag menyimpan bahan informasinya ke folder inbox/kabid_kasubag/ "
                "untuk membuka kasus baru.",
            ],
        )
    if reason == "conversion_failed":
        return (
            "Sistem gagal mengubah berkas ini menjadi dokumen Word (.docx) secara otomatis.",
            [
                "Buka berkas itu di Word (atau LibreOffice Writer).",
                f"{_SAVE_AS_DOCX[0].upper()}{_SAVE_AS_DOCX[1:]}, lalu {save_again}.",
                "Bila tetap gagal, hubungi administrator.",
            ],
        )
    if reason == "link":
        return (
            "Yang disimpan di folder ini adalah pintasan (shortcut/symbolic link), bukan berkas. "
            "Demi keamanan, sistem tidak membuka pintasan dan tidak mengikuti ke mana pintasan itu "
            "menunjuk; berkas atau folder tujuannya tidak disentuh. Pintasannya sudah dihapus dari "
            "folder inbox.",
            [
                "Buka dokumen aslinya di Word (bukan pintasannya).",
                f"Pilih File > Simpan Sebagai, lalu {save_again}.",
                "Bila Anda tidak membuat pintasan ini, laporkan kepada administrator.",
            ],
        )
    if reason == "special":
        return (
            "Yang disimpan di folder ini bukan berkas biasa (misalnya pipa/FIFO, perangkat, atau "
            "soket), sehingga sistem tidak membukanya. Benda itu sudah dihapus dari folder inbox.",
            [
                f"Simpan dokumen yang dimaksud dari Word (File > Simpan Sebagai), lalu {save_again}.",
                "Bila Anda tidak menyimpan apa pun ke folder itu, laporkan kepada administrator.",
            ],
        )
    return (
        "Berkas ini tidak dapat diterima oleh sistem.",
        ["Hubungi administrator dan sebutkan nama berkas ini."],
    )
