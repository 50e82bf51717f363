"""Documents that reach outside themselves, and a web server that notices when anyone fetches.

Why: the reproduced defects were LibreOffice fetching a picture an .odt links to on the web and an
.rtf pulling a server file into its conversion through INCLUDEPICTURE. Tests build such documents
here, byte by byte (zipfile and plain RTF; a .doc is made from them by LibreOffice in the test),
and `spy_server` records every request that arrives on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import http.server
import struct
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SECRET_TEXT = "RAHASIA-SERVER-7f3a9c"


def png(rgb: tuple[int, int, int] = (1, 2, 3), size: int = 8) -> bytes:
    """A small solid PNG."""
    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@dataclass
class Secrets:
    """Server files a document must never pull in: a picture, a text, a docx."""

    folder: Path
    picture: Path = field(init=False)
    text: Path = field(init=False)
    docx: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.picture = self.folder / "secret.png"
        self.picture.write_bytes(png((7, 77, 177), 16))
        self.text = self.folder / "secret.txt"
        self.text.write_text(SECRET_TEXT, encoding="utf-8")
        self.docx = self.folder / "secret.docx"
        self.docx.write_bytes(docx_package(f"<w:p><w:r><w:t>{SECRET_TEXT}</w:t></w:r></w:p>"))


# ---------------------------------------------------------------------------------------- docx

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Default Extension="png" ContentType="image/png"/>'
       '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
       'officedocument.wordprocessingml.document.main+xml"/>'
       '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-'
       'officedocument.wordprocessingml.settings+xml"/></Types>')
_PKG_RELS = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_NS}">'
             f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
             '</Relationships>')
_NS = (f'xmlns:w="{W_NS}" xmlns:r="{R_NS}" '
       'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
       'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')


def picture(blip_attrs: str, n: int) -> str:
    """A run holding an inline DrawingML picture whose blip has `blip_attrs`."""
    return (f'<w:r><w:drawing><wp:inline><wp:extent cx="720000" cy="720000"/>'
            f'<wp:docPr id="{n}" name="Gambar {n}"/><a:graphic><a:graphicData '
            'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr>'
            f'<pic:cNvPr id="{n}" name="g{n}.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill>'
            f'<a:blip {blip_attrs}/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr>'
            '<a:xfrm><a:off x="0" y="0"/><a:ext cx="720000" cy="720000"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData>'
            '</a:graphic></wp:inline></w:drawing></w:r>')


def para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def docx_package(body: str, rels: str = "", settings_rels: str = "", media: dict[str, bytes] | None = None,
                 settings: str = "") -> bytes:
    """A minimal docx: `body` inside w:body, `rels` inside the document's Relationships."""
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {_NS}>'
                f"<w:body>{body}<w:sectPr/></w:body></w:document>")
    doc_rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_NS}">'
                f'<Relationship Id="rIdSettings" Type="{REL}/settings" Target="settings.xml"/>'
                f"{rels}</Relationships>")
    settings_xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:settings {_NS}>'
                    f"{settings}</w:settings>")
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _PKG_RELS)
        z.writestr("word/document.xml", document)
        z.writestr("word/_rels/document.xml.rels", doc_rels)
        z.writestr("word/settings.xml", settings_xml)
        if settings_rels:
            z.writestr("word/_rels/settings.xml.rels",
                       f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                       f'<Relationships xmlns="{PKG_NS}">{settings_rels}</Relationships>')
        for name, data in (media or {}).items():
            z.writestr(f"word/media/{name}", data)
    return out.getvalue()


def rel(rid: str, kind: str, target: str, external: bool = True) -> str:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"{mode}/>'


def hostile_docx(url: str, secrets: Secrets) -> bytes:
    """Every way a docx points outside that we know of, next to ordinary content that must stay."""
    pictures = [picture('r:link="rIdWeb"', 1),                   # a picture only on the web
                picture('r:embed="rIdWebEmbed"', 2),             # "embedded" from the web
                picture('r:link="rIdFile"', 3),                  # a file on the server
                picture('r:embed="rIdLocal" r:link="rIdWeb2"', 4)]  # embedded, with a link too
    body = "".join([
        para("Konsep dengan tautan ke luar."),
        *(f"<w:p>{p}</w:p>" for p in pictures),
        '<w:p><w:r><w:pict><v:shape id="s1" style="width:20pt;height:20pt">'
        '<v:imagedata r:id="rIdVml" o:title=""/></v:shape></w:pict></w:r></w:p>',
        '<w:p><w:r><w:object><v:shape id="o1" style="width:20pt;height:20pt"/>'
        '<o:OLEObject Type="Link" ProgID="Word.Document.12" ShapeID="o1" r:id="rIdOle" '
        'UpdateMode="Always"/></w:object></w:r></w:p>',
        f'<w:p><w:fldSimple w:instr=\' INCLUDEPICTURE "{secrets.picture}" \\d \'>'
        "<w:r><w:t>[gambar]</w:t></w:r></w:fldSimple></w:p>",
        f'<w:p><w:fldSimple w:instr=\' INCLUDETEXT "{secrets.text}" \'>'
        "<w:r><w:t>[teks]</w:t></w:r></w:fldSimple></w:p>",
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
        'INCLUDE</w:instrText></w:r><w:r><w:instrText xml:space="preserve">TEXT '
        f'"{url}/teks.txt" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>[teks web]</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
        '<w:subDoc r:id="rIdSub"/>',
        '<w:p><w:hyperlink r:id="rIdLink"><w:r><w:t>Situs resmi</w:t></w:r></w:hyperlink></w:p>',
        '<w:p><w:hyperlink r:id="rIdGone"><w:r><w:t>Tautan rusak</w:t></w:r></w:hyperlink></w:p>',
        para("Akhir konsep."),
    ])
    rels = "".join([
        rel("rIdWeb", "image", f"{url}/gambar.png"),
        rel("rIdWebEmbed", "image", f"{url}/tertanam.png"),
        rel("rIdFile", "image", secrets.picture.as_uri()),
        rel("rIdLocal", "image", "media/local.png", external=False),
        rel("rIdWeb2", "image", f"{url}/kedua.png"),
        rel("rIdVml", "image", f"{url}/vml.png"),
        rel("rIdOle", "oleObject", secrets.docx.as_uri()),
        rel("rIdSub", "subDocument", secrets.docx.as_uri()),
        rel("rIdLink", "hyperlink", "https://ppid.example.go.id/"),
    ])
    settings_rels = rel("rIdTpl", "attachedTemplate", f"{url}/template.dotm")
    return docx_package(body, rels, settings_rels, {"local.png": png((200, 10, 10))},
                        settings='<w:attachedTemplate r:id="rIdTpl"/>')


