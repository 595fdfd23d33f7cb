"""How many completion certificates one process renders per second, for Latin, Chinese and Arabic names.

Each measure renders several hundred certificates with certificates.render_certificate, every one with
a different name, serial number and verification address (so no cache holds a name it has seen), and
takes the median rate of a few repetitions. Its baseline, measured in the same run with the same
data, is a bare ReportLab canvas that draws the same strings with plain drawString in the same
registered TrueType fonts (no font per run, no shaping, no bidi, no fitting, no font check) and the
same QR code, drawn the same way. The ratio is the engine's rate over the baseline's. Target: at least
60 certificates a second on one core for Latin names; Chinese and Arabic are timed for the record.

    .venv/bin/python benchmarks/certificate_render.py
    .venv/bin/python benchmarks/certificate_render.py --renders 500 --repeats 7

It runs in one process and one thread, so it measures one core whatever the machine has.
"""

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_PER_SECOND = 60
#: Names are first x middle x last (1,728 of each script), so a measure never repeats one; the last few warm up.
NAMES = 12 ** 3
WARM_UP = 5
LATIN = (["Nguyễn", "Cabdi", "María", "Trần", "Faduma", "José", "Amina", "Lê", "Xaliimo", "Luis", "Hoa", "Ana"],
         ["Thị", "Maxamed", "Guadalupe", "Văn", "Cali", "Antonio", "Xasan", "Minh", "Yuusuf", "Ángel", "Thu", "Sofía"],
         ["Lan", "Xasan", "Fernández", "Hùng", "Warsame", "Castillo", "Cumar", "Phạm", "Jaamac", "Ortiz", "Hằng",
          "Núñez"])
CHINESE = (list("李王张刘陈杨黄赵吴周徐孙"), list("晓美建志秀海俊文嘉子思雨"), list("明玲华强英燕杰静怡涵远萱"))
ARABIC = (["فاطمة", "أحمد", "محمد", "مريم", "علي", "خديجة", "عمر", "زينب", "يوسف", "نور", "حسن", "ليلى"],
          ["عبد الله", "إبراهيم", "محمود", "سعيد", "خالد", "مصطفى", "كريم", "جمال", "طارق", "سليم", "ناصر", "رشيد"],
          ["الزهراء", "المصري", "الحسيني", "العلي", "الخطيب", "النجار", "الشامي", "البغدادي", "الحداد", "القاسم",
           "الأحمد", "السيد"])
CHINESE_LABELS = {
    "title": "结业证书", "presented": "兹证明", "completed": "已完成", "hours": "{hours} 个专业发展学时",
    "completed_on": "完成日期：{date}", "issued_by": "颁发机构：{issuer}", "signature": "签名", "serial": "证书编号",
    "verify": "验证网址",
}
ARABIC_LABELS = {
    "title": "شهادة إتمام", "presented": "تشهد هذه الوثيقة بأن", "completed": "قد أتمّ",
    "hours": "{hours} ساعة تطوير مهني", "completed_on": "تاريخ الإتمام {date}", "issued_by": "صادرة عن {issuer}",
    "signature": "التوقيع", "serial": "الرقم التسلسلي", "verify": "تحقق على",
}
#: (measure, name parts and how they join, labels, hours, date, right to left)
MEASURES = [
    ("Latin names (Vietnamese, Somali, Spanish)", LATIN, " ", {}, "40", "June 12, 2026", False),
    ("Chinese names, Chinese labels", CHINESE, "", CHINESE_LABELS, "40", "2026年6月12日", False),
    ("Arabic names, Arabic labels (right to left)", ARABIC, " ", ARABIC_LABELS, "٤٠", "١٢ يونيو ٢٠٢٦", True),
]


