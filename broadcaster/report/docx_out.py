"""Report stage, Word document: turns report figures into a Vietnamese administrative report (Nghị định 30/2020/NĐ-CP).

Layout per the decree's appendix I: A4, margins top/bottom 20 mm, left 30 mm,
right 15 mm; Times New Roman. The header is a borderless two-column table:
left the superior body (upper case, regular) over the issuing organisation
(upper case, bold) and the number/symbol line "Số: …/BC-…"; right the
national title "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" (bold) over the motto
"Độc lập - Tự do - Hạnh phúc" (bold, underlined) and the italic
"{place}, ngày … tháng … năm …". Then the centred title BÁO CÁO and subject,
the body citing the directive, the tables and the chart, part II (đánh giá,
kiến nghị: planned versus played per station, where airtime came from, and
dotted lines for staff to write on), and a closing borderless table with
"Nơi nhận:" on the left and the signature on the right. Every heading is kept
on the page of the table or chart that follows it (keep with next), and the
issue date is today in the stations' time zone, not the machine's.
"""
from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from ..timeutil import station_today
from .aggregate import MESSAGES as FIGURE_MESSAGES, Report, notes
from .chain_note import chain_ok_text
from .chart import render_png
from .numbers import minutes, number, percent
from .table import MESSAGES as TABLE_MESSAGES, STATION_HEADINGS, SUMMARY_HEADINGS, station_rows, station_totals, \
    summary_totals

MESSAGES = {
    "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "motto": "Độc lập - Tự do - Hạnh phúc",
    "number": "Số:        {number}",
    "place_date": "{place}, ngày {day} tháng {month} năm {year}",
    "title": "BÁO CÁO",
    "subject": "{title} {period}",
    "intro": "Thực hiện {directive}, {organization} báo cáo kết quả thực hiện công tác truyền thông trên hệ thống "
             "truyền thanh cơ sở {period} như sau:",
    "intro_no_directive": "{organization} báo cáo kết quả thực hiện công tác truyền thông trên hệ thống "
                          "truyền thanh cơ sở {period} như sau:",
    "part1": "I. KẾT QUẢ THỰC HIỆN",
    "sec_summary": "1. Hình thức truyền thông, số lượt thực hiện và phương tiện truyền thông",
    "sec_stations": "2. Kết quả thực hiện theo từng đài (kế hoạch và thực hiện)",
    "sec_days": "3. Số lượt phát theo ngày",
    "totals": "Tổng cộng trong kỳ: {plays} lượt phát, tổng thời lượng {minutes} phút{planned}.",
    "planned": "; theo kế hoạch {scheduled} lượt, đạt {rate}",
    "others": "Ngoài ra có {interrupted} lượt bị ngắt giữa chừng, {failed} lượt lỗi và {missed} lượt bỏ lỡ (không tính vào số lượt đã phát).",
    "part2": "II. ĐÁNH GIÁ, KIẾN NGHỊ",
    "assess_title1": "1. Đánh giá kết quả so với kế hoạch",
    "assess_rate": "Trong kỳ, các đài đã phát {plays} lượt trên {scheduled} lượt theo kế hoạch, đạt {rate}.",
    "assess_no_plan": "Chưa có lịch phát cho kỳ này nên chưa so sánh được với kế hoạch; các đài đã phát {plays} lượt.",
    "assess_full": "Các đài đạt hoặc vượt kế hoạch: {names}.",
    "assess_short": "Các đài chưa đạt kế hoạch: {names}.",
    "assess_station": "{name} ({plays}/{scheduled} lượt, {rate})",
    "assess_others": "Có {interrupted} lượt bị ngắt, {failed} lượt lỗi và {missed} lượt bỏ lỡ; đề nghị các đài kiểm tra "
                     "thiết bị và lịch phát.",
    "assess_title2": "2. Khó khăn, vướng mắc",
    "assess_title3": "3. Kiến nghị, đề xuất",
    "blank": "." * 110,
    "closing": "Trên đây là báo cáo kết quả thực hiện công tác truyền thông {period} của {organization}./.",
    "recipients": "Nơi nhận:",
    "archive": "Lưu: VT.",
    "default_subject": "Báo cáo kết quả truyền thông",
}
FONT = "Times New Roman"


