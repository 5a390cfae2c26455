"""Charts drawn on the server (wuye.web.charts): gaps for missing values, escaped labels, and the same SVG in a PDF."""

import io

import pypdf

from wuye.core.pdf import Document
from wuye.web.charts import bar_chart, line_chart, nice_ceiling, pdf_image


def test_bar_chart_escapes_labels_and_leaves_a_gap_for_none():
    svg = bar_chart([("锦华苑<script>", 92.5), ("翠湖居", None)], unit="分", target=85)
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title>" in svg
    assert "<script>" not in svg and "锦华苑&lt;script&gt;" in svg
    assert "92.5分" in svg and "—" in svg
    assert svg.count("<rect") == 1  # no bar for the missing value
    assert 'viewBox="0 0 640 ' in svg and "stroke-dasharray" in svg  # the target line


def test_line_chart_breaks_the_line_at_none():
    svg = line_chart(["1月", "2月", "3月", "4月", "5月"],
                     [("投诉及时处理率", [96.0, 97.0, None, 90.0, 91.0])], unit="%", target=95)
    assert svg.count("<polyline") == 2  # two runs either side of the gap
    assert svg.count("<circle") == 4
    assert "投诉及时处理率: 1月 96%, 2月 97%, 3月 —, 4月 90%, 5月 91%" in svg
    assert "<script" not in svg


def test_nice_ceiling():
    assert [nice_ceiling(v) for v in (0, 7, 13, 23, 48, 101)] == [1.0, 10, 20, 25, 50, 200]


def test_the_same_svg_goes_into_a_pdf_with_its_chinese_labels():
    doc = Document(title="图表")
    pdf_image(doc.pdf, bar_chart([("锦华苑", 92.5), ("翠湖居", None)], unit="分"))
    pdf_image(doc.pdf, line_chart(["11月", "12月"], [("派单及时率", [88.0, 93.5])], unit="%", target=90))
    text = pypdf.PdfReader(io.BytesIO(doc.render())).pages[0].extract_text().replace(" ", "").replace("\x00", "")
    assert "锦华苑92.5分" in text and "翠湖居" in text and "11月" in text