def certificates(parts, joiner: str, labels: dict, hours: str, completed_on: str, rtl: bool, first: int, count: int):
    """``count`` certificates, each with its own name, serial and address, from the ``first``-th name on."""
    from certificates import CertificateData

    first_names, middle_names, last_names = parts
    made = []
    for number in range(first, first + count):
        name = joiner.join((first_names[number % 12], middle_names[number // 12 % 12], last_names[number // 144 % 12]))
        serial = f"BCL-2026-{number:06d}"
        made.append(CertificateData(
            program_title="BIPOC Community of Leaders Certificate Program", names=(name,), hours=hours,
            completed_on=completed_on, issuer="King County Best Starts for Kids", signatory_name="Jordan Ellis",
            signatory_title="Program Director, Best Starts for Kids", serial=serial,
            verify_url=f"https://lms.example.org/certificates/verify/{serial}", labels=labels, rtl=rtl))
    return made


def bare_canvas(data) -> bytes:
    """The baseline: the same strings and QR code on a plain canvas, each string in one registered font."""
    from reportlab.pdfgen.canvas import Canvas

    from certificates import certificate as c
    from certificates.fonts import BASE_FONT, family_for

    def font(text: str, bold: bool = False) -> str:
        family = next((family_for(char) for char in text if char.isalpha()), None)
        return family.font_name(bold) if family else BASE_FONT

    def draw(x: float, y: float, text: str, size: float, bold: bool = False, align: str = "center") -> None:
        canvas.setFont(font(text, bold), size)
        {"left": canvas.drawString, "center": canvas.drawCentredString, "right": canvas.drawRightString}[align](
            x, y, text)

    labels = {**c.DEFAULT_LABELS, **data.labels}
    texts = c._texts(data, labels)
    width, height = c.PAGE_SIZES[data.page_size]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName=BASE_FONT, invariant=1, pageCompression=1)
    canvas.setTitle(texts["title"])
    canvas.setLineWidth(c.OUTER_LINE)
    canvas.rect(c.OUTER_INSET, c.OUTER_INSET, width - 2 * c.OUTER_INSET, height - 2 * c.OUTER_INSET)
    canvas.setLineWidth(c.INNER_LINE)
    canvas.rect(c.INNER_INSET, c.INNER_INSET, width - 2 * c.INNER_INSET, height - 2 * c.INNER_INSET)
    middle = width / 2
    draw(middle, height - c.TITLE_Y, texts["title"], c.TITLE_SIZE, bold=True)
    draw(middle, height - c.PRESENTED_Y, texts["presented"], c.LEAD_IN_SIZE)
    draw(middle, height - (c.NAME_TOP + c.NAME_BOTTOM) / 2, data.names[0], c.NAME_SIZE, bold=True)
    draw(middle, height - c.COMPLETED_Y, texts["completed"], c.LEAD_IN_SIZE)
    draw(middle, height - (c.PROGRAM_TOP + c.PROGRAM_BOTTOM) / 2, texts["program"], c.PROGRAM_SIZE, bold=True)
    for number, key in enumerate(("hours", "completed_on", "issued_by")):
        draw(middle, height - c.DETAIL_Y - number * c.DETAIL_STEP, texts[key], c.DETAIL_SIZE)
    canvas.line(c.MARGIN, c.SIGNATURE_LINE_Y, c.MARGIN + c.SIGNATURE_LINE_WIDTH, c.SIGNATURE_LINE_Y)
    for number, (key, size) in enumerate((("signature", c.CAPTION_SIZE), ("signatory_name", c.SIGNATORY_SIZE),
                                          ("signatory_title", c.SIGNATORY_TITLE_SIZE))):
        draw(c.MARGIN, c.SIGNATURE_LINE_Y - 11 - 15 * number, texts[key], size, align="left")
    qr_x = width - c.MARGIN - c.QR_SIZE
    c._draw_qr(canvas, data.verify_url, qr_x, c.QR_TOP - c.QR_SIZE, c.QR_SIZE)
    for number, (key, size) in enumerate((("serial_label", c.CAPTION_SIZE), ("serial", c.SERIAL_SIZE),
                                          ("verify", c.CAPTION_SIZE), ("verify_url", c.URL_SIZE))):
        draw(qr_x - c.QR_GAP, c.QR_TOP - 6 - 14 * number, texts[key], size, align="right")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def rate(render, batch) -> float:
    """Certificates a second for rendering every certificate of ``batch`` once."""
    started = time.perf_counter()
    for data in batch:
        render(data)
    return len(batch) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=300, help="certificates a measure")
    parser.add_argument("--repeats", type=int, default=5, help="measures; the median is reported")
    args = parser.parse_args()
    if args.renders * args.repeats > NAMES - WARM_UP:
        parser.error(f"--renders x --repeats must be at most {NAMES - WARM_UP}, the number of distinct names")

    from certificates import render_certificate

    print(f"certificates rendered a second, one process on one core; {args.renders} renders a measure, "
          f"median of {args.repeats}; baseline: a bare ReportLab canvas, same strings, fonts and QR code")
    print(f"{'measure':<46}{'certs/s':>9}{'baseline/s':>12}{'ratio':>8}  target >= {TARGET_PER_SECOND}/s (Latin)")
    for label, parts, joiner, labels, hours, completed_on, rtl in MEASURES:
        warm_up = certificates(parts, joiner, labels, hours, completed_on, rtl, NAMES - WARM_UP, WARM_UP)
        for data in warm_up:  # registers the fonts and lays out the constant labels once, as a server would
            assert render_certificate(data).startswith(b"%PDF") and bare_canvas(data).startswith(b"%PDF")
        engine, baseline = [], []
        for repeat in range(args.repeats):
            batch = certificates(parts, joiner, labels, hours, completed_on, rtl, repeat * args.renders, args.renders)
            engine.append(rate(render_certificate, batch))
            baseline.append(rate(bare_canvas, batch))
        ours, bare = statistics.median(engine), statistics.median(baseline)
        met = ("met" if ours >= TARGET_PER_SECOND else "NOT MET") if parts is LATIN else ""
        print(f"{label:<46}{ours:>9.1f}{bare:>12.1f}{ours / bare:>8.2f}  {met}")


if __name__ == "__main__":
    main()