def _font(run, size: float, bold: bool = False, italic: bool = False, underline: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    run.underline = underline
    r_pr = run._element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _para(container, text: str, size: float = 14, *, bold=False, italic=False, underline=False,
          align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = False, before: float = 0, after: float = 6):
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if indent:
        fmt.first_line_indent = Cm(1.0)
    _font(p.add_run(text), size, bold, italic, underline)
    return p


def _heading(container, text: str, **kwargs):
    """A bold heading paragraph kept on the same page as what follows it (table, chart, text)."""
    p = _para(container, text, bold=True, **kwargs)
    p.paragraph_format.keep_with_next = True
    return p


def _keep_table_with_next(table) -> None:
    # Word keeps a table's rows together when each row's paragraphs keep with the next.
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _cell_text(cell, lines: list[tuple], align=WD_ALIGN_PARAGRAPH.CENTER) -> None:
    """Fill an empty cell with (text, size, bold, italic, underline) lines."""
    for i, (text, size, bold, italic, underline) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = align
        p.paragraph_format.space_after = Pt(0)
        _font(p.add_run(text), size, bold, italic, underline)


def _set_widths(table, widths_mm: list[float]) -> None:
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def _keep_rows_whole(table) -> None:
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))


def _data_table(doc, headings: list[str], rows: list, widths_mm: list[float], size: float = 12) -> None:
    """A bordered table; a row given as a plain string becomes a merged group row (e.g. a campaign)."""
    table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, heading in zip(table.rows[0].cells, headings):
        _cell_text(cell, [(heading, size, True, False, False)])
    for row in rows:
        cells = table.add_row().cells
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            _cell_text(merged, [(row, size, True, True, False)], WD_ALIGN_PARAGRAPH.LEFT)
            continue
        total = row[0] == TABLE_MESSAGES["total"]
        for cell, value in zip(cells, row):
            numeric = isinstance(value, (int, float))
            text = number(value) if numeric else ("" if value is None else str(value))
            _cell_text(cell, [(text, size, total, False, False)],
                       WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT)
    _set_widths(table, widths_mm)
    _keep_rows_whole(table)
    # The heading row repeats on every page the table runs onto.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    if len(table.rows) <= 12:   # a short table is not split from its heading
        _keep_table_with_next(table)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _summary_rows(report: Report) -> list:
    """Form × medium rows under one merged row per campaign."""
    rows: list = []
    current = None
    for r in report.summary:
        if r.campaign != current:
            current = r.campaign
            rows.append(report.campaign_name(r.campaign))
        rows.append([report.form_name(r.form), report.medium_name(r.medium), r.stations, r.counts.plays,
                     r.counts.interrupted, minutes(r.counts.airtime_s)])
    totals = ["" if v is None else v for v in summary_totals(report)]
    rows.append(totals[:1] + totals[2:])  # this table shows the campaign as a merged row, not a column
    return rows


def _issued_date(day: date) -> tuple[str, str, str]:
    # The decree writes days below 10 and months 1-2 with a leading zero.
    return (f"{day.day:02d}" if day.day < 10 else str(day.day),
            f"{day.month:02d}" if day.month < 3 else str(day.month), str(day.year))


def _directive(report: Report, project) -> str:
    ids = [report.campaign] if report.campaign else sorted({r.campaign for r in report.details if r.campaign}) or \
        [c.id for c in project.campaigns]
    texts = []
    for cid in ids:
        campaign = project.campaign(cid)
        if campaign is not None and campaign.directive and campaign.directive not in texts:
            texts.append(campaign.directive)
    return "; ".join(texts)


def _assessment(doc, report: Report) -> None:
    """Part II: planned versus played, stations short of the plan, the log's integrity, lines for staff."""
    t = report.totals
    _heading(doc, MESSAGES["assess_title1"], italic=False)
    if report.scheduled_total:
        _para(doc, MESSAGES["assess_rate"].format(plays=number(t.plays), scheduled=number(report.scheduled_total),
                                                  rate=percent(t.plays / report.scheduled_total)), indent=True)
        full, short = [], []
        for r in report.stations:
            if not r.scheduled:
                continue
            text = MESSAGES["assess_station"].format(name=r.name, plays=number(r.counts.plays),
                                                     scheduled=number(r.scheduled), rate=percent(r.completion))
            (full if r.counts.plays >= r.scheduled else short).append(text)
        if full:
            _para(doc, MESSAGES["assess_full"].format(names="; ".join(full)), indent=True)
        if short:
            _para(doc, MESSAGES["assess_short"].format(names="; ".join(short)), indent=True)
    else:
        _para(doc, MESSAGES["assess_no_plan"].format(plays=number(t.plays)), indent=True)
    if t.interrupted or t.failed or t.missed:
        _para(doc, MESSAGES["assess_others"].format(interrupted=t.interrupted, failed=t.failed, missed=t.missed),
              indent=True)
    if report.chain is None or report.chain.ok:
        # The sentence about hash protection only when the rows counted were checked and are intact.
        if report.chain is not None:
            _para(doc, chain_ok_text(report.chain), indent=True)
    else:
        _para(doc, FIGURE_MESSAGES["chain_broken"].format(count=len(report.chain.problems)), indent=True, bold=True)
    for title in ("assess_title2", "assess_title3"):
        _heading(doc, MESSAGES[title])
        for _ in range(3):
            _para(doc, MESSAGES["blank"], align=WD_ALIGN_PARAGRAPH.LEFT, after=6)