# ------------------------------------------------------------------------- inspecting a docx

def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def relationships(data: bytes) -> dict[str, list[etree._Element]]:
    """Each rels file's Relationship elements."""
    return {name: list(etree.fromstring(body).iter(f"{{{PKG_NS}}}Relationship"))
            for name, body in parts(data).items() if name.endswith(".rels")}


def dangling_ids(data: bytes) -> list[str]:
    """`part: attribute=id` for every relationship id a part uses that its rels file lacks."""
    found = []
    files = parts(data)
    for name, body in files.items():
        if not name.endswith(".xml") or name.startswith("["):
            continue
        folder, _, base = name.rpartition("/")
        rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
        ids = set()
        if rels_name in files:
            ids = {r.get("Id") for r in etree.fromstring(files[rels_name]).iter(f"{{{PKG_NS}}}Relationship")}
        for el in etree.fromstring(body).iter():
            for attr, value in el.attrib.items():
                if attr.startswith(f"{{{R_NS}}}") and value not in ids:
                    found.append(f"{name}: {etree.QName(attr).localname}={value}")
    return found


def external_non_hyperlinks(data: bytes) -> list[str]:
    return [f"{name}: {r.get('Type')} -> {r.get('Target')}"
            for name, rels in relationships(data).items() for r in rels
            if r.get("TargetMode") == "External" and not r.get("Type", "").endswith("/hyperlink")]


# ------------------------------------------------------------------------------------ odt, rtf

_ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
           'xmlns:xlink="http://www.w3.org/1999/xlink" '
           'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"')


def odt(path: Path, body: str) -> Path:
    """An .odt whose text is `body` (ODF text elements)."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODT_NS} '
               f'office:version="1.2"><office:body><office:text>{body}</office:text></office:body>'
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type='
                '"application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path='
                '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def odt_linked_picture(target: str) -> str:
    return ('<draw:frame draw:name="g1" text:anchor-type="as-char" svg:width="2cm" svg:height="2cm">'
            f'<draw:image xlink:href="{target}" xlink:type="simple" xlink:show="embed" '
            'xlink:actuate="onLoad"/></draw:frame>')


def odt_linked_section(target: str) -> str:
    return (f'<text:section text:name="Tertaut"><text:section-source xlink:href="{target}" '
            'xlink:type="simple" xlink:show="embed" text:filter-name="Text"/>'
            "<text:p>[bagian tertaut]</text:p></text:section>")


def rtf(path: Path, *instructions: str) -> Path:
    """An .rtf with one field per instruction (e.g. `INCLUDEPICTURE "/x.png"`)."""
    fields = "".join(
        "{\\field{\\*\\fldinst " + i.replace("\\", "\\\\") + "}{\\fldrslt [hasil]}}\\par\n"
        for i in instructions)
    path.write_text("{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\n\\pard Sebelum.\\par\n"
                    + fields + "\\pard Sesudah.\\par}", encoding="ascii")
    return path


# --------------------------------------------------------------------------------- web server

@dataclass
class Spy:
    url: str
    requests: list[str]


@contextlib.contextmanager
def spy_server(lifetime: float = 300.0) -> Iterator[Spy]:
    """A web server on 127.0.0.1 that answers 404 and records every request path.

    It serves from a daemon thread and stops by itself after `lifetime` seconds at most (or when
    the `with` block ends), so a test that goes wrong cannot leave it running.
    """
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self) -> None:
            seen.append(f"{self.command} {self.path}")
            self.send_response(404)
            self.end_headers()

        do_GET = do_HEAD = do_POST = do_PUT = do_OPTIONS = do_PROPFIND = _record

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 0.2
    stop = threading.Event()
    end = time.monotonic() + lifetime

    def serve() -> None:
        while not stop.is_set() and time.monotonic() < end:
            server.handle_request()
        server.server_close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield Spy(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        stop.set()
        thread.join(timeout=5)
