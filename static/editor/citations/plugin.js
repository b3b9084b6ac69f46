/* "Cite source": inserts a numbered citation marker at the cursor, pointing at one of the
 * article's sources.
 *
 * A marker is <sup class="cite"><a href="#source-2">2</a></sup>: the number is the source's
 * place in the "Sources" rows below the editor, the order readers see them in.  The cleaner
 * keeps exactly this form (smartchunks/media/citation_markers.py); the article page links
 * the number to the source and the source back to it (articles/pages/citations.py).  A
 * marker pointing past the last source is named by the pre-publish checklist.
 *
 * The dialog lists the source rows as the form has them now (saved or not), in page order,
 * leaving out rows marked for deletion and empty rows: the same rows, numbered the same way,
 * as the server will save.
 */
/* global CKEDITOR */
;(() => {
  "use strict"

  const NO_SOURCES =
    "This article has no sources yet. Add one under “Sources” below the editor, then cite it."
  const SOURCE_ROWS = "#sources-group .inline-related:not(.empty-form)"

  function field(row, name) {
    const input = row.querySelector(`[name$="-${name}"]`)
    return input ? input.value.trim() : ""
  }

  /** [{number, name, url}] of the form's source rows, in the order readers will see them. */
  function formSources() {
    const sources = []
    for (const row of document.querySelectorAll(SOURCE_ROWS)) {
      const deleted = row.querySelector('input[name$="-DELETE"]')
      if (deleted && deleted.checked) continue
      const name = field(row, "name")
      const url = field(row, "url")
      if (!name && !url) continue
      sources.push({ number: sources.length + 1, name: name || url, url })
    }
    return sources
  }

  function hostOf(url) {
    try {
      return new URL(url).host
    } catch {
      return url
    }
  }

  function insertMarker(editor, number) {
    // At the cursor; with text selected, after it (the marker never replaces words).
    const selection = editor.getSelection()
    const ranges = selection && selection.getRanges()
    if (ranges && ranges.length) {
      ranges[0].collapse(false)
      selection.selectRanges([ranges[0]])
    }
    const href = `#source-${number}`
    const sup = new CKEDITOR.dom.element("sup", editor.document)
    sup.addClass("cite")
    const link = new CKEDITOR.dom.element("a", editor.document)
    link.setAttributes({ href, "data-cke-saved-href": href })
    link.setText(String(number))
    sup.append(link)
    editor.insertElement(sup)
    // Typing goes on in the sentence, after the marker, not inside its link.
    const after = editor.createRange()
    after.moveToPosition(sup, CKEDITOR.POSITION_AFTER_END)
    after.select()
  }

  function citeDialog(editor) {
    return {
      title: "Cite source",
      minWidth: Math.min(420, window.innerWidth - 40),
      minHeight: 80,
      contents: [
        {
          id: "info",
          elements: [
            {
              type: "html",
              id: "help",
              html:
                '<p class="cite-dialog-help">A numbered marker goes at the cursor. Readers see the ' +
                "number as a superscript linking to the source.</p>",
            },
            {
              type: "select",
              id: "source",
              label: "Source",
              items: [],
              validate() {
                return this.getValue() !== "" || NO_SOURCES
              },
            },
          ],
        },
      ],
      onShow() {
        const select = this.getContentElement("info", "source")
        select.clear()
        const sources = formSources()
        for (const source of sources) {
          select.add(`${source.number}. ${source.name} (${hostOf(source.url)})`, String(source.number))
        }
        if (sources.length) {
          select.setValue("1")
        } else {
          select.add(NO_SOURCES, "")
          select.setValue("")
        }
      },
      onOk() {
        const number = Number.parseInt(this.getValueOf("info", "source"), 10)
        if (number > 0) insertMarker(editor, number)
      },
    }
  }

  CKEDITOR.plugins.add("citations", {
    onLoad() {
      CKEDITOR.document.appendStyleSheet(`${this.path}plugin.css`)
    },
    init(editor) {
      editor.addCommand(
        "citeSource",
        new CKEDITOR.dialogCommand("citeSource", {
          allowedContent: "sup(!cite); a[!href]",
          requiredContent: "sup(cite)",
        }),
      )
      CKEDITOR.dialog.add("citeSource", citeDialog)
      editor.ui.addButton("CiteSource", {
        label: "Cite source",
        command: "citeSource",
        toolbar: "links",
      })
    },
  })
})()
