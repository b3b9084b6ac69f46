/* Sends Django's CSRF token with every CKEditor 4 image upload, so /ckeditor/upload/ can
 * refuse uploads posted by other pages (smartchunks/media/editor_uploads.py).
 *
 * CKEditor's own ckCsrfToken is a cookie its script invents, and any page of the same site
 * (another port of the same host) can set that cookie, so it proves nothing.  Django's token
 * is tied to the signed-in session.
 *
 * - XHR uploads (the image dialog's "Send it to the Server", pasted and dropped images):
 *   an X-CSRFToken header, set in filetools' fileUploadRequest event after it opens the
 *   request (priority 5) and before it sends it (priority 999).
 * - The dialog's older form upload (config.filebrowserUploadMethod = "form"): a
 *   csrfmiddlewaretoken field added to the form it posts into its iframe.
 */
/* global CKEDITOR */
;(() => {
  "use strict"

  const FIELD = "csrfmiddlewaretoken"

  function djangoCsrfToken() {
    // The admin form's own token first: it works whatever CSRF_COOKIE_NAME is.
    const field = document.querySelector(`input[name=${FIELD}]`)
    return field ? field.value : CKEDITOR.tools.getCookie("csrftoken") || ""
  }

  function addTokenToDialogForms() {
    const fileInput = CKEDITOR.ui.dialog && CKEDITOR.ui.dialog.file
    if (!fileInput || fileInput.prototype.sendsDjangoCsrfToken) {
      return
    }
    const submit = fileInput.prototype.submit
    fileInput.prototype.submit = function () {
      const form = this.getInputElement().getParent().$
      let token = form.elements[FIELD]
      if (!token) {
        token = form.ownerDocument.createElement("input")
        token.type = "hidden"
        token.name = FIELD
        form.appendChild(token)
      }
      token.value = djangoCsrfToken()
      return submit.call(this)
    }
    fileInput.prototype.sendsDjangoCsrfToken = true
  }

  // The dialog's file input is defined by the dialogui plugin, loaded with the first dialog.
  CKEDITOR.on("dialogDefinition", addTokenToDialogForms)

  CKEDITOR.plugins.add("djangocsrf", {
    init(editor) {
      editor.on("fileUploadRequest", (event) => {
        event.data.fileLoader.xhr.setRequestHeader("X-CSRFToken", djangoCsrfToken())
      })
    },
  })
})()
