"""Charts for the faces: the inline SVG bar and line charts drawn on the server. They live in `wuye.core.charts`
(the ground floor, next to `core.pdf`, so a process's PDF report draws the same charts); pages import them here.

    from wuye.web.charts import bar_chart, line_chart
"""

from wuye.core.charts import bar_chart, figure, line_chart, nice_ceiling, pdf_image, short_label, svg_bytes_for_pdf

__all__ = ["bar_chart", "figure", "line_chart", "nice_ceiling", "pdf_image", "short_label", "svg_bytes_for_pdf"]