def render_docx(report: Report, project, *, issued: date | None = None) -> bytes:
    """The report as a .docx document.

    Args:
        report: The figures.
        project: The working folder (report settings, place, campaigns' directives).
        issued: Date written on the document (default: today in the stations' time zone).
    """
    settings = dict(project.report or {})
    issued = issued or station_today(getattr(project, "timezone", None))
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    header = doc.add_table(rows=2, cols=2)
    _set_widths(header, [68, 97])
    left = []
    if settings.get("superior"):
        left.append((str(settings["superior"]).upper(), 13, False, False, False))
    left.append((project.organization.upper(), 13, True, False, False))
    _cell_text(header.cell(0, 0), left)
    _cell_text(header.cell(0, 1), [(MESSAGES["nation"], 12, True, False, False),
                                   (MESSAGES["motto"], 13.5, True, False, True)])
    num = str(settings.get("number") or "/BC")
    if not num.startswith("/"):
        num = "/" + num
    _cell_text(header.cell(1, 0), [(MESSAGES["number"].format(number=num), 13, False, False, False)])
    day, month, year = _issued_date(issued)
    place = project.place or ""
    place_date = MESSAGES["place_date"].format(place=place, day=day, month=month, year=year)
    if not place:
        place_date = place_date.lstrip(", ").capitalize()
    _cell_text(header.cell(1, 1), [(place_date, 13.5, False, True, False)])

    _para(doc, MESSAGES["title"], 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=0)
    subject = MESSAGES["subject"].format(title=settings.get("title") or MESSAGES["default_subject"],
                                         period=report.period.label)
    _para(doc, subject, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)

    directive = _directive(report, project)
    intro = MESSAGES["intro" if directive else "intro_no_directive"].format(
        directive=directive, organization=project.organization, period=report.period.label)
    _para(doc, intro, indent=True)
    _heading(doc, MESSAGES["part1"])
    for note in notes(report):
        _para(doc, note, indent=True, bold=note.startswith("CẢNH BÁO"))
    if report.empty:
        _para(doc, FIGURE_MESSAGES["no_plays"], indent=True)
    t = report.totals
    planned = ""
    if report.scheduled_total:
        planned = MESSAGES["planned"].format(scheduled=number(report.scheduled_total),
                                             rate=percent(t.plays / report.scheduled_total))
    _para(doc, MESSAGES["totals"].format(plays=number(t.plays), minutes=number(minutes(t.airtime_s)), planned=planned),
          indent=True)
    if t.interrupted or t.failed or t.missed:
        _para(doc, MESSAGES["others"].format(interrupted=t.interrupted, failed=t.failed, missed=t.missed), indent=True)

    _heading(doc, MESSAGES["sec_summary"])
    _data_table(doc, SUMMARY_HEADINGS[1:], _summary_rows(report), [32, 55, 17, 20, 19, 22])

    _heading(doc, MESSAGES["sec_stations"])
    rows = station_rows(report)
    totals = station_totals(report)
    rows.append(totals[:1] + [""] + ["—" if v is None else v for v in totals[2:-1]] + [percent(totals[-1])])
    _data_table(doc, STATION_HEADINGS, rows, [40, 33, 17, 16, 15, 12, 13, 19], size=11)

    _heading(doc, MESSAGES["sec_days"])
    doc.add_picture(io.BytesIO(render_png(report)), width=Mm(160))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER

    _heading(doc, MESSAGES["part2"])
    _assessment(doc, report)
    _para(doc, MESSAGES["closing"].format(period=report.period.label, organization=project.organization), indent=True)

    footer = doc.add_table(rows=1, cols=2)
    _set_widths(footer, [85, 80])
    _keep_rows_whole(footer)
    recipients = [(MESSAGES["recipients"], 12, True, True, False)]
    names = [str(r) for r in settings.get("recipients") or []]
    if not any(n.lower().startswith("lưu") for n in names):
        names.append(MESSAGES["archive"])
    for i, name in enumerate(names):
        end = "." if i == len(names) - 1 else ";"
        recipients.append((f"- {name.rstrip(';.')}{end}", 11, False, False, False))
    _cell_text(footer.cell(0, 0), recipients, WD_ALIGN_PARAGRAPH.LEFT)
    signature = [(str(settings.get("signer_title") or "").upper(), 14, True, False, False)]
    signature += [("", 14, False, False, False)] * 4
    signature.append((str(settings.get("signer_name") or ""), 14, True, False, False))
    _cell_text(footer.cell(0, 1), signature)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
