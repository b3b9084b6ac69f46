"""Driving CKEditor's image dialog in the admin's article form (browser tests)."""


def upload_through_image_dialog(page, picture) -> None:
    """Open the body editor's image dialog and send ``picture`` from its Upload tab."""
    page.locator("#cke_id_body .cke_button__image").click()
    page.locator(".cke_dialog_tab", has_text="Upload").click()
    page.frame_locator("iframe.cke_dialog_ui_input_file").locator(
        "input[type=file]"
    ).set_input_files(picture)
    page.get_by_role("button", name="Send it to the Server").click()
