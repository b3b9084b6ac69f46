/* The image dialog asks for what the article page keeps, and nothing else.
 *
 * The page keeps an image's address, alt text, width and height (and a link around it);
 * the cleaner drops everything else (smartchunks/media/richtext.py).  So:
 *
 * - OK is refused until the image has alt text, with a message saying why.  The server
 *   refuses a body with an image without alt text as well (refuse_images_without_alt).
 * - Width and height are whole pixels.  Inside the editor CKEditor keeps them as CSS (its
 *   dialog writes styles); the HTML it hands over has them as width/height attributes, the
 *   only form the cleaner keeps.  On save the server makes them fit the stored file.
 * - Alignment, border, spacing, the Advanced tab (ids, classes, styles) and the link's
 *   target are gone: the page would show none of them.  The Advanced tab is removed in
 *   settings (removeDialogTabs), the rest here.
 */
/* global CKEDITOR */
;(() => {
  "use strict"

  const NEEDS_ALT =
    "Describe the image in “Alternative Text” before inserting it.\n\n" +
    "Readers who cannot see the image (screen readers, pictures that fail to load) get " +
    "this text instead. Say what it shows, for example: “Bar chart: sales doubled in 2024”."
  const WHOLE_PIXELS = "Width and height are whole numbers of pixels (or leave them empty)."
  const DROPPED = {
    info: ["txtBorder", "txtHSpace", "txtVSpace", "cmbAlign"],
    Link: ["cmbTarget"],
  }
  const NARROW_MARGIN = 40
  const PIXELS = /^\s*\d*\s*$/
  const CSS_PIXELS = /^\s*(\d+)(?:px)?\s*$/i

  function requireAlt(field) {
    field.required = true
    field.validate = function () {
      return /\S/.test(this.getValue()) || NEEDS_ALT
    }
  }

  function wholePixels(field) {
    field.validate = function () {
      return PIXELS.test(this.getValue()) || WHOLE_PIXELS
    }
  }

  function keepOnlyWhatThePageShows(event) {
    if (event.data.name !== "image") {
      return
    }
    const dialog = event.data.definition
    for (const [tabId, fieldIds] of Object.entries(DROPPED)) {
      const tab = dialog.getContents(tabId)
      for (const fieldId of fieldIds) {
        if (tab && tab.get(fieldId)) {
          tab.remove(fieldId)
        }
      }
    }
    // On a phone the dialog's 500 px would run off the screen, OK and Cancel with it.
    dialog.minWidth = Math.min(dialog.minWidth, window.innerWidth - NARROW_MARGIN)
    const info = dialog.getContents("info")
    requireAlt(info.get("txtAlt"))
    wholePixels(info.get("txtWidth"))
    wholePixels(info.get("txtHeight"))
  }

  /** <img style="width:640px; height:480px"> in the editor -> width="640" height="480". */
  function sizeAsAttributes(element) {
    const style = CKEDITOR.tools.parseCssText(element.attributes.style || "")
    for (const name of ["width", "height"]) {
      const pixels = CSS_PIXELS.exec(style[name] || "")
      if (pixels) {
        element.attributes[name] = pixels[1]
      }
      delete style[name]
    }
    const rest = CKEDITOR.tools.writeCssText(style)
    if (rest) {
      element.attributes.style = rest
    } else {
      delete element.attributes.style
    }
  }

  CKEDITOR.on("dialogDefinition", keepOnlyWhatThePageShows)

  CKEDITOR.plugins.add("imagerules", {
    onLoad() {
      CKEDITOR.document.appendStyleSheet(`${this.path}dialog.css`)
    },
    init(editor) {
      // After the content filter (priority 11), which turns width/height attributes back
      // into styles as the image plugin asks it to, and before the HTML is written (15).
      editor.on(
        "toDataFormat",
        (event) => {
          event.data.dataValue.forEach((node) => {
            if (node.name === "img") {
              sizeAsAttributes(node)
            }
          }, CKEDITOR.NODE_ELEMENT)
        },
        null,
        null,
        12,
      )
    },
  })
})()
