"""A repair from the owner's phone to the owner's rating, through the pages each person uses."""

import io

from PIL import Image


def photo(tmp_path):
    path = tmp_path / "leak.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def open_action(page, action):
    """Open a ticket action's box (a <details> the user clicks) and return its form."""
    page.click(f"#action-{action} summary")
    return page.locator(f"#action-{action} form")


def submit(form):
    form.locator("button[type=submit]").click()
    form.page.wait_for_load_state()


def test_owner_reports_desk_dispatches_engineer_completes_owner_rates(person, tmp_path):
    owner = person("yezhu", phone=True)
    owner.goto("/h5/tickets/new/repair/")
    owner.fill("#id_description", "卫生间水管接口漏水，地面有积水")
    owner.set_input_files("#id_photos", str(photo(tmp_path)))
    owner.click("form.h5-form button[type=submit]")
    owner.wait_for_load_state()
    ticket_url = owner.url
    number = owner.locator(".flash").inner_text()
    assert "谢谢，我们已收到" in number
    assert owner.locator("img").count() >= 1  # the photo is shown with the ticket
    ticket_id = ticket_url.rstrip("/").split("/")[-1]

    desk = person("kefu")
    desk.goto(f"/console/tickets/{ticket_id}/")
    assert desk.locator(".photo-grid img").count() == 1  # the owner's photo reaches the desk
    form = open_action(desk, "dispatch")
    form.locator("select[name=assignee]").select_option(label="王强")
    submit(form)
    assert "派单：已完成" in desk.locator(".flash").inner_text()

    engineer = person("gongcheng")
    engineer.goto(f"/console/tickets/{ticket_id}/")
    for step, done in (("accept", "接单：已完成"), ("arrive", "")):
        engineer.click(f"form[action$='/actions/{step}/'] button[type=submit]")
        engineer.wait_for_load_state()
        assert done in engineer.locator(".flash").first.inner_text()
    form = open_action(engineer, "complete")
    form.locator("textarea[name=work_done]").fill("更换卫生间水管接口密封圈，试水无渗漏")
    submit(form)
    assert "完工：已完成" in engineer.locator(".flash").first.inner_text()

    owner.goto(ticket_url)
    owner.click("form[action$='/actions/confirm/'] button[type=submit]")
    owner.wait_for_load_state()
    assert "感谢您的确认" in owner.locator(".flash").inner_text()
    owner.click("label.rating-choice:has-text('非常满意')")
    owner.fill("textarea[name=comment]", "师傅很专业，谢谢")
    owner.click("button:has-text('评价本次维修')")
    owner.wait_for_load_state()
    assert "感谢您的评价" in owner.locator(".flash").inner_text()
    page_text = owner.inner_text("body")
    assert "已回访" in page_text and "非常满意" in page_text and "师傅很专业，谢谢" in page_text
    assert "更换卫生间水管接口密封圈" in page_text  # the engineer's work, as the owner reads it
    assert owner.locator("button:has-text('评价本次维修')").count() == 0  # rated once, the form is gone
